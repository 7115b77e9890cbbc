from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from parplan.roles import Role, user_roles

# Where each role's work is, first match wins (URL names, so that the ground floor
# names the pages of the apps above without importing them).
LANDING = [
    (Role.DIRECTOR, "reports-dashboard"),
    (Role.UNIT_HEAD, "tasks-mine"),
    (Role.OFFICE, "reports-tree"),
    (Role.VIEWER, "reports-tree"),
]


@login_required
def home(request: HttpRequest) -> HttpResponse:
    roles = user_roles(request.user)
    for role, url_name in LANDING:
        if role in roles:
            return redirect(url_name)
    return render(request, "no_role.html", status=403)


def healthz(request: HttpRequest) -> HttpResponse:
    """``ok`` without touching the database: what a load balancer polls, and the
    benchmark's measure of what the server does for the cheapest request."""
    return HttpResponse("ok", content_type="text/plain")
