"""A unit's report of progress on its part of a task."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from parplan.history import by_user, claim
from tasks.evidence import evidence_add
from tasks.models import ProgressUpdate, Status, Task, TaskUnit

if TYPE_CHECKING:
    from parplan.history import AnyUser


def progress_normalize(status: str, percent: int) -> tuple[str, int]:
    """Status and percent that agree: done is 100 %, 100 % is done, work started
    is no longer 'not started'."""
    if status == Status.DONE:
        return status, 100
    if percent >= 100:
        return Status.DONE, 100
    if percent > 0 and status == Status.NOT_STARTED:
        return Status.IN_PROGRESS, percent
    return status, percent


def progress_record(
    *,
    part: TaskUnit,
    user: AnyUser | None,
    status: str,
    percent: int,
    note: str,
    expected_version: int,
    evidence: dict[str, Any] | None = None,
) -> ProgressUpdate:
    """Report a unit's progress: append a ProgressUpdate (old and new values), update
    the part and attach the evidence, or change nothing if the part is stale."""
    if status not in Status.values:
        raise ValidationError({"status": _("Trạng thái không hợp lệ.")})
    if isinstance(percent, bool) or not isinstance(percent, int):
        raise ValidationError(
            {
                "percent": _(
                    "Tiến độ (%) phải là một số nguyên từ 0 đến 100, ví dụ 33 "
                    "(không có phần lẻ)."
                )
            }
        )
    if not 0 <= percent <= 100:
        raise ValidationError({"percent": _("Tiến độ phải từ 0 đến 100%.")})
    status, percent = progress_normalize(status, percent)
    assert user is None or user.is_authenticated  # the author is a signed-in user
    with transaction.atomic():
        current = claim(TaskUnit, part.pk, expected_version)
        update = ProgressUpdate.objects.create(
            part=current,
            author=user,
            old_status=current.status,
            status=status,
            old_percent=current.percent,
            percent=percent,
            note=note,
        )
        current.status, current.percent = status, percent
        if note:
            current.note = note
        by_user(current, user).save()
        if evidence:
            evidence_add(
                plan=part.task.criterion.plan,
                user=user,
                progress_update=update,
                **evidence,
            )
    part.status, part.percent, part.note = current.status, current.percent, current.note
    part.version = current.version
    return update


def tasks_progress_mean(tasks: Iterable[Task]) -> Decimal | None:
    """Completion of a criterion: the mean progress of its tasks (None if none)."""
    values = [t.progress for t in tasks]
    if not values:
        return None
    return sum(values, Decimal(0)) / len(values)
