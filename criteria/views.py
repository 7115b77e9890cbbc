from __future__ import annotations

# --- plan tree (issue 3) ---
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from parplan.roles import can_view_plan
from reports.services import (
    TASK_FILTER_DUE,
    latest_plan,
    plan_figures,
    tree_rows,
)
from tasks.models import Status


def _int_param(request: HttpRequest, name: str) -> int | None:
    raw = request.GET.get(name)
    if not raw:
        return None
    try:
        return int(raw)
    except ValueError as exc:
        raise Http404(_("Tham số không hợp lệ.")) from exc


@login_required
def tree(request: HttpRequest) -> HttpResponse:
    """The plan's criteria in code order with their figures and tasks; filtered by
    task status, unit or due date when the dashboard links here."""
    if not can_view_plan(request.user):
        raise PermissionDenied
    year = _int_param(request, "year")
    plan = latest_plan(year)
    if plan is None and year is not None:
        raise Http404(_("Không có kế hoạch năm này."))
    ctx: dict[str, object] = {"plan": plan}
    if plan is not None:
        status = request.GET.get("status") or None
        if status not in (None, *Status.values):
            raise Http404(_("Tham số không hợp lệ."))
        due = request.GET.get("due") or None
        if due not in (None, *TASK_FILTER_DUE):
            raise Http404(_("Tham số không hợp lệ."))
        unit_id = _int_param(request, "unit")
        today = timezone.localdate()
        figures = plan_figures(plan=plan, with_ranking=False)
        units = {
            part.unit_id: part.unit
            for task in figures.tasks
            for part in task.parts.all()
        }
        ctx.update(
            figures=figures,
            rows=tree_rows(
                figures, status=status, unit_id=unit_id, due=due, today=today
            ),
            today=today,
            filtered=bool(status or unit_id or due),
            status=status,
            statuses=Status.choices,
            due=due,
            unit_id=unit_id,
            unit=units.get(unit_id),
            units=sorted(units.values(), key=lambda u: (u.position, u.name)),
        )
    return render(request, "criteria/tree.html", ctx)
