"""The office imports an appendix in the browser: upload, preview, confirm or cancel
(``parplan.table_import``), running the same ``appendix_import`` as the command."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from criteria.managers import organization_visible
from criteria.models import Organization, Plan
from criteria.plan_mark import plan_mark
from parplan import table_import
from parplan.uploads import StagedUpload, upload_size_check
from tasks.appendix.load import ImportReport, appendix_import


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


class AppendixImport(table_import.TableImportFlow[ImportReport]):
    kind = "appendix"
    template = "tasks/import.html"
    preview_template = "tasks/import_preview.html"
    upload_url = "tasks-import"
    forbidden = gettext_lazy("Chỉ Văn phòng Sở được nhập kế hoạch.")

    def form(
        self,
        request: HttpRequest,
        data: Any = None,
        files: Any = None,
        meta: dict[str, Any] | None = None,
    ) -> forms.Form:
        latest = Plan.objects.visible_to(request.user).order_by("-year").first()
        initial = {
            "year": latest.year if latest else timezone.localdate().year,
            "organization": latest.organization_id if latest else None,
        }
        form = AppendixUploadForm(data, files, initial=initial)
        choice = form.fields["organization"]
        assert isinstance(choice, forms.ModelChoiceField)
        choice.queryset = Organization.objects.filter(
            organization_visible(request.user, None)
        )
        return form

    def meta(self, form: forms.Form) -> dict[str, Any]:
        return {
            "organization": form.cleaned_data["organization"].pk,
            "year": form.cleaned_data["year"],
        }

    def mark(self, meta: dict[str, Any]) -> dict[str, Any]:
        return {
            "previewed": plan_mark(
                organization_id=meta["organization"], year=int(meta["year"])
            )
        }

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
