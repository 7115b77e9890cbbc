"""Pages that read the plan whole: the director's dashboard, the plan tree with its
figures, a criterion with its tasks and evidence, and the workbook downloads. Every
figure comes from the engine (``reports.figures``)."""

from __future__ import annotations

import io
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from criteria.forms import SelfScoreForm
from criteria.models import Criterion, Plan, SelfAssessment
from parplan import roles
from parplan.history import HistoryEntry, recent_history
from parplan.http import xlsx_response
from parplan.workbook_values import PdfUnavailableError, pdf_of_workbook, soffice_path
from reports.dashboard_body import dashboard_body_cached
from reports.forms import DashboardForm
from reports.plan_workbook import plan_write
from reports.self_assessment import export_filename, self_assessment_write
from reports.self_assessment_steps import self_assessment_status_line
from reports.tree import OUTLINE_DEPTH
from tasks.models import Evidence, QuarterlyReview, Task
from tasks.progress import tasks_progress_mean
from tasks.self_assessment_missing import self_assessment_missing

if TYPE_CHECKING:
    from parplan.roles import AnyUser


def _plans_visible(user: AnyUser) -> list[Plan]:
    """The plans ``user`` may see, in the order ``Plan.objects.current`` chooses
    from: one query gives both the year list and the plan shown."""
    return list(
        Plan.objects.visible_to(user)
        .select_related("organization")
        .order_by("organization__is_synthetic", "-year", "pk")
    )


def _plan_shown(plans: list[Plan], year: int | None) -> Plan | None:
    """``Plan.objects.visible_to(user).current(year)`` from ``_plans_visible``."""
    return next((p for p in plans if year is None or p.year == year), None)


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    """The plan's figures at a glance. Its body comes whole from the cache under the
    plan's version (``reports.dashboard_body``); only the layout and the year form
    are rendered per request."""
    roles.require_view(request.user)
    plans = _plans_visible(request.user)
    years = sorted({p.year for p in plans}, reverse=True)
    form = DashboardForm(request.GET or None, years=years)
    year, peer_change = None, Decimal(0)
    if form.is_bound and form.is_valid():
        year = form.cleaned_data["year"]
        peer_change = form.cleaned_data["peer_change"]
    elif form.is_bound and "year" not in form.errors:
        year = form.cleaned_data.get("year")
    elif form.is_bound:
        raise Http404(_("Không có kế hoạch năm này."))
    plan = _plan_shown(plans, year)
    ctx: dict[str, object] = {"form": form, "plan": plan, "peer_change": peer_change}
    if plan is not None:
        ctx["body"] = dashboard_body_cached(
            plan=plan, peer_change=peer_change, today=timezone.localdate()
        )
    return render(request, "reports/dashboard.html", ctx)


HISTORY_SHOWN = 30


def _criterion_for_view(request: HttpRequest, pk: int) -> Criterion:
    roles.require_view(request.user)
    return get_object_or_404(
        Criterion.objects.visible_to(request.user).select_related(
            "plan", "scoring_rule"
        ),
        pk=pk,
    )


def _tree_url_of(criterion: Criterion) -> str:
    """The tree at the criterion's row; a sub-criterion's branch opened by a search
    of its code."""
    url = f"{reverse('reports-tree')}?year={criterion.plan.year}"
    if criterion.depth > OUTLINE_DEPTH:
        return f"{url}&q={criterion.code}#criterion-{criterion.pk}"
    return f"{url}#criterion-{criterion.pk}"


def criterion_history(criterion: Criterion) -> list[HistoryEntry]:
    return recent_history(Criterion, limit=HISTORY_SHOWN, id=criterion.pk)


@login_required
def criterion(request: HttpRequest, pk: int) -> HttpResponse:
    """A criterion with its place in the tree, the tasks under it with their
    progress, its evidence and that of its tasks' reports, and its history."""
    row = _criterion_for_view(request, pk)
    plan = row.plan
    prefixes = [
        ".".join(row.code.split(".")[:i]) for i in range(1, row.code.count(".") + 1)
    ]
    ancestors = list(Criterion.objects.filter(plan=plan, code__in=prefixes))
    children = list(row.children.order_by("sort_key"))
    tasks = list(
        Task.objects.filter(criterion__in=Criterion.objects.subtree(row))
        .select_related("criterion")
        .prefetch_related("parts__unit")
    )
    evidence = list(
        Evidence.objects.filter(criterion=row).select_related("uploaded_by")
    )
    progress_evidence = list(
        Evidence.objects.filter(
            progress_update__part__task__in=[t.pk for t in tasks]
        ).select_related("progress_update__part__unit", "progress_update__part__task")
    )
    reviews = list(QuarterlyReview.objects.evidence_for(row))
    is_review_criterion = row.code == plan.review_criterion_code
    can_edit = roles.can_edit_plan(request.user)
    assessment = SelfAssessment.objects.filter(plan_id=row.plan_id).first()
    locked = assessment is not None and assessment.is_locked
    ctx: dict[str, Any] = {
        "assessment": assessment,
        "criterion": row,
        "reviews": reviews,
        "is_review_criterion": is_review_criterion,
        "ancestors": ancestors,
        "children": children,
        "tasks": tasks,
        "completion": tasks_progress_mean(tasks),
        "evidence": evidence,
        "progress_evidence": progress_evidence,
        "history": criterion_history(row),
        "can_edit": can_edit,
        "self_score_form": SelfScoreForm.for_criterion(row)
        if can_edit and not locked
        else None,
        "rule": getattr(row, "scoring_rule", None),
        "plan_url": _tree_url_of(row),
    }
    return render(request, "reports/criterion.html", ctx)


# Workbooks: anyone with a role downloads the self-assessment and the plan.


def _plan_for_viewer(request: HttpRequest, plan_id: int) -> Plan:
    if not roles.can_view_plan(request.user):
        raise PermissionDenied(_("Bạn chưa được phân quyền xem kế hoạch."))
    return get_object_or_404(
        Plan.objects.visible_to(request.user).select_related("organization"),
        pk=plan_id,
    )


@login_required
@require_GET
def exports(request: HttpRequest) -> HttpResponse:
    if not roles.can_view_plan(request.user):
        raise PermissionDenied(_("Bạn chưa được phân quyền xem kế hoạch."))
    plans = (
        Plan.objects.visible_to(request.user)
        .select_related("organization")
        .order_by("-year", "organization__name")
    )
    ctx = {
        "plans": plans,
        "can_import": roles.can_edit_plan(request.user),
        "can_edit": roles.can_edit_plan(request.user),
        "pdf_available": soffice_path() is not None,
    }
    return render(request, "reports/exports.html", ctx)


@login_required
@require_GET
def self_assessment(request: HttpRequest, plan_id: int) -> HttpResponse:
    """A plan's self-assessment before it is sent: the downloads, and what is still
    missing (a score without evidence or explanation, a score above the maximum …)
    with a link to fix each."""
    plan = _plan_for_viewer(request, plan_id)
    ctx = {
        "plan": plan,
        "missing": self_assessment_missing(plan=plan),
        "can_edit": roles.can_edit_plan(request.user),
        "pdf_available": soffice_path() is not None,
    }
    return render(request, "reports/self_assessment.html", ctx)


@login_required
@require_GET
def export_self_assessment(request: HttpRequest, plan_id: int) -> FileResponse:
    plan = _plan_for_viewer(request, plan_id)
    return xlsx_response(
        lambda out: self_assessment_write(
            plan=plan, output=out, status_line=self_assessment_status_line(plan=plan)
        ),
        export_filename(plan, "tu-danh-gia"),
    )


@login_required
@require_GET
def export_self_assessment_pdf(
    request: HttpRequest, plan_id: int
) -> HttpResponse | FileResponse:
    """The same workbook laid out by LibreOffice as a PDF, for sending."""
    plan = _plan_for_viewer(request, plan_id)
    workbook = io.BytesIO()
    self_assessment_write(
        plan=plan, output=workbook, status_line=self_assessment_status_line(plan=plan)
    )
    pdf = io.BytesIO()
    try:
        pdf_of_workbook(workbook.getvalue(), pdf)
    except PdfUnavailableError:
        ctx = {"plan": plan}
        return render(request, "reports/pdf_unavailable.html", ctx, status=503)
    pdf.seek(0)
    return FileResponse(
        pdf,
        as_attachment=True,
        filename=export_filename(plan, "tu-danh-gia", "pdf"),
        content_type="application/pdf",
    )


@login_required
@require_GET
def export_plan(request: HttpRequest, plan_id: int) -> FileResponse:
    plan = _plan_for_viewer(request, plan_id)
    return xlsx_response(
        lambda out: plan_write(plan=plan, output=out),
        export_filename(plan, "ke-hoach"),
    )
