"""The office's page of people: who has which role and belongs to which unit."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from parplan import roles
from tasks import access, editing
from tasks.forms import MembershipForm


@login_required
def users(request: HttpRequest) -> HttpResponse:
    """Who has which role and belongs to which unit (the office manages the units)."""
    roles.require_edit(request.user)
    people = list(
        access.people_visible(request.user)
        .filter(is_active=True)
        .prefetch_related("groups", "memberships__unit")
        .order_by("username")
    )
    ctx = {"people": people}
    return render(request, "tasks/users.html", ctx)


@login_required
def user_units(request: HttpRequest, pk: int) -> HttpResponse:
    roles.require_edit(request.user)
    member = get_object_or_404(
        access.people_visible(request.user), pk=pk, is_active=True
    )
    status = 200
    if request.method == "POST":
        form = MembershipForm(request.POST, user=request.user)
        if form.is_valid():
            editing.memberships_set(member=member, units=form.cleaned_data["units"])
            messages.success(
                request,
                _("Đã lưu đơn vị của %(name)s.")
                % {"name": member.get_full_name() or member.get_username()},
            )
            return redirect("tasks-users")
        status = 400
    else:
        form = MembershipForm(
            initial={
                "units": list(member.memberships.values_list("unit_id", flat=True))
            },
            user=request.user,
        )
    ctx = {"member": member, "form": form}
    return render(request, "tasks/user_units.html", ctx, status=status)
