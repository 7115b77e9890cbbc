from __future__ import annotations

from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_POST

from criteria.models import Organization, Plan
from criteria.services import Problem
from parplan.roles import can_edit_plan, can_view_plan
from parplan.uploads import (
    ConfirmationFailed,
    StagingError,
    upload_confirm,
    upload_discard,
    upload_preview,
    upload_too_big,
    upload_too_big_message,
)
from reports.charts import area_chart, ranking_chart
from reports.forms import DashboardForm, PeerRankFormSet, RankingUploadForm
from reports.models import PeerRank, table_stamp
from reports.services import (
    SCENARIO_KEYS,
    RankingImportError,
    RankingReport,
    latest_plan,
    plan_figures,
    ranking_changes,
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


# A dashboard is read at a glance: its lists show the first rows and link to the
# plan tree for the rest (at province scale they would run to thousands of rows).
ATTENTION_SHOWN = 30
PRIORITIES_SHOWN = 20


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
        attention = tasks_attention(figures.tasks, today)
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
            attention=attention[:ATTENTION_SHOWN],
            attention_total=len(attention),
            priorities=figures.priorities[:PRIORITIES_SHOWN],
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


def _ranking_url(year: int) -> str:
    return f"{reverse('reports-ranking')}?year={year}"


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
    status = 200
    stamp = table_stamp(rows)
    full_scale = _full_scale_for(year)
    if request.method == "POST":
        if not editable:
            raise PermissionDenied
        formset = PeerRankFormSet(
            request.POST,
            queryset=rows,
            prefix="rows",
            form_kwargs={"full_scale": full_scale},
        )
        if request.POST.get("stamp") != stamp:
            # Someone saved the table since this form was opened: never overwrite it.
            messages.error(
                request,
                _(
                    "Bảng xếp hạng năm %(year)s đã được người khác sửa sau khi bạn mở "
                    "trang. Thay đổi của bạn chưa được lưu; bảng dưới đây là bảng hiện "
                    "tại, hãy nhập lại thay đổi."
                )
                % {"year": year},
            )
            formset, status = None, 409
        elif formset.is_valid():
            _ranking_save(year, formset)
            messages.success(
                request, _("Đã lưu bảng xếp hạng năm %(year)s.") % {"year": year}
            )
            return redirect(_ranking_url(year))
    if editable:
        formset = formset or PeerRankFormSet(
            queryset=rows, prefix="rows", form_kwargs={"full_scale": full_scale}
        )
        upload = RankingUploadForm(initial={"year": year})
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
        "stamp": stamp,
    }
    return render(request, "reports/ranking.html", ctx, status=status)


def _full_scale_for(year: int) -> Decimal:
    """The scale of the plans that take this year as their baseline (100 if none)."""
    scale = (
        Plan.objects.filter(baseline_year=year)
        .order_by("-full_scale")
        .values_list("full_scale", flat=True)
        .first()
    )
    return scale or Decimal(100)


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


# --- ranking import in two steps --------------------------------------------------------
# Like the appendix import: a dry run shows the table as read and how it replaces the
# year's table (or every problem), then a confirmation imports the very file previewed.
RANKING_UPLOAD = "ranking"


def _require_office(request: HttpRequest) -> None:
    if not can_edit_plan(request.user):
        raise PermissionDenied(_("Chỉ Văn phòng Sở được nhập bảng xếp hạng."))


def _ranking_run(
    *, data: bytes, filename: str, meta: dict[str, object], dry_run: bool
) -> RankingReport:
    """The one import call of the preview and of the confirmation."""
    organization = None
    if meta["organization"] is not None:
        organization = get_object_or_404(Organization, pk=meta["organization"])
    return ranking_import(
        year=int(meta["year"]),
        data=data,
        filename=filename,
        self_name=str(meta["self_name"]) or None,
        organization=organization,
        source=str(meta["source"]),
        dry_run=dry_run,
    )


def _ranking_import_page(
    request: HttpRequest, ctx: dict[str, object], status: int = 200
) -> HttpResponse:
    return render(request, "reports/ranking_import.html", ctx, status=status)


@csrf_exempt  # checked by _ranking_upload, once the size is known to be acceptable
@login_required
def ranking_upload(request: HttpRequest) -> HttpResponse:
    _require_office(request)
    if upload_too_big(request):
        ctx = {
            "form": RankingUploadForm(initial={"year": _ranking_year(request)}),
            "upload_error": upload_too_big_message(),
        }
        return _ranking_import_page(request, ctx, status=413)
    return _ranking_upload(request)


@csrf_protect
def _ranking_upload(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        form = RankingUploadForm(initial={"year": _ranking_year(request)})
        return _ranking_import_page(request, {"form": form})
    form = RankingUploadForm(request.POST, request.FILES)
    ctx: dict[str, object] = {"form": form}
    if not form.is_valid():
        return _ranking_import_page(request, ctx, status=400)
    upload = form.cleaned_data["file"]
    year = form.cleaned_data["year"]
    organization = _organization_for_year(year)
    meta = {
        "year": year,
        "organization": organization.pk if organization else None,
        "self_name": form.cleaned_data["self_name"],
        "source": form.cleaned_data["source"],
    }
    try:
        report, staged = upload_preview(
            request=request,
            kind=RANKING_UPLOAD,
            data=upload.read(),
            filename=upload.name,
            meta=meta,
            run=_ranking_run,
        )
    except RankingImportError as exc:
        ctx |= {"problems": exc.problems, "filename": upload.name, "year": year}
        return _ranking_import_page(request, ctx)
    ctx = {
        "report": report,
        "changes": ranking_changes(year=year, rows=report.rows),
        "staged": staged,
        "year": year,
        "organization": organization,
        "source": meta["source"] or upload.name,
        "ranking_url": _ranking_url(year),
    }
    return render(request, "reports/ranking_import_preview.html", ctx)


@login_required
@require_POST
def ranking_upload_confirm(request: HttpRequest) -> HttpResponse:
    _require_office(request)
    try:
        _staged, report = upload_confirm(
            request=request,
            kind=RANKING_UPLOAD,
            token=request.POST.get("token", ""),
            run=_ranking_run,
            failures=(RankingImportError, IntegrityError),
        )
    except StagingError as exc:
        messages.error(request, str(exc))
        return redirect("reports-ranking-import")
    except ConfirmationFailed as failed:
        year = int(failed.staged.meta["year"])
        if isinstance(failed.error, RankingImportError):
            problems = failed.error.problems
        else:
            # Another import of the same year committed between the two steps.
            problems = [
                Problem(
                    _(
                        "Bảng xếp hạng năm %(year)s vừa được thay đổi cùng lúc; "
                        "hãy xem lại bảng rồi nhập lại."
                    )
                    % {"year": year}
                )
            ]
        ctx = {
            "form": RankingUploadForm(initial={"year": year}),
            "problems": problems,
            "filename": failed.staged.filename,
            "year": year,
            "confirm_failed": True,
        }
        return _ranking_import_page(request, ctx, status=409)
    messages.success(
        request,
        _("Đã nhập %(n)s đơn vị vào bảng xếp hạng năm %(year)s.")
        % {"n": len(report.rows), "year": report.year},
    )
    for notice in report.notices:
        messages.warning(request, notice)
    return redirect(_ranking_url(report.year))


@login_required
@require_POST
def ranking_upload_cancel(request: HttpRequest) -> HttpResponse:
    _require_office(request)
    upload_discard(request=request, kind=RANKING_UPLOAD)
    messages.info(request, _("Đã hủy nhập; không có gì được ghi."))
    return redirect(_ranking_url(_ranking_year(request)))
