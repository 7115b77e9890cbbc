"""The office imports an appendix in the browser: upload, preview, confirm or cancel
(``parplan.table_import``), running the same ``appendix_import`` as the command."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from criteria.models import Organization, Plan
from criteria.plan_uploads import PlanYearImport, PlanYearUploadForm
from parplan import table_import
from parplan.uploads import StagedUpload
from tasks.appendix.load import ImportReport, appendix_import


class AppendixUploadForm(PlanYearUploadForm):
    file = forms.FileField(
        label=gettext_lazy("Tệp phụ lục"),
        help_text=gettext_lazy(
            "Bảng tính .xlsx, hoặc .csv, .tsv, .txt; có các cột STT, Lĩnh vực, tiêu chí, "
            "Điểm chuẩn, Điểm năm trước, Mục tiêu, Nhiệm vụ, giải pháp, Đơn vị chủ trì."
        ),
    )


class AppendixImport(PlanYearImport[ImportReport]):
    kind = "appendix"
    template = "tasks/import.html"
    preview_template = "tasks/import_preview.html"
    upload_url = "tasks-import"
    forbidden = gettext_lazy("Chỉ Văn phòng Sở được nhập kế hoạch.")
    form_class = AppendixUploadForm

    def run(
        self, *, data: bytes, filename: str, meta: dict[str, Any], dry_run: bool
    ) -> ImportReport:
        return appendix_import(
            organization=get_object_or_404(Organization, pk=meta["organization"]),
            year=int(meta["year"]),
            data=data,
            filename=filename,
            dry_run=dry_run,
            previewed=None if dry_run else meta.get("previewed"),
        )

    def preview_context(
        self, report: ImportReport, meta: dict[str, Any]
    ) -> dict[str, Any]:
        organization = report.plan.organization
        year = int(meta["year"])
        return {
            "preview": report.preview(),
            "organization": organization,
            "year": year,
            "plan_exists": Plan.objects.filter(
                organization=organization, year=year
            ).exists(),
            "confirm_url": reverse("tasks-import-confirm"),
            "cancel_url": reverse("tasks-import-cancel"),
        }

    def done(
        self, request: HttpRequest, report: ImportReport, staged: StagedUpload
    ) -> str:
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
        return reverse("reports-tree")


APPENDIX = AppendixImport()
VIEWS = table_import.import_views(APPENDIX)
