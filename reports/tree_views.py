"""The plan tree's pages: the outline (areas and criteria with their sums), a branch
loaded on demand (htmx), the whole tree for print, and the inline self-score that
answers with the figures it changed (htmx out-of-band swaps)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from criteria.forms import SelfScoreForm
from criteria.models import Criterion, Plan, SelfAssessment
from criteria.views import self_score_handle
from parplan import roles
from parplan.filters import filter_ignored_text
from parplan.http import int_param
from reports.figures import plan_figures
from reports.figures_cache import plan_figures_cached
from reports.forecast import CriterionFigures
from reports.plan_tasks import TaskFigures
from reports.tree import (
    EXPAND_BRANCHES_MAX,
    EXPAND_MATCHES_MAX,
    OUTLINE_DEPTH,
    OUTLINE_ROWS_MAX,
    TASK_FILTER_DUE,
    BranchRow,
    TreeFilter,
    branch_rows,
    outline_rows,
    outline_tasks,
)
from tasks.models import Status, TaskUnit


@dataclass(frozen=True)
class PartLabel:
    """A unit's part as a tree's task shows it, its words already looked up."""

    unit_name: str
    role_label: str  # empty for a lead unit
    status: str
    status_label: str
    percent: int


@dataclass
class TaskLine:
    """A task of the tree with its parts; a blocked or late one with its reasons:
    the last note of each of its parts, as (unit, note). Its address and words
    are looked up here, once a branch, not once a row by the template."""

    task: TaskFigures
    overdue: bool
    reasons: list[tuple[str, str]] | None
    url: str
    state_label: str
    parts: list[PartLabel]


@dataclass(frozen=True)
class _Words:
    """What a tree's rows share, looked up once a page rather than once a row: the
    choices' labels in the request's language, the task address's pattern and the
    rows' words (their cells' labels on a phone, the due date's)."""

    statuses: dict[str, str]
    roles: dict[str, str]
    task_url: str  # with {pk}
    label: dict[str, str]

    @classmethod
    def now(cls) -> _Words:
        marker = 2**31 - 1
        return cls(
            statuses={value: str(label) for value, label in Status.choices},
            roles={
                value: str(label).lower()
                for value, label in TaskUnit.Role.choices
                if value != TaskUnit.Role.LEAD
            },
            task_url=reverse("tasks-detail", args=[marker]).replace(
                str(marker), "{pk}"
            ),
            label={
                "code": _("STT"),
                "title": _("Lĩnh vực, tiêu chí"),
                "max": _("Điểm tối đa"),
                "baseline": _("Điểm năm trước"),
                "target": _("Mục tiêu"),
                "self": _("Tự đánh giá"),
                "gap": _("Còn thiếu"),
                "forecast": _("Dự báo"),
                "progress": _("Tiến độ"),
                "unscored": _("Chưa tự đánh giá: đây là dự báo"),
                "task": _("Nhiệm vụ"),
                "status": _("Trạng thái"),
                "due": _("Hạn"),
                "overdue": _("Quá hạn"),
                "output": _("Sản phẩm"),
            },
        )


def _task_line(task: TaskFigures, today: datetime.date, words: _Words) -> TaskLine:
    overdue = task.is_overdue(today)
    reasons = None
    if overdue or task.state == Status.BLOCKED:
        reasons = [(p.unit.name, p.note) for p in task.parts if p.note.strip()]
    parts = [
        PartLabel(
            p.unit.name,
            words.roles.get(p.role, ""),
            p.status,
            words.statuses.get(p.status, p.status),
            p.percent,
        )
        for p in task.parts
    ]
    return TaskLine(
        task,
        overdue,
        reasons,
        words.task_url.format(pk=task.pk),
        words.statuses.get(task.state, task.state),
        parts,
    )


@dataclass
class TreeLine:
    """A row of the tree page: the figures of a criterion (None for the tasks of the
    outline row above), its tasks and, for the office, its inline self-score form."""

    row: CriterionFigures | None
    tasks: list[TaskLine] = field(default_factory=list)
    self_form: SelfScoreForm | None = None


@dataclass
class OutlineLine:
    """An outline row, whether it has a branch to load, how many tasks match the
    filter in it, and its branch when the page shows it open."""

    line: TreeLine
    has_branch: bool
    matches: int
    branch: list[TreeLine] | None
    loads_rows: bool = False  # an area whose criteria load with its branch


def _self_scored(criterion: Criterion) -> bool:
    """A row the office self-assesses: scored, applicable, not scored by survey."""
    return (
        criterion.is_scored
        and criterion.applicable
        and criterion.method != Criterion.Method.SURVEY
    )


def _tree_filter(request: HttpRequest) -> tuple[TreeFilter, list[str]]:
    """The filter the query asks for; a value it cannot be is left out and named in
    a notice (a link typed by hand, an old bookmark), never a 404."""
    ignored: list[str] = []
    status = request.GET.get("status") or None
    if status not in (None, *Status.values):
        ignored.append(filter_ignored_text(label=_("Trạng thái"), value=status or ""))
        status = None
    due = request.GET.get("due") or None
    if due not in (None, *TASK_FILTER_DUE):
        ignored.append(filter_ignored_text(label=_("Hạn"), value=due or ""))
        due = None
    raw_unit = (request.GET.get("unit") or "").strip()
    unit_id = int(raw_unit) if raw_unit.isdigit() else None
    if raw_unit and unit_id is None:
        ignored.append(filter_ignored_text(label=_("Đơn vị"), value=raw_unit))
    search = (request.GET.get("q") or "").strip()[:200]
    tree_filter = TreeFilter(status=status, unit_id=unit_id, due=due, search=search)
    return tree_filter, ignored


def _editing(
    request: HttpRequest, plan: Plan, *, banner: bool = True
) -> tuple[bool, bool, SelfAssessment | None]:
    """(may edit the plan, may self-score now, the self-assessment's state): one
    query, for its state; none for a branch (no ``banner``) of someone who may not
    edit."""
    can_edit = roles.can_edit_plan(request.user)
    if not (can_edit or banner):
        return False, False, None
    assessment = SelfAssessment.objects.filter(plan=plan).first()
    locked = assessment is not None and assessment.is_locked
    return can_edit, can_edit and not locked, assessment


def _line(
    row: CriterionFigures | None,
    tasks: list[TaskFigures],
    *,
    edit: bool,
    today: datetime.date,
    words: _Words,
    models: dict[int, Criterion] | None = None,
) -> TreeLine:
    """``models``: the outline's criteria as model instances, for their forms (the
    outline's figures are the rows' reading, which has none)."""
    form = None
    criterion = None
    if row is not None:
        if isinstance(row.criterion, Criterion):
            criterion = row.criterion
        elif models is not None:
            criterion = models.get(row.pk)
    if edit and criterion is not None and _self_scored(criterion):
        form = SelfScoreForm.for_criterion(criterion)
    return TreeLine(row, [_task_line(t, today, words) for t in tasks], form)


def _branch_lines(
    items: list[BranchRow], *, edit: bool, today: datetime.date, words: _Words
) -> list[TreeLine]:
    return [
        _line(item.row, item.tasks, edit=edit, today=today, words=words)
        for item in items
    ]


@login_required
@require_GET
def tree(request: HttpRequest) -> HttpResponse:
    """The plan's outline in code order with its figures, each criterion's branch
    loading on demand; ``expand=all`` gives the whole tree (to print). A filter or
    search keeps the rows holding matches and opens them while they are few."""
    roles.require_view(request.user)
    year = int_param(request, "year")
    plan = Plan.objects.visible_to(request.user).current(year)
    if plan is None and year is not None:
        raise Http404(_("Không có kế hoạch năm này."))
    ctx: dict[str, object] = {"plan": plan}
    if plan is None:
        return render(request, "reports/tree.html", ctx)
    tree_filter, ignored = _tree_filter(request)
    today = timezone.localdate()
    figures = plan_figures_cached(plan=plan, with_ranking=False, with_parts=False)
    unit_tasks = _unit_tasks(plan, tree_filter)
    tasks = outline_tasks(plan=plan, tree_filter=tree_filter)
    expand_all = request.GET.get("expand") == "all"
    # Unfiltered, the outline's length is its rows' count: a province's set goes
    # straight to its areas, without building the longer outline first.
    areas_only = not expand_all and (
        not tree_filter.active
        and sum(1 for row in figures.rows if row.depth <= OUTLINE_DEPTH)
        > OUTLINE_ROWS_MAX
    )
    outline = outline_rows(
        figures=figures,
        tasks=tasks,
        tree_filter=tree_filter,
        today=today,
        unit_tasks=unit_tasks,
        depth=1 if areas_only else OUTLINE_DEPTH,
    )
    if not areas_only and not expand_all and len(outline) > OUTLINE_ROWS_MAX:
        areas_only = True
        outline = outline_rows(
            figures=figures,
            tasks=tasks,
            tree_filter=tree_filter,
            today=today,
            unit_tasks=unit_tasks,
            depth=1,
        )
    matches = sum(item.matches for item in outline)
    opening = [item for item in outline if item.opens]
    expanded = expand_all or (
        tree_filter.active
        and not areas_only
        and matches <= EXPAND_MATCHES_MAX
        and len(opening) <= EXPAND_BRANCHES_MAX
    )
    can_edit, edit, assessment = _editing(request, plan)
    models = _models(plan, [item.row.pk for item in outline]) if edit else None
    branches = {}
    if expanded:
        open_roots = [
            item.row.criterion
            for item in (
                [item for item in outline if item.has_branch] if expand_all else opening
            )
        ]
        branches = branch_rows(
            plan=plan, roots=open_roots, tree_filter=tree_filter, today=today
        )
    words = _Words.now()
    lines = [
        OutlineLine(
            line=_line(
                item.row, [], edit=edit, today=today, words=words, models=models
            ),
            has_branch=item.has_branch,
            matches=item.matches,
            branch=_branch_lines(
                branches[item.row.pk], edit=edit, today=today, words=words
            )
            if item.row.pk in branches
            else None,
            loads_rows=areas_only,
        )
        for item in outline
    ]
    units = _filter_units(plan)
    ctx.update(
        figures=figures,
        lines=lines,
        words=words,
        can_edit=can_edit,
        assessment=assessment,
        today=today,
        tree_filter=tree_filter,
        filter_query=tree_filter.query(),
        filtered=tree_filter.active,
        expand_all=expand_all,
        expanded=expanded,
        ignored=ignored,
        matches=matches,
        statuses=Status.choices,
        unit_name=dict(units).get(tree_filter.unit_id or 0, ""),
        units=units,
        plan_year=plan.year,
    )
    return render(request, "reports/tree.html", ctx)


def _filter_units(plan: Plan) -> list[tuple[int, str]]:
    """The units taking part in the plan's tasks, for the unit filter (one query)."""
    rows = (
        TaskUnit.objects.filter(task__criterion__plan=plan)
        .values_list("unit_id", "unit__name", "unit__position")
        .order_by()
        .distinct()
    )
    return [(pk, name) for pk, name, _pos in sorted(rows, key=lambda r: (r[2], r[1]))]


def _outline_criterion(request: HttpRequest, pk: int) -> Criterion:
    roles.require_view(request.user)
    return get_object_or_404(
        Criterion.objects.visible_to(request.user).select_related("plan"),
        pk=pk,
    )


@login_required
@require_GET
def tree_branch(request: HttpRequest, pk: int) -> HttpResponse:
    """The rows of one outline row's branch (its sub-criteria and the tasks with
    their parts), filtered as the page is; ``close=1`` folds it again. An area of a
    plan whose outline is its areas alone (``rows=1``) brings its criteria too, as
    outline rows with the engine's sums, each opening in turn."""
    criterion = _outline_criterion(request, pk)
    plan = criterion.plan
    tree_filter, _ignored = _tree_filter(request)
    today = timezone.localdate()
    closed = request.GET.get("close") == "1"
    with_rows = request.GET.get("rows") == "1" and criterion.depth == 1
    ctx: dict[str, object] = {
        "criterion": criterion,
        "filter_query": tree_filter.query(),
        "closed": closed,
        "today": today,
        "plan_year": plan.year,
        "loads_rows": with_rows,
    }
    if closed:
        if with_rows:
            ctx["removed"] = list(
                Criterion.objects.filter(parent=criterion).values_list("pk", flat=True)
            )
        return render(request, "reports/_tree_branch.html", ctx)
    can_edit, edit, _assessment = _editing(request, plan, banner=False)
    branches = branch_rows(
        plan=plan, roots=[criterion], tree_filter=tree_filter, today=today
    )
    words = _Words.now()
    ctx.update(
        words=words,
        branch=_branch_lines(
            branches[criterion.pk], edit=edit, today=today, words=words
        ),
        can_edit=can_edit,
    )
    if with_rows:
        figures = plan_figures_cached(plan=plan, with_ranking=False, with_parts=False)
        unit_tasks = _unit_tasks(plan, tree_filter)
        children = [
            item
            for item in outline_rows(
                figures=figures,
                tasks=outline_tasks(plan=plan, tree_filter=tree_filter),
                tree_filter=tree_filter,
                today=today,
                unit_tasks=unit_tasks,
            )
            if item.row.parent_id == criterion.pk
        ]
        models = _models(plan, [item.row.pk for item in children]) if edit else None
        ctx["children"] = [
            OutlineLine(
                line=_line(
                    item.row, [], edit=edit, today=today, words=words, models=models
                ),
                has_branch=item.has_branch,
                matches=item.matches,
                branch=None,
            )
            for item in children
        ]
    return render(request, "reports/_tree_branch.html", ctx)


def _models(plan: Plan, pks: list[int]) -> dict[int, Criterion]:
    """The outline's criteria as model instances (one query), for the office's
    inline forms."""
    return Criterion.objects.filter(plan=plan).in_bulk(pks)


def _unit_tasks(plan: Plan, tree_filter: TreeFilter) -> set[int] | None:
    """The ids of the tasks the filter's unit takes part in (one query), or None."""
    if not tree_filter.unit_id:
        return None
    return set(
        TaskUnit.objects.filter(
            task__criterion__plan=plan, unit_id=tree_filter.unit_id
        ).values_list("task_id", flat=True)
    )


@login_required
@require_POST
def tree_self_score(request: HttpRequest, pk: int) -> HttpResponse:
    """The tree's inline self-score: saved as on the criterion's page, answered with
    the form and, once saved, the row's figures and its headings' sums and the total
    as the engine now computes them (out-of-band swaps)."""
    answer = self_score_handle(request, pk)
    ctx: dict[str, object] = {
        "criterion": answer.criterion,
        "form": answer.form,
        "conflict": answer.conflict,
        "saved": answer.saved,
        "hx_post": reverse("reports-tree-self-score", args=[pk]),
    }
    if answer.saved:
        figures = plan_figures(
            plan=answer.criterion.plan, with_ranking=False, with_parts=False
        )
        by_pk = {row.pk: row for row in figures.rows}
        changed = []
        walk: int | None = answer.criterion.pk
        while walk is not None and walk in by_pk:
            changed.append(by_pk[walk])
            walk = by_pk[walk].parent_id
        ctx.update(changed=changed, totals=figures.totals)
    return render(request, "reports/_tree_self_score.html", ctx)
