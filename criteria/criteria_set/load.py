"""Writing the province's criteria set into a plan, all or nothing.

``criteria_set_import`` compares the file with the plan first, in a fixed number of
queries whatever the set's size (the preview is this comparison, nothing is
written), then, when not a dry run, writes it. A criterion is matched by its code;
the set gives its title, maximum, scoring text, method and applicability, and
leaves its score layers and tasks alone. A criterion of the plan the file no longer
has is removed only when nothing hangs on it (no task, evidence or score): otherwise
the file is refused naming it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Count
from django.utils.translation import gettext as _

from criteria.codes import code_sort_key, parent_code
from criteria.criteria_set.numbering import SetRow
from criteria.criteria_set.parse import CriteriaSetTable, criteria_set_parse
from criteria.criteria_set.rules import RuleProposal, proposal_text
from criteria.models import Criterion, Organization, Plan, ScoringRule
from criteria.plan_mark import plan_changes
from parplan.history import created_with_history
from parplan.scores import format_decimal
from parplan.tables import Problem, TableImportError

CREATED, UPDATED, UNCHANGED = "created", "updated", "unchanged"
LAYERS = (
    "baseline_score",
    "target_score",
    "self_score",
    "appraised_score",
    "final_score",
    "survey_score",
)


@dataclass
class Change:
    code: str
    field: str  # the field's label
    old: str
    new: str


@dataclass
class CriteriaSetReport:
    plan: Plan
    plan_exists: bool
    dry_run: bool
    rows: list[SetRow]
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    changes: list[Change] = field(default_factory=list)
    rules: dict[str, RuleProposal] = field(default_factory=dict)  # proposed, new
    full_scale: tuple[Decimal, Decimal] | None = None  # old → new
    survey: int = 0
    not_applicable: int = 0

    def preview(self) -> list[tuple[SetRow, str, list[Change], str]]:
        """Each row with its outcome, its changes and the rule proposed for it."""
        outcome = dict.fromkeys(self.created, CREATED) | dict.fromkeys(
            self.updated, UPDATED
        )
        by_code: dict[str, list[Change]] = {}
        for change in self.changes:
            by_code.setdefault(change.code, []).append(change)
        return [
            (
                row,
                outcome.get(row.code, UNCHANGED),
                by_code.get(row.code, []),
                proposal_text(self.rules[row.code]) if row.code in self.rules else "",
            )
            for row in self.rows
        ]

    @property
    def changed(self) -> bool:
        return bool(
            self.created
            or self.updated
            or self.removed
            or self.rules
            or self.full_scale
        )


def _labels() -> dict[str, str]:
    return {
        "title": _("Tên"),
        "max_score": _("Điểm tối đa"),
        "parent": _("Thuộc"),
        "scoring_text": _("Cách chấm điểm"),
        "method": _("Hình thức đánh giá"),
        "applicable": _("Áp dụng"),
        "not_applicable_reason": _("Lý do không áp dụng"),
    }


def _shown(name: str, value: object) -> str:
    if value is None:
        return "—"
    if name == "max_score":
        return format_decimal(value)  # type: ignore[arg-type]  # a Decimal
    if name == "method":
        return str(Criterion.Method(str(value)).label)
    if name == "applicable":
        return str(_("Có") if value else _("Không"))
    return str(value)


def _wanted(row: SetRow, current: Criterion | None, has: set[str]) -> dict[str, object]:
    """The fields the file sets on ``row``'s criterion; an optional column the file
    lacks leaves the criterion's value as it is (a new criterion takes the default)."""
    values: dict[str, object] = {
        "title": row.title,
        "max_score": row.max_score,
        "parent": parent_code(row.code),
    }
    if row.method is not None or current is None:
        values["method"] = row.method or Criterion.Method.APPRAISED
    if "not_applicable" in has or current is None:
        values["applicable"] = row.applicable is not False
        values["not_applicable_reason"] = row.reason
    if "scoring_text" in has or current is None:
        values["scoring_text"] = row.scoring_text or ""
    return values


def _current(criterion: Criterion, name: str, codes: dict[int, str]) -> object:
    if name == "parent":
        return codes.get(criterion.parent_id) if criterion.parent_id else None
    return getattr(criterion, name)


def _conflicts(
    row: SetRow, criterion: Criterion, values: dict[str, object], tasks: int
) -> list[Problem]:
    """Why the file cannot change ``criterion`` as it says (what hangs on it)."""
    code = {"code": criterion.code}
    layers = {n: getattr(criterion, n) for n in LAYERS if getattr(criterion, n)}
    if row.is_heading and (layers or tasks):
        return [
            Problem(
                _(
                    "tiêu chí %(code)s đã có điểm hoặc nhiệm vụ nhưng trong bộ tiêu chí "
                    "có tiêu chí con; hãy chuyển điểm, nhiệm vụ sang tiêu chí con trước."
                )
                % code,
                row.source_row,
                _("STT"),
            )
        ]
    problems = []
    maximum = row.max_score
    over = [v for v in layers.values() if maximum is not None and v > maximum]
    if over and maximum is not None:
        problems.append(
            Problem(
                _(
                    "tiêu chí %(code)s đã có điểm %(value)s, vượt điểm tối đa mới "
                    "%(max)s."
                )
                % {
                    **code,
                    "value": format_decimal(max(over)),
                    "max": format_decimal(maximum),
                },
                row.source_row,
                _("Điểm tối đa"),
            )
        )
    method = values.get("method", criterion.method)
    if method == Criterion.Method.SURVEY and any(
        getattr(criterion, n) is not None
        for n in ("self_score", "appraised_score", "final_score")
    ):
        problems.append(
            Problem(
                _(
                    "tiêu chí %(code)s đã có điểm tự đánh giá hoặc thẩm định, không chuyển "
                    "sang chấm bằng điều tra xã hội học được."
                )
                % code,
                row.source_row,
                _("Hình thức đánh giá"),
            )
        )
    if method == Criterion.Method.APPRAISED and criterion.survey_score is not None:
        problems.append(
            Problem(
                _(
                    "tiêu chí %(code)s đã có điểm điều tra xã hội học, không chuyển "
                    "sang thẩm định được."
                )
                % code,
                row.source_row,
                _("Hình thức đánh giá"),
            )
        )
    return problems


def criteria_set_import(
    *,
    organization: Organization,
    year: int,
    data: bytes,
    filename: str,
    dry_run: bool = False,
    previewed: dict[str, Any] | None = None,
) -> CriteriaSetReport:
    """Bring ``organization``'s plan of ``year`` to the criteria set in the file,
    creating the plan (and an organization not saved yet) when it has none.

    All or nothing: any problem raises TableImportError and nothing is written.
    With ``dry_run`` the report says what would change and nothing is written.
    ``previewed`` (``plan_mark`` taken at the preview) refuses the import, naming
    what changed, if the plan changed since; the organization's row is locked
    first, so two imports of its plans run one after the other.
    """
    table = criteria_set_parse(data=data, filename=filename)
    plan = (
        Plan.objects.filter(organization=organization, year=year)
        .select_related("organization")
        .first()
        if organization.pk
        else None
    )
    if dry_run:
        return _compare(table, plan, organization, year, filename, dry_run)
    with transaction.atomic():  # compared again where it is written
        if organization.pk:
            locked = Organization.objects.select_for_update().filter(pk=organization.pk)
            list(locked.values("pk"))
            plan = (
                Plan.objects.filter(organization=organization, year=year)
                .select_related("organization")
                .first()
            )
        if previewed is not None:
            changes = plan_changes(plan=plan, year=year, mark=previewed)
            if changes:
                raise TableImportError([Problem(change) for change in changes])
        report = _compare(table, plan, organization, year, filename, dry_run)
        _write(report, table, filename)
    return report


def _compare(
    table: CriteriaSetTable,
    plan: Plan | None,
    organization: Organization,
    year: int,
    filename: str,
    dry_run: bool,
) -> CriteriaSetReport:
    existing: dict[str, Criterion] = {}
    tasks: dict[str, int] = {}
    ruled: set[str] = set()
    if plan is not None:
        criteria = Criterion.objects.filter(plan=plan)
        existing = {c.code: c for c in criteria}
        tasks = dict(
            criteria.annotate(
                n=Count("tasks", distinct=True) + Count("evidence", distinct=True)
            ).values_list("code", "n")
        )
        ruled = set(
            ScoringRule.objects.filter(criterion__plan=plan).values_list(
                "criterion__code", flat=True
            )
        )
    report = CriteriaSetReport(
        plan=plan
        or Plan(
            organization=organization,
            year=year,
            baseline_year=year - 1,
            title=_(
                "Kế hoạch cải thiện, nâng cao Chỉ số cải cách hành chính năm %(year)s"
            )
            % {"year": year},
        ),
        plan_exists=plan is not None,
        dry_run=dry_run,
        rows=table.rows,
    )
    codes = {c.pk: c.code for c in existing.values()}
    names = _labels()
    problems: list[Problem] = []
    for row in table.rows:
        report.survey += int(
            not row.is_heading and row.method == Criterion.Method.SURVEY
        )
        report.not_applicable += int(row.applicable is False)
        current = existing.get(row.code)
        values = _wanted(row, current, table.has)
        if row.rule is not None and row.code not in ruled:
            report.rules[row.code] = row.rule
        if current is None:
            report.created.append(row.code)
            continue
        problems += _conflicts(row, current, values, tasks.get(row.code, 0))
        changes = [
            Change(
                row.code, names[n], _shown(n, _current(current, n, codes)), _shown(n, v)
            )
            for n, v in values.items()
            if _current(current, n, codes) != v
        ]
        report.changes += changes
        (report.updated if changes else report.unchanged).append(row.code)
    in_file = {r.code for r in table.rows}
    for code in sorted(set(existing) - in_file, key=code_sort_key):
        criterion = existing[code]
        if tasks.get(code) or any(getattr(criterion, n) is not None for n in LAYERS):
            problems.append(
                Problem(
                    _(
                        "tiêu chí %(code)s “%(title)s” của kế hoạch không có trong bộ "
                        "tiêu chí mới nhưng đã có nhiệm vụ, tài liệu hoặc điểm; hãy "
                        "thêm lại vào tệp, hoặc xóa tiêu chí trong trang của nó trước."
                    )
                    % {"code": code, "title": criterion.title}
                )
            )
        else:
            report.removed.append(code)
    if problems:
        raise TableImportError(sorted(problems, key=lambda p: p.row or 0))
    if report.plan.full_scale != table.total:
        report.full_scale = (report.plan.full_scale, table.total)
    return report


def _write(report: CriteriaSetReport, table: CriteriaSetTable, filename: str) -> None:
    plan = report.plan
    if not plan.organization.pk:
        plan.organization.save()
        plan.organization_id = plan.organization.pk
    plan.full_scale = table.total
    plan.criteria_set_name = filename
    plan.save()
    by_code = {c.code: c for c in Criterion.objects.filter(plan=plan)}
    # The rows that create criteria go in bulk, level by level (a parent before its
    # children), with their history rows; the rows that change one, one by one.
    created = set(report.created)
    levels: dict[int, list[Criterion]] = {}
    for row in table.rows:
        if row.code in created:
            criterion = Criterion(plan=plan, code=row.code)
            criterion.tree_fields_set()
            levels.setdefault(criterion.depth, []).append(criterion)
    reason = str(_("Nhập bộ tiêu chí"))
    rows = {row.code: row for row in table.rows}
    for depth in sorted(levels):
        for criterion in levels[depth]:
            _values_set(
                criterion, _wanted(rows[criterion.code], None, table.has), by_code
            )
        created_with_history(levels[depth], model=Criterion, reason=reason)
        by_code.update((c.code, c) for c in levels[depth])
    updated = set(report.updated)
    for row in table.rows:
        if row.code in updated:
            criterion = by_code[row.code]
            criterion.version += 1  # a form opened before this import is now stale
            _values_set(criterion, _wanted(row, criterion, table.has), by_code)
            criterion.save()
    rules = [
        ScoringRule(
            criterion=by_code[code],
            kind=rule.kind,
            levels=rule.levels,
            per_failure=rule.per_failure,
            per_item=rule.per_item,
            cap=rule.cap,
            full_at=rule.full_at,
            zero_below=rule.zero_below,
        )
        for code, rule in report.rules.items()
    ]
    if rules:
        created_with_history(rules, model=ScoringRule, reason=reason)
    Criterion.objects.filter(plan=plan, code__in=report.removed).delete()


def _values_set(
    criterion: Criterion, values: dict[str, object], by_code: dict[str, Criterion]
) -> None:
    values = dict(values)
    parent = values.pop("parent")
    criterion.parent = by_code[parent] if isinstance(parent, str) else None
    for name, value in values.items():
        setattr(criterion, name, value)
