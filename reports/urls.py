from __future__ import annotations

from django.urls import path

from reports import (
    assessment_views,
    next_year_views,
    ranking_views,
    tree_views,
    views,
)

urlpatterns = [
    # reports- the plan read whole
    path("ke-hoach/", tree_views.tree, name="reports-tree"),
    path("ke-hoach/cay/<int:pk>/", tree_views.tree_branch, name="reports-tree-branch"),
    path(
        "ke-hoach/cay/<int:pk>/tu-cham/",
        tree_views.tree_self_score,
        name="reports-tree-self-score",
    ),
    path("ke-hoach/tieu-chi/<int:pk>/", views.criterion, name="reports-criterion"),
    path("ke-hoach/xuat/", views.exports, name="reports-exports"),
    path(
        "ke-hoach/xuat/<int:plan_id>/tu-danh-gia.xlsx",
        views.export_self_assessment,
        name="reports-export-self-assessment",
    ),
    path(
        "ke-hoach/xuat/<int:plan_id>/tu-danh-gia.pdf",
        views.export_self_assessment_pdf,
        name="reports-export-self-assessment-pdf",
    ),
    path(
        "ke-hoach/xuat/<int:plan_id>/tu-danh-gia/",
        views.self_assessment,
        name="reports-self-assessment",
    ),
    path(
        "ke-hoach/xuat/<int:plan_id>/ke-hoach.xlsx",
        views.export_plan,
        name="reports-export-plan",
    ),
    path(
        "ke-hoach/<int:plan_id>/tu-danh-gia/phe-duyet/",
        assessment_views.state,
        name="reports-self-assessment-state",
    ),
    path(
        "ke-hoach/<int:plan_id>/nam-sau/",
        next_year_views.next_year,
        name="reports-next-year",
    ),
    # reports- dashboard and ranking
    path("bao-cao/", views.dashboard, name="reports-dashboard"),
    path(
        "bao-cao/so-sanh-nam/",
        next_year_views.compare_years,
        name="reports-year-over-year",
    ),
    path("bao-cao/xep-hang/", ranking_views.ranking, name="reports-ranking"),
    path(
        "bao-cao/xep-hang/nhap/",
        ranking_views.VIEWS.upload,
        name="reports-ranking-import",
    ),
    path(
        "bao-cao/xep-hang/nhap/xac-nhan/",
        ranking_views.VIEWS.confirm,
        name="reports-ranking-import-confirm",
    ),
    path(
        "bao-cao/xep-hang/nhap/huy/",
        ranking_views.VIEWS.cancel,
        name="reports-ranking-import-cancel",
    ),
    path(
        "bao-cao/xep-hang/nhap/doc-lai/",
        ranking_views.VIEWS.reread,
        name="reports-ranking-import-reread",
    ),
]
