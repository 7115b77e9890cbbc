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
    path("tieu-chi/<int:pk>/cach-cham/", views.scoring, name="criteria-scoring"),
    path(
        "tieu-chi/<int:pk>/tai-lieu/them/",
        views.evidence_add,
        name="criteria-evidence-add",
    ),
    path(
        "tai-lieu/<int:pk>/xoa/", views.evidence_delete, name="criteria-evidence-delete"
    ),
    path("tai-lieu/<int:pk>/tep/", views.evidence_file, name="criteria-evidence-file"),
    # criteria- Excel import and export
    path("nhap/", views.criteria_import, name="criteria-import"),
    path(
        "nhap/xac-nhan/", views.criteria_import_confirm, name="criteria-import-confirm"
    ),
    path("nhap/huy/", views.criteria_import_cancel, name="criteria-import-cancel"),
    path("xuat/", views.criteria_exports, name="criteria-exports"),
    path(
        "xuat/<int:plan_id>/tu-danh-gia.xlsx",
        views.criteria_export_self_assessment,
        name="criteria-export-self-assessment",
    ),
    path(
        "xuat/<int:plan_id>/ke-hoach.xlsx",
        views.criteria_export_plan,
        name="criteria-export-plan",
    ),
]
