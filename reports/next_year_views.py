"""The office's “Lập kế hoạch năm N+1” page (preview, then confirm) and the
year-over-year comparison everyone with a role reads."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from criteria.models import Plan
from parplan import roles
from parplan.http import int_param
from parplan.scores import ScoreParseError, format_decimal, parse_score
from reports.next_year import (
    NextYearPreview,
    NextYearRow,
    next_year_plan_create,
    next_year_preview,
)
from reports.next_year_set_views import next_year_from_set
from reports.plan_tasks import TaskFigures
from reports.year_over_year import year_over_year


@dataclass
class NextYearLine:
    """A row of the page: the preview's row, the target as typed, the tasks with
    whether each is ticked."""

    row: NextYearRow
    target_text: str
    tasks: list[tuple[TaskFigures, bool]]


def _plan_for_office(request: HttpRequest, plan_id: int) -> Plan:
    roles.require_edit(request.user)
    return get_object_or_404(
        Plan.objects.visible_to(request.user).select_related("organization"),
        pk=plan_id,
    )


def _posted(
    request: HttpRequest, preview: NextYearPreview
) -> tuple[dict[str, Decimal], list[int], list[str]]:
    """The targets (by code) and the task ids the office posted, and what is wrong
    with them."""
    targets: dict[str, Decimal] = {}
    errors: list[str] = []
    for row in preview.rows:
        if row.target is None:
            continue
        raw = request.POST.get(f"target-{row.code}", "")
        try:
            value = parse_score(raw)
        except ScoreParseError as exc:
            errors.append(
                _("Tiêu chí %(code)s, mục tiêu: %(reason)s.")
                % {"code": row.code, "reason": exc}
            )
            continue
        if value is not None:
            targets[row.code] = value
    carried = []
    for raw in request.POST.getlist("carry"):
        try:
            carried.append(int(raw))
        except ValueError:
            errors.append(_("Nhiệm vụ “%(value)s” không hợp lệ.") % {"value": raw})
    return targets, carried, errors


@login_required
@require_http_methods(["GET", "POST"])
def next_year(request: HttpRequest, plan_id: int) -> HttpResponse:
    plan = _plan_for_office(request, plan_id)
    preview = next_year_preview(plan=plan)
    if request.method == "POST" and request.POST.get("mode") == "set":
        return next_year_from_set(request, plan, preview)
    errors: list[str] = []
    status = 200
    carried: set[int] = {task.pk for task in preview.open_tasks}
    entered: dict[str, str] = {}
    if request.method == "POST":
        targets, carried_list, errors = _posted(request, preview)
        carried = set(carried_list)
        entered = {
            code: request.POST.get(f"target-{code}", "")
            for code in (r.code for r in preview.rows)
        }
        if not errors:
            try:
                created = next_year_plan_create(
                    plan=plan,
                    user=request.user,
                    carried_task_ids=carried_list,
                    targets=targets,
                )
            except ValidationError as exc:
                errors = exc.messages
            else:
                messages.success(
                    request,
                    _("Đã lập kế hoạch “%(title)s” từ kết quả năm %(year)s.")
                    % {"title": created.title, "year": plan.year},
                )
                return redirect(f"{reverse('reports-tree')}?year={created.year}")
        status = 400
    lines = [
        NextYearLine(
            row=row,
            target_text=entered.get(row.code, format_decimal(row.target)),
            tasks=[(task, task.pk in carried) for task in row.open_tasks],
        )
        for row in preview.rows
    ]
    ctx = {
        "plan": plan,
        "preview": preview,
        "lines": lines,
        "errors": errors,
        "existing_url": f"{reverse('reports-tree')}?year={preview.year}"
        if preview.existing
        else "",
    }
    return render(request, "reports/next_year.html", ctx, status=status)


@login_required
@require_GET
def compare_years(request: HttpRequest) -> HttpResponse:
    roles.require_view(request.user)
    plans = list(
        Plan.objects.visible_to(request.user)
        .select_related("organization")
        .order_by("organization__name", "year")
    )
    organizations = list({p.organization_id: p.organization for p in plans}.values())
    wanted = int_param(request, "organization")
    chosen = next(
        (o for o in organizations if o.pk == wanted),
        organizations[0] if organizations and wanted is None else None,
    )
    if wanted is not None and chosen is None:
        raise Http404(_("Không có cơ quan này."))
    own = [p for p in plans if chosen is not None and p.organization_id == chosen.pk]
    ctx = {
        "organizations": organizations,
        "organization": chosen,
        "comparison": year_over_year(plans=own) if own else None,
    }
    return render(request, "reports/year_over_year.html", ctx)
