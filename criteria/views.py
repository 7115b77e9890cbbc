"""Pages of the plan (criteria app). Each feature keeps its own section below."""

from __future__ import annotations

# --- Excel import and export (issue 5) ---
# Office staff import an appendix workbook in two steps: a dry run shows what would
# change (or every problem), then a confirmation imports the very file previewed.
# Anyone with a role downloads the self-assessment and the plan workbooks.
import tempfile
from collections.abc import Callable
from typing import IO

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, HttpRequest, HttpResponse
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
from criteria.models import Organization, Plan
from criteria.services import AppendixImportError, appendix_import
from parplan.roles import can_edit_plan, can_view_plan
from parplan.uploads import (
    StagingError,
    upload_discard,
    upload_stage,
    upload_staged,
)

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
APPENDIX_UPLOAD = "appendix"
# Room for the multipart envelope around a file of the largest accepted size.
_MULTIPART_SLACK = 64 * 1024


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
        upload = self.cleaned_data["file"]
        if upload.size > settings.UPLOAD_MAX_BYTES:
            raise forms.ValidationError(
                _("Tệp lớn hơn giới hạn %(mb)s MB.")
                % {"mb": settings.UPLOAD_MAX_BYTES // (1024 * 1024)}
            )
        return upload


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
    too_big = int(request.META.get("CONTENT_LENGTH") or 0) > (
        settings.UPLOAD_MAX_BYTES + _MULTIPART_SLACK
    )
    if request.method == "POST" and too_big:
        # Refused before anything reads the body (the CSRF check would parse it and
        # spool the whole upload to disk), so a huge upload costs nothing.
        ctx = {
            "form": _upload_form(),
            "upload_error": _("Tệp lớn hơn giới hạn %(mb)s MB.")
            % {"mb": settings.UPLOAD_MAX_BYTES // (1024 * 1024)},
        }
        return render(request, "criteria/import.html", ctx, status=413)
    return _criteria_import(request)


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
    data = upload.read()
    try:
        report = appendix_import(
            organization=organization,
            year=year,
            data=data,
            filename=upload.name,
            dry_run=True,
        )
    except AppendixImportError as exc:
        ctx |= {"problems": exc.problems, "filename": upload.name}
        return render(request, "criteria/import.html", ctx)
    staged = upload_stage(
        request=request,
        kind=APPENDIX_UPLOAD,
        data=data,
        filename=upload.name,
        meta={"organization": organization.pk, "year": year},
    )
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
    try:
        staged, data = upload_staged(
            request=request, kind=APPENDIX_UPLOAD, token=request.POST.get("token", "")
        )
    except StagingError as exc:
        messages.error(request, str(exc))
        return redirect("criteria-import")
    organization = get_object_or_404(Organization, pk=staged.meta["organization"])
    try:
        report = appendix_import(
            organization=organization,
            year=int(staged.meta["year"]),
            data=data,
            filename=staged.filename,
            dry_run=False,
        )
    except AppendixImportError as exc:
        # The data changed since the preview (or the file no longer fits it): nothing
        # was written; the user sees why and uploads again.
        upload_discard(request=request, kind=APPENDIX_UPLOAD)
        ctx = {
            "form": _upload_form(),
            "problems": exc.problems,
            "filename": staged.filename,
            "confirm_failed": True,
        }
        return render(request, "criteria/import.html", ctx, status=409)
    upload_discard(request=request, kind=APPENDIX_UPLOAD)
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
