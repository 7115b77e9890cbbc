from __future__ import annotations

from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from criteria.models import Organization, Plan
from parplan.roles import can_edit_plan, can_view_plan
from reports.charts import area_chart, ranking_chart
from reports.forms import DashboardForm, PeerRankFormSet, RankingUploadForm
from reports.models import PeerRank
from reports.services import (
    SCENARIO_KEYS,
    RankingImportError,
    latest_plan,
    plan_figures,
    ranking_import,
    ranking_is_illustrative,
    status_counts,
    tasks_attention,
    unit_progress,
)
from tasks.models import Status


def _require_viewer(request: HttpRequest) -> None:
    if not can_view_plan(request.user):
        raise PermissionDenied


def _plan_years() -> list[int]:
    return sorted(set(Plan.objects.values_list("year", flat=True)), reverse=True)


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    _require_viewer(request)
    form = DashboardForm(request.GET or None, years=_plan_years())
    year, peer_change = None, Decimal(0)
    if form.is_bound and form.is_valid():
        year = form.cleaned_data["year"]
        peer_change = form.cleaned_data["peer_change"]
    elif form.is_bound and "year" not in form.errors:
        year = form.cleaned_data.get("year")
    elif form.is_bound:
        raise Http404(_("Không có kế hoạch năm này."))
    plan = latest_plan(year)
    ctx: dict[str, object] = {"form": form, "plan": plan}
    if plan is not None:
        today = timezone.localdate()
        figures = plan_figures(plan=plan, peer_change=peer_change)
        ctx.update(
            figures=figures,
            scenarios=[figures.scenarios[key] for key in SCENARIO_KEYS],
            area_chart=area_chart(figures.areas),
            ranking_chart=ranking_chart(figures),
            illustrative=ranking_is_illustrative(p.row for p in figures.ranking),
            statuses=[
                (Status(value), count)
                for value, count in status_counts(figures.tasks).items()
            ],
            task_count=len(figures.tasks),
            attention=tasks_attention(figures.tasks, today),
            today=today,
            units=unit_progress(figures.tasks, today),
            tree_url=f"{reverse('criteria-tree')}?year={plan.year}",
            ranking_url=f"{reverse('reports-ranking')}?year={plan.baseline_year}",
        )
    return render(request, "reports/dashboard.html", ctx)


def _ranking_year(request: HttpRequest) -> int:
    raw = request.GET.get("year") or request.POST.get("year")
    if raw:
        try:
            return int(raw)
        except ValueError as exc:
            raise Http404(_("Năm không hợp lệ.")) from exc
    plan = latest_plan()
    if plan is not None:
        return plan.baseline_year
    latest = PeerRank.objects.order_by("-year").values_list("year", flat=True).first()
    return latest or timezone.localdate().year - 1


def _organization_for_year(year: int) -> Organization | None:
    plan = (
        Plan.objects.filter(baseline_year=year)
        .select_related("organization")
        .order_by("-year")
        .first()
    )
    if plan is not None:
        return plan.organization
    only = list(Organization.objects.all()[:2])
    return only[0] if len(only) == 1 else None


@login_required
def ranking(request: HttpRequest) -> HttpResponse:
    """The ranking table of a year: read by every role, edited and imported by the
    office."""
    _require_viewer(request)
    year = _ranking_year(request)
    editable = can_edit_plan(request.user)
    rows = PeerRank.objects.filter(year=year).order_by("position", "name")
    formset = upload = None
    if request.method == "POST":
        if not editable:
            raise PermissionDenied
        if request.POST.get("action") == "upload":
            upload = RankingUploadForm(request.POST, request.FILES)
            if upload.is_valid():
                return _ranking_upload(request, year, upload)
        else:
            formset = PeerRankFormSet(request.POST, queryset=rows, prefix="rows")
            if formset.is_valid():
                _ranking_save(year, formset)
                messages.success(
                    request, _("Đã lưu bảng xếp hạng năm %(year)s.") % {"year": year}
                )
                return redirect(f"{reverse('reports-ranking')}?year={year}")
    if editable:
        formset = formset or PeerRankFormSet(queryset=rows, prefix="rows")
        upload = upload or RankingUploadForm()
    rows = list(rows.select_related("organization"))
    years = sorted(
        set(PeerRank.objects.values_list("year", flat=True)) | {year}, reverse=True
    )
    ctx = {
        "year": year,
        "years": years,
        "rows": rows,
        "editable": editable,
        "formset": formset,
        "upload": upload,
        "illustrative": ranking_is_illustrative(rows),
        "sources": sorted({r.source for r in rows if r.source}),
    }
    return render(request, "reports/ranking.html", ctx)


def _ranking_upload(
    request: HttpRequest, year: int, form: RankingUploadForm
) -> HttpResponse:
    upload = form.cleaned_data["file"]
    try:
        report = ranking_import(
            year=year,
            data=upload.read(),
            filename=upload.name,
            self_name=form.cleaned_data["self_name"] or None,
            organization=_organization_for_year(year),
            source=form.cleaned_data["source"],
        )
    except RankingImportError as exc:
        for problem in exc.problems:
            messages.error(request, str(problem))
        messages.error(request, _("Chưa ghi gì: bảng xếp hạng giữ nguyên."))
    else:
        messages.success(
            request,
            _("Đã nhập %(n)s đơn vị vào bảng xếp hạng năm %(year)s.")
            % {"n": len(report.rows), "year": year},
        )
        for notice in report.notices:
            messages.warning(request, notice)
    return redirect(f"{reverse('reports-ranking')}?year={year}")


def _ranking_save(year: int, formset: PeerRankFormSet) -> None:
    organization = _organization_for_year(year)
    with transaction.atomic():
        for form in formset.deleted_forms:
            if form.instance.pk:
                form.instance.delete()
        kept = [
            form
            for form in formset.forms
            if form not in formset.deleted_forms and form.cleaned_data.get("name")
        ]
        last = max((f.cleaned_data.get("position") or 0 for f in kept), default=0)
        for form in kept:
            row = form.save(commit=False)
            if form.cleaned_data.get("position") is None:
                last += 1
                row.position = last
            row.year = year
            row.organization = organization if form.cleaned_data["is_self"] else None
            row.save()
