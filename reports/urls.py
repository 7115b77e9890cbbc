from __future__ import annotations

from django.urls import path

from reports import views

urlpatterns = [
    # reports-
    path("", views.dashboard, name="reports-dashboard"),
    path("xep-hang/", views.ranking, name="reports-ranking"),
]
