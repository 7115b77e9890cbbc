"""The office's pages of people and units: who has which role and belongs to which
unit; creating people with a temporary password, deactivating them; the units."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from criteria.managers import organization_visible
from criteria.models import Organization
from parplan import roles
from parplan.roles import GROUP_NAMES, Role
from tasks import access, editing, people
from tasks.forms import MembershipForm
from tasks.models import Unit
from tasks.people_forms import PersonForm, UnitCreateForm, UnitForm

if TYPE_CHECKING:
    from django.contrib.auth.models import User

_ROLE_BY_GROUP = {name: role for role, name in GROUP_NAMES.items()}


def _person_for_office(request: HttpRequest, pk: int) -> User:
    """A person the office may change (``tasks.access.people_manageable``)."""
    roles.require_edit(request.user)
    return get_object_or_404(access.people_manageable(request.user), pk=pk)


def _unit_for_office(request: HttpRequest, pk: int) -> Unit:
    roles.require_edit(request.user)
    return get_object_or_404(access.units_visible(request.user), pk=pk)


def _name(member: User) -> str:
    return member.get_full_name() or member.get_username()


def _form_errors_add(
    form: PersonForm | UnitForm | UnitCreateForm, error: ValidationError
) -> None:
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


@login_required
def users(request: HttpRequest) -> HttpResponse:
    """Who has which role and belongs to which unit; the deactivated last."""
    roles.require_edit(request.user)
    listed = list(
        access.people_visible(request.user)
        .prefetch_related("groups", "memberships__unit")
        .order_by("-is_active", "username")
    )
    manageable = set(
        access.people_manageable(request.user).values_list("pk", flat=True)
    )
    ctx = {"people": listed, "manageable": manageable}
    return render(request, "tasks/users.html", ctx)


@login_required
def person_create(request: HttpRequest) -> HttpResponse:
    roles.require_edit(request.user)
    # With several organizations, a person of no unit would see them all.
    required = not access.sees_every_organization(request.user)
    status = 200
    if request.method == "POST":
        form = PersonForm(
            request.POST, user=request.user, creating=True, units_required=required
        )
        if form.is_valid():
            password = people.temporary_password_make()
            data = form.cleaned_data
            try:
                member = people.person_create(
                    username=data["username"],
                    full_name=data["full_name"],
                    email=data["email"],
                    role=Role(data["role"]),
                    units=data["units"],
                    password=password,
                )
            except ValidationError as error:
                _form_errors_add(form, error)
            else:
                ctx = {"member": member, "password": password, "created": True}
                return render(request, "tasks/person_password.html", ctx)
        status = 400
    else:
        form = PersonForm(user=request.user, creating=True, units_required=required)
    ctx = {"form": form, "member": None}
    return render(request, "tasks/person_form.html", ctx, status=status)


@login_required
def person_edit(request: HttpRequest, pk: int) -> HttpResponse:
    member = _person_for_office(request, pk)
    unit_ids = list(member.memberships.values_list("unit_id", flat=True))
    required = not access.sees_every_organization(request.user)
    status = 200
    if request.method == "POST":
        form = PersonForm(
            request.POST,
            user=request.user,
            creating=False,
            keep_units=unit_ids,
            units_required=required,
        )
        if form.is_valid():
            data = form.cleaned_data
            try:
                people.person_update(
                    member=member,
                    full_name=data["full_name"],
                    email=data["email"],
                    role=Role(data["role"]),
                    units=data["units"],
                    by=request.user,  # type: ignore[arg-type]  # signed in: login_required
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(
                    request, _("Đã lưu %(name)s.") % {"name": _name(member)}
                )
                return redirect("tasks-users")
        status = 400
    else:
        role = next(
            (
                _ROLE_BY_GROUP[g.name]
                for g in member.groups.all()
                if g.name in _ROLE_BY_GROUP
            ),
            None,
        )
        form = PersonForm(
            user=request.user,
            creating=False,
            keep_units=unit_ids,
            units_required=required,
            initial={
                "full_name": member.get_full_name(),
                "email": member.email,
                "role": role,
                "units": unit_ids,
            },
        )
    ctx = {"form": form, "member": member}
    return render(request, "tasks/person_form.html", ctx, status=status)


@require_POST
@login_required
def person_active(request: HttpRequest, pk: int) -> HttpResponse:
    """Deactivate (``active=0``) or reactivate (``active=1``) a person."""
    member = _person_for_office(request, pk)
    active = request.POST.get("active") == "1"
    try:
        people.person_active_set(member=member, active=active, by=request.user)  # type: ignore[arg-type]  # signed in: login_required
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("tasks-users")
    if active:
        text = _("Đã kích hoạt lại tài khoản %(name)s.")
    else:
        text = _(
            "Đã ngừng kích hoạt tài khoản %(name)s; người này không đăng nhập được nữa."
        )
    messages.success(request, text % {"name": _name(member)})
    return redirect("tasks-users")


@require_POST
@login_required
def person_password(request: HttpRequest, pk: int) -> HttpResponse:
    """Give a person a new temporary password (shown once, on this page)."""
    member = _person_for_office(request, pk)
    password = people.temporary_password_make()
    people.person_password_reset(member=member, password=password)
    ctx = {"member": member, "password": password, "created": False}
    return render(request, "tasks/person_password.html", ctx)


@login_required
def user_units(request: HttpRequest, pk: int) -> HttpResponse:
    roles.require_edit(request.user)
    member = get_object_or_404(
        access.people_manageable(request.user), pk=pk, is_active=True
    )
    unit_ids = list(member.memberships.values_list("unit_id", flat=True))
    status = 200
    if request.method == "POST":
        form = MembershipForm(request.POST, user=request.user, keep_units=unit_ids)
        if form.is_valid():
            editing.memberships_set(member=member, units=form.cleaned_data["units"])
            messages.success(
                request, _("Đã lưu đơn vị của %(name)s.") % {"name": _name(member)}
            )
            return redirect("tasks-users")
        status = 400
    else:
        form = MembershipForm(
            initial={"units": unit_ids}, user=request.user, keep_units=unit_ids
        )
    ctx = {"member": member, "form": form}
    return render(request, "tasks/user_units.html", ctx, status=status)


@login_required
def units(request: HttpRequest) -> HttpResponse:
    """The units of the office's organizations, and a form to add one."""
    roles.require_edit(request.user)
    organizations = Organization.objects.filter(
        organization_visible(request.user, None)
    ).order_by("name")
    status = 200
    if request.method == "POST":
        form = UnitCreateForm(request.POST, organizations=organizations)
        if form.is_valid():
            try:
                unit = people.unit_create(
                    organization=form.cleaned_data["organization"],
                    name=form.cleaned_data["name"],
                )
            except ValidationError as error:
                _form_errors_add(form, error)
            else:
                messages.success(
                    request, _("Đã thêm đơn vị %(name)s.") % {"name": unit.name}
                )
                return redirect("tasks-units")
        status = 400
    else:
        form = UnitCreateForm(organizations=organizations)
    listed = list(
        access.units_visible(request.user)
        .select_related("organization")
        .order_by("organization__name", "-is_active", "position", "name")
    )
    ctx = {"units": listed, "form": form, "several": len(organizations) > 1}
    return render(request, "tasks/units.html", ctx, status=status)


@login_required
def unit_edit(request: HttpRequest, pk: int) -> HttpResponse:
    unit = _unit_for_office(request, pk)
    status = 200
    if request.method == "POST":
        form = UnitForm(request.POST)
        if form.is_valid():
            try:
                people.unit_update(
                    unit=unit,
                    name=form.cleaned_data["name"],
                    is_active=form.cleaned_data["is_active"],
                )
            except ValidationError as error:
                _form_errors_add(form, error)
            else:
                messages.success(
                    request, _("Đã lưu đơn vị %(name)s.") % {"name": unit.name}
                )
                return redirect("tasks-units")
        status = 400
    else:
        form = UnitForm(initial={"name": unit.name, "is_active": unit.is_active})
    ctx = {"unit": unit, "form": form}
    return render(request, "tasks/unit_form.html", ctx, status=status)
