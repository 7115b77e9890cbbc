from __future__ import annotations

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from parplan import views

urlpatterns = [
    # home, sign-in
    path("", views.home, name="home"),
    path("dang-nhap/", views.SignInView.as_view(), name="login"),
    path("dang-xuat/", auth_views.LogoutView.as_view(), name="logout"),
    # every signed-in user changes their own password (Django's views and form)
    path(
        "doi-mat-khau/",
        auth_views.PasswordChangeView.as_view(),
        name="password_change",
    ),
    path(
        "doi-mat-khau/xong/",
        auth_views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
    # a forgotten password, by e-mail (404 unless e-mail is set up)
    path("quen-mat-khau/", views.password_reset, name="password_reset"),
    path(
        "quen-mat-khau/da-gui/", views.password_reset_done, name="password_reset_done"
    ),
    path(
        "quen-mat-khau/<uidb64>/<token>/",
        views.password_reset_confirm,
        name="password_reset_confirm",
    ),
    path(
        "quen-mat-khau/xong/",
        views.password_reset_complete,
        name="password_reset_complete",
    ),
    path("i18n/", include("django.conf.urls.i18n")),
    # The apps, by dotted string: the ground floor imports none of them. Each app's
    # urls.py spells its paths whole (/ke-hoach/…, /nhiem-vu/…, /bao-cao/…), since the
    # plan's pages come from all three.
    path("", include("criteria.urls")),
    path("", include("tasks.urls")),
    path("", include("reports.urls")),
    path("admin/", admin.site.urls),
    # what a load balancer polls; the benchmark's trivial view
    path("healthz", views.healthz, name="healthz"),
    # what browsers ask for whatever the page links
    path("favicon.ico", views.favicon, name="favicon"),
    # the benchmark's trivial signed-in view
    path("ping", views.ping, name="parplan-ping"),
]

# The error pages in the site's layout, with the way back to one's own page.
handler400 = "parplan.error_views.bad_request"
handler403 = "parplan.error_views.permission_denied"
handler404 = "parplan.error_views.page_not_found"
handler500 = "parplan.error_views.server_error"
