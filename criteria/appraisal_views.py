"""The office imports the province's result table in the browser: upload, preview,
confirm or cancel (``parplan.table_import``), running ``appraisal_import``."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django import forms
from django.contrib import messages
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from criteria.appraisal_import import AppraisalReport, appraisal_import
from criteria.models import Plan
from criteria.plan_mark import plan_mark
from parplan import table_import
from parplan.uploads import StagedUpload, upload_size_check

if TYPE_CHECKING:
    from parplan.roles import AnyUser


class AppraisalUploadForm(forms.Form):
    plan = forms.ModelChoiceField(
        queryset=Plan.objects.select_related("organization"),
        label=gettext_lazy("Kế hoạch"),
        empty_label=None,
    )
    file = forms.FileField(
        label=gettext_lazy("Tệp kết quả thẩm định"),
        help_text=gettext_lazy(
            "Bảng tính .xlsx, hoặc .csv, .tsv; có cột STT (mã tiêu chí) và cột Điểm thẩm "
            "định, Điểm sau giải trình, phúc khảo hoặc Điểm điều tra xã hội học; có thể "
            "thêm cột Ý kiến, ghi chú."
        ),
    )

    def __init__(self, *args: Any, user: AnyUser, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        plan = self.fields["plan"]
        assert isinstance(plan, forms.ModelChoiceField)
        plan.queryset = Plan.objects.visible_to(user).select_related("organization")

    def clean_file(self) -> object:
        return upload_size_check(self.cleaned_data["file"])


class AppraisalImport(table_import.TableImportFlow[AppraisalReport]):
    kind = "appraisal"
    template = "criteria/appraisal_import.html"
    preview_template = "criteria/appraisal_import_preview.html"
    upload_url = "criteria-appraisal-import"
    forbidden = gettext_lazy("Chỉ Văn phòng Sở được nhập kết quả thẩm định.")

    def form(
        self,
        request: HttpRequest,
        data: Any = None,
        files: Any = None,
        meta: dict[str, Any] | None = None,
    ) -> forms.Form:
        plan = Plan.objects.visible_to(request.user).current()
        initial = {"plan": meta["plan"] if meta else plan.pk if plan else None}
        return AppraisalUploadForm(data, files, initial=initial, user=request.user)

    def meta(self, request: HttpRequest, form: forms.Form) -> dict[str, Any]:
        return {"plan": form.cleaned_data["plan"].pk}

    def mark(self, meta: dict[str, Any]) -> dict[str, Any]:
        plan = get_object_or_404(Plan, pk=meta["plan"])
        return {
            "previewed": plan_mark(organization_id=plan.organization_id, year=plan.year)
        }

    def run(
        self, *, data: bytes, filename: str, meta: dict[str, Any], dry_run: bool
    ) -> AppraisalReport:
        plan = get_object_or_404(Plan, pk=meta["plan"])
        return appraisal_import(
            plan=plan,
            data=data,
            filename=filename,
            dry_run=dry_run,
            previewed=None if dry_run else meta.get("previewed"),
        )

    def preview_context(
        self, report: AppraisalReport, meta: dict[str, Any]
    ) -> dict[str, Any]:
        return {
            "updated": set(report.updated),
            "confirm_url": reverse("criteria-appraisal-import-confirm"),
            "cancel_url": reverse("criteria-appraisal-import-cancel"),
        }

    def done(
        self, request: HttpRequest, report: AppraisalReport, staged: StagedUpload
    ) -> str:
        messages.success(
            request,
            _(
                "Đã nhập kết quả thẩm định “%(name)s”: %(updated)s tiêu chí cập nhật, "
                "%(unchanged)s không đổi."
            )
            % {
                "name": staged.filename,
                "updated": len(report.updated),
                "unchanged": len(report.unchanged),
            },
        )
        for notice in report.notices:
            messages.warning(request, notice)
        return f"{reverse('reports-tree')}?year={report.plan.year}"


APPRAISAL = AppraisalImport()
VIEWS = table_import.import_views(APPRAISAL)
