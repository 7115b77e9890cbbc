"""Pages of the plan: the tree (with the scoring engine's figures), a criterion's
detail, the self-assessed score (a partial each tree row includes), create / edit /
delete for the office, evidence add / delete / download, and the Excel import
(preview, confirm) and exports. Rights come from parplan.roles only."""

from __future__ import annotations

import mimetypes
import tempfile
from collections.abc import Callable
from typing import IO, Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import (
    FileResponse,
    Http404,
    HttpRequest,
    HttpResponse,
    QueryDict,
)
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_GET, require_POST

from criteria.exports import (
    export_filename,
    plan_write,
    self_assessment_write,
)
from criteria.forms import (
    ALLOWED_FILES,
    CriterionForm,
    EvidenceForm,
    ScoringRuleForm,
    SelfScoreForm,
    file_extension,
)
from criteria.models import Criterion, Evidence, Organization, Plan, ScoringRule
from criteria.services import AppendixImportError, ImportReport, appendix_import
from parplan import roles
from parplan.forms import errors_onto
from parplan.http import safe_next
from parplan.roles import can_edit_plan, can_view_plan
from parplan.scores import format_decimal
from parplan.uploads import (
    ConfirmationFailed,
    StagingError,
    upload_confirm,
    upload_discard,
    upload_preview,
    upload_size_check,
    upload_too_big,
    upload_too_big_message,
)
from reports.services import (
    TASK_FILTER_DUE,
    latest_plan,
    plan_figures,
    tree_rows,
)
from tasks import services
from tasks.models import Status, Task

# Plan tree


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
        rows = tree_rows(figures, status=status, unit_id=unit_id, due=due, today=today)
        can_edit = roles.can_edit_plan(request.user)
        if can_edit:
            for item in rows:
                if item.row.criterion is not None and item.row.criterion.is_scored:
                    item.self_form = SelfScoreForm.for_criterion(item.row.criterion)
        ctx.update(
            figures=figures,
            rows=rows,
            can_edit=can_edit,
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


# Criterion pages

HISTORY_SHOWN = 30


def _criterion_for_view(request: HttpRequest, pk: int) -> Criterion:
    roles.require_view(request.user)
    return get_object_or_404(
        Criterion.objects.select_related("plan", "scoring_rule"), pk=pk
    )


def _criterion_for_edit(request: HttpRequest, pk: int) -> Criterion:
    roles.require_edit(request.user)
    return get_object_or_404(Criterion.objects.select_related("plan"), pk=pk)


def _plan_url() -> str:
    """The plan tree once it is installed, the task list until then."""
    try:
        return reverse("criteria-tree")
    except NoReverseMatch:
        return reverse("tasks-list")


def _rebound(data: QueryDict, key: str, version: int) -> QueryDict:
    """The posted data with the row's current version, for a form re-shown after a
    conflict: saving it again is then a deliberate choice."""
    data = data.copy()
    data[key] = str(version)
    return data


def criterion_history(criterion: Criterion) -> list[services.HistoryEntry]:
    records = list(
        Criterion.history.filter(id=criterion.pk)
        .select_related("history_user")
        .order_by("-history_date", "-history_id")[: HISTORY_SHOWN + 1]
    )
    return services.history_entries(records, limit=HISTORY_SHOWN)


@login_required
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    criterion = _criterion_for_view(request, pk)
    plan = criterion.plan
    prefixes = [
        ".".join(criterion.code.split(".")[:i])
        for i in range(1, criterion.code.count(".") + 1)
    ]
    ancestors = list(Criterion.objects.filter(plan=plan, code__in=prefixes))
    subtree = Q(criterion=criterion) | Q(
        criterion__plan=plan, criterion__sort_key__startswith=criterion.sort_key + "."
    )
    children = list(criterion.children.order_by("sort_key"))
    tasks = list(
        Task.objects.filter(subtree)
        .select_related("criterion")
        .prefetch_related("parts__unit")
    )
    evidence = list(
        Evidence.objects.filter(criterion=criterion).select_related("uploaded_by")
    )
    progress_evidence = list(
        Evidence.objects.filter(
            progress_update__part__task__in=[t.pk for t in tasks]
        ).select_related("progress_update__part__unit", "progress_update__part__task")
    )
    can_edit = roles.can_edit_plan(request.user)
    ctx: dict[str, Any] = {
        "criterion": criterion,
        "ancestors": ancestors,
        "children": children,
        "tasks": tasks,
        "completion": services.tasks_progress_mean(tasks),
        "evidence": evidence,
        "progress_evidence": progress_evidence,
        "history": criterion_history(criterion),
        "can_edit": can_edit,
        "self_score_form": SelfScoreForm.for_criterion(criterion) if can_edit else None,
        "rule": getattr(criterion, "scoring_rule", None),
        "plan_url": _plan_url(),
    }
    return render(request, "criteria/detail.html", ctx)


@login_required
def scoring(request: HttpRequest, pk: int) -> HttpResponse:
    """The office enters the province's rule for a criterion and the figures it
    needs (e.g. 45 of 50 documents); PAR Plan computes the score and, on request,
    takes it as the self-assessed score."""
    roles.require_edit(request.user)
    criterion = get_object_or_404(
        Criterion.objects.select_related("plan", "scoring_rule"), pk=pk
    )
    if not criterion.is_scored:
        raise Http404(_("Tiêu chí tiêu đề không chấm điểm riêng."))
    status, score, conflict = 200, None, None
    if request.method == "POST":
        form = ScoringRuleForm(
            request.POST,
            instance=getattr(criterion, "scoring_rule", None)
            or ScoringRule(criterion=criterion),
            prefix="rule",
        )
        apply = request.POST.get("action") == "apply"
        if form.is_valid():
            try:
                criterion, score = services.criterion_scoring_save(
                    criterion=criterion,
                    user=request.user,
                    rule=form.save(commit=False),
                    apply=apply,
                    expected_version=form.cleaned_data["version"],
                )
            except services.StaleEditError as exc:
                conflict, status = exc.entries, 409
                criterion = exc.current
            except ValidationError as exc:
                errors_onto(form, exc)
                status = 400
            else:
                if apply:
                    messages.success(
                        request,
                        _(
                            "Tiêu chí %(code)s được %(score)s điểm theo cách chấm; đã "
                            "dùng làm điểm tự đánh giá."
                        )
                        % {"code": criterion.code, "score": format_decimal(score)},
                    )
                    return redirect(criterion.get_absolute_url())
                form = ScoringRuleForm.for_criterion(criterion)
        else:
            status = 400
    else:
        form = ScoringRuleForm.for_criterion(criterion)
    ctx = {"criterion": criterion, "form": form, "score": score, "conflict": conflict}
    return render(request, "criteria/scoring.html", ctx, status=status)


@login_required
def self_score(request: HttpRequest, pk: int) -> HttpResponse:
    """Edit the self-assessed score and explanation. Answers the partial alone to
    htmx requests (a tree row swaps it in place), a full page otherwise."""
    criterion = _criterion_for_edit(request, pk)
    partial = request.headers.get("HX-Request") == "true"
    status, conflict = 200, None
    if request.method == "POST":
        form = SelfScoreForm(request.POST, prefix=f"c{criterion.pk}")
        if form.is_valid():
            try:
                criterion = services.criterion_self_score_set(
                    criterion=criterion,
                    user=request.user,
                    self_score=form.cleaned_data["self_score"],
                    explanation=form.cleaned_data["explanation"],
                    expected_version=form.cleaned_data["version"],
                )
            except services.StaleEditError as exc:
                conflict, status = exc.entries, 409
                form = SelfScoreForm(
                    _rebound(request.POST, f"c{pk}-version", exc.current.version),
                    prefix=f"c{pk}",
                )
                criterion = exc.current
            except ValidationError as exc:
                errors_onto(form, exc)
                status = 400
            else:
                if not partial:
                    messages.success(
                        request,
                        _("Đã lưu điểm tự đánh giá của tiêu chí %(code)s.")
                        % {"code": criterion.code},
                    )
                    return redirect(safe_next(request, criterion.get_absolute_url()))
                form = SelfScoreForm.for_criterion(criterion)
        else:
            status = 400
    else:
        form = SelfScoreForm.for_criterion(criterion)
    ctx = {
        "criterion": criterion,
        "form": form,
        "conflict": conflict,
        "saved": request.method == "POST" and status == 200,
        "next": safe_next(request, ""),
    }
    if partial:
        # htmx swaps only 2xx answers; the partial carries the errors or conflict.
        return render(request, "criteria/_self_score_form.html", ctx)
    return render(request, "criteria/self_score.html", ctx, status=status)


def _criterion_form_save(
    request: HttpRequest, form: CriterionForm, criterion: Criterion | None
) -> Criterion | list[services.HistoryEntry] | None:
    """Save a valid form; the conflict entries if stale; None if refused."""
    data = form.cleaned_data
    try:
        return services.criterion_save(
            user=request.user,
            criterion=criterion,
            plan=data["plan"] if criterion is None else criterion.plan,
            code=data["code"],
            title=data["title"],
            max_score=data["max_score"],
            baseline_score=data["baseline_score"],
            target_score=data["target_score"],
            expected_version=data.get("version"),
        )
    except services.StaleEditError as exc:
        return exc.entries
    except ValidationError as exc:
        errors_onto(form, exc)
        return None


@login_required
def create(request: HttpRequest) -> HttpResponse:
    roles.require_edit(request.user)
    status = 200
    if request.method == "POST":
        form = CriterionForm(request.POST)
        if form.is_valid():
            saved = _criterion_form_save(request, form, None)
            if isinstance(saved, Criterion):
                messages.success(
                    request, _("Đã thêm tiêu chí %(code)s.") % {"code": saved.code}
                )
                return redirect(saved)
        status = 400
    else:
        wanted = request.GET.get("parent", "")
        parent = (
            Criterion.objects.filter(pk=int(wanted)).first()
            if wanted.isdigit()
            else None
        )
        plan = parent.plan if parent else Plan.objects.order_by("-year").first()
        code = ""
        if parent is not None:
            code = f"{parent.code}.{parent.children.count() + 1}"
        form = CriterionForm(initial={"plan": plan, "code": code})
    ctx = {"form": form, "criterion": None, "conflict": None}
    return render(request, "criteria/form.html", ctx, status=status)


@login_required
def edit(request: HttpRequest, pk: int) -> HttpResponse:
    criterion = _criterion_for_edit(request, pk)
    status, conflict = 200, None
    if request.method == "POST":
        data = request.POST.copy()
        data["plan"] = str(criterion.plan_id)
        form = CriterionForm(data)
        form.fields["version"].required = True
        if form.is_valid():
            saved = _criterion_form_save(request, form, criterion)
            if isinstance(saved, Criterion):
                messages.success(
                    request, _("Đã lưu tiêu chí %(code)s.") % {"code": saved.code}
                )
                return redirect(saved)
            if isinstance(saved, list):
                criterion.refresh_from_db()
                conflict, status = saved, 409
                form = CriterionForm(_rebound(data, "version", criterion.version))
            else:
                status = 400
        else:
            status = 400
    else:
        form = CriterionForm(
            initial={
                "plan": criterion.plan,
                "code": criterion.code,
                "title": criterion.title,
                "max_score": criterion.max_score,
                "baseline_score": criterion.baseline_score,
                "target_score": criterion.target_score,
                "version": criterion.version,
            }
        )
    form.fields["plan"].disabled = True
    ctx = {"form": form, "criterion": criterion, "conflict": conflict}
    return render(request, "criteria/form.html", ctx, status=status)


@login_required
def delete(request: HttpRequest, pk: int) -> HttpResponse:
    criterion = _criterion_for_edit(request, pk)
    if request.method == "POST":
        parent = criterion.parent
        code = criterion.code
        services.criterion_delete(criterion=criterion, user=request.user)
        messages.success(request, _("Đã xóa tiêu chí %(code)s.") % {"code": code})
        return redirect(parent.get_absolute_url() if parent else _plan_url())
    subtree = Q(plan=criterion.plan, sort_key__startswith=criterion.sort_key + ".")
    ctx = {
        "criterion": criterion,
        "descendants": Criterion.objects.filter(subtree).count(),
        "tasks": Task.objects.filter(
            Q(criterion=criterion)
            | Q(
                criterion__plan=criterion.plan,
                criterion__sort_key__startswith=criterion.sort_key + ".",
            )
        ).count(),
        "evidence": criterion.evidence.count(),
    }
    return render(request, "criteria/delete.html", ctx)


@login_required
def evidence_add(request: HttpRequest, pk: int) -> HttpResponse:
    criterion = _criterion_for_edit(request, pk)
    status = 200
    if request.method == "POST":
        form = EvidenceForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                services.evidence_add(
                    plan=criterion.plan,
                    criterion=criterion,
                    user=request.user,
                    **form.cleaned_data,
                )
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(
                    request,
                    _("Đã thêm tài liệu kiểm chứng cho tiêu chí %(code)s.")
                    % {"code": criterion.code},
                )
                return redirect(criterion)
        status = 400
    else:
        form = EvidenceForm()
    ctx = {"criterion": criterion, "form": form}
    return render(request, "criteria/evidence_form.html", ctx, status=status)


@login_required
@require_POST
def evidence_delete(request: HttpRequest, pk: int) -> HttpResponse:
    evidence = roles.evidence_for_delete(request.user, pk)
    default = (
        evidence.criterion.get_absolute_url()
        if evidence.criterion_id
        else evidence.progress_update.part.task.get_absolute_url()
    )
    services.evidence_delete(evidence=evidence, user=request.user)
    messages.success(request, _("Đã xóa tài liệu kiểm chứng."))
    return redirect(safe_next(request, default))


@login_required
def evidence_file(request: HttpRequest, pk: int) -> FileResponse:
    """Stored evidence, to signed-in users with a role only (never a static route)."""
    evidence = roles.evidence_for_download(request.user, pk)
    if not evidence.file:
        raise Http404
    name = evidence.file.name.rsplit("/", 1)[-1]
    extension = file_extension(name)
    content_type = (
        ALLOWED_FILES[extension][1]
        if extension in ALLOWED_FILES
        else mimetypes.guess_type(name)[0] or "application/octet-stream"
    )
    try:
        handle = evidence.file.open("rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    inline = content_type in {"application/pdf", "image/png", "image/jpeg"}
    response = FileResponse(
        handle, as_attachment=not inline, filename=name, content_type=content_type
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "sandbox"
    response["Cache-Control"] = "private, no-store"
    return response


# Excel import and export
# Office staff import an appendix workbook in two steps: a dry run shows what would
# change (or every problem), then a confirmation imports the very file previewed.
# Anyone with a role downloads the self-assessment and the plan workbooks.
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
APPENDIX_UPLOAD = "appendix"


class AppendixUploadForm(forms.Form):
    organization = forms.ModelChoiceField(
        queryset=Organization.objects.all(),
        label=gettext_lazy("Cơ quan"),
        empty_label=None,
    )
    year = forms.IntegerField(
        label=gettext_lazy("Năm kế hoạch"), min_value=2000, max_value=2100
    )
    file = forms.FileField(
        label=gettext_lazy("Tệp phụ lục"),
        help_text=gettext_lazy(
            "Bảng tính .xlsx, hoặc .csv, .tsv, .txt; có các cột STT, Lĩnh vực, tiêu chí, "
            "Điểm chuẩn, Điểm năm trước, Mục tiêu, Nhiệm vụ, giải pháp, Đơn vị chủ trì."
        ),
    )

    def clean_file(self) -> object:
        return upload_size_check(self.cleaned_data["file"])


def _office_or_403(request: HttpRequest) -> None:
    if not can_edit_plan(request.user):
        raise PermissionDenied(_("Chỉ Văn phòng Sở được nhập kế hoạch."))


def _upload_form(data: object = None, files: object = None) -> AppendixUploadForm:
    latest = Plan.objects.order_by("-year").first()
    initial = {
        "year": latest.year if latest else timezone.localdate().year,
        "organization": latest.organization_id if latest else None,
    }
    return AppendixUploadForm(data, files, initial=initial)


def _after_import_url() -> str:
    try:
        return reverse("criteria-tree")
    except NoReverseMatch:
        return reverse("criteria-import")


@csrf_exempt  # checked by _criteria_import, once the size is known to be acceptable
@login_required
def criteria_import(request: HttpRequest) -> HttpResponse:
    _office_or_403(request)
    if upload_too_big(request):
        ctx = {"form": _upload_form(), "upload_error": upload_too_big_message()}
        return render(request, "criteria/import.html", ctx, status=413)
    return _criteria_import(request)


def _appendix_run(
    *, data: bytes, filename: str, meta: dict[str, object], dry_run: bool
) -> ImportReport:
    """The one import call of the preview and of the confirmation."""
    return appendix_import(
        organization=get_object_or_404(Organization, pk=meta["organization"]),
        year=int(meta["year"]),
        data=data,
        filename=filename,
        dry_run=dry_run,
    )


@csrf_protect
def _criteria_import(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        return render(request, "criteria/import.html", {"form": _upload_form()})
    form = _upload_form(request.POST, request.FILES)
    ctx: dict[str, object] = {"form": form}
    if not form.is_valid():
        return render(request, "criteria/import.html", ctx, status=400)
    upload = form.cleaned_data["file"]
    organization = form.cleaned_data["organization"]
    year = form.cleaned_data["year"]
    try:
        report, staged = upload_preview(
            request=request,
            kind=APPENDIX_UPLOAD,
            data=upload.read(),
            filename=upload.name,
            meta={"organization": organization.pk, "year": year},
            run=_appendix_run,
        )
    except AppendixImportError as exc:
        ctx |= {"problems": exc.problems, "filename": upload.name}
        return render(request, "criteria/import.html", ctx)
    ctx = {
        "report": report,
        "preview": report.preview(),
        "staged": staged,
        "organization": organization,
        "year": year,
        "plan_exists": Plan.objects.filter(
            organization=organization, year=year
        ).exists(),
    }
    return render(request, "criteria/import_preview.html", ctx)


@login_required
@require_POST
def criteria_import_confirm(request: HttpRequest) -> HttpResponse:
    _office_or_403(request)
    token = request.POST.get("token", "")
    try:
        staged, report = upload_confirm(
            request=request,
            kind=APPENDIX_UPLOAD,
            token=token,
            run=_appendix_run,
            failures=(AppendixImportError,),
        )
    except StagingError as exc:
        messages.error(request, str(exc))
        return redirect("criteria-import")
    except ConfirmationFailed as failed:
        # The data changed since the preview (or the file no longer fits it): nothing
        # was written; the user sees why and uploads again.
        ctx = {
            "form": _upload_form(),
            "problems": failed.error.problems,
            "filename": failed.staged.filename,
            "confirm_failed": True,
        }
        return render(request, "criteria/import.html", ctx, status=409)
    messages.success(
        request,
        _(
            "Đã nhập “%(name)s” vào %(plan)s: %(created)s tiêu chí tạo mới, %(updated)s "
            "cập nhật, %(unchanged)s không đổi; %(tasks)s nhiệm vụ tạo mới, "
            "%(tasks_updated)s nhiệm vụ cập nhật."
        )
        % {
            "name": staged.filename,
            "plan": report.plan.title,
            "created": len(report.created),
            "updated": len(report.updated),
            "unchanged": len(report.unchanged),
            "tasks": report.tasks_created,
            "tasks_updated": report.tasks_updated,
        },
    )
    return redirect(_after_import_url())


@login_required
@require_POST
def criteria_import_cancel(request: HttpRequest) -> HttpResponse:
    _office_or_403(request)
    upload_discard(request=request, kind=APPENDIX_UPLOAD)
    messages.info(request, _("Đã hủy nhập; không có gì được ghi."))
    return redirect("criteria-import")


def _plan_for_viewer(request: HttpRequest, plan_id: int) -> Plan:
    if not can_view_plan(request.user):
        raise PermissionDenied(_("Bạn chưa được phân quyền xem kế hoạch."))
    return get_object_or_404(Plan.objects.select_related("organization"), pk=plan_id)


def _xlsx_response(write: Callable[[IO[bytes]], None], filename: str) -> FileResponse:
    # Small workbooks stay in memory; a province-sized one spills to a temporary file.
    buffer = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)  # noqa: SIM115 (FileResponse closes it)
    write(buffer)
    buffer.seek(0)
    return FileResponse(
        buffer, as_attachment=True, filename=filename, content_type=XLSX_CONTENT_TYPE
    )


@login_required
@require_GET
def criteria_exports(request: HttpRequest) -> HttpResponse:
    if not can_view_plan(request.user):
        raise PermissionDenied(_("Bạn chưa được phân quyền xem kế hoạch."))
    plans = Plan.objects.select_related("organization").order_by(
        "-year", "organization__name"
    )
    ctx = {"plans": plans, "can_import": can_edit_plan(request.user)}
    return render(request, "criteria/exports.html", ctx)


@login_required
@require_GET
def criteria_export_self_assessment(request: HttpRequest, plan_id: int) -> FileResponse:
    plan = _plan_for_viewer(request, plan_id)
    return _xlsx_response(
        lambda out: self_assessment_write(plan=plan, output=out),
        export_filename(plan, "tu-danh-gia"),
    )


@login_required
@require_GET
def criteria_export_plan(request: HttpRequest, plan_id: int) -> FileResponse:
    plan = _plan_for_viewer(request, plan_id)
    return _xlsx_response(
        lambda out: plan_write(plan=plan, output=out),
        export_filename(plan, "ke-hoach"),
    )
