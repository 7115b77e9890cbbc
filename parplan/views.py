from __future__ import annotations

import math
from typing import Any

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from parplan.error_views import LANDING as LANDING  # re-exported: the tests read it
from parplan.error_views import landing_url_name
from parplan.roles import require_view


@login_required
def home(request: HttpRequest) -> HttpResponse:
    url_name = landing_url_name(request)
    if url_name is not None:
        return redirect(url_name)
    return render(request, "no_role.html", status=403)


FAVICON = settings.BASE_DIR / "static" / "favicon.svg"


def favicon(request: HttpRequest) -> HttpResponse:
    """``/favicon.ico``, which browsers ask for whatever the page links: the site's
    SVG icon (the pages link it under /static/ too)."""
    response = HttpResponse(FAVICON.read_bytes(), content_type="image/svg+xml")
    response["Cache-Control"] = "public, max-age=86400"
    return response


def healthz(request: HttpRequest) -> HttpResponse:
    """``ok`` without touching the database: what a load balancer polls, and the
    benchmark's measure of what the server does for the cheapest request."""
    return HttpResponse("ok", content_type="text/plain")


@login_required
def ping(request: HttpRequest) -> HttpResponse:
    """``ok`` to a signed-in user with a role: the benchmark's second reference, a
    page that pays what every signed-in page pays (the session, the user and their
    roles, the middleware) and nothing else."""
    require_view(request.user)
    return HttpResponse("ok", content_type="text/plain")


def sign_in_locked(
    request: HttpRequest,
    original_response: HttpResponse | None = None,
    credentials: dict[str, Any] | None = None,
) -> HttpResponse:
    """What django-axes answers to a locked-out account or address: the sign-in page
    again, saying how long to wait and who can unlock."""
    minutes = math.ceil(settings.AXES_COOLOFF_TIME.total_seconds() / 60)
    ctx = {"minutes": minutes, "failure_limit": settings.AXES_FAILURE_LIMIT}
    return render(request, "registration/locked.html", ctx, status=429)


class SignInView(auth_views.LoginView):
    """Django's sign-in, with the "forgot password" link when e-mail is set up."""

    redirect_authenticated_user = True

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        ctx["password_reset_enabled"] = settings.PASSWORD_RESET_ENABLED
        return ctx


def _password_reset_page(view: Any) -> Any:
    """Django's password reset view, answering 404 unless e-mail is set up."""

    def page(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not settings.PASSWORD_RESET_ENABLED:
            raise Http404
        response: HttpResponse = view(request, *args, **kwargs)
        return response

    return page


password_reset = _password_reset_page(
    auth_views.PasswordResetView.as_view(
        email_template_name="registration/password_reset_email.txt",
        subject_template_name="registration/password_reset_subject.txt",
    )
)
password_reset_done = _password_reset_page(auth_views.PasswordResetDoneView.as_view())
password_reset_confirm = _password_reset_page(
    auth_views.PasswordResetConfirmView.as_view()
)
password_reset_complete = _password_reset_page(
    auth_views.PasswordResetCompleteView.as_view()
)
