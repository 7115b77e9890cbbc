from __future__ import annotations

from django.urls import path

urlpatterns: list = []

# Excel import and export (issue 5)
from criteria import views as excel_views  # noqa: E402

urlpatterns += [
    path("nhap/", excel_views.criteria_import, name="criteria-import"),
    path(
        "nhap/xac-nhan/",
        excel_views.criteria_import_confirm,
        name="criteria-import-confirm",
    ),
    path(
        "nhap/huy/", excel_views.criteria_import_cancel, name="criteria-import-cancel"
    ),
    path("xuat/", excel_views.criteria_exports, name="criteria-exports"),
    path(
        "xuat/<int:plan_id>/tu-danh-gia.xlsx",
        excel_views.criteria_export_self_assessment,
        name="criteria-export-self-assessment",
    ),
    path(
        "xuat/<int:plan_id>/ke-hoach.xlsx",
        excel_views.criteria_export_plan,
        name="criteria-export-plan",
    ),
]
