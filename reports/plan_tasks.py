"""The plan's tasks as the engine reads them: each with the state and progress its
lead parts give it, in two queries for the whole plan.

Two readings: ``plan_tasks(plan)`` gives each task its parts as model instances
(the tree shows them); ``plan_tasks(plan, with_parts=False)`` lets the database
aggregate each task's lead parts (their count, percent sum and statuses) and reads
the lead parts as plain rows, with no model instance per task or part — the
dashboard's path, whose figures are the same (tests/test_plan_tasks_sql.py)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction

from django.db.models import Count, Q, Sum

from criteria.models import Criterion, Plan
from reports.plan_rows import CriterionRow
from tasks.models import (
    ALL_UNITS_LABEL,
    Status,
    Task,
    TaskUnit,
    is_past_due,
    progress_of,
    status_of,
)

DUE_SOON_DAYS = 14

TASK_FIELDS = (
    "pk",
    "criterion_id",
    "text",
    "position",
    "due_date",
    "due_text",
    "output",
    "all_units",
)


@dataclass(frozen=True)
class LeadPart:
    """A lead unit's part of a task, as a row."""

    unit_id: int
    unit_name: str
    unit_position: int
    percent: int
    status: str
    note: str = ""
    updated_at: datetime.datetime | None = None


@dataclass
class TaskFigures:
    """A task as the engine sees it: its lead parts, its state and progress from
    them, its criterion and (on the tree's reading) all its parts."""

    pk: int
    criterion_id: int
    text: str
    position: int
    due_date: datetime.date | None
    due_text: str
    output: str
    all_units: bool
    state: str
    progress: Decimal
    lead_parts: list[LeadPart]
    # the progress as an exact fraction (the mean of the lead parts' percents): the
    # criterion's completion is summed from it without rounding
    progress_exact: Fraction = Fraction(0)
    parts: list[TaskUnit] = field(default_factory=list)
    criterion: Criterion | CriterionRow | None = None

    @classmethod
    def of(cls, task: Task, parts: list[TaskUnit]) -> TaskFigures:
        leads = [p for p in parts if p.role == TaskUnit.Role.LEAD]
        return cls(
            **{name: getattr(task, name) for name in TASK_FIELDS},
            state=status_of(task.status, leads),
            progress=progress_of(task.percent, leads),
            progress_exact=_exact(task.percent, [p.percent for p in leads]),
            lead_parts=[
                LeadPart(
                    p.unit_id,
                    p.unit.name,
                    p.unit.position,
                    p.percent,
                    p.status,
                    p.note,
                    p.updated_at,
                )
                for p in leads
            ],
            parts=parts,
        )

    @property
    def state_label(self) -> str:
        return str(Status(self.state).label)

    @property
    def sort_key(self) -> str:
        return self.criterion.sort_key if self.criterion else ""

    def lead_label(self) -> str:
        """The lead units as the appendix writes them (as ``Task.lead_label``)."""
        if self.all_units:
            return ALL_UNITS_LABEL
        return "; ".join(p.unit_name for p in self.lead_parts)

    def is_overdue(self, today: datetime.date) -> bool:
        return is_past_due(self.due_date, self.state, today)

    def is_due_soon(self, today: datetime.date) -> bool:
        return bool(
            self.due_date
            and today <= self.due_date <= today + datetime.timedelta(days=DUE_SOON_DAYS)
            and self.state != Status.DONE
        )


def plan_tasks(
    plan: Plan, *, with_parts: bool = True, where: Q | None = None
) -> list[TaskFigures]:
    """The plan's tasks in two queries, in criterion and position order; the parts
    are selected by the plan rather than by a list of every task's id, which at
    province scale (10,000 tasks) costs more to build and run than the rows.
    ``where`` (a filter on ``Task``, with ``with_parts=False``) reads only some of
    them, still in two queries: the dashboard's few tasks to show."""
    if not with_parts:
        return _tasks_aggregated(plan, where or Q())
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


def _tasks_aggregated(plan: Plan, where: Q) -> list[TaskFigures]:
    lead = Q(parts__role=TaskUnit.Role.LEAD)
    rows = (
        Task.objects.filter(where, criterion__plan=plan)
        .order_by("criterion_id", "position")
        .values(*TASK_FIELDS, "status", "percent")
        .annotate(
            lead_count=Count("parts", filter=lead),
            lead_sum=Sum("parts__percent", filter=lead),
            lead_done=Count("parts", filter=lead & Q(parts__status=Status.DONE)),
            lead_blocked=Count("parts", filter=lead & Q(parts__status=Status.BLOCKED)),
            lead_not_started=Count(
                "parts", filter=lead & Q(parts__status=Status.NOT_STARTED)
            ),
        )
    )
    leads = (
        TaskUnit.objects.filter(
            task__in=Task.objects.filter(where, criterion__plan=plan),
            role=TaskUnit.Role.LEAD,
        )
        .order_by("unit__position", "unit__name")
        .values_list(
            "task_id",
            "unit_id",
            "unit__name",
            "unit__position",
            "percent",
            "status",
            "note",
            "updated_at",
        )
    )
    tasks: list[TaskFigures] = []
    by_task: dict[int, TaskFigures] = {}
    for row in rows:
        task = TaskFigures(
            **{name: row[name] for name in TASK_FIELDS},
            state=_state_of(row),
            progress=_progress_of(row),
            progress_exact=Fraction(
                int(row["lead_sum"] or 0) if row["lead_count"] else int(row["percent"]),
                int(row["lead_count"]) or 1,
            ),
            lead_parts=[],
        )
        tasks.append(task)
        by_task[task.pk] = task
    for task_id, unit_id, name, position, percent, status, note, updated in leads:
        if task_id in by_task:  # a task added between the two queries is not shown
            by_task[task_id].lead_parts.append(
                LeadPart(unit_id, name, position, percent, status, note, updated)
            )
    return tasks


def _exact(own_percent: int, lead_percents: list[int]) -> Fraction:
    if not lead_percents:
        return Fraction(own_percent)
    return Fraction(sum(lead_percents), len(lead_percents))


def _progress_of(row: dict[str, object]) -> Decimal:
    """``progress_of`` from the database's sums: the same exact Decimal."""
    count = int(row["lead_count"])  # type: ignore[call-overload]
    if not count:
        return Decimal(int(row["percent"]))  # type: ignore[call-overload]
    return Decimal(int(row["lead_sum"])) / count  # type: ignore[call-overload]


def _state_of(row: dict[str, object]) -> str:
    """``status_of`` from the database's counts of the lead parts' statuses."""
    count = row["lead_count"]
    if not count:
        return str(row["status"])
    if row["lead_done"] == count:
        return Status.DONE
    if row["lead_blocked"]:
        return Status.BLOCKED
    if row["lead_not_started"] == count and not row["lead_sum"]:
        return Status.NOT_STARTED
    return Status.IN_PROGRESS
