"""The office imports the province's criteria set in the browser: upload, preview,
confirm or cancel (``parplan.table_import``), running ``criteria_set_import``."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from criteria.criteria_set.load import CriteriaSetReport, criteria_set_import
from criteria.models import Organization
from criteria.plan_uploads import PlanYearImport, PlanYearUploadForm
from parplan import table_import
from parplan.uploads import StagedUpload


class CriteriaSetUploadForm(PlanYearUploadForm):
    file = forms.FileField(
        label=gettext_lazy("Tệp bộ tiêu chí"),
        help_text=gettext_lazy(
            "Bảng tính .xlsx, hoặc .csv, .tsv; có các cột STT, Lĩnh vực / Tiêu chí / "
            "Tiêu chí thành phần, Điểm tối đa; có thể thêm Cách chấm điểm, Hình thức "
            "đánh giá (Thẩm định / Điều tra XHH), Không áp dụng, Lý do."
        ),
    )


class CriteriaSetImport(PlanYearImport[CriteriaSetReport]):
    kind = "criteria_set"
    template = "criteria/criteria_set_import.html"
    preview_template = "criteria/criteria_set_import_preview.html"
    upload_url = "criteria-set-import"
    forbidden = gettext_lazy("Chỉ Văn phòng Sở được nhập bộ tiêu chí.")
    form_class = CriteriaSetUploadForm

    def run(
        self, *, data: bytes, filename: str, meta: dict[str, Any], dry_run: bool
    ) -> CriteriaSetReport:
        return criteria_set_import(
            organization=get_object_or_404(Organization, pk=meta["organization"]),
            year=int(meta["year"]),
            data=data,
            filename=filename,
            dry_run=dry_run,
            previewed=None if dry_run else meta.get("previewed"),
        )

    def preview_context(
        self, report: CriteriaSetReport, meta: dict[str, Any]
    ) -> dict[str, Any]:
        return {
            "preview": report.preview(),
            "confirm_url": reverse("criteria-set-import-confirm"),
            "cancel_url": reverse("criteria-set-import-cancel"),
        }

    def done(
        self, request: HttpRequest, report: CriteriaSetReport, staged: StagedUpload
    ) -> str:
        messages.success(
            request,
            _(
                "Đã nhập bộ tiêu chí “%(name)s” vào %(plan)s: %(created)s tiêu chí tạo "
                "mới, %(updated)s cập nhật, %(unchanged)s không đổi, %(removed)s bỏ đi."
            )
            % {
                "name": staged.filename,
                "plan": report.plan.title,
                "created": len(report.created),
                "updated": len(report.updated),
                "unchanged": len(report.unchanged),
                "removed": len(report.removed),
            },
        )
        return f"{reverse('reports-tree')}?year={report.plan.year}"


CRITERIA_SET = CriteriaSetImport()
VIEWS = table_import.import_views(CRITERIA_SET)
