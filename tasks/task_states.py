"""The states a task list is filtered by (the dashboard's figures link to them):
blocked, late, due soon, at risk (any of these three) and open (not done). One
definition, used by the task list (``tasks-list?state=…``) and by the dashboard's
attention list (``reports.summaries.tasks_attention``), so a figure and the list
behind it count the same tasks; and the reasons a task is at risk, from its units'
last notes."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass

from django.utils.translation import gettext_lazy

from tasks.models import Status, TaskUnit, is_past_due

# A task not done whose due date falls within this many days from today is due soon.
DUE_SOON_DAYS = 14


class TaskState:
    BLOCKED = "blocked"
    LATE = "late"
    DUE_SOON = "due_soon"
    AT_RISK = "at_risk"
    OPEN = "open"


TASK_STATE_CHOICES = [
    (TaskState.AT_RISK, gettext_lazy("Cần chú ý (vướng mắc, quá hạn, sắp đến hạn)")),
    (TaskState.BLOCKED, gettext_lazy("Gặp vướng mắc")),
    (TaskState.LATE, gettext_lazy("Quá hạn")),
    (TaskState.DUE_SOON, gettext_lazy("Đến hạn trong 14 ngày")),
    (TaskState.OPEN, gettext_lazy("Chưa hoàn thành")),
]


def is_due_soon(
    due_date: datetime.date | None, status: str, today: datetime.date
) -> bool:
    return bool(
        due_date
        and today <= due_date <= today + datetime.timedelta(days=DUE_SOON_DAYS)
        and status != Status.DONE
    )


def task_state_matches(
    state: str, *, status: str, due_date: datetime.date | None, today: datetime.date
) -> bool:
    """Whether a task of this (derived) status and due date is in ``state``."""
    blocked = status == Status.BLOCKED
    late = is_past_due(due_date, status, today)
    soon = is_due_soon(due_date, status, today)
    return {
        TaskState.BLOCKED: blocked,
        TaskState.LATE: late,
        TaskState.DUE_SOON: soon,
        TaskState.AT_RISK: blocked or late or soon,
        TaskState.OPEN: status != Status.DONE,
    }.get(state, True)


@dataclass(frozen=True)
class PartNote:
    """A unit's last note on its part of a task, as a reason shown beside it."""

    unit_name: str
    note: str
    updated_at: datetime.datetime | None


def part_notes(parts: Iterable[TaskUnit]) -> list[PartNote]:
    """The parts' last notes (those that have one), lead units first."""
    return [
        PartNote(part.unit.name, part.note, part.updated_at)
        for part in sorted(parts, key=lambda p: p.role != TaskUnit.Role.LEAD)
        if part.note.strip()
    ]
