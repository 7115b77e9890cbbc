from __future__ import annotations

from django.urls import path

from criteria import views

urlpatterns = [
    # criteria-
    path("ke-hoach/tieu-chi/moi/", views.create, name="criteria-create"),
    path("ke-hoach/tieu-chi/<int:pk>/sua/", views.edit, name="criteria-edit"),
    path("ke-hoach/tieu-chi/<int:pk>/xoa/", views.delete, name="criteria-delete"),
    path(
        "ke-hoach/tieu-chi/<int:pk>/tu-cham/",
        views.self_score,
        name="criteria-self-score",
    ),
    path(
        "ke-hoach/tieu-chi/<int:pk>/tham-dinh/",
        views.layers,
        name="criteria-layers",
    ),
    path(
        "ke-hoach/tieu-chi/<int:pk>/cach-cham/",
        views.scoring,
        name="criteria-scoring",
    ),
]
