"""The plan's tasks as the engine reads them: each with its parts (in two queries
for the whole plan) and the state and progress its lead parts give it."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from criteria.models import Criterion, Plan
from tasks.models import (
    Status,
    Task,
    TaskUnit,
    is_past_due,
    lead_label_of,
    progress_of,
    status_of,
)

DUE_SOON_DAYS = 14


@dataclass
class TaskFigures:
    """A task as the engine sees it: its parts (lead ones first), its state and
    progress from its lead parts, and its criterion."""

    task: Task
    parts: list[TaskUnit]
    lead_parts: list[TaskUnit]
    state: str
    progress: Decimal
    criterion: Criterion | None = None

    @classmethod
    def of(cls, task: Task, parts: list[TaskUnit]) -> TaskFigures:
        leads = [p for p in parts if p.role == TaskUnit.Role.LEAD]
        return cls(
            task=task,
            parts=parts,
            lead_parts=leads,
            state=status_of(task.status, leads),
            progress=progress_of(task.percent, leads),
        )

    @property
    def pk(self) -> int:
        return self.task.pk

    @property
    def criterion_id(self) -> int:
        return self.task.criterion_id

    @property
    def text(self) -> str:
        return self.task.text

    @property
    def position(self) -> int:
        return self.task.position

    @property
    def due_date(self) -> datetime.date | None:
        return self.task.due_date

    @property
    def due_text(self) -> str:
        return self.task.due_text

    @property
    def output(self) -> str:
        return self.task.output

    @property
    def all_units(self) -> bool:
        return self.task.all_units

    @property
    def state_label(self) -> str:
        return str(Status(self.state).label)

    @property
    def sort_key(self) -> str:
        return self.criterion.sort_key if self.criterion else ""

    def lead_label(self) -> str:
        return lead_label_of(self.task.all_units, self.lead_parts)

    def is_overdue(self, today: datetime.date) -> bool:
        return is_past_due(self.due_date, self.state, today)

    def is_due_soon(self, today: datetime.date) -> bool:
        return bool(
            self.due_date
            and today <= self.due_date <= today + datetime.timedelta(days=DUE_SOON_DAYS)
            and self.state != Status.DONE
        )


def plan_tasks(plan: Plan) -> list[TaskFigures]:
    """The plan's tasks with their parts, in two queries; the parts are selected by
    the plan rather than by a list of every task's id, which at province scale
    (10,000 tasks) costs more to build and run than the rows themselves."""
    tasks = list(
        Task.objects.filter(criterion__plan=plan).order_by("criterion_id", "position")
    )
    parts = (
        TaskUnit.objects.filter(task__criterion__plan=plan)
        .select_related("unit")
        .order_by("role", "unit__position", "unit__name")
    )
    by_task: dict[int, list[TaskUnit]] = {task.pk: [] for task in tasks}
    for part in parts:
        # a task added between the two queries is not on the page, nor its parts
        if part.task_id in by_task:
            by_task[part.task_id].append(part)
    return [TaskFigures.of(task, by_task[task.pk]) for task in tasks]
