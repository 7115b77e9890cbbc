"""A criterion's figures: its score layers, its forecast (the one figure every
headline uses) and the sums that roll up to headings, areas and the plan."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction

from django.utils.translation import gettext_lazy

from criteria.models import Criterion
from reports.plan_rows import CriterionRow
from reports.plan_tasks import TaskFigures
from reports.rules import HUNDRED, ONE, POINT_Q, ZERO
from tasks.models import Status


@dataclass
class Sums:
    """Figures that roll up by addition: one criterion's, an area's, or the total.

    The forecast of a criterion is the best score known now: the appraised score
    (the final one after an explanation or appeal) if there is one, else the survey
    score of a survey criterion, else the self-assessed score, else the baseline plus
    the share of the points to recover that its tasks' progress has earned. Every
    headline figure (the gap, places gained, points still needed, the priority list)
    comes from it, so that no two parts of PAR Plan can disagree.
    """

    max_score: Decimal = ZERO
    baseline: Decimal = ZERO
    target: Decimal = ZERO
    expected: Decimal = ZERO  # baseline + (target − baseline) × task completion
    forecast: Decimal = ZERO
    self_case: Decimal = ZERO  # self-assessed where entered, else the forecast
    self_total: Decimal = ZERO  # self-assessed scores entered
    appraised_total: Decimal = ZERO  # appraised scores entered
    survey_total: Decimal = ZERO  # survey scores entered
    over_claim: Decimal = ZERO  # self − appraised where both are entered
    gap: Decimal = ZERO  # target − forecast
    to_recover: Decimal = ZERO  # target − baseline
    self_entered: int = 0  # scored criteria with a self-assessed score
    appraised_entered: int = 0
    survey_entered: int = 0
    scored: int = 0  # scored criteria counted (applicable ones)

    def add(self, other: Sums) -> None:
        """Every field of ``SUMMED`` plus ``other``'s, written out: it runs once for
        every row of every figure read."""
        self.max_score += other.max_score
        self.baseline += other.baseline
        self.target += other.target
        self.expected += other.expected
        self.forecast += other.forecast
        self.self_case += other.self_case
        self.self_total += other.self_total
        self.appraised_total += other.appraised_total
        self.survey_total += other.survey_total
        self.over_claim += other.over_claim
        self.gap += other.gap
        self.to_recover += other.to_recover
        self.self_entered += other.self_entered
        self.appraised_entered += other.appraised_entered
        self.survey_entered += other.survey_entered
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
        """Points still to earn: target − forecast."""
        return self.target - self.forecast


SUMMED = [
    "max_score",
    "baseline",
    "target",
    "expected",
    "forecast",
    "self_case",
    "self_total",
    "appraised_total",
    "survey_total",
    "over_claim",
    "gap",
    "to_recover",
    "self_entered",
    "appraised_entered",
    "survey_entered",
    "scored",
]

FORECAST_SOURCES = {
    "appraised": gettext_lazy("Điểm thẩm định"),
    "survey": gettext_lazy("Điểm điều tra xã hội học"),
    "self": gettext_lazy("Điểm tự đánh giá"),
    "progress": gettext_lazy("Theo tiến độ nhiệm vụ"),
}


@dataclass(kw_only=True)
class CriterionFigures(Sums):
    """One row of the tree, in code order, with its own or its children's figures."""

    criterion: Criterion | CriterionRow  # a row on the dashboard's reading
    is_heading: bool = False
    applicable: bool = True
    self_score: Decimal | None = None
    forecast_source: str = ""  # a key of FORECAST_SOURCES, for a scored row
    leaf_completion: Decimal = ZERO
    tasks: list[TaskFigures] = field(default_factory=list)  # not on the rows' reading
    open_count: int = 0  # its tasks not done
    area_code: str = ""

    @property
    def pk(self) -> int:
        return self.criterion.pk

    @property
    def model(self) -> Criterion:
        """The criterion as a model instance: on the full reading only
        (``plan_figures(with_parts=True)``), for pages that edit or export it."""
        if not isinstance(self.criterion, Criterion):
            raise TypeError("the rows' reading of the figures has no model instance")
        return self.criterion

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
    def forecast_source_label(self) -> str:
        return str(FORECAST_SOURCES.get(self.forecast_source, ""))

    @property
    def open_tasks(self) -> list[TaskFigures]:
        return [t for t in self.tasks if t.state != Status.DONE]


def leaf_fill(
    row: CriterionFigures,
    criterion: Criterion | CriterionRow,
    *,
    progress_sum: Fraction,
    task_count: int,
) -> None:
    """A scored criterion's figures from its score layers and its tasks' progress
    (``progress_sum``: the exact sum of their progress, 0–100 each)."""
    maximum = criterion.max_score or ZERO
    baseline = criterion.baseline_score or ZERO
    target = criterion.target_score if criterion.target_score is not None else baseline
    # completion = done / whole, exactly, within 0 and 1
    if task_count:
        done, whole = (
            progress_sum.numerator,
            progress_sum.denominator * 100 * task_count,
        )
    else:
        done, whole = (0, 1) if target > baseline else (1, 1)
    if done < 0:
        done, whole = 0, 1
    elif done > whole:
        done, whole = 1, 1
    completion = Decimal(done) / Decimal(whole)
    expected = expected_score(baseline, target, done, whole)
    appraised = criterion.appraised
    survey = criterion.survey_score
    is_survey = criterion.method == Criterion.Method.SURVEY
    if appraised is not None and not is_survey:
        forecast, source = appraised, "appraised"
    elif survey is not None and is_survey:
        forecast, source = survey, "survey"
    elif criterion.self_score is not None and not is_survey:
        forecast, source = criterion.self_score, "self"
    else:
        forecast, source = expected, "progress"
    row.max_score = maximum
    row.baseline = baseline
    row.target = target
    row.expected = expected
    row.forecast = forecast
    row.forecast_source = source
    row.self_case = (
        criterion.self_score if criterion.self_score is not None else forecast
    )
    row.self_total = criterion.self_score or ZERO
    row.appraised_total = appraised or ZERO
    row.survey_total = survey or ZERO
    row.over_claim = criterion.self_minus_appraised or ZERO
    row.gap = target - forecast
    row.to_recover = target - baseline
    row.self_score = criterion.self_score
    row.self_entered = int(criterion.self_score is not None)
    row.appraised_entered = int(appraised is not None)
    row.survey_entered = int(survey is not None)
    row.scored = 1
    row.leaf_completion = completion


def expected_score(
    baseline: Decimal, target: Decimal, done: int, whole: int
) -> Decimal:
    """baseline + (target − baseline) × done ÷ whole, rounded half away from zero to
    ``POINT_Q`` (as ``ROUND_HALF_UP``), exactly: a completion of ⅓ is never rounded
    before it is multiplied. In whole numbers (each score's exact ratio), not
    fractions: this runs for every scored criterion of every figure read."""
    base_n, base_d = baseline.as_integer_ratio()
    target_n, target_d = target.as_integer_ratio()
    quantum_n, quantum_d = POINT_Q.as_integer_ratio()
    # value = (base_n·target_d·whole + (target_n·base_d − base_n·target_d)·done)
    #         ÷ (base_d·target_d·whole), in steps of the quantum
    numerator = (
        base_n * target_d * whole + (target_n * base_d - base_n * target_d) * done
    ) * quantum_d
    denominator = base_d * target_d * whole * quantum_n
    steps = (2 * abs(numerator) + denominator) // (2 * denominator)
    return (Decimal(steps if numerator >= 0 else -steps) * POINT_Q).quantize(POINT_Q)
