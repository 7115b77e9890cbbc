"""Next year's plan from this year's results.

``next_year_preview`` says, criterion by criterion, what the next plan would start
from: the baseline (this year's best known score, and the layer it came from), the
proposed target and the unfinished tasks that may be carried over.
``next_year_plan_create`` writes that plan — the whole criteria tree, the plan's
settings, the chosen tasks — in one transaction, or nothing.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from criteria.criteria_set.parse import CriteriaSetTable
from criteria.models import Criterion, Plan, ScoringRule
from criteria.plan_mark import plan_changes
from parplan import roles
from parplan.scores import format_decimal
from reports.figures import plan_figures
from reports.next_year_crosswalk import (
    RULE_FIELDS,
    CrosswalkEntry,
    CrosswalkMatch,
    crosswalk_match,
    crosswalk_targets_check,
    crosswalk_tree_write,
)
from reports.plan_tasks import TaskFigures
from tasks.models import Status, Task, TaskUnit

if TYPE_CHECKING:
    from parplan.roles import AnyUser

# Where a baseline comes from, best first: the layers of ``reports.forecast``, with
# the appraised score split into its final value (after an explanation or appeal)
# and the council's first one.
BASELINE_LAYERS = {
    "final": gettext_lazy("Điểm sau giải trình, phúc khảo"),
    "appraised": gettext_lazy("Điểm thẩm định"),
    "survey": gettext_lazy("Điểm điều tra xã hội học"),
    "self": gettext_lazy("Điểm tự đánh giá"),
    "progress": gettext_lazy("Dự báo theo tiến độ nhiệm vụ"),
}


@dataclass
class NextYearRow:
    """One criterion of the next plan as it would start."""

    criterion: Criterion
    is_heading: bool
    applicable: bool
    baseline: Decimal | None  # this year's best score: the next plan's baseline
    layer: str  # a key of BASELINE_LAYERS, for a scored row
    target: Decimal | None  # proposed: the maximum where points were lost
    open_tasks: list[TaskFigures] = field(default_factory=list)

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
    def max_score(self) -> Decimal | None:
        return self.criterion.max_score

    @property
    def layer_label(self) -> str:
        return str(BASELINE_LAYERS.get(self.layer, ""))

    @property
    def points_lost(self) -> Decimal | None:
        if self.baseline is None or self.max_score is None:
            return None
        return self.max_score - self.baseline


@dataclass
class NextYearPreview:
    plan: Plan
    year: int
    rows: list[NextYearRow]
    existing: Plan | None  # the next plan when it is there already

    @property
    def open_tasks(self) -> list[TaskFigures]:
        return [task for row in self.rows for task in row.open_tasks]

    @property
    def baseline_total(self) -> Decimal:
        return sum(
            (r.baseline for r in self.rows if r.baseline is not None), Decimal(0)
        )

    @property
    def target_total(self) -> Decimal:
        return sum((r.target for r in self.rows if r.target is not None), Decimal(0))


def next_year_preview(*, plan: Plan) -> NextYearPreview:
    """What the plan of ``plan.year + 1`` would start from, in five queries."""
    figures = plan_figures(plan=plan, with_ranking=False)
    rows = []
    for item in figures.rows:
        criterion = item.model
        baseline = target = None
        layer = ""
        if not item.is_heading and item.applicable:
            baseline = min(item.forecast, criterion.max_score or item.forecast)
            layer = item.forecast_source
            if layer == "appraised" and criterion.final_score is not None:
                layer = "final"
            target = (
                criterion.max_score
                if baseline < (criterion.max_score or 0)
                else baseline
            )
        rows.append(
            NextYearRow(
                criterion=criterion,
                is_heading=item.is_heading,
                applicable=item.applicable,
                baseline=baseline,
                layer=layer,
                target=target,
                open_tasks=item.open_tasks,
            )
        )
    existing = Plan.objects.filter(
        organization_id=plan.organization_id, year=plan.year + 1
    ).first()
    return NextYearPreview(plan=plan, year=plan.year + 1, rows=rows, existing=existing)


def _refusal(plan: Plan, existing: Plan) -> ValidationError:
    return ValidationError(
        _(
            "Kế hoạch năm %(year)s của %(organization)s đã có: “%(title)s”. Hãy mở và "
            "sửa kế hoạch đó; muốn lập lại từ kết quả năm %(this)s thì xóa nó trong "
            "trang quản trị trước."
        )
        % {
            "year": existing.year,
            "organization": plan.organization.name,
            "title": existing.title,
            "this": plan.year,
        }
    )


def _next_title(plan: Plan) -> str:
    year, following = str(plan.year), str(plan.year + 1)
    if year in plan.title:
        return plan.title.replace(year, following)
    return _("Kế hoạch cải cách hành chính năm %(year)s") % {"year": following}


def _targets_checked(
    rows: list[NextYearRow], targets: Mapping[str, Decimal] | None
) -> dict[str, Decimal]:
    """The proposed targets with the office's changes, each within 0 and the maximum
    of a scored, applicable criterion."""
    chosen = {r.code: r.target for r in rows if r.target is not None}
    scored = {r.code: r for r in rows if r.target is not None}
    errors = []
    for code, value in (targets or {}).items():
        row = scored.get(code)
        if row is None:
            errors.append(
                _("Tiêu chí %(code)s: không có mục tiêu riêng để đặt.") % {"code": code}
            )
        elif value < 0 or (row.max_score is not None and value > row.max_score):
            errors.append(
                _(
                    "Tiêu chí %(code)s, mục tiêu: %(value)s phải từ 0 đến điểm chuẩn "
                    "%(max)s."
                )
                % {
                    "code": code,
                    "value": format_decimal(value),
                    "max": format_decimal(row.max_score),
                }
            )
        else:
            chosen[code] = value
    if errors:
        raise ValidationError(errors)
    return chosen


def next_year_plan_create(
    *,
    plan: Plan,
    user: AnyUser | None,
    carried_task_ids: Iterable[int],
    targets: Mapping[str, Decimal] | None = None,
    criteria_set: CriteriaSetTable | None = None,
    criteria_set_name: str = "",
    crosswalk: list[CrosswalkEntry] | None = None,
    previewed: dict[str, Any] | None = None,
) -> Plan:
    """Create the plan of ``plan.year + 1`` from ``plan``'s results, or nothing.

    The criteria tree is copied whole (codes, titles, maxima, method, applicability
    and its reason, scoring text and rule); each scored criterion's baseline is
    this year's best score (``next_year_preview``) and its target the one proposed,
    or the office's value from ``targets`` (by code). The plan's settings are copied,
    its calendar is not. The tasks of ``carried_task_ids`` — unfinished tasks of
    ``plan`` — are carried with their text, units, output and due text; their
    progress starts again and their due dates are left to set.

    ``user`` None is the server's operator (``plan_next_year``). Raises
    PermissionDenied unless ``user`` is the office's, ValidationError
    (nothing written) when the next plan exists already, a
    task cannot be carried or a target is out of range.

    With ``criteria_set`` (a new set read by ``criteria_set_parse``) the tree is
    the set's, not this year's: criteria are matched by code and through
    ``crosswalk`` (``reports.next_year_crosswalk``), ``targets`` are by the new
    codes, a task of a dropped criterion cannot be carried, and the crosswalk is
    kept on the new plan. ``previewed`` (``criteria.plan_mark.plan_mark`` of this
    year's plan at the preview) refuses a plan changed since.
    """
    if user is not None and not roles.can_edit_plan(user):
        raise PermissionDenied(roles.OFFICE_NEEDED)
    preview = next_year_preview(plan=plan)
    if preview.existing is not None:
        raise _refusal(plan, preview.existing)
    match = None
    if criteria_set is not None:
        match = crosswalk_match(
            old_rows=list(preview.rows),
            table=criteria_set,
            entries=crosswalk or [],
            year=plan.year,
        )
        chosen_targets = crosswalk_targets_check(match=match, targets=targets)
        open_ids = {t.pk for r in match.rows if r.new is not None for t in r.open_tasks}
    else:
        chosen_targets = _targets_checked(preview.rows, targets)
        open_ids = {task.pk for task in preview.open_tasks}
    carried = set(carried_task_ids)
    if match is not None:
        lost = [
            (task.pk, row.old_code)
            for row in match.dropped
            for task in row.open_tasks
            if task.pk in carried
        ]
        if lost:
            raise ValidationError(
                [
                    _(
                        "Nhiệm vụ %(id)s thuộc tiêu chí %(code)s, tiêu chí này không "
                        "còn trong bộ tiêu chí mới nên nhiệm vụ không chuyển sang được "
                        "(nó ở lại kế hoạch năm %(year)s)."
                    )
                    % {"id": pk, "code": code, "year": plan.year}
                    for pk, code in lost
                ]
            )
    stray = sorted(carried - open_ids)
    if stray:
        raise ValidationError(
            _(
                "Nhiệm vụ %(ids)s không phải nhiệm vụ chưa hoàn thành của kế hoạch năm "
                "%(year)s nên không chuyển sang được."
            )
            % {"ids": ", ".join(map(str, stray)), "year": plan.year}
        )
    try:
        with transaction.atomic():
            if previewed is not None:
                Plan.objects.select_for_update().filter(pk=plan.pk).first()
                changes = plan_changes(plan=plan, year=plan.year, mark=previewed)
                if changes:
                    raise ValidationError(changes)
            if match is not None:
                return _write_from_set(
                    plan, match, criteria_set_name, chosen_targets, carried
                )
            return _write(plan, preview, chosen_targets, carried)
    except IntegrityError:
        existing = Plan.objects.filter(
            organization_id=plan.organization_id, year=plan.year + 1
        ).first()
        if existing is None:
            raise
        raise _refusal(plan, existing) from None


def _following_create(plan: Plan, criteria_set_name: str, full_scale: Decimal) -> Plan:
    return Plan.objects.create(
        organization_id=plan.organization_id,
        year=plan.year + 1,
        baseline_year=plan.year,
        title=_next_title(plan),
        full_scale=full_scale,
        rank_goal=plan.rank_goal,
        criteria_set_name=criteria_set_name,
        score_columns=plan.score_columns,
        review_criterion_code=plan.review_criterion_code,
        reviews_required=plan.reviews_required,
    )


def _write_from_set(
    plan: Plan,
    match: CrosswalkMatch,
    criteria_set_name: str,
    targets: dict[str, Decimal],
    carried: set[int],
) -> Plan:
    following = _following_create(plan, criteria_set_name, match.table.total)
    old_to_new = crosswalk_tree_write(following=following, match=match, targets=targets)
    if carried:
        _tasks_carry(carried, old_to_new)
    return following


def _write(
    plan: Plan,
    preview: NextYearPreview,
    targets: dict[str, Decimal],
    carried: set[int],
) -> Plan:
    following = _following_create(plan, plan.criteria_set_name, plan.full_scale)
    new_by_code: dict[str, Criterion] = {}
    old_to_new: dict[int, Criterion] = {}
    for row in preview.rows:  # code order: a parent comes before its children
        old = row.criterion
        parent = old_to_new.get(old.parent_id) if old.parent_id else None
        new = Criterion.objects.create(
            plan=following,
            parent=parent,
            code=old.code,
            title=old.title,
            max_score=old.max_score,
            baseline_score=row.baseline,
            target_score=targets.get(old.code),
            scoring_text=old.scoring_text,
            method=old.method,
            applicable=old.applicable,
            not_applicable_reason=old.not_applicable_reason,
        )
        new_by_code[old.code] = new
        old_to_new[old.pk] = new
    rules = ScoringRule.objects.filter(criterion__plan=plan).select_related("criterion")
    ScoringRule.objects.bulk_create(
        ScoringRule(
            criterion=new_by_code[rule.criterion.code],
            **{name: getattr(rule, name) for name in RULE_FIELDS},
        )
        for rule in rules
    )
    if carried:
        _tasks_carry(carried, old_to_new)
    return following


def _tasks_carry(carried: set[int], old_to_new: dict[int, Criterion]) -> None:
    tasks = (
        Task.objects.filter(pk__in=carried)
        .prefetch_related("parts")
        .order_by("criterion__sort_key", "position")
    )
    positions: dict[int, int] = {}
    for old in tasks:
        criterion = old_to_new[old.criterion_id]
        positions[criterion.pk] = positions.get(criterion.pk, 0) + 1
        new = Task.objects.create(
            criterion=criterion,
            position=positions[criterion.pk],
            text=old.text,
            all_units=old.all_units,
            due_text=old.due_text,
            output=old.output,
            status=Status.NOT_STARTED,
            percent=0,
        )
        for part in old.parts.all():
            TaskUnit.objects.create(task=new, unit_id=part.unit_id, role=part.role)
