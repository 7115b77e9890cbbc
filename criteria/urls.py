from __future__ import annotations

from django.urls import path

from criteria import views

urlpatterns = [
    # criteria-
    path("", views.tree, name="criteria-tree"),
    path("tieu-chi/moi/", views.create, name="criteria-create"),
    path("tieu-chi/<int:pk>/", views.detail, name="criteria-detail"),
    path("tieu-chi/<int:pk>/sua/", views.edit, name="criteria-edit"),
    path("tieu-chi/<int:pk>/xoa/", views.delete, name="criteria-delete"),
    path("tieu-chi/<int:pk>/tu-cham/", views.self_score, name="criteria-self-score"),
    path(
        "tieu-chi/<int:pk>/tai-lieu/them/",
        views.evidence_add,
        name="criteria-evidence-add",
    ),
    path(
        "tai-lieu/<int:pk>/xoa/", views.evidence_delete, name="criteria-evidence-delete"
    ),
    path("tai-lieu/<int:pk>/tep/", views.evidence_file, name="criteria-evidence-file"),
]
