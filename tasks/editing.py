"""Writes of tasks and memberships made from their pages: one named function per
action, each in one transaction, each refusing to overwrite what someone else saved
meanwhile (``parplan.history.claim``)."""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max, Q
from django.utils.translation import gettext as _

from criteria.models import Criterion
from parplan.history import by_user, claim, history_baseline
from tasks.models import Membership, Task, TaskUnit, Unit
from tasks.progress import progress_normalize

if TYPE_CHECKING:
    from django.contrib.auth.models import User

    from parplan.history import AnyUser


def _parts_sync(
    task: Task, leads: list[Unit], supports: list[Unit], user: AnyUser | None
) -> None:
    wanted = {u.pk: TaskUnit.Role.SUPPORT for u in supports}
    wanted.update({u.pk: TaskUnit.Role.LEAD for u in leads})
    existing = {
        p.unit_id: p for p in TaskUnit.objects.filter(task=task).select_related("unit")
    }
    reported = [
        part.unit.name
        for unit_id, part in existing.items()
        if unit_id not in wanted and part.has_reports()
    ]
    if reported:
        # Removing the unit would delete its progress history and evidence with it.
        raise ValidationError(
            {
                "lead_units": _(
                    "Không thể bỏ %(units)s khỏi nhiệm vụ vì đơn vị đã báo cáo tiến độ "
                    "(lịch sử và tài liệu kiểm chứng sẽ mất). Hãy giữ đơn vị, hoặc chuyển "
                    "sang vai trò phối hợp."
                )
                % {"units": ", ".join(reported)}
            }
        )
    for unit_id, part in existing.items():
        if unit_id not in wanted:
            by_user(part, user).delete()
        elif part.role != wanted[unit_id]:
            history_baseline(TaskUnit, part.pk)
            part.role = wanted[unit_id]
            by_user(part, user).save()
    for unit_id, role in wanted.items():
        if unit_id not in existing:
            by_user(TaskUnit(task=task, unit_id=unit_id, role=role), user).save()


def _next_position(criterion: Criterion) -> int:
    """The position after the criterion's last task. The criterion's row is locked
    first, so two tasks created at once on it wait for each other instead of taking
    the same position (SQLite's writers are serialised already)."""
    list(Criterion.objects.select_for_update().filter(pk=criterion.pk).values("pk"))
    last = Task.objects.filter(criterion=criterion).aggregate(m=Max("position"))["m"]
    return (last or 0) + 1


def task_save(
    *,
    user: AnyUser | None,
    task: Task | None,
    criterion: Criterion,
    text: str,
    due_date: datetime.date | None,
    all_units: bool,
    due_text: str = "",
    output: str = "",
    lead_units: Sequence[Unit],
    support_units: Sequence[Unit],
    expected_version: int | None = None,
    status: str | None = None,
    percent: int | None = None,
) -> Task:
    """Create a task (``task=None``) or change one, with its lead and supporting
    units. ``all_units`` makes every unit of the organization a lead unit.
    ``status`` and ``percent`` are the task's own progress, kept only while it has
    no lead unit (otherwise progress comes from the lead units' parts)."""
    text, due_text, output = text.strip(), due_text.strip(), output.strip()
    if not text:
        raise ValidationError({"text": _("Nhiệm vụ, giải pháp không được để trống.")})
    if due_date and due_text:
        raise ValidationError(
            {
                "due_text": _(
                    "Ghi hạn hoàn thành là một ngày hoặc một thời hạn khác "
                    "(như “Thường xuyên”), không ghi cả hai."
                )
            }
        )
    leads = list(lead_units)
    if all_units:
        # Inactive units are left out, unless already part of the task.
        kept = TaskUnit.objects.filter(task=task)
        leads = list(
            Unit.objects.filter(organization=criterion.plan.organization).filter(
                Q(is_active=True) | Q(pk__in=kept.values("unit_id"))
            )
        )
    lead_ids = {u.pk for u in leads}
    supports = [u for u in support_units if u.pk not in lead_ids]
    both = [u.name for u in support_units if u.pk in lead_ids and not all_units]
    if both:
        raise ValidationError(
            {
                "support_units": _(
                    "Đơn vị vừa chủ trì vừa phối hợp: %(names)s. Chọn một vai trò."
                )
                % {"names": ", ".join(both)}
            }
        )
    with transaction.atomic():
        if task is None:
            current = Task(criterion=criterion, position=_next_position(criterion))
        else:
            if expected_version is None:
                raise ValueError("expected_version is required to change a task")
            current = claim(Task, task.pk, expected_version)
            if current.criterion_id != criterion.pk:
                current.criterion = criterion
                current.position = _next_position(criterion)
        current.text, current.due_date, current.all_units = text, due_date, all_units
        current.due_text, current.output = due_text, output
        if not leads and status is not None and percent is not None:
            current.status, current.percent = progress_normalize(status, percent)
        by_user(current, user).save()
        _parts_sync(current, leads, supports, user)
    return current


def task_delete(*, task: Task, user: AnyUser | None) -> None:
    """Delete a task with its parts, progress reports and their evidence (files are
    removed once the deletion commits, see ``tasks.evidence``)."""
    with transaction.atomic():
        for part in task.parts.all():
            by_user(part, user).delete()
        by_user(task, user).delete()


def memberships_set(*, member: User, units: Iterable[Unit]) -> None:
    """Make ``member`` belong to exactly ``units`` (whose tasks they report on)."""
    wanted = {u.pk for u in units}
    with transaction.atomic():
        Membership.objects.filter(user=member).exclude(unit_id__in=wanted).delete()
        have = set(
            Membership.objects.filter(user=member).values_list("unit_id", flat=True)
        )
        Membership.objects.bulk_create(
            Membership(user=member, unit_id=uid) for uid in wanted - have
        )
