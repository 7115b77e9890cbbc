"""Who may do what, by role. Every view and form post asks these functions (or the
object-level helpers beside the models they fetch, ``tasks.access``); none decides
alone.

Roles are Django auth groups.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied
from django.db import models
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser, User

    AnyUser = User | AnonymousUser


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


def group_role_label(name: str) -> str:
    """A role group's name in the page's language (the group's name is data, in
    Vietnamese; other groups keep their name)."""
    role = _ROLE_BY_GROUP.get(name)
    return str(role.label) if role is not None else name


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
        user._parplan_roles = cached  # type: ignore[attr-defined]  # cached on the user object for the request
    return cached


def can_view_plan(user: AnyUser) -> bool:
    return bool(user_roles(user))


def can_edit_plan(user: AnyUser) -> bool:
    return Role.OFFICE in user_roles(user)


def can_submit_self_assessment(user: AnyUser) -> bool:
    """The office sends the year's self-assessment to the director."""
    return Role.OFFICE in user_roles(user)


def can_approve_self_assessment(user: AnyUser) -> bool:
    """The director approves (and reopens) the self-assessment: the one write right
    of the Lãnh đạo Sở group. A deputy director gets it by joining that group; the
    office, even as superuser, never approves its own submission."""
    return Role.DIRECTOR in user_roles(user)


# Model permissions each role's group carries (used by Django's admin; the
# application's own pages ask the functions above).
_VIEW_MODELS = [
    ("criteria", "organization"),
    ("criteria", "plan"),
    ("criteria", "criterion"),
    ("criteria", "scoringrule"),
    ("tasks", "unit"),
    ("tasks", "membership"),
    ("tasks", "task"),
    ("tasks", "taskunit"),
    ("tasks", "progressupdate"),
    ("tasks", "evidence"),
    ("tasks", "quarterlyreview"),
    ("reports", "peerrank"),
]
# Models only the office's group sees: sign-in attempts, which it deletes to unlock
# an account or an address before its waiting time is over.
_OFFICE_MODELS = [("axes", "accessattempt")]


def role_groups_sync() -> None:
    """Create each role's group with its permissions; safe to run again."""
    from django.contrib.auth.models import Group, Permission

    perms = Permission.objects.filter(
        content_type__app_label__in={
            app for app, _model in _VIEW_MODELS + _OFFICE_MODELS
        }
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
            chosen = [
                p
                for p in perms
                if p.codename.startswith("view_")
                and (p.content_type.app_label, p.content_type.model) in _VIEW_MODELS
            ]
        group.permissions.set(chosen)


# What a refusal says is missing (shown on the 403 page).
ROLE_NEEDED = _(
    "Tài khoản của bạn chưa có vai trò nào trong PAR Plan (Văn phòng Sở, Lãnh đạo "
    "Sở, Lãnh đạo phòng, đơn vị hoặc Người xem); Văn phòng Sở gán vai trò."
)
OFFICE_NEEDED = _("Việc này cần quyền sửa kế hoạch, chỉ Văn phòng Sở có.")
DIRECTOR_NEEDED = _("Việc này cần quyền phê duyệt tự đánh giá, chỉ Lãnh đạo Sở có.")


def require_view(user: AnyUser) -> None:
    """Anyone with a role sees the whole plan; a signed-in user without one, nothing."""
    if not can_view_plan(user):
        raise PermissionDenied(ROLE_NEEDED)


def require_edit(user: AnyUser) -> None:
    """Only the office changes the plan itself (criteria, tasks, units, evidence)."""
    if not can_edit_plan(user):
        raise PermissionDenied(OFFICE_NEEDED)
