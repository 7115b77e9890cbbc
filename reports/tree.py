"""The plan tree read in pieces: its outline (areas and criteria with their sums, from
the engine) and each branch below a criterion (sub-criteria and tasks with their
parts), loaded on demand, with the page's filters and search applied to both.

A branch's own rows are figured the engine's way (``leaf_fill`` for a scored row,
sums for a heading) from the branch's criteria and tasks alone: a row's figures
depend only on itself, its tasks and whether a heading above it applies, so the
branch answers without reading the whole plan.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from urllib.parse import urlencode

from django.db.models import Q

from criteria.models import Criterion, Plan
from reports.figures import PlanFigures
from reports.forecast import CriterionFigures, leaf_fill
from reports.plan_rows import CriterionRow
from reports.plan_tasks import TaskFigures, plan_tasks
from tasks.models import Status, Task, TaskUnit

# The outline shows areas (depth 1) and criteria (depth 2): the shape a person reads
# the plan by. Sub-criteria and tasks wait in their criterion's branch. A province's
# set can hold hundreds of criteria: beyond OUTLINE_ROWS_MAX the outline is the areas
# alone, each area's criteria loading as a branch of rows that open in turn.
OUTLINE_DEPTH = 2
OUTLINE_ROWS_MAX = 120
# A filtered tree opens its matching branches at once while the matches are few;
# beyond that the outline lists where they are, each branch loading on demand.
EXPAND_MATCHES_MAX = 100
EXPAND_BRANCHES_MAX = 30
TASK_FILTER_DUE = ("overdue", "soon", "attention")
PARTS_BY_TASK_IDS_MAX = 500


@dataclass(frozen=True)
class TreeFilter:
    """The tree's filters: a task's status, a unit taking part, its due date, and a
    search of criterion codes and titles and task texts."""

    status: str | None = None
    unit_id: int | None = None
    due: str | None = None
    search: str = ""

    @property
    def active(self) -> bool:
        return bool(self.status or self.unit_id or self.due or self.search)

    @property
    def needle(self) -> str:
        return self.search.strip().casefold()

    def query(self) -> str:
        """The filter as a query string, for the branches' URLs."""
        pairs = {
            "status": self.status or "",
            "unit": str(self.unit_id or ""),
            "due": self.due or "",
            "q": self.search,
        }
        return urlencode({k: v for k, v in pairs.items() if v})

    def criterion_matches(self, criterion: Criterion | CriterionRow) -> bool:
        """A search that names the criterion itself (its code or title)."""
        needle = self.needle
        return bool(needle) and (
            needle == criterion.code.casefold() or needle in criterion.title.casefold()
        )

    def task_passes(
        self,
        task: TaskFigures,
        today: datetime.date,
        *,
        unit_tasks: set[int] | None = None,
        criterion_named: bool = False,
    ) -> bool:
        """The task passes every filter; ``unit_tasks`` are the ids of the tasks the
        unit takes part in when the parts are not read; a search naming the task's
        criterion lets all its tasks through."""
        if self.status and task.state != self.status:
            return False
        if self.unit_id:
            if unit_tasks is not None:
                if task.pk not in unit_tasks:
                    return False
            elif all(p.unit_id != self.unit_id for p in task.parts):
                return False
        if self.due == "overdue" and not task.is_overdue(today):
            return False
        if self.due == "soon" and not task.is_due_soon(today):
            return False
        if self.due == "attention" and not (
            task.is_overdue(today) or task.is_due_soon(today)
        ):
            return False
        needle = self.needle
        return not needle or criterion_named or needle in task.text.casefold()


@dataclass
class OutlineRow:
    """A row of the outline: the engine's figures, whether a branch hangs below it
    and, with a filter, how many matching tasks it holds."""

    row: CriterionFigures
    has_branch: bool
    matches: int = 0
    named: bool = False  # the search names a row of its branch

    @property
    def opens(self) -> bool:
        """Its branch holds what the filter looks for."""
        return self.has_branch and bool(self.matches or self.named)


@dataclass
class OutlineTasks:
    """What the outline needs of the plan's tasks: which criteria hold any and,
    with a filter, the tasks themselves (aggregated by the database, no model
    instance), for the matches."""

    holders: set[int]
    by_criterion: dict[int, list[TaskFigures]]


def outline_tasks(*, plan: Plan, tree_filter: TreeFilter) -> OutlineTasks:
    """One query without a filter (the criteria holding tasks), two with one."""
    if not tree_filter.active:
        # without the model's ordering, which would join the criteria and make
        # every task distinct: one row a criterion, not one a task
        holders = (
            Task.objects.filter(criterion__plan=plan)
            .values_list("criterion_id", flat=True)
            .order_by()
            .distinct()
        )
        return OutlineTasks(set(holders), {})
    by_criterion: dict[int, list[TaskFigures]] = {}
    for task in plan_tasks(plan, with_parts=False):
        by_criterion.setdefault(task.criterion_id, []).append(task)
    return OutlineTasks(set(by_criterion), by_criterion)


def outline_rows(
    *,
    figures: PlanFigures,
    tasks: OutlineTasks,
    tree_filter: TreeFilter,
    today: datetime.date,
    unit_tasks: set[int] | None = None,
    depth: int = OUTLINE_DEPTH,
) -> list[OutlineRow]:
    """The outline's rows (down to ``depth``) in code order; with a filter, only
    those whose branch or own tasks match and the headings above them."""
    by_pk = {row.pk: row for row in figures.rows}
    outline_of: dict[int, int] = {}  # every row → the outline row its branch is in
    has_branch: set[int] = set()
    for row in figures.rows:
        if row.depth <= depth:
            outline_of[row.pk] = row.pk
        elif row.parent_id is not None:
            outline_of[row.pk] = outline_of[row.parent_id]
            has_branch.add(outline_of[row.pk])
        if row.pk in tasks.holders:
            has_branch.add(outline_of[row.pk])
    if not tree_filter.active:
        return [
            OutlineRow(row, row.pk in has_branch)
            for row in figures.rows
            if row.depth <= depth
        ]
    matches: dict[int, int] = {}
    named: set[int] = set()
    named_branches: set[int] = set()
    for row in figures.rows:
        parent_named = row.parent_id in named
        if parent_named or tree_filter.criterion_matches(row.criterion):
            named.add(row.pk)
        own = tasks.by_criterion.get(row.pk, [])
        count = sum(
            1
            for task in own
            if tree_filter.task_passes(
                task, today, unit_tasks=unit_tasks, criterion_named=row.pk in named
            )
        )
        only_search = not (tree_filter.status or tree_filter.unit_id or tree_filter.due)
        if count or (row.pk in named and only_search):
            outline = outline_of[row.pk]
            matches[outline] = matches.get(outline, 0) + count
            if row.pk in named and (own or row.depth > depth):
                named_branches.add(outline)
    keep: set[int] = set()
    for pk in matches:
        walk: int | None = pk
        while walk is not None and walk not in keep:
            keep.add(walk)
            walk = by_pk[walk].parent_id
    return [
        OutlineRow(
            row,
            row.pk in has_branch,
            matches.get(row.pk, 0),
            row.pk in named_branches,
        )
        for row in figures.rows
        if row.pk in keep
    ]


@dataclass
class BranchRow:
    """A row of a branch: a sub-criterion with its figures and tasks, or (``row``
    None) the tasks of the outline row itself."""

    row: CriterionFigures | None
    tasks: list[TaskFigures] = field(default_factory=list)


def branch_rows(
    *,
    plan: Plan,
    roots: Sequence[Criterion | CriterionRow],
    tree_filter: TreeFilter,
    today: datetime.date,
) -> dict[int, list[BranchRow]]:
    """Each root's branch: its own tasks, then (for a root at the outline's depth)
    every row below it with its tasks, in code order — in three queries (criteria,
    tasks, parts) whatever the number of roots."""
    if not roots:
        return {}
    below = Q()
    prefixes: set[str] = set()
    for root in roots:
        below |= Q(pk=root.pk)
        if root.depth >= OUTLINE_DEPTH:
            below |= Q(sort_key__startswith=root.sort_key + ".")
        parts_of_code = root.code.split(".")
        prefixes.update(
            ".".join(parts_of_code[:i]) for i in range(1, len(parts_of_code))
        )
    criteria = list(
        Criterion.objects.filter(plan=plan)
        .filter(below | Q(code__in=prefixes))
        .order_by("sort_key")
    )
    by_pk = {c.pk: c for c in criteria}
    root_pks = {root.pk for root in roots}
    in_branch = [c for c in criteria if c.pk in root_pks or c.depth > OUTLINE_DEPTH]
    tasks = _tasks_of([c.pk for c in in_branch])
    parents = {c.parent_id for c in criteria if c.parent_id is not None}

    rows: dict[int, CriterionFigures] = {}
    named: set[int] = set()
    for criterion in in_branch:
        if criterion.parent_id in named or tree_filter.criterion_matches(criterion):
            named.add(criterion.pk)
        if criterion.pk in root_pks:
            continue
        row = CriterionFigures(
            criterion=criterion,
            is_heading=criterion.pk in parents or criterion.max_score is None,
            applicable=not _inapplicable(criterion, by_pk),
            tasks=tasks.get(criterion.pk, []),
            area_code=criterion.code.split(".")[0],
        )
        for task in row.tasks:
            task.criterion = criterion
        if not row.is_heading and row.applicable:
            leaf_fill(
                row,
                criterion,
                progress_sum=sum((t.progress_exact for t in row.tasks), Fraction(0)),
                task_count=len(row.tasks),
            )
            parent_id = criterion.parent_id
            while parent_id in rows:
                ancestor = rows[parent_id]
                ancestor.add(row)
                if row.self_score is not None:
                    ancestor.self_score = (ancestor.self_score or 0) + row.self_score
                parent_id = by_pk[parent_id].parent_id
        rows[criterion.pk] = row

    def passing(
        criterion: Criterion | CriterionRow, items: list[TaskFigures]
    ) -> list[TaskFigures]:
        if not tree_filter.active:
            return items
        return [
            t
            for t in items
            if tree_filter.task_passes(t, today, criterion_named=criterion.pk in named)
        ]

    result: dict[int, list[BranchRow]] = {}
    for root in roots:
        lines = [BranchRow(None, passing(root, tasks.get(root.pk, [])))]
        if root.depth >= OUTLINE_DEPTH:
            prefix = root.sort_key + "."
            lines += [
                BranchRow(row, passing(row.criterion, row.tasks))
                for row in rows.values()
                if row.criterion.sort_key.startswith(prefix)
            ]
        result[root.pk] = _pruned(lines, tree_filter, named)
    return result


def _pruned(
    lines: list[BranchRow], tree_filter: TreeFilter, named: set[int]
) -> list[BranchRow]:
    """With a filter, the rows holding matching tasks (or named by the search) and
    the headings above them."""
    if not tree_filter.active:
        return lines
    only_search = not (tree_filter.status or tree_filter.unit_id or tree_filter.due)
    keep: set[int] = set()
    rows = {line.row.pk: line.row for line in lines if line.row is not None}
    for line in lines:
        if line.row is None:
            continue
        if line.tasks or (only_search and line.row.pk in named):
            walk: int | None = line.row.pk
            while walk in rows and walk not in keep:
                keep.add(walk)
                walk = rows[walk].parent_id
    return [
        line
        for line in lines
        if (line.row is None and line.tasks)
        or (line.row is not None and line.row.pk in keep)
    ]


def _inapplicable(criterion: Criterion, by_pk: dict[int, Criterion]) -> bool:
    """Not applicable itself or under a heading that is not (as the engine)."""
    walk: Criterion | None = criterion
    while walk is not None:
        if not walk.applicable:
            return True
        walk = by_pk.get(walk.parent_id) if walk.parent_id is not None else None
    return False


def _tasks_of(criterion_ids: list[int]) -> dict[int, list[TaskFigures]]:
    """The tasks of these criteria with all their parts, in two queries."""
    tasks = list(
        Task.objects.filter(criterion_id__in=criterion_ids).order_by(
            "criterion_id", "position"
        )
    )
    # A branch's few tasks by their ids: through the tasks' criteria a database
    # without fresh statistics scans every part of every plan. The whole tree's
    # thousands go through the criteria, a query's parameters being bounded (and
    # none too: the query still runs, so a branch's count of queries is fixed).
    few = 0 < len(tasks) <= PARTS_BY_TASK_IDS_MAX
    parts = (
        TaskUnit.objects.filter(
            Q(task_id__in=[task.pk for task in tasks])
            if few
            else Q(task__criterion_id__in=criterion_ids)
        )
        .select_related("unit")
        .order_by("role", "unit__position", "unit__name")
    )
    by_task: dict[int, list[TaskUnit]] = {task.pk: [] for task in tasks}
    for part in parts:
        if part.task_id in by_task:
            by_task[part.task_id].append(part)
    result: dict[int, list[TaskFigures]] = {}
    for task in tasks:
        result.setdefault(task.criterion_id, []).append(
            TaskFigures.of(task, by_task[task.pk])
        )
    return result


def task_is_stuck(task: TaskFigures, today: datetime.date) -> bool:
    """Blocked or late: the tree shows why, from its parts' last notes."""
    return task.state == Status.BLOCKED or task.is_overdue(today)
