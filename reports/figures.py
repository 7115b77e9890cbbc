"""The scoring engine: ``plan_figures`` is THE computation of PAR Plan.

Every page, export and command that shows a gap, an expected score, an index or a
rank asks it, so that they all agree. It reads a plan in a fixed number of queries
(criteria; tasks; their units' parts; the ranking table), whatever the plan's size,
walks the tree once and returns typed rows (``CriterionFigures``, ``TaskFigures``):
it never changes the model instances it read.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Q
from django.utils.translation import gettext_lazy

from criteria.models import Criterion, Plan
from reports.forecast import CriterionFigures, Sums, leaf_fill
from reports.models import PeerRank
from reports.plan_rows import CriterionRow, TaskSums, criteria_rows, plan_task_sums
from reports.plan_tasks import TaskFigures, plan_tasks
from reports.rules import (
    POINT_Q,
    ZERO,
    index_for,
    index_of,
    peer_indices_moved,
    points_needed_for,
    rank_among,
)
from tasks.models import Status

SCENARIO_KEYS = ("baseline", "self", "forecast", "target")
SCENARIO_LABELS = {
    "baseline": gettext_lazy("Năm cơ sở"),
    "self": gettext_lazy("Tự đánh giá"),
    "forecast": gettext_lazy("Dự báo"),
    "target": gettext_lazy("Đạt toàn bộ mục tiêu"),
}


@dataclass
class Scenario:
    key: str
    label: str
    total: Decimal  # sum of the plan's criteria under this scenario
    change: Decimal  # total − baseline total
    index: Decimal | None
    rank: int | None
    places_gained: int | None


@dataclass
class PeerFigure:
    row: PeerRank
    base_index: Decimal | None
    index: Decimal | None  # with the assumed change (or, for the organization, as is)
    is_self: bool


@dataclass
class Priority:
    row: CriterionFigures
    remaining: Decimal
    open_count: int
    # the open tasks themselves: on the rows' reading, filled by the page that
    # shows them (``priority_tasks``)
    open_tasks: list[TaskFigures] = field(default_factory=list)

    @property
    def per_open_task(self) -> Decimal | None:
        if not self.open_count:
            return None
        return (self.remaining / self.open_count).quantize(POINT_Q)


@dataclass
class PlanFigures:
    plan: Plan
    rows: list[CriterionFigures]
    areas: list[CriterionFigures]
    totals: Sums
    tasks: list[TaskFigures]
    peer_change: Decimal
    ranking: list[PeerFigure]
    own_row: PeerRank | None
    block: str  # the block of the ranking the organization is ranked in
    scale: Decimal  # its maximum: its own in the table, else the plan's full scale
    baseline_index: Decimal | None
    baseline_rank: int | None
    scenarios: dict[str, Scenario]
    points_needed: Decimal | None
    priorities: list[Priority]
    status_counts: dict[str, int]  # the plan's tasks by state
    task_count: int

    @property
    def has_ranking(self) -> bool:
        return self.baseline_index is not None

    @property
    def projected(self) -> Scenario:
        """The forecast scenario: what every headline figure is computed from."""
        return self.scenarios["forecast"]

    @property
    def places_gained(self) -> int | None:
        return self.projected.places_gained

    @property
    def goal_met(self) -> bool:
        gained = self.places_gained
        return gained is not None and gained >= self.plan.rank_goal

    @property
    def points_short(self) -> Decimal | None:
        """Points still needed beyond what progress is expected to earn."""
        if self.points_needed is None:
            return None
        return max(self.points_needed - self.projected.change, ZERO)

    @property
    def peer_count(self) -> int:
        return len(self.ranking)


def plan_figures(
    *,
    plan: Plan,
    peer_change: Decimal = ZERO,
    with_ranking: bool = True,
    with_parts: bool = True,
) -> PlanFigures:
    """Every figure of ``plan``, in four queries (three without the ranking).

    Per scored criterion (a row without children) that applies to the organization:
      completion = mean progress of its tasks (0–1), a task's progress being the mean
      of its lead units' parts (its own percent when it has no lead unit). A criterion
      without tasks has completion 0 while it has points to recover — nothing planned,
      so nothing expected beyond its baseline — and 1 when it has none;
      expected = baseline + (target − baseline) × completion, to 0,001;
      forecast = appraised (final) score, else survey score (survey criteria), else
      self-assessed score, else expected (see ``Sums``);
      gap = target − forecast; points to recover = target − baseline.
    Headings show the sums of their scored descendants. A criterion that does not
    apply (or sits under a heading that does not) leaves every sum, and its maximum
    leaves the organization's applicable maximum.

    Index of a scenario = baseline index + (scenario total − baseline total) ÷ the
    organization's maximum × 100 (its own in the ranking table, else the plan's full
    scale less what does not apply), the baseline index being its row of the ranking
    table of ``plan.baseline_year``. Rank = 1 + peers of its block with a strictly
    higher index, peers moved by ``peer_change``. The headline (goal met, places
    gained, points still needed) is the forecast scenario's.

    ``with_parts=False`` reads the criteria as rows and lets the database sum each
    criterion's tasks (``reports.plan_rows``): the same figures, with no task listed
    (``tasks`` and each row's ``tasks`` empty) and no model instance, for pages that
    list only a few tasks.
    """
    criteria: list[Criterion] | list[CriterionRow]
    tasks: list[TaskFigures] = []
    if with_parts:
        criteria = list(Criterion.objects.filter(plan=plan).order_by("sort_key"))
        tasks = plan_tasks(plan)
        sums = _task_sums(tasks)
        status_counts = dict.fromkeys(Status.values, 0)
        for task in tasks:
            status_counts[task.state] += 1
    else:
        criteria = criteria_rows(plan)
        plan_sums = plan_task_sums(plan)
        sums, status_counts = plan_sums.by_criterion, plan_sums.status_counts
    tasks_by_criterion: dict[int, list[TaskFigures]] = {}
    for task in tasks:
        tasks_by_criterion.setdefault(task.criterion_id, []).append(task)

    by_pk: dict[int, Criterion | CriterionRow] = {c.pk: c for c in criteria}
    parents = {c.parent_id for c in criteria if c.parent_id is not None}
    rows: list[CriterionFigures] = []
    row_by_pk: dict[int, CriterionFigures] = {}
    for criterion in criteria:
        own_tasks = tasks_by_criterion.get(criterion.pk, [])
        for task in own_tasks:
            task.criterion = criterion
        own = sums.get(criterion.pk) or TaskSums()
        row = CriterionFigures(
            criterion=criterion,
            is_heading=criterion.pk in parents or criterion.max_score is None,
            applicable=criterion.applicable
            and not _inapplicable_above(criterion, by_pk),
            tasks=own_tasks,
            open_count=own.open_count,
            area_code=criterion.code.split(".")[0],
        )
        if not row.is_heading and row.applicable:
            leaf_fill(
                row, criterion, progress_sum=own.progress_sum, task_count=own.count
            )
        rows.append(row)
        row_by_pk[criterion.pk] = row

    totals = Sums()
    not_applicable = ZERO  # the maximum the organization is not scored on
    # Deepest rows first, each added to its parent once: a heading's sums are
    # complete (its children's, theirs …) before it is added to its own parent. A
    # row that does not apply adds nothing, nor do those below it (they do not
    # apply either).
    for row in sorted(rows, key=lambda r: -r.criterion.depth):
        if not row.applicable:
            if not row.is_heading:
                not_applicable += row.criterion.max_score or ZERO
            continue
        parent_id = row.criterion.parent_id
        above = totals if parent_id is None else row_by_pk[parent_id]
        above.add(row)
        if parent_id is not None and row.self_score is not None:
            parent = row_by_pk[parent_id]
            parent.self_score = (parent.self_score or ZERO) + row.self_score
    areas = [row for row in rows if row.criterion.parent_id is None]

    peer_change = Decimal(peer_change)
    ranking: list[PeerFigure] = []
    own_row: PeerRank | None = None
    if with_ranking:
        ranking, own_row = _ranking_figures(plan, peer_change)
    scale = _scale_of(own_row, plan, not_applicable)
    baseline_index = _index_of(own_row, plan) if own_row else None
    peer_values = [p.index for p in ranking if not p.is_self and p.index is not None]
    baseline_rank: int | None = None
    if own_row is not None and baseline_index is not None:
        base_peers = [
            p.base_index for p in ranking if not p.is_self and p.base_index is not None
        ]
        baseline_rank = own_row.rank or rank_among(baseline_index, base_peers)
    tie_winners = _tie_winners(ranking, own_row, baseline_index)

    totals_by_key = {
        "baseline": totals.baseline,
        "self": totals.self_case,
        "forecast": totals.forecast,
        "target": totals.target,
    }
    # The self-assessed scenario differs from the forecast only once scores entered
    # after it (appraised, survey) or before it (progress) say otherwise.
    keys = [k for k in SCENARIO_KEYS if k != "self" or totals.self_entered]
    scenarios: dict[str, Scenario] = {}
    for key in keys:
        change = totals_by_key[key] - totals.baseline
        index = rank = gained = None
        if baseline_index is not None and baseline_rank is not None:
            index = index_for(
                baseline_index=baseline_index, change=change, full_scale=scale
            )
            rank = rank_among(index, peer_values, tie_winners)
            gained = baseline_rank - rank
        scenarios[key] = Scenario(
            key=key,
            label=str(SCENARIO_LABELS[key]),
            total=totals_by_key[key],
            change=change,
            index=index,
            rank=rank,
            places_gained=gained,
        )
    points_needed = None
    if baseline_index is not None and baseline_rank is not None:
        points_needed = points_needed_for(
            baseline_index=baseline_index,
            baseline_rank=baseline_rank,
            peer_indices=peer_values,
            rank_goal=plan.rank_goal,
            full_scale=scale,
            tie_winners=tie_winners,
        )
    return PlanFigures(
        plan=plan,
        rows=rows,
        areas=areas,
        totals=totals,
        tasks=tasks,
        peer_change=peer_change,
        ranking=ranking,
        own_row=own_row,
        block=own_row.block if own_row else "",
        scale=scale,
        baseline_index=baseline_index,
        baseline_rank=baseline_rank,
        scenarios=scenarios,
        points_needed=points_needed,
        priorities=_priorities(rows),
        status_counts=status_counts,
        task_count=sum(status_counts.values()),
    )


@dataclass(frozen=True)
class IndexBasis:
    """What the index is computed on: the baseline index (None without a row in the
    ranking table) and the organization's applicable maximum."""

    baseline_index: Decimal | None
    scale: Decimal

    def index(self, change: Decimal) -> Decimal | None:
        """The index after ``change`` points, as ``plan_figures``' scenarios."""
        if self.baseline_index is None:
            return None
        return index_for(
            baseline_index=self.baseline_index, change=change, full_scale=self.scale
        )


def index_basis(*, plan: Plan, not_applicable: Decimal) -> IndexBasis:
    """The baseline index and the scale of ``plan`` as ``plan_figures`` finds them,
    for a reader that sums the criteria itself (``not_applicable``: the maximum of
    those that do not apply). One query: the ranking table."""
    _rows, own_row = _ranking_figures(plan, ZERO)
    return IndexBasis(
        baseline_index=_index_of(own_row, plan) if own_row else None,
        scale=_scale_of(own_row, plan, not_applicable),
    )


def _task_sums(tasks: list[TaskFigures]) -> dict[int, TaskSums]:
    """Each criterion's tasks summed in Python, as ``plan_task_sums`` sums them in
    the database."""
    sums: dict[int, TaskSums] = {}
    for task in tasks:
        item = sums.setdefault(task.criterion_id, TaskSums())
        item.count += 1
        item.open_count += task.state != Status.DONE
        item.progress_sum += task.progress_exact
    return sums


def _inapplicable_above(
    criterion: Criterion | CriterionRow, by_pk: dict[int, Criterion | CriterionRow]
) -> bool:
    """A heading marked not applicable takes every row below it out too."""
    parent_id = criterion.parent_id
    while parent_id is not None:
        parent = by_pk[parent_id]
        if not parent.applicable:
            return True
        parent_id = parent.parent_id
    return False


def _scale_of(own_row: PeerRank | None, plan: Plan, not_applicable: Decimal) -> Decimal:
    """The organization's applicable maximum: its own in the ranking table (some units
    are scored on 96,5 or 71,5), else the plan's full scale less the maximum of the
    criteria that do not apply to it."""
    if own_row is not None and own_row.max_score:
        return own_row.max_score
    return plan.full_scale - not_applicable


def _index_of(row: PeerRank, plan: Plan) -> Decimal | None:
    scale = row.max_score or plan.full_scale
    return index_of(index=row.index, score=row.score, full_scale=scale)


def _ranking_figures(
    plan: Plan, peer_change: Decimal
) -> tuple[list[PeerFigure], PeerRank | None]:
    """The rows of the organization's block of the baseline year's table (every row
    when the organization has none), peers moved by ``peer_change``."""
    rows = list(
        PeerRank.objects.filter(year=plan.baseline_year)
        .filter(Q(table_of=None) | Q(table_of=plan.organization_id))
        .order_by("position", "name")
    )
    if any(r.table_of_id is not None for r in rows):  # a synthetic plan's own table
        rows = [r for r in rows if r.table_of_id is not None]
    own_row = next((r for r in rows if r.organization_id == plan.organization_id), None)
    if own_row is not None:
        rows = [r for r in rows if r.block == own_row.block]
    figures = []
    for row in rows:
        base = _index_of(row, plan)
        is_self = row is own_row
        moved = base
        if not is_self and base is not None:
            moved = peer_indices_moved([base], peer_change)[0]
        figures.append(
            PeerFigure(row=row, base_index=base, index=moved, is_self=is_self)
        )
    return figures, own_row


def _tie_winners(
    ranking: list[PeerFigure],
    own_row: PeerRank | None,
    baseline_index: Decimal | None,
) -> list[Decimal]:
    """Peers that the province ranked above the organization at an equal index: that
    published tie-break holds between them and it only. Ranks PAR Plan computed are
    never tie-breaks; a peer above with a higher index is simply above."""
    if (
        own_row is None
        or baseline_index is None
        or own_row.rank is None
        or own_row.rank_computed
    ):
        return []
    return [
        p.index
        for p in ranking
        if not p.is_self
        and p.index is not None
        and p.base_index == baseline_index
        and p.row.rank is not None
        and not p.row.rank_computed
        and p.row.rank < own_row.rank
    ]


def _priorities(rows: list[CriterionFigures]) -> list[Priority]:
    items = [
        Priority(
            row=row,
            remaining=row.remaining,
            open_count=row.open_count,
            open_tasks=row.open_tasks,
        )
        for row in rows
        if not row.is_heading and row.remaining > 0
    ]
    items.sort(
        key=lambda p: (
            -p.remaining,
            -(p.per_open_task or ZERO),
            p.row.criterion.sort_key,
        )
    )
    return items
