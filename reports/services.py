"""The scoring engine and the peer ranking table.

``plan_figures`` is THE computation of PAR Plan: every page, export and command that
shows a gap, an expected score, an index or a rank asks it, so that they all agree.
It reads a plan in a fixed number of queries (criteria; tasks; their units' parts;
the ranking table), whatever the plan's size, and walks the tree once.

``ranking_import`` reads the province's ranking decision (a table of every unit's
score or index and rank) for one year and replaces that year's table atomically.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_CEILING, ROUND_HALF_UP, Decimal
from typing import Any

from django.db import transaction
from django.db.models import Prefetch
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from criteria.models import Criterion, Organization, Plan
from criteria.services import Problem
from parplan.scores import ScoreParseError, format_decimal, parse_decimal
from parplan.spreadsheets import (
    HEADER_SEARCH_ROWS,
    SourceRow,
    TableError,
    cell_text,
    match_header,
    norm,
    read_rows,
)
from reports.models import PeerRank
from tasks.models import Status, Task, TaskUnit, normalize_name

ZERO = Decimal("0")
ONE = Decimal("1")
HUNDRED = Decimal("100")
SCORE_Q = Decimal("0.01")
INDEX_Q = Decimal("0.001")
DUE_SOON_DAYS = 14

SCENARIO_KEYS = ("baseline", "self", "expected", "target")
SCENARIO_LABELS = {
    "baseline": gettext_lazy("Năm cơ sở"),
    "self": gettext_lazy("Tự đánh giá"),
    "expected": gettext_lazy("Dự kiến theo tiến độ"),
    "target": gettext_lazy("Đạt toàn bộ mục tiêu"),
}


# --- pure rules (tested directly, also with hypothesis) -------------------------


def index_for(
    *, baseline_index: Decimal, change: Decimal, full_scale: Decimal
) -> Decimal:
    """The index after a score change: baseline index + change ÷ full scale × 100.

    Rounded to the three decimals the province publishes; never below 0 or above 100.
    """
    index = baseline_index + change * HUNDRED / full_scale
    index = index.quantize(INDEX_Q, rounding=ROUND_HALF_UP)
    return min(max(index, ZERO), HUNDRED)


def rank_among(
    index: Decimal,
    peer_indices: Iterable[Decimal],
    tie_winners: Iterable[Decimal] = (),
) -> int:
    """1 + the number of peers with a strictly higher index (equal indices share).

    ``tie_winners`` are the indices of those peers (also in ``peer_indices``) that the
    province ranked above the organization at an equal index: they stay above it while
    their index equals its, so a published tie-break is not read as places gained.
    """
    above = sum(1 for peer in peer_indices if peer > index)
    return 1 + above + sum(1 for peer in tie_winners if peer == index)


def peer_indices_moved(indices: Iterable[Decimal], change: Decimal) -> list[Decimal]:
    """Peers' indices moved by one common assumed change, kept within 0–100."""
    return [min(max(i + change, ZERO), HUNDRED) for i in indices]


def points_needed_for(
    *,
    baseline_index: Decimal,
    baseline_rank: int,
    peer_indices: Sequence[Decimal],
    rank_goal: int,
    full_scale: Decimal,
    tie_winners: Sequence[Decimal] = (),
) -> Decimal | None:
    """The smallest score increase over the baseline total (in steps of 0,01) whose
    index ranks at or above ``baseline_rank − rank_goal``; 0 when the baseline already
    does, None when no score can (the wanted rank is above 1, or needs an index > 100).
    """
    wanted = baseline_rank - rank_goal
    if wanted < 1:
        return None
    ordered = sorted(peer_indices, reverse=True)
    if len(ordered) < wanted:
        return ZERO
    bar = ordered[wanted - 1]  # at this index, at most wanted − 1 peers are above
    if bar > HUNDRED:
        return None
    delta = ((bar - baseline_index) * full_scale / HUNDRED).quantize(
        SCORE_Q, rounding=ROUND_CEILING
    )
    delta = max(delta, ZERO)

    def reaches(change: Decimal) -> bool:
        index = index_for(
            baseline_index=baseline_index, change=change, full_scale=full_scale
        )
        return rank_among(index, ordered, tie_winners) <= wanted

    # The index is rounded to three decimals, so the exact answer may be a step
    # off either way: walk to the smallest step that reaches the rank.
    while not reaches(delta):
        if delta > full_scale:
            return None
        delta += SCORE_Q
    while delta > 0 and reaches(delta - SCORE_Q):
        delta -= SCORE_Q
    return delta


# --- figures ------------------------------------------------------------------------


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


@dataclass
class CriterionFigures(Sums):
    """One row of the tree, in code order, with its own or its children's figures."""

    criterion: Criterion | None = None
    is_heading: bool = False
    self_score: Decimal | None = None
    leaf_completion: Decimal = ZERO
    tasks: list[Task] = field(default_factory=list)
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
    def completion(self) -> Decimal:  # type: ignore[override]
        return self.leaf_completion if not self.is_heading else super().completion

    @property
    def open_tasks(self) -> list[Task]:
        return [t for t in self.tasks if t.overall_status != Status.DONE]


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
    open_tasks: list[Task]

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
    tasks: list[Task]
    peer_change: Decimal
    ranking: list[PeerFigure]
    own_row: PeerRank | None
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
    def goal_rank(self) -> int | None:
        if self.baseline_rank is None:
            return None
        return self.baseline_rank - self.plan.rank_goal

    @property
    def points_short(self) -> Decimal | None:
        """Points still needed beyond what progress is expected to earn."""
        if self.points_needed is None:
            return None
        return max(self.points_needed - self.projected.change, ZERO)

    @property
    def peer_count(self) -> int:
        return len(self.ranking)


def plan_tasks_queryset(plan: Plan) -> Iterable[Task]:
    parts = TaskUnit.objects.select_related("unit").order_by(
        "role", "unit__position", "unit__name"
    )
    return (
        Task.objects.filter(criterion__plan=plan)
        .order_by("criterion_id", "position")
        .prefetch_related(Prefetch("parts", queryset=parts))
    )


def plan_tasks(plan: Plan) -> list[Task]:
    """The plan's tasks with their parts, as ``plan_tasks_queryset`` gives them, in
    the same two queries; the parts are selected by the plan rather than by a list of
    every task's id, which at province scale (10,000 tasks) costs more to build and
    run than the rows themselves."""
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
    for task in tasks:
        cached = task.parts.all()
        cached._result_cache = by_task[task.pk]
        cached._prefetch_done = True
        task._prefetched_objects_cache = {"parts": cached}
    return tasks


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
    tasks_by_criterion: dict[int, list[Task]] = {}
    for task in tasks:
        tasks_by_criterion.setdefault(task.criterion_id, []).append(task)

    by_pk = {c.pk: c for c in criteria}
    parents = {c.parent_id for c in criteria if c.parent_id is not None}
    rows: list[CriterionFigures] = []
    row_by_pk: dict[int, CriterionFigures] = {}
    for criterion in criteria:
        own_tasks = tasks_by_criterion.get(criterion.pk, [])
        for task in own_tasks:
            task.criterion = criterion  # no query when a template asks
            task.state = task.overall_status
            task.state_label = Status(task.state).label
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
    baseline_index = _index_of(own_row, plan.full_scale) if own_row else None
    peer_values = [p.index for p in ranking if not p.is_self and p.index is not None]
    baseline_rank: int | None = None
    if own_row is not None and baseline_index is not None:
        base_peers = [
            p.base_index for p in ranking if not p.is_self and p.base_index is not None
        ]
        baseline_rank = own_row.rank or rank_among(baseline_index, base_peers)
    tie_winners = [
        p.index
        for p in ranking
        if not p.is_self
        and p.index is not None
        and own_row is not None
        and own_row.rank is not None
        and p.row.rank is not None
        and p.row.rank < own_row.rank
    ]

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
        if baseline_index is not None:
            index = index_for(
                baseline_index=baseline_index, change=change, full_scale=plan.full_scale
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
            full_scale=plan.full_scale,
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
        baseline_index=baseline_index,
        baseline_rank=baseline_rank,
        scenarios=scenarios,
        points_needed=points_needed,
        priorities=_priorities(rows),
    )


def _leaf_fill(row: CriterionFigures, criterion: Criterion, tasks: list[Task]) -> None:
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


def _index_of(row: PeerRank, full_scale: Decimal) -> Decimal | None:
    if row.index is not None:
        return row.index
    if row.score is not None:
        return (row.score * HUNDRED / full_scale).quantize(
            INDEX_Q, rounding=ROUND_HALF_UP
        )
    return None


def _ranking_figures(
    plan: Plan, peer_change: Decimal
) -> tuple[list[PeerFigure], PeerRank | None]:
    own_row = None
    figures = []
    for row in PeerRank.objects.filter(year=plan.baseline_year).order_by(
        "position", "name"
    ):
        base = _index_of(row, plan.full_scale)
        is_self = row.organization_id == plan.organization_id and own_row is None
        if is_self:
            own_row = row
            moved = base
        else:
            moved = (
                peer_indices_moved([base], peer_change)[0] if base is not None else None
            )
        figures.append(
            PeerFigure(row=row, base_index=base, index=moved, is_self=is_self)
        )
    return figures, own_row


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


# --- task and unit summaries (from the tasks plan_figures already holds) ------------


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


def task_is_due_soon(task: Task, today: datetime.date) -> bool:
    return bool(
        task.due_date
        and today <= task.due_date <= today + datetime.timedelta(days=DUE_SOON_DAYS)
        and task.overall_status != Status.DONE
    )


def tasks_attention(
    tasks: Iterable[Task], today: datetime.date | None = None
) -> list[Task]:
    """Tasks not done that are overdue or due within 14 days, soonest first."""
    today = today or timezone.localdate()
    chosen = [t for t in tasks if t.is_overdue(today) or task_is_due_soon(t, today)]
    return sorted(chosen, key=lambda t: (t.due_date, t.criterion.sort_key, t.position))


def status_counts(tasks: Iterable[Task]) -> dict[str, int]:
    counts = dict.fromkeys(Status.values, 0)
    for task in tasks:
        counts[task.overall_status] += 1
    return counts


def unit_progress(
    tasks: Iterable[Task], today: datetime.date | None = None
) -> list[UnitProgress]:
    """Each unit's lead parts: how many, how many done or overdue, mean percent."""
    today = today or timezone.localdate()
    units: dict[int, UnitProgress] = {}
    for task in tasks:
        overdue = bool(task.due_date and task.due_date < today)
        for part in task.lead_parts():
            item = units.get(part.unit_id)
            if item is None:
                item = units[part.unit_id] = UnitProgress(
                    part.unit_id, part.unit.name, position=part.unit.position
                )
            item.parts += 1
            item.percent_sum += part.percent
            if part.status == Status.DONE:
                item.done += 1
            elif overdue:
                item.overdue += 1
    return sorted(units.values(), key=lambda u: (u.position, u.name))


def figures_as_dict(figures: PlanFigures) -> dict[str, object]:
    """The figures the ``projection`` command prints as JSON: decimals as strings
    with two places, ranks as integers, None as null."""

    def dec(value: Decimal | None) -> str | None:
        if value is None:
            return None
        return str(Decimal(value).quantize(SCORE_Q, rounding=ROUND_HALF_UP))

    def sums(s: Sums) -> dict[str, str | None]:
        return {
            "standard": dec(s.max_score),
            "baseline": dec(s.baseline),
            "target": dec(s.target),
            "self": dec(s.current),
            "expected": dec(s.expected),
            "gap": dec(s.gap),
            "points_to_recover": dec(s.to_recover),
        }

    return {
        "plan": {
            "organization": figures.plan.organization.name,
            "year": figures.plan.year,
            "baseline_year": figures.plan.baseline_year,
            "full_scale": dec(figures.plan.full_scale),
            "rank_goal": figures.plan.rank_goal,
        },
        "peer_change": dec(figures.peer_change),
        "totals": sums(figures.totals),
        "areas": {row.code: sums(row) for row in figures.areas},
        "scenarios": {
            key: {
                "total": dec(s.total),
                "index": dec(s.index),
                "rank": s.rank,
                "places_gained": s.places_gained,
            }
            for key, s in figures.scenarios.items()
        },
        "baseline_index": dec(figures.baseline_index),
        "baseline_rank": figures.baseline_rank,
        "places_gained": figures.places_gained,
        "goal_met": figures.goal_met,
        "points_needed": dec(figures.points_needed),
        "peers": figures.peer_count,
    }


def latest_plan(year: int | None = None) -> Plan | None:
    """The plan of ``year`` (the latest plan when None), or None."""
    plans = Plan.objects.select_related("organization").order_by("-year", "pk")
    if year is not None:
        plans = plans.filter(year=year)
    return plans.first()


# --- ranking import -------------------------------------------------------------------


class RankingImportError(Exception):
    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


def _is_position(t: str) -> bool:
    return t in {"stt", "tt", "số tt", "số thứ tự"} or t.startswith("stt")


def _is_rank(t: str) -> bool:
    return "hạng" in t or "vị thứ" in t


def _is_band(t: str) -> bool:
    return "xếp loại" in t or t in {"loại", "phân loại", "nhóm"}


def _is_index(t: str) -> bool:
    return "chỉ số" in t or "%" in t or t == "index"


def _is_score(t: str) -> bool:
    return "điểm" in t


def _is_name(t: str) -> bool:
    return "đơn vị" in t or "cơ quan" in t or t.startswith("tên")


RANKING_MATCHERS = {
    "position": _is_position,
    "rank": _is_rank,
    "band": _is_band,
    "index": _is_index,
    "score": _is_score,
    "name": _is_name,
}


def ranking_labels() -> dict[str, str]:
    return {
        "position": _("STT"),
        "name": _("Tên đơn vị"),
        "score": _("Điểm"),
        "index": _("Chỉ số (%)"),
        "rank": _("Xếp hạng"),
        "band": _("Xếp loại"),
    }


@dataclass
class RankingRow:
    source_row: int
    name: str
    score: Decimal | None
    index: Decimal | None
    rank: int | None
    band: str
    rank_computed: bool = False
    is_self: bool = False


@dataclass
class RankingReport:
    year: int
    dry_run: bool
    rows: list[RankingRow]
    replaced: int  # rows of the year's previous table
    self_name: str | None
    notices: list[str] = field(default_factory=list)

    @property
    def computed_ranks(self) -> int:
        return sum(1 for r in self.rows if r.rank_computed)


_RANK_TEXT = re.compile(r"^\d{1,4}$")
_TOTAL_ROW = re.compile(r"^(tổng|cộng)(\s|$|:)")


def ranking_parse(
    *, data: bytes, filename: str, full_scale: Decimal = HUNDRED
) -> tuple[list[RankingRow], list[str]]:
    """Read and check a ranking table. Raises RankingImportError with every problem."""
    try:
        kind, source = read_rows(data, filename)
    except TableError as exc:
        raise RankingImportError([Problem(str(exc))]) from exc
    header = None
    for row in source[:HEADER_SEARCH_ROWS] if kind != "text" else source:
        found = match_header(row, RANKING_MATCHERS)
        if (
            found
            and "name" in found.columns
            and ("score" in found.columns or "index" in found.columns)
        ):
            header = found
            break
    labels = ranking_labels()
    if header is None:
        raise RankingImportError(
            [
                Problem(
                    _(
                        "Không tìm thấy dòng tiêu đề của bảng xếp hạng trong “%(name)s”. Bảng cần cột "
                        "%(unit)s và cột %(score)s hoặc %(index)s; có thể thêm %(rank)s, %(band)s."
                    )
                    % {
                        "name": filename,
                        "unit": labels["name"],
                        "score": labels["score"],
                        "index": labels["index"],
                        "rank": labels["rank"],
                        "band": labels["band"],
                    }
                )
            ]
        )
    labels |= header.labels
    problems: list[Problem] = []
    notices: list[str] = []
    rows: list[RankingRow] = []
    seen: dict[str, int] = {}

    def cell(src: SourceRow, role: str) -> object:
        index = header.columns.get(role)
        if index is None or index >= len(src.cells):
            return None
        return src.cells[index]

    for src in source:
        if src.number <= header.row_number:
            continue
        if not any(cell_text(c) for c in src.cells):
            continue
        repeat = match_header(src, RANKING_MATCHERS)
        if repeat and len(repeat.columns) >= 3:
            continue  # header repeated at a page break
        name = cell_text(cell(src, "name"))
        values: dict[str, Decimal | None] = {}
        for role in ("score", "index"):
            try:
                values[role] = parse_decimal(cell(src, role), places=3)
            except ScoreParseError as exc:
                problems.append(Problem(f"{exc}.", src.number, labels[role]))
                values[role] = None
        rank_text = cell_text(cell(src, "rank"))
        if not name:
            if _TOTAL_ROW.match(norm(cell_text(src.cells[0]) if src.cells else "")):
                continue
            problems.append(Problem(_("thiếu tên đơn vị."), src.number, labels["name"]))
            continue
        if _TOTAL_ROW.match(norm(name)):
            continue
        if values["score"] is None and values["index"] is None and not rank_text:
            notices.append(
                _(
                    "Dòng %(row)s (“%(name)s”) không có điểm, chỉ số: coi là dòng tiêu đề nhóm, bỏ qua."
                )
                % {"row": src.number, "name": name}
            )
            continue
        if values["score"] is None and values["index"] is None:
            column = labels["index" if "index" in header.columns else "score"]
            problems.append(
                Problem(_("thiếu điểm hoặc chỉ số của đơn vị."), src.number, column)
            )
        for role, upper in (("score", full_scale), ("index", HUNDRED)):
            value = values[role]
            if value is None:
                continue
            if value < 0:
                problems.append(
                    Problem(
                        _("không được âm (%(value)s).")
                        % {"value": format_decimal(value)},
                        src.number,
                        labels[role],
                    )
                )
            elif value > upper:
                problems.append(
                    Problem(
                        _("%(value)s vượt quá %(max)s.")
                        % {
                            "value": format_decimal(value),
                            "max": format_decimal(upper),
                        },
                        src.number,
                        labels[role],
                    )
                )
        rank = None
        if rank_text:
            if _RANK_TEXT.match(rank_text) and int(rank_text) > 0:
                rank = int(rank_text)
            else:
                problems.append(
                    Problem(
                        _("“%(text)s” không phải là thứ hạng (số nguyên dương).")
                        % {"text": rank_text},
                        src.number,
                        labels["rank"],
                    )
                )
        key = normalize_name(name)
        if key in seen:
            problems.append(
                Problem(
                    _("đơn vị “%(name)s” trùng với dòng %(first)s.")
                    % {"name": name, "first": seen[key]},
                    src.number,
                    labels["name"],
                )
            )
            continue
        seen[key] = src.number
        rows.append(
            RankingRow(
                source_row=src.number,
                name=name,
                score=values["score"],
                index=values["index"],
                rank=rank,
                band=cell_text(cell(src, "band")),
            )
        )
    if not rows and not problems:
        problems.append(
            Problem(_("Bảng không có đơn vị nào dưới dòng tiêu đề."), header.row_number)
        )
    if problems:
        problems.sort(key=lambda p: p.row or 0)
        raise RankingImportError(problems)
    ranks_fill(rows, full_scale)
    return rows, notices


def ranks_fill(rows: list[RankingRow], full_scale: Decimal = HUNDRED) -> None:
    """Give a rank to rows without one, from the index (or score ÷ full scale × 100)
    of every row: 1 + rows with a strictly higher index, so equal indices share."""
    indices = [
        r.index
        if r.index is not None
        else (r.score * HUNDRED / full_scale).quantize(INDEX_Q, rounding=ROUND_HALF_UP)
        for r in rows
    ]
    for row, index in zip(rows, indices, strict=True):
        if row.rank is None:
            row.rank = rank_among(index, indices)
            row.rank_computed = True


def _own_row_find(
    rows: list[RankingRow], self_name: str | None, organization: Organization | None
) -> RankingRow | None:
    if self_name:
        key = normalize_name(self_name)
        for row in rows:
            if normalize_name(row.name) == key:
                return row
        raise RankingImportError(
            [
                Problem(
                    _(
                        "Không có đơn vị “%(name)s” (dòng của cơ quan, --self) trong bảng xếp hạng."
                    )
                    % {"name": self_name}
                )
            ]
        )
    if organization is None:
        return None
    keys = {normalize_name(organization.name)}
    if organization.short_name:
        keys.add(normalize_name(organization.short_name))
    exact = [r for r in rows if normalize_name(r.name) in keys]
    if exact:
        return exact[0]
    # "Sở Khoa học và Công nghệ" in the table, "… tỉnh Đắk Nông" in PAR Plan.
    full = normalize_name(organization.name)
    partial = [
        r
        for r in rows
        if normalize_name(r.name) in full or full in normalize_name(r.name)
    ]
    return partial[0] if len(partial) == 1 else None


def ranking_import(
    *,
    year: int,
    data: bytes,
    filename: str,
    self_name: str | None = None,
    organization: Organization | None = None,
    source: str = "",
    full_scale: Decimal = HUNDRED,
    dry_run: bool = False,
) -> RankingReport:
    """Replace the ranking table of ``year`` with the one in the file.

    All or nothing: any problem raises RankingImportError and the table is left as
    it was. The organization's own row is the row named ``self_name``, else the row
    matching ``organization``'s name.
    """
    rows, notices = ranking_parse(data=data, filename=filename, full_scale=full_scale)
    own = _own_row_find(rows, self_name, organization)
    if own is not None:
        own.is_self = True
    elif organization is not None:
        notices.append(
            _(
                "Không nhận ra dòng của “%(name)s” trong bảng; hãy chỉ rõ tên đơn vị (--self) hoặc "
                "đánh dấu trên trang bảng xếp hạng."
            )
            % {"name": organization.name}
        )
    if any(r.rank_computed for r in rows):
        notices.append(
            _(
                "%(n)s đơn vị chưa có thứ hạng: đã tính theo chỉ số, bằng nhau cùng hạng."
            )
            % {"n": sum(1 for r in rows if r.rank_computed)}
        )
    if own is not None and organization is None:
        only = list(Organization.objects.all()[:2])
        if len(only) != 1:
            raise RankingImportError(
                [
                    Problem(
                        _("Hãy chọn cơ quan mà dòng “%(name)s” thuộc về.")
                        % {"name": own.name}
                    )
                ]
            )
        organization = only[0]
    with transaction.atomic():
        replaced, _detail = PeerRank.objects.filter(year=year).delete()
        PeerRank.objects.bulk_create(
            [
                PeerRank(
                    year=year,
                    name=row.name,
                    key=normalize_name(row.name),
                    score=row.score,
                    index=row.index,
                    rank=row.rank,
                    band=row.band,
                    organization=organization if row.is_self else None,
                    source=source or filename,
                    position=position,
                )
                for position, row in enumerate(rows, start=1)
            ]
        )
        if dry_run:
            transaction.set_rollback(True)
    return RankingReport(
        year=year,
        dry_run=dry_run,
        rows=rows,
        replaced=replaced,
        self_name=own.name if own else None,
        notices=notices,
    )


# --- the plan tree, filtered ------------------------------------------------------


TASK_FILTER_DUE = ("overdue", "soon", "attention")


@dataclass
class TreeRow:
    row: CriterionFigures
    tasks: list[Task]
    self_form: Any = None  # the office's inline form for the self-assessed score


def tree_rows(
    figures: PlanFigures,
    *,
    status: str | None = None,
    unit_id: int | None = None,
    due: str | None = None,
    today: datetime.date | None = None,
) -> list[TreeRow]:
    """The rows of the tree with their tasks; with a filter, only the tasks that pass
    it, the criteria that hold them and the headings above those."""
    today = today or timezone.localdate()
    filtered = bool(status or unit_id or due)

    def passes(task: Task) -> bool:
        if status and task.overall_status != status:
            return False
        if unit_id and all(p.unit_id != unit_id for p in task.parts.all()):
            return False
        if due == "overdue" and not task.is_overdue(today):
            return False
        if due == "soon" and not task_is_due_soon(task, today):
            return False
        return not (
            due == "attention"
            and not (task.is_overdue(today) or task_is_due_soon(task, today))
        )

    result = [
        TreeRow(row, [t for t in row.tasks if passes(t)] if filtered else row.tasks)
        for row in figures.rows
    ]
    if not filtered:
        return result
    keep: set[int] = set()
    by_pk = {item.row.pk: item.row for item in result}
    for item in result:
        if item.tasks:
            pk: int | None = item.row.pk
            while pk is not None and pk not in keep:
                keep.add(pk)
                pk = by_pk[pk].criterion.parent_id
    return [item for item in result if item.row.pk in keep]


def ranking_is_illustrative(rows: Iterable[PeerRank]) -> bool:
    """A table loaded for the demo says so in its source or its unit names."""
    return any("minh họa" in normalize_name(f"{row.source} {row.name}") for row in rows)


# --- ranking import preview: how the year's table will be replaced -------------------


RANKING_COMPARED = ("score", "index", "rank", "band")


@dataclass
class RankingChange:
    row: RankingRow
    outcome: str  # "added", "changed" or "unchanged"
    fields: list[str] = field(default_factory=list)  # labels of what changes


@dataclass
class RankingChanges:
    rows: list[RankingChange]
    removed: list[PeerRank]

    def count(self, outcome: str) -> int:
        return sum(1 for change in self.rows if change.outcome == outcome)

    @property
    def added(self) -> int:
        return self.count("added")

    @property
    def changed(self) -> int:
        return self.count("changed")

    @property
    def unchanged(self) -> int:
        return self.count("unchanged")


def ranking_changes(*, year: int, rows: list[RankingRow]) -> RankingChanges:
    """Compare the rows of a ranking file with the year's table, unit by unit (same
    name, ignoring case and spacing), in one query."""
    current = {
        row.key: row for row in PeerRank.objects.filter(year=year).order_by("position")
    }
    labels = ranking_labels() | {"is_self": _("Là cơ quan")}
    changes: list[RankingChange] = []
    for row in rows:
        old = current.pop(normalize_name(row.name), None)
        if old is None:
            changes.append(RankingChange(row, "added"))
            continue
        differ = [
            labels[name]
            for name in RANKING_COMPARED
            if getattr(old, name) != getattr(row, name)
        ]
        if bool(old.organization_id) != row.is_self:
            differ.append(labels["is_self"])
        changes.append(RankingChange(row, "changed" if differ else "unchanged", differ))
    return RankingChanges(rows=changes, removed=list(current.values()))
