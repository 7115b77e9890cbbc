"""The self-assessment's sums, known before its rows are written.

One pass over the plan's criteria in code order, with their tasks summed by the
database (``reports.plan_rows.task_sums_in_order``), holding only the path from the
area down to the row: each heading's scores summed from the children it counts, each
scored criterion's achieved score (its forecast, ``reports.forecast.leaf_fill``), and
the plan's totals and index as ``plan_figures`` computes them. What the rows need
later is kept as a few bytes a row (``SheetSums``), so that the workbook is written
with each heading's formula results while memory stays flat in the row count.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal

from criteria.models import Criterion, Plan
from reports.figures import IndexBasis, index_basis
from reports.forecast import CriterionFigures, Sums, leaf_fill
from reports.plan_rows import (
    CRITERION_FIELDS,
    CriterionRow,
    TaskSums,
    task_sums_in_order,
)
from reports.rules import ZERO

# Rows fetched at a time: Django's 2,000 would hold a province's plan whole.
STREAM_CHUNK = 100
SCORE_KEYS = ("max", "self", "survey", "appraised", "achieved")
Values = list[Decimal | None]  # a row's score cells, in SCORE_KEYS order


def leaf_values(
    *,
    max_score: Decimal | None,
    self_score: Decimal | None,
    survey_score: Decimal | None,
    appraised: Decimal | None,
    method: str,
    achieved: Decimal | None,
    applicable: bool,
) -> Values:
    """The score cells of a criterion without children: a survey criterion shows
    its survey score only; one that does not apply shows its maximum only."""
    survey = method == Criterion.Method.SURVEY
    values: Values = [
        max_score,
        None if survey else self_score,
        survey_score if survey else None,
        None if survey else appraised,
        achieved,
    ]
    return values if applicable else [max_score, None, None, None, None]


def _packed(values: Values, rows: list[int]) -> bytes:
    cells = [b"" if v is None else str(v).encode() for v in values]
    return b"|".join([*cells, b",".join(str(r).encode() for r in rows)])


def heading_unpacked(packed: bytes) -> tuple[Values, list[int]]:
    """A heading's score cells and the sheet rows of the children it counts."""
    *cells, rows = packed.split(b"|")
    values: Values = [Decimal(c.decode()) if c else None for c in cells]
    return values, [int(r) for r in rows.split(b",")] if rows else []


@dataclass
class SheetSums:
    """What the rows need, in code order: each heading's cells and counted children
    (``headings``, packed), each childless criterion's achieved score (``leaves``, a
    line each, empty for none); and the plan's totals and index basis."""

    headings: list[bytes] = field(default_factory=list)
    leaves: bytearray = field(default_factory=bytearray)
    totals: Sums = field(default_factory=Sums)
    not_applicable: Decimal = ZERO
    basis: IndexBasis = field(default_factory=lambda: IndexBasis(None, ZERO))

    def achieved_in_order(self) -> Iterator[Decimal | None]:
        start = 0
        while (end := self.leaves.find(b"\n", start)) >= 0:
            text = self.leaves[start:end]
            yield Decimal(text.decode()) if text else None
            start = end + 1


@dataclass
class _Frame:
    """A criterion on the path from its area: its children's sums so far."""

    row: CriterionRow
    number: int  # its row in the sheet
    applicable: bool
    heading: int | None = None  # its place in ``SheetSums.headings``, once a child came
    sums: Values = field(default_factory=lambda: [None] * len(SCORE_KEYS))
    counted: list[int] = field(default_factory=list)
    tasks: TaskSums | None = None


def sheet_sums(*, plan: Plan, first_row: int) -> SheetSums:
    """The sums of ``plan``'s self-assessment, its criteria written from sheet row
    ``first_row`` on in code order. Three queries: the criteria, their tasks summed,
    the ranking table."""
    result = SheetSums()
    tasks = task_sums_in_order(plan)
    next_tasks = next(tasks, None)
    path: list[_Frame] = []
    criteria = (
        Criterion.objects.filter(plan=plan)
        .order_by("sort_key", "pk")
        .values_list(*CRITERION_FIELDS)
    )
    for number, fields in enumerate(
        criteria.iterator(chunk_size=STREAM_CHUNK), start=first_row
    ):
        row = CriterionRow(*fields)
        while path and path[-1].row.pk != row.parent_id:
            _close(path.pop(), path, result)
        own = None
        if next_tasks is not None and next_tasks[0] == row.pk:
            own, next_tasks = next_tasks[1], next(tasks, None)
        parent = path[-1] if path else None
        if parent is not None and parent.heading is None:
            parent.heading = len(result.headings)
            result.headings.append(b"")
        applicable = row.applicable and (parent is None or parent.applicable)
        path.append(_Frame(row=row, number=number, applicable=applicable, tasks=own))
    while path:
        _close(path.pop(), path, result)
    result.basis = index_basis(plan=plan, not_applicable=result.not_applicable)
    return result


def _close(frame: _Frame, path: list[_Frame], result: SheetSums) -> None:
    """The criterion's rows are all read: its cells are known; it counts in its
    parent's sums if it applies (or the parent does not)."""
    row = frame.row
    if frame.heading is not None:
        values = frame.sums
        if not frame.applicable:
            values = [values[0], None, None, None, None]
        result.headings[frame.heading] = _packed(values, frame.counted)
    else:
        values = _leaf(frame, result)
    parent = path[-1] if path else None
    if parent is None or parent.row.pk != row.parent_id:
        return
    if frame.applicable or not parent.applicable:
        parent.counted.append(frame.number)
        for i, value in enumerate(values):
            if value is not None:
                total = parent.sums[i]
                parent.sums[i] = (Decimal(0) if total is None else total) + value


def _leaf(frame: _Frame, result: SheetSums) -> Values:
    row = frame.row
    achieved: Decimal | None = None
    if not frame.applicable:
        result.not_applicable += row.max_score or ZERO
    elif row.max_score is None:
        achieved = ZERO  # not scored: the engine counts it as a heading of nothing
    else:
        figures = CriterionFigures(criterion=row)
        own = frame.tasks or TaskSums()
        leaf_fill(figures, row, progress_sum=own.progress_sum, task_count=own.count)
        result.totals.add(figures)
        achieved = figures.forecast
    result.leaves += (b"" if achieved is None else str(achieved).encode()) + b"\n"
    return leaf_values(
        max_score=row.max_score,
        self_score=row.self_score,
        survey_score=row.survey_score,
        appraised=row.appraised,
        method=row.method,
        achieved=achieved,
        applicable=frame.applicable,
    )
