from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse

from parplan.roles import Role, user_roles

# Where each role's work is, first match wins.
LANDING = [
    (Role.DIRECTOR, "reports-dashboard"),
    (Role.UNIT_HEAD, "tasks-mine"),
    (Role.OFFICE, "criteria-tree"),
    (Role.VIEWER, "criteria-tree"),
    # Until a role's own page is installed, the task list is where its work is.
    (Role.DIRECTOR, "tasks-list"),
    (Role.OFFICE, "tasks-list"),
    (Role.VIEWER, "tasks-list"),
]


@login_required
def home(request: HttpRequest) -> HttpResponse:
    roles = user_roles(request.user)
    for role, url_name in LANDING:
        if role in roles:
            try:
                return redirect(reverse(url_name))
            except NoReverseMatch:
                continue
    return render(request, "no_role.html", status=403)


# --- health check (issue 6: the benchmark's trivial view) ---


def healthz(request: HttpRequest) -> HttpResponse:
    """``ok`` without touching the database: what a load balancer polls, and the
    benchmark's measure of what the server does for the cheapest request."""
    return HttpResponse("ok", content_type="text/plain")
