"""The error pages (400, 403, 404, 500, an expired form) in the site's layout.

Django's own handlers render 403.html and 404.html with the request, but its CSRF
refusal renders without it (no menu, no language switch), and none of them says
where to go back. These do. The 500 page is rendered with no request at all: the
database or the session may be what failed.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template import loader
from django.urls import reverse

from parplan.roles import Role, user_roles

# Where each role's work is, first match wins (URL names, so that the ground floor
# names the pages of the apps above without importing them).
LANDING = [
    (Role.DIRECTOR, "reports-dashboard"),
    (Role.UNIT_HEAD, "tasks-mine"),
    (Role.OFFICE, "reports-tree"),
    (Role.VIEWER, "reports-tree"),
]


def landing_url_name(request: HttpRequest) -> str | None:
    """The URL name of the page where the signed-in person's work is (None without a
    role)."""
    user = getattr(request, "user", None)
    if user is None:
        return None
    roles = user_roles(user)
    for role, url_name in LANDING:
        if role in roles:
            return url_name
    return None


def _back_url(request: HttpRequest) -> str:
    url_name = landing_url_name(request)
    return reverse(url_name) if url_name else reverse("login")


def _reason(exception: Exception | None) -> str:
    """The message a ``PermissionDenied`` was raised with ("" when bare)."""
    if exception is None or not exception.args:
        return ""
    return str(exception.args[0])


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    return render(request, "400.html", {"back_url": _back_url(request)}, status=400)


def permission_denied(request: HttpRequest, exception: Exception) -> HttpResponse:
    ctx = {"reason": _reason(exception), "back_url": _back_url(request)}
    return render(request, "403.html", ctx, status=403)


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    return render(request, "404.html", {"back_url": _back_url(request)}, status=404)


def server_error(request: HttpRequest) -> HttpResponse:
    # No request context: neither the session nor the database is asked.
    return HttpResponse(loader.get_template("500.html").render(), status=500)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """An expired or missing form token, in the site's layout (Django's own view
    renders without the request, so without the menu)."""
    return render(
        request, "403_csrf.html", {"back_url": _back_url(request)}, status=403
    )
