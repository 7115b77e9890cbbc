"""Object-level rights on tasks and evidence: the objects a user may see or change.

Views fetch through these helpers: a missing object answers 404, a forbidden one
403, for pages and form posts alike. Role-level rights are ``parplan.roles``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _

from criteria.managers import organization_visible
from criteria.models import Organization, Plan
from parplan.roles import Role, can_edit_plan, require_view, user_roles
from tasks.models import Evidence, Membership, Task, TaskUnit, Unit

if TYPE_CHECKING:
    from django.contrib.auth.models import User

    from parplan.roles import AnyUser


def user_unit_ids(user: AnyUser) -> frozenset[int]:
    """Units the user heads (empty for anyone who is not a unit head)."""
    if not user.is_authenticated or Role.UNIT_HEAD not in user_roles(user):
        return frozenset()
    cached = getattr(user, "_parplan_unit_ids", None)
    if cached is None:
        ids = Membership.objects.filter(user=user).values_list("unit_id", flat=True)
        cached = frozenset(ids)
        user._parplan_unit_ids = cached  # type: ignore[attr-defined]  # cached on the user object for the request
    return cached


def tasks_visible(user: AnyUser) -> QuerySet[Task]:
    """The tasks of the organizations ``user`` may see."""
    return Task.objects.select_related("criterion__plan__organization").filter(
        criterion__plan__in=Plan.objects.visible_to(user)
    )


def units_visible(user: AnyUser) -> QuerySet[Unit]:
    """The units of the organizations ``user`` may see."""
    return Unit.objects.filter(organization_visible(user))


def unit_choosable(keep: Sequence[int] = ()) -> Q:
    """Units a form offers: the active ones, and ``keep`` (chosen already)."""
    return Q(is_active=True) | Q(pk__in=list(keep))


def people_visible(user: AnyUser) -> QuerySet[User]:
    """People of the organizations ``user`` may see, and people of no unit yet (so
    that the office can give them one)."""
    mine = Membership.objects.filter(unit__in=units_visible(user))
    return get_user_model().objects.filter(
        Q(pk__in=mine.values("user_id"))
        | ~Exists(Membership.objects.filter(user=OuterRef("pk")))
    )


def sees_every_organization(user: AnyUser) -> bool:
    """True for a superuser, a person of no unit, or when there is one organization."""
    return not Organization.objects.exclude(organization_visible(user, None)).exists()


def people_manageable(user: AnyUser) -> QuerySet[User]:
    """People the office may change or give a password: those of its organizations'
    units. A person of no unit could belong to any organization, so only an office
    that sees every organization manages them; superusers are the admin's."""
    mine = Membership.objects.filter(unit__in=units_visible(user))
    rule = Q(pk__in=mine.values("user_id"))
    if sees_every_organization(user):
        rule = rule | Q(~Exists(Membership.objects.filter(user=OuterRef("pk"))))
    return get_user_model().objects.filter(rule, is_superuser=False)


def can_update_part(user: AnyUser, part: TaskUnit) -> bool:
    """A unit's part of a task is updated by that unit's head, or by the office."""
    return can_edit_plan(user) or part.unit_id in user_unit_ids(user)


def can_delete_evidence(user: AnyUser, evidence: Evidence) -> bool:
    """The office deletes any evidence; a unit head, what came with their unit's report."""
    if can_edit_plan(user):
        return True
    update = evidence.progress_update
    return update is not None and can_update_part(user, update.part)


def part_for_update(user: AnyUser, pk: int) -> TaskUnit:
    """The unit's part of a task that ``user`` may report on (404 / 403 otherwise)."""
    part = get_object_or_404(
        TaskUnit.objects.select_related("task__criterion__plan", "unit").filter(
            task__criterion__plan__in=Plan.objects.visible_to(user)
        ),
        pk=pk,
    )
    if not can_update_part(user, part):
        raise PermissionDenied(
            _(
                "Chỉ lãnh đạo đơn vị được giao phần việc này (hoặc Văn phòng Sở) "
                "mới cập nhật được tiến độ của nó."
            )
        )
    return part


def evidence_for_download(user: AnyUser, pk: int) -> Evidence:
    require_view(user)
    return get_object_or_404(
        Evidence.objects.filter(plan__in=Plan.objects.visible_to(user)), pk=pk
    )


def evidence_for_delete(user: AnyUser, pk: int) -> Evidence:
    evidence = get_object_or_404(
        Evidence.objects.select_related("progress_update__part").filter(
            plan__in=Plan.objects.visible_to(user)
        ),
        pk=pk,
    )
    if not can_delete_evidence(user, evidence):
        raise PermissionDenied(
            _("Chỉ Văn phòng Sở hoặc đơn vị đã gửi tài liệu này mới xóa được nó.")
        )
    return evidence


def plan_asked(user: AnyUser, wanted: str) -> Plan | None:
    """The plan asked for by its id (a page's ``?plan=``) among those ``user`` sees
    (404 for another), else the latest one."""
    require_view(user)
    plans = (
        Plan.objects.visible_to(user)
        .select_related("organization")
        .order_by("-year", "pk")
    )
    if wanted.isdigit():
        return get_object_or_404(plans, pk=int(wanted))
    return plans.first()
