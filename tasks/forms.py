from __future__ import annotations

import re
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from criteria.managers import organization_visible
from criteria.models import Criterion, Plan
from parplan.forms import VersionField
from tasks.access import unit_choosable
from tasks.evidence import ALLOWED_FILES, evidence_file_check, evidence_file_help
from tasks.models import QuarterlyReview, Status, Task, TaskUnit, Unit
from tasks.task_states import TASK_STATE_CHOICES

if TYPE_CHECKING:
    from parplan.roles import AnyUser


class CriterionChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Criterion) -> str:
        title = obj.title if len(obj.title) <= 90 else obj.title[:89] + "…"
        return f"{obj.code}. {title}"


class TaskForm(forms.Form):
    criterion = CriterionChoiceField(
        label=gettext_lazy("Tiêu chí"), queryset=Criterion.objects.none()
    )
    text = forms.CharField(
        label=gettext_lazy("Nhiệm vụ, giải pháp"),
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    due_date = forms.DateField(
        label=gettext_lazy("Hạn hoàn thành"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    due_text = forms.CharField(
        label=gettext_lazy("Thời hạn khác"),
        required=False,
        max_length=255,
        help_text=gettext_lazy(
            "Khi thời hạn không là một ngày, ví dụ “Thường xuyên”, “Hằng quý”."
        ),
    )
    output = forms.CharField(
        label=gettext_lazy("Sản phẩm, kết quả đầu ra"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    all_units = forms.BooleanField(
        label=gettext_lazy("Các phòng, đơn vị trực thuộc (tất cả cùng chủ trì)"),
        required=False,
    )
    lead_units = forms.ModelMultipleChoiceField(
        label=gettext_lazy("Đơn vị chủ trì"),
        queryset=Unit.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    support_units = forms.ModelMultipleChoiceField(
        label=gettext_lazy("Đơn vị phối hợp"),
        queryset=Unit.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    status = forms.ChoiceField(
        label=gettext_lazy("Trạng thái"),
        choices=Status.choices,
        initial=Status.NOT_STARTED,
        required=False,
        help_text=gettext_lazy("Chỉ dùng khi nhiệm vụ chưa giao đơn vị chủ trì."),
    )
    percent = forms.IntegerField(
        label=gettext_lazy("Tiến độ (%)"),
        min_value=0,
        max_value=100,
        initial=0,
        required=False,
        error_messages={
            "min_value": gettext_lazy("Tiến độ phải từ 0 đến 100%%."),
            "max_value": gettext_lazy("Tiến độ phải từ 0 đến 100%%."),
        },
        help_text=gettext_lazy("Chỉ dùng khi nhiệm vụ chưa giao đơn vị chủ trì."),
    )
    version = VersionField(required=False)

    def __init__(
        self, *args: Any, plan: Plan, task: Task | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        criterion = self.fields["criterion"]
        lead = self.fields["lead_units"]
        support = self.fields["support_units"]
        assert isinstance(criterion, forms.ModelChoiceField)
        assert isinstance(lead, forms.ModelMultipleChoiceField)
        assert isinstance(support, forms.ModelMultipleChoiceField)
        criterion.queryset = Criterion.objects.filter(plan=plan)
        # An inactive unit is offered only to the tasks it is already part of.
        units = Unit.objects.filter(organization_id=plan.organization_id).filter(
            Q(is_active=True)
            | Q(pk__in=TaskUnit.objects.filter(task=task).values("unit_id"))
        )
        lead.queryset = units
        support.queryset = units


class LinkField(forms.URLField):
    """A web address as people type it: “vanban.daknong.gov.vn/abc” is taken as
    https://…, so the input is plain text (a browser's type=url would refuse it)."""

    widget = forms.TextInput

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("assume_scheme", "https")
        super().__init__(**kwargs)
        self.widget.attrs.update(
            {"inputmode": "url", "autocomplete": "url", "spellcheck": "false"}
        )

    def to_python(self, value: Any) -> str:
        text = (value or "").strip()
        if text and "://" not in text and not text.startswith("//"):
            # Django would read “host:8080/x” as a scheme; a typed link has none.
            text = f"https://{text}"
        return super().to_python(text) or ""


class PercentField(forms.IntegerField):
    """A whole percent, 0–100; “33 %” and “33,0” are read as 33."""

    def to_python(self, value: Any) -> int | None:
        if isinstance(value, str):
            value = value.strip().removesuffix("%").strip()
            value = re.sub(r"[.,]0*$", "", value)
        return super().to_python(value)


PERCENT_ERRORS = {
    "required": gettext_lazy("Nhập tiến độ (%), một số nguyên từ 0 đến 100."),
    "invalid": gettext_lazy(
        "Tiến độ (%) phải là một số nguyên từ 0 đến 100, ví dụ 33 (không có phần lẻ)."
    ),
    "min_value": gettext_lazy("Tiến độ phải từ 0 đến 100%%."),
    "max_value": gettext_lazy("Tiến độ phải từ 0 đến 100%%."),
}


class ProgressForm(forms.Form):
    """The quick update of a unit's part: a minute's work, on a phone too."""

    status = forms.ChoiceField(label=gettext_lazy("Trạng thái"), choices=Status.choices)
    percent = PercentField(
        label=gettext_lazy("Tiến độ (%)"),
        min_value=0,
        max_value=100,
        error_messages=PERCENT_ERRORS,
        widget=forms.NumberInput(attrs={"inputmode": "numeric", "step": 1}),
        help_text=gettext_lazy("Số nguyên từ 0 đến 100; hoàn thành tính là 100%."),
    )
    note = forms.CharField(
        label=gettext_lazy("Ghi chú"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    evidence_file = forms.FileField(
        label=gettext_lazy("Tài liệu kiểm chứng (tệp)"), required=False
    )
    evidence_link = LinkField(
        label=gettext_lazy("hoặc đường dẫn"),
        required=False,
        max_length=500,
        error_messages={
            "invalid": gettext_lazy(
                "Đường dẫn tài liệu kiểm chứng không hợp lệ: nhập một địa chỉ web, "
                "ví dụ vanban.daknong.gov.vn/abc."
            )
        },
    )
    evidence_number = forms.CharField(
        label=gettext_lazy("Số, ký hiệu văn bản"), required=False, max_length=100
    )
    version = VersionField()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["evidence_file"].help_text = evidence_file_help()
        self.fields["evidence_file"].widget.attrs["accept"] = ",".join(
            "." + ext for ext in ALLOWED_FILES
        )

    def clean_evidence_file(self) -> UploadedFile | None:
        upload = self.cleaned_data.get("evidence_file")
        return evidence_file_check(upload) if upload else None

    def evidence(self) -> dict[str, Any] | None:
        """The evidence to attach, or None when none was given."""
        data = self.cleaned_data
        if not (data.get("evidence_file") or data.get("evidence_link")):
            if data.get("evidence_number"):
                return {"number": data["evidence_number"]}
            return None
        return {
            "file": data.get("evidence_file"),
            "link": data.get("evidence_link") or "",
            "number": data.get("evidence_number") or "",
        }


def progress_form_for(
    part: TaskUnit, data: Any = None, files: Any = None
) -> ProgressForm:
    """The progress form of one part, its fields prefixed by the part (several
    parts' forms may share a page)."""
    return ProgressForm(
        data,
        files,
        prefix=f"p{part.pk}",
        initial={
            "status": part.status,
            "percent": part.percent,
            "version": part.version,
        },
    )


class TaskFilterForm(forms.Form):
    OVERDUE = "1"

    unit = forms.ModelChoiceField(
        label=gettext_lazy("Đơn vị"),
        queryset=Unit.objects.none(),
        required=False,
        empty_label=gettext_lazy("Tất cả đơn vị"),
    )
    status = forms.ChoiceField(
        label=gettext_lazy("Trạng thái"),
        required=False,
        choices=[("", gettext_lazy("Mọi trạng thái")), *Status.choices],
    )
    overdue = forms.BooleanField(label=gettext_lazy("Chỉ việc quá hạn"), required=False)
    state = forms.ChoiceField(
        label=gettext_lazy("Tình hình"),
        required=False,
        choices=[("", gettext_lazy("Mọi tình hình")), *TASK_STATE_CHOICES],
    )
    criterion = forms.ModelChoiceField(
        label=gettext_lazy("Tiêu chí"),
        queryset=Criterion.objects.none(),
        required=False,
        widget=forms.HiddenInput,
    )

    def __init__(self, *args: Any, plan: Plan, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        unit = self.fields["unit"]
        assert isinstance(unit, forms.ModelChoiceField)
        unit.queryset = Unit.objects.filter(organization_id=plan.organization_id)
        criterion = self.fields["criterion"]
        assert isinstance(criterion, forms.ModelChoiceField)
        criterion.queryset = Criterion.objects.filter(plan=plan)


class MembershipForm(forms.Form):
    units = forms.ModelMultipleChoiceField(
        label=gettext_lazy("Thuộc phòng, đơn vị"),
        queryset=Unit.objects.select_related("organization"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=gettext_lazy(
            "Lãnh đạo phòng, đơn vị cập nhật tiến độ phần việc của các đơn vị này."
        ),
    )

    def __init__(
        self, *args: Any, user: AnyUser, keep_units: Sequence[int] = (), **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        units = self.fields["units"]
        assert isinstance(units, forms.ModelMultipleChoiceField)
        units.queryset = (
            Unit.objects.filter(unit_choosable(keep_units))
            .filter(organization_visible(user))
            .select_related("organization")
        )

    def clean_units(self) -> Any:
        units = self.cleaned_data["units"]
        if len({u.organization_id for u in units}) > 1:
            raise forms.ValidationError(_("Chọn các đơn vị của cùng một cơ quan."))
        return units


class EvidenceForm(forms.Form):
    number = forms.CharField(
        label=gettext_lazy("Số, ký hiệu"), max_length=100, required=False
    )
    issued_on = forms.DateField(
        label=gettext_lazy("Ngày ban hành"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    issuer = forms.CharField(
        label=gettext_lazy("Cơ quan ban hành"), max_length=255, required=False
    )
    summary = forms.CharField(
        label=gettext_lazy("Trích yếu"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    location = forms.CharField(
        label=gettext_lazy("Mục, trang"), max_length=100, required=False
    )
    file = forms.FileField(label=gettext_lazy("Tệp"), required=False)
    link = LinkField(
        label=gettext_lazy("Hoặc đường dẫn"),
        max_length=500,
        required=False,
        error_messages={
            "invalid": gettext_lazy(
                "Đường dẫn tài liệu kiểm chứng không hợp lệ: nhập một địa chỉ web, "
                "ví dụ vanban.daknong.gov.vn/abc."
            )
        },
    )

    def __init__(self, *args: Any, has_file: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.has_file = has_file  # editing evidence whose file is kept
        self.fields["file"].help_text = evidence_file_help()
        self.fields["file"].widget.attrs["accept"] = ",".join(
            "." + ext for ext in ALLOWED_FILES
        )

    def clean_file(self) -> UploadedFile | None:
        upload = self.cleaned_data.get("file")
        return evidence_file_check(upload) if upload else None

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if (
            not self.errors
            and not self.has_file
            and not any(data.get(k) for k in ("number", "summary", "file", "link"))
        ):
            raise forms.ValidationError(
                _(
                    "Tài liệu kiểm chứng cần ít nhất số, ký hiệu, trích yếu, tệp hoặc đường dẫn."
                )
            )
        return data


class CriteriaChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Criterion) -> str:
        return CriterionChoiceField.label_from_instance(self, obj)  # type: ignore[arg-type]  # same label, either field


class TaskChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Task) -> str:
        text = obj.text if len(obj.text) <= 90 else obj.text[:89] + "…"
        return f"{obj.criterion.code}. {text}"


class QuarterlyReviewForm(forms.ModelForm):
    """A quarterly review of one plan: the criteria and tasks offered are the plan's."""

    criteria = CriteriaChoiceField(
        label=gettext_lazy("Tiêu chí được bàn"),
        queryset=Criterion.objects.none(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 10}),
    )
    tasks = TaskChoiceField(
        label=gettext_lazy("Nhiệm vụ được bàn"),
        queryset=Task.objects.none(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 10}),
    )

    class Meta:
        model = QuarterlyReview
        fields = ["held_on", "quarter", "notice_number", "conclusions"]
        widgets = {
            "held_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "conclusions": forms.Textarea(attrs={"rows": 6}),
        }

    def __init__(self, *args: Any, plan: Plan, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.instance.plan = plan
        criteria = self.fields["criteria"]
        tasks = self.fields["tasks"]
        assert isinstance(criteria, forms.ModelMultipleChoiceField)
        assert isinstance(tasks, forms.ModelMultipleChoiceField)
        criteria.queryset = Criterion.objects.filter(plan=plan).order_by("sort_key")
        tasks.queryset = (
            Task.objects.filter(criterion__plan=plan)
            .select_related("criterion")
            .order_by("criterion__sort_key", "position")
        )
        if self.instance.pk:
            self.fields["criteria"].initial = list(self.instance.criteria.all())
            self.fields["tasks"].initial = list(self.instance.tasks.all())

    def save(self, commit: bool = True) -> QuarterlyReview:
        review = super().save(commit=True)
        review.criteria.set(self.cleaned_data["criteria"])
        review.tasks.set(self.cleaned_data["tasks"])
        return review
