"""The plan read as rows aggregated by the database, for the dashboard and the
``projection`` command: the criteria as typed rows (no model instance), each
criterion's tasks summed in one grouped query (how many, in which state, the exact sum
of their progress), and each unit's lead parts counted. The figures
(``reports.figures.plan_figures(with_parts=False)``) are computed from these rows and
are the same as from the tasks one by one (tests/test_plan_tasks_sql.py)."""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction

from django.db import connections, router
from django.db.models import Count, Q, Sum

from criteria.models import Criterion, Plan
from reports.rules import ZERO
from tasks.models import Status, Task, TaskUnit

CRITERION_FIELDS = (
    "pk",
    "parent_id",
    "code",
    "title",
    "depth",
    "sort_key",
    "max_score",
    "baseline_score",
    "target_score",
    "self_score",
    "appraised_score",
    "final_score",
    "survey_score",
    "method",
    "applicable",
)


@dataclass(frozen=True)
class CriterionRow:
    """A criterion as the engine reads it: the fields its figures need."""

    pk: int
    parent_id: int | None
    code: str
    title: str
    depth: int
    sort_key: str
    max_score: Decimal | None
    baseline_score: Decimal | None
    target_score: Decimal | None
    self_score: Decimal | None
    appraised_score: Decimal | None
    final_score: Decimal | None
    survey_score: Decimal | None
    method: str
    applicable: bool

    @property
    def is_scored(self) -> bool:
        return self.max_score is not None

    @property
    def appraised(self) -> Decimal | None:
        """As ``Criterion.appraised``: the final score after an appeal, else the
        council's."""
        return (
            self.final_score if self.final_score is not None else self.appraised_score
        )

    @property
    def self_minus_appraised(self) -> Decimal | None:
        appraised = self.appraised
        if self.self_score is None or appraised is None:
            return None
        return self.self_score - appraised


def criteria_rows(plan: Plan) -> list[CriterionRow]:
    """The plan's criteria in code order, in one query."""
    rows = (
        Criterion.objects.filter(plan=plan)
        .order_by("sort_key")
        .values_list(*CRITERION_FIELDS)
    )
    return [CriterionRow(*row) for row in rows]


@dataclass
class TaskSums:
    """A criterion's tasks summed: their count, those not done, and the exact sum of
    their progress (each task's being the mean of its lead parts' percent)."""

    count: int = 0
    open_count: int = 0
    progress_sum: Fraction = Fraction(0)


@dataclass
class PlanTaskSums:
    by_criterion: dict[int, TaskSums] = field(default_factory=dict)
    status_counts: dict[str, int] = field(default_factory=dict)

    @property
    def task_count(self) -> int:
        return sum(self.status_counts.values())


# Per task: its lead parts counted by status and summed (a task with no lead part
# keeps its own status and percent); then per criterion, per number of lead parts
# and per state: how many tasks and the sum of their percents. Grouping by the number
# of lead parts keeps the mean exact: Σ (sum ÷ n) = Σₙ (Σ sums) ÷ n.
_SUMS_SQL = """
SELECT t.criterion_id, COALESCE(l.n, 0), {state}, COUNT(*),
       SUM(CASE WHEN COALESCE(l.n, 0) = 0 THEN t.percent ELSE l.s END)
FROM {task} t
JOIN {criterion} c ON c.id = t.criterion_id
LEFT JOIN (
    SELECT p.task_id, COUNT(*) AS n, SUM(p.percent) AS s,
           SUM(CASE WHEN p.status = %s THEN 1 ELSE 0 END) AS done,
           SUM(CASE WHEN p.status = %s THEN 1 ELSE 0 END) AS blocked,
           SUM(CASE WHEN p.status = %s THEN 1 ELSE 0 END) AS not_started
    FROM {part} p
    JOIN {task} pt ON pt.id = p.task_id
    JOIN {criterion} pc ON pc.id = pt.criterion_id
    WHERE pc.plan_id = %s AND p.role = %s
    GROUP BY p.task_id
) l ON l.task_id = t.id
WHERE c.plan_id = %s
GROUP BY 1, 2, 3
"""
# ``tasks.models.status_of`` in SQL.
_STATE_SQL = (
    "CASE WHEN COALESCE(l.n, 0) = 0 THEN t.status"
    " WHEN l.done = l.n THEN %s WHEN l.blocked > 0 THEN %s"
    " WHEN l.not_started = l.n AND l.s = 0 THEN %s ELSE %s END"
)


SUMS_CHUNK = 500  # rows fetched at a time


def _sums_rows(plan: Plan, order: str = "") -> Iterator[tuple[int, int, str, int, int]]:
    """The rows of ``_SUMS_SQL`` for ``plan`` (criterion, lead parts, state, tasks,
    percent sum), fetched a chunk at a time."""
    sql = _SUMS_SQL.format(
        state=_STATE_SQL,
        task=Task._meta.db_table,
        criterion=Criterion._meta.db_table,
        part=TaskUnit._meta.db_table,
    )
    states = [Status.DONE, Status.BLOCKED, Status.NOT_STARTED, Status.IN_PROGRESS]
    params: list[str | int] = [
        *states,  # the task's state
        Status.DONE,
        Status.BLOCKED,
        Status.NOT_STARTED,
        plan.pk,
        TaskUnit.Role.LEAD,
        plan.pk,
    ]
    with connections[router.db_for_read(Task)].cursor() as cursor:
        cursor.execute(sql + order, params)
        while chunk := cursor.fetchmany(SUMS_CHUNK):
            yield from chunk


def _sums_add(
    item: TaskSums,
    by_leads: dict[int, int],
    leads: int,
    state: str,
    count: int,
    total: int,
) -> None:
    """One row of ``_SUMS_SQL`` counted into ``item``, its percents into
    ``by_leads`` (the criterion's percent sums by number of lead parts, whole
    numbers until ``_summed``)."""
    item.count += count
    if state != Status.DONE:
        item.open_count += count
    by_leads[leads or 1] = by_leads.get(leads or 1, 0) + int(total or 0)


def plan_task_sums(plan: Plan) -> PlanTaskSums:
    """Every criterion's tasks summed by the database, in one query."""
    sums = PlanTaskSums(status_counts=dict.fromkeys(Status.values, 0))
    by_leads: dict[int, dict[int, int]] = {}
    for criterion_id, leads, state, count, percent_sum in _sums_rows(plan):
        item = sums.by_criterion.setdefault(criterion_id, TaskSums())
        totals = by_leads.setdefault(criterion_id, {})
        _sums_add(item, totals, leads, state, count, percent_sum)
        sums.status_counts[state] = sums.status_counts.get(state, 0) + count
    for criterion_id, item in sums.by_criterion.items():
        _summed(item, by_leads[criterion_id])
    return sums


def task_sums_in_order(plan: Plan) -> Iterator[tuple[int, TaskSums]]:
    """Each criterion with tasks and its tasks summed, as ``plan_task_sums`` sums
    them, in code order (the criteria's ``sort_key``) and one at a time: for a reader
    that walks the tree in that order and holds nothing per criterion. One query."""
    current: int | None = None
    item = TaskSums()
    by_leads: dict[int, int] = {}  # the percent sums of a criterion's rows by leads
    order = "ORDER BY MIN(c.sort_key), 1"
    for criterion_id, leads, state, count, percent_sum in _sums_rows(plan, order):
        if criterion_id != current:
            if current is not None:
                yield current, _summed(item, by_leads)
            current, item, by_leads = criterion_id, TaskSums(), {}
        _sums_add(item, by_leads, leads, state, count, percent_sum)
    if current is not None:
        yield current, _summed(item, by_leads)


def _summed(item: TaskSums, by_leads: dict[int, int]) -> TaskSums:
    """The progress summed once per number of lead parts: a few fractions a
    criterion rather than one a row, the same exact sum."""
    item.progress_sum = sum(
        (Fraction(total, leads) for leads, total in by_leads.items()), Fraction(0)
    )
    return item


@dataclass
class UnitProgress:
    unit_id: int
    name: str
    parts: int = 0
    done: int = 0
    overdue: int = 0
    percent_sum: int = 0
    position: int = 0

    @property
    def percent(self) -> Decimal:
        if not self.parts:
            return ZERO
        return (Decimal(self.percent_sum) / self.parts).quantize(Decimal("0.1"))


def units_progress(plan: Plan, today: datetime.date) -> list[UnitProgress]:
    """Each unit's lead parts in the plan counted by the database (one query): how
    many, how many done, how many overdue (not done, the task's due date passed), and
    the sum of their percents."""
    not_done = ~Q(status=Status.DONE)
    rows = (
        TaskUnit.objects.filter(task__criterion__plan=plan, role=TaskUnit.Role.LEAD)
        .values("unit_id", "unit__name", "unit__position")
        .annotate(
            parts=Count("pk"),
            done=Count("pk", filter=Q(status=Status.DONE)),
            overdue=Count("pk", filter=not_done & Q(task__due_date__lt=today)),
            percent_sum=Sum("percent"),
        )
        .order_by("unit__position", "unit__name")
    )
    return [
        UnitProgress(
            unit_id=row["unit_id"],
            name=row["unit__name"],
            parts=row["parts"],
            done=row["done"],
            overdue=row["overdue"],
            percent_sum=row["percent_sum"] or 0,
            position=row["unit__position"],
        )
        for row in rows
    ]
