from __future__ import annotations

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from parplan import views

urlpatterns = [
    # home, sign-in
    path("", views.home, name="home"),
    path(
        "dang-nhap/",
        auth_views.LoginView.as_view(redirect_authenticated_user=True),
        name="login",
    ),
    path("dang-xuat/", auth_views.LogoutView.as_view(), name="logout"),
    path("i18n/", include("django.conf.urls.i18n")),
    # apps
    path("ke-hoach/", include("criteria.urls")),
    path("nhiem-vu/", include("tasks.urls")),
    path("bao-cao/", include("reports.urls")),
    path("admin/", admin.site.urls),
    # health check (issue 6)
    path("healthz", views.healthz, name="healthz"),
]
