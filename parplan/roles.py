"""Who may do what. Every view and form post asks these functions; none decides alone.

Roles are Django auth groups; a unit head's units come from ``tasks.Membership``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied
from django.db import models
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser, AnonymousUser

    from criteria.models import Evidence
    from tasks.models import TaskUnit

    AnyUser = AbstractBaseUser | AnonymousUser


class Role(models.TextChoices):
    OFFICE = "office", _("Văn phòng Sở")
    UNIT_HEAD = "unit_head", _("Lãnh đạo phòng, đơn vị")
    DIRECTOR = "director", _("Lãnh đạo Sở")
    VIEWER = "viewer", _("Người xem")


# The auth group that carries each role. Group names are data (shown in the admin).
GROUP_NAMES: dict[Role, str] = {
    Role.OFFICE: "Văn phòng Sở",
    Role.UNIT_HEAD: "Lãnh đạo phòng, đơn vị",
    Role.DIRECTOR: "Lãnh đạo Sở",
    Role.VIEWER: "Người xem",
}
_ROLE_BY_GROUP = {name: role for role, name in GROUP_NAMES.items()}


def user_roles(user: AnyUser) -> frozenset[Role]:
    """The user's roles, cached on the user object for the request."""
    if not user.is_authenticated or not user.is_active:
        return frozenset()
    cached = getattr(user, "_parplan_roles", None)
    if cached is None:
        names = user.groups.values_list("name", flat=True)
        roles = {_ROLE_BY_GROUP[n] for n in names if n in _ROLE_BY_GROUP}
        if user.is_superuser:
            roles.add(Role.OFFICE)
        cached = frozenset(roles)
        user._parplan_roles = cached
    return cached


def user_unit_ids(user: AnyUser) -> frozenset[int]:
    """Units the user heads (empty for anyone who is not a unit head)."""
    if Role.UNIT_HEAD not in user_roles(user):
        return frozenset()
    cached = getattr(user, "_parplan_unit_ids", None)
    if cached is None:
        from tasks.models import Membership

        ids = Membership.objects.filter(user=user).values_list("unit_id", flat=True)
        cached = frozenset(ids)
        user._parplan_unit_ids = cached
    return cached


def can_view_plan(user: AnyUser) -> bool:
    return bool(user_roles(user))


def can_edit_plan(user: AnyUser) -> bool:
    return Role.OFFICE in user_roles(user)


def can_update_part(user: AnyUser, part: TaskUnit) -> bool:
    """A unit's part of a task is updated by that unit's head, or by the office."""
    return can_edit_plan(user) or part.unit_id in user_unit_ids(user)


# Model permissions each role's group carries (used by Django's admin; the
# application's own pages ask the functions above).
_VIEW_MODELS = [
    ("criteria", "organization"),
    ("criteria", "plan"),
    ("criteria", "criterion"),
    ("criteria", "evidence"),
    ("criteria", "scoringrule"),
    ("tasks", "unit"),
    ("tasks", "membership"),
    ("tasks", "task"),
    ("tasks", "taskunit"),
    ("tasks", "progressupdate"),
    ("reports", "peerrank"),
]


def role_groups_sync() -> None:
    """Create each role's group with its permissions; safe to run again."""
    from django.contrib.auth.models import Group, Permission

    perms = Permission.objects.filter(
        content_type__app_label__in={app for app, _model in _VIEW_MODELS}
    ).select_related("content_type")
    wanted = {(p.content_type.app_label, p.content_type.model) for p in perms}
    for role, name in GROUP_NAMES.items():
        group, _created = Group.objects.get_or_create(name=name)
        if role == Role.OFFICE:
            chosen = [
                p
                for p in perms
                if (p.content_type.app_label, p.content_type.model) in wanted
            ]
        else:
            chosen = [p for p in perms if p.codename.startswith("view_")]
        group.permissions.set(chosen)


# Objects a user may see or change ---------------------------------------------------
# Views fetch through these helpers: a missing object answers 404, a forbidden one
# 403, for pages and form posts alike.


def require_view(user: AnyUser) -> None:
    """Anyone with a role sees the whole plan; a signed-in user without one, nothing."""
    if not can_view_plan(user):
        raise PermissionDenied


def require_edit(user: AnyUser) -> None:
    """Only the office changes the plan itself (criteria, tasks, units, evidence)."""
    if not can_edit_plan(user):
        raise PermissionDenied


def can_delete_evidence(user: AnyUser, evidence: Evidence) -> bool:
    """The office deletes any evidence; a unit head, what came with their unit's report."""
    if can_edit_plan(user):
        return True
    update = evidence.progress_update
    return update is not None and can_update_part(user, update.part)


def part_for_update(user: AnyUser, pk: int) -> TaskUnit:
    """The unit's part of a task that ``user`` may report on (404 / 403 otherwise)."""
    from tasks.models import TaskUnit

    part = get_object_or_404(
        TaskUnit.objects.select_related("task__criterion__plan", "unit"), pk=pk
    )
    if not can_update_part(user, part):
        raise PermissionDenied
    return part


def evidence_for_download(user: AnyUser, pk: int) -> Evidence:
    from criteria.models import Evidence

    require_view(user)
    return get_object_or_404(Evidence, pk=pk)


def evidence_for_delete(user: AnyUser, pk: int) -> Evidence:
    from criteria.models import Evidence

    evidence = get_object_or_404(
        Evidence.objects.select_related("progress_update__part"), pk=pk
    )
    if not can_delete_evidence(user, evidence):
        raise PermissionDenied
    return evidence
