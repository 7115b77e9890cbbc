"""The scoring engine: ``plan_figures`` is THE computation of PAR Plan.

Every page, export and command that shows a gap, an expected score, an index or a
rank asks it, so that they all agree. It reads a plan in a fixed number of queries
(criteria; tasks; their units' parts; the ranking table), whatever the plan's size,
walks the tree once and returns typed rows (``CriterionFigures``, ``TaskFigures``):
it never changes the model instances it read.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Q
from django.utils.translation import gettext_lazy

from criteria.models import Criterion, Plan
from reports.models import PeerRank
from reports.plan_tasks import TaskFigures, plan_tasks
from reports.rules import (
    HUNDRED,
    ONE,
    SCORE_Q,
    ZERO,
    index_for,
    index_of,
    peer_indices_moved,
    points_needed_for,
    rank_among,
)
from tasks.models import Status

SCENARIO_KEYS = ("baseline", "self", "expected", "target")
SCENARIO_LABELS = {
    "baseline": gettext_lazy("Năm cơ sở"),
    "self": gettext_lazy("Tự đánh giá"),
    "expected": gettext_lazy("Dự kiến theo tiến độ"),
    "target": gettext_lazy("Đạt toàn bộ mục tiêu"),
}


@dataclass
class Sums:
    """Figures that roll up by addition: one criterion's, an area's, or the total."""

    max_score: Decimal = ZERO
    baseline: Decimal = ZERO
    target: Decimal = ZERO
    current: Decimal = ZERO  # self-assessed once entered, else baseline
    expected: Decimal = ZERO
    gap: Decimal = ZERO  # target − current
    to_recover: Decimal = ZERO  # target − baseline
    self_entered: int = 0  # scored criteria with a self-assessed score
    scored: int = 0  # scored criteria counted

    def add(self, other: Sums) -> None:
        self.max_score += other.max_score
        self.baseline += other.baseline
        self.target += other.target
        self.current += other.current
        self.expected += other.expected
        self.gap += other.gap
        self.to_recover += other.to_recover
        self.self_entered += other.self_entered
        self.scored += other.scored

    @property
    def completion(self) -> Decimal:
        """Share of the points to recover that progress has earned (0–1).

        With nothing to recover there is nothing left to do: 1.
        """
        if self.to_recover <= 0:
            return ONE
        return min(max((self.expected - self.baseline) / self.to_recover, ZERO), ONE)

    @property
    def completion_percent(self) -> Decimal:
        return (self.completion * HUNDRED).quantize(Decimal("0.1"))

    @property
    def remaining(self) -> Decimal:
        """Points to recover that progress has not yet earned: target − expected."""
        return self.target - self.expected


@dataclass(kw_only=True)
class CriterionFigures(Sums):
    """One row of the tree, in code order, with its own or its children's figures."""

    criterion: Criterion
    is_heading: bool = False
    self_score: Decimal | None = None
    leaf_completion: Decimal = ZERO
    tasks: list[TaskFigures] = field(default_factory=list)
    area_code: str = ""

    @property
    def pk(self) -> int:
        return self.criterion.pk

    @property
    def code(self) -> str:
        return self.criterion.code

    @property
    def title(self) -> str:
        return self.criterion.title

    @property
    def depth(self) -> int:
        return self.criterion.depth

    @property
    def parent_id(self) -> int | None:
        return self.criterion.parent_id

    @property
    def completion(self) -> Decimal:
        return self.leaf_completion if not self.is_heading else super().completion

    @property
    def open_tasks(self) -> list[TaskFigures]:
        return [t for t in self.tasks if t.state != Status.DONE]


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
    open_tasks: list[TaskFigures]

    @property
    def per_open_task(self) -> Decimal | None:
        if not self.open_tasks:
            return None
        return (self.remaining / len(self.open_tasks)).quantize(SCORE_Q)


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

    @property
    def has_ranking(self) -> bool:
        return self.baseline_index is not None

    @property
    def projected(self) -> Scenario:
        return self.scenarios["expected"]

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
    *, plan: Plan, peer_change: Decimal = ZERO, with_ranking: bool = True
) -> PlanFigures:
    """Every figure of ``plan``, in four queries (three without the ranking).

    Per scored criterion (a row without children):
      current = self-assessed score once entered, else baseline;
      gap = target − current; points to recover = target − baseline;
      completion = mean progress of its tasks (0–1), a task's progress being the mean
      of its lead units' parts (its own percent when it has no lead unit). A criterion
      without tasks has completion 0 while it has points to recover — nothing planned,
      so nothing expected beyond its baseline — and 1 when it has none. A self-assessed
      score does not count as progress: it is its own scenario ("self");
      expected = baseline + (target − baseline) × completion, rounded to 0,01.
    Headings show the sums of their scored descendants; their completion is the
    share of their points to recover that progress has earned.

    Index of a scenario = baseline index + (scenario total − baseline total) ÷
    full scale × 100, the baseline index being the organization's row of the
    ranking table of ``plan.baseline_year`` (its index, else score ÷ full scale × 100).
    Rank = 1 + peers with a strictly higher index, peers moved by ``peer_change``.
    """
    criteria = list(Criterion.objects.filter(plan=plan).order_by("sort_key"))
    tasks = plan_tasks(plan)
    tasks_by_criterion: dict[int, list[TaskFigures]] = {}
    for task in tasks:
        tasks_by_criterion.setdefault(task.criterion_id, []).append(task)

    by_pk = {c.pk: c for c in criteria}
    parents = {c.parent_id for c in criteria if c.parent_id is not None}
    rows: list[CriterionFigures] = []
    row_by_pk: dict[int, CriterionFigures] = {}
    for criterion in criteria:
        own_tasks = tasks_by_criterion.get(criterion.pk, [])
        for task in own_tasks:
            task.criterion = criterion
        row = CriterionFigures(
            criterion=criterion,
            is_heading=criterion.pk in parents or criterion.max_score is None,
            tasks=own_tasks,
            area_code=criterion.code.split(".")[0],
        )
        if not row.is_heading:
            _leaf_fill(row, criterion, own_tasks)
        rows.append(row)
        row_by_pk[criterion.pk] = row

    totals = Sums()
    for row in rows:
        if row.is_heading:
            continue
        totals.add(row)
        parent_id = row.criterion.parent_id
        while parent_id is not None:
            ancestor = row_by_pk[parent_id]
            ancestor.add(row)
            if row.self_score is not None:
                ancestor.self_score = (ancestor.self_score or ZERO) + row.self_score
            parent_id = by_pk[parent_id].parent_id
    areas = [row for row in rows if row.criterion.parent_id is None]

    peer_change = Decimal(peer_change)
    ranking: list[PeerFigure] = []
    own_row: PeerRank | None = None
    if with_ranking:
        ranking, own_row = _ranking_figures(plan, peer_change)
    scale = _scale_of(own_row, plan)
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
        "self": totals.current,
        "expected": totals.expected,
        "target": totals.target,
    }
    scenarios: dict[str, Scenario] = {}
    for key in SCENARIO_KEYS:
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
    )


def _leaf_fill(
    row: CriterionFigures, criterion: Criterion, tasks: list[TaskFigures]
) -> None:
    maximum = criterion.max_score or ZERO
    baseline = criterion.baseline_score or ZERO
    target = criterion.target_score if criterion.target_score is not None else baseline
    current = criterion.current_score if criterion.current_score is not None else ZERO
    if tasks:
        completion = sum((t.progress for t in tasks), ZERO) / (HUNDRED * len(tasks))
    else:
        completion = ZERO if target > baseline else ONE
    completion = min(max(completion, ZERO), ONE)
    expected = (baseline + (target - baseline) * completion).quantize(
        SCORE_Q, rounding=ROUND_HALF_UP
    )
    row.max_score = maximum
    row.baseline = baseline
    row.target = target
    row.current = current
    row.expected = expected
    row.gap = target - current
    row.to_recover = target - baseline
    row.self_score = criterion.self_score
    row.self_entered = int(criterion.self_score is not None)
    row.scored = 1
    row.leaf_completion = completion


def _scale_of(own_row: PeerRank | None, plan: Plan) -> Decimal:
    """The organization's maximum: its own in the ranking table (some units are
    scored on 96,5 or 71,5), else the plan's full scale."""
    if own_row is not None and own_row.max_score:
        return own_row.max_score
    return plan.full_scale


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
        Priority(row=row, remaining=row.remaining, open_tasks=row.open_tasks)
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
