from __future__ import annotations

from django.urls import path

from reports import views

urlpatterns = [
    # reports-
    path("", views.dashboard, name="reports-dashboard"),
    path("xep-hang/", views.ranking, name="reports-ranking"),
    path("xep-hang/nhap/", views.ranking_upload, name="reports-ranking-import"),
    path(
        "xep-hang/nhap/xac-nhan/",
        views.ranking_upload_confirm,
        name="reports-ranking-import-confirm",
    ),
    path(
        "xep-hang/nhap/huy/",
        views.ranking_upload_cancel,
        name="reports-ranking-import-cancel",
    ),
]
