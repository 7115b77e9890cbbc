from __future__ import annotations

import zipfile
from decimal import Decimal
from typing import Any

from django import forms
from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from criteria.models import Criterion, Plan, ScoringRule
from parplan.scores import ScoreParseError, format_decimal, parse_score

# --- evidence files ------------------------------------------------------------------

# Extension → (what the content must be, the Content-Type it is served with).
ALLOWED_FILES: dict[str, tuple[str, str]] = {
    "pdf": ("pdf", "application/pdf"),
    "png": ("png", "image/png"),
    "jpg": ("jpeg", "image/jpeg"),
    "jpeg": ("jpeg", "image/jpeg"),
    "doc": ("ole", "application/msword"),
    "xls": ("ole", "application/vnd.ms-excel"),
    "docx": (
        "docx",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ),
    "xlsx": (
        "xlsx",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ),
    "pptx": (
        "pptx",
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    ),
}
_OOXML_PARTS = {
    "docx": "word/document.xml",
    "xlsx": "xl/workbook.xml",
    "pptx": "ppt/presentation.xml",
}


def file_extension(name: str) -> str:
    return name.rpartition(".")[2].lower() if "." in name else ""


def file_kind(upload: Any) -> str | None:
    """What the bytes are (pdf, png, jpeg, ole, docx, xlsx, pptx), by content only."""
    upload.seek(0)
    head = upload.read(8)
    upload.seek(0)
    if head.startswith(b"%PDF-"):
        return "pdf"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if head == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        return "ole"
    if head.startswith(b"PK\x03\x04"):
        try:
            # Only the directory is read: nothing is decompressed.
            with zipfile.ZipFile(upload) as archive:
                names = set(archive.namelist())
        except (zipfile.BadZipFile, OSError):
            return None
        finally:
            upload.seek(0)
        if "[Content_Types].xml" in names:
            for kind, part in _OOXML_PARTS.items():
                if part in names:
                    return kind
    return None


def max_upload_label() -> str:
    return format_decimal(Decimal(settings.UPLOAD_MAX_BYTES) / (1024 * 1024))


def evidence_file_check(upload: UploadedFile) -> UploadedFile:
    """Refuse a file that is too large, of a format not allowed, or whose content
    is not what its name says; the message names the file and the reason."""
    name = upload.name or ""
    if upload.size > settings.UPLOAD_MAX_BYTES:
        raise forms.ValidationError(
            _("Tệp “%(name)s” lớn hơn giới hạn %(max)s MB.")
            % {"name": name, "max": max_upload_label()}
        )
    extension = file_extension(name)
    if extension not in ALLOWED_FILES:
        raise forms.ValidationError(
            _(
                "Tệp “%(name)s”: định dạng .%(ext)s không được nhận; chỉ nhận PDF, Word, Excel, PowerPoint (docx, xlsx, pptx, doc, xls) và ảnh PNG, JPG."
            )
            % {"name": name, "ext": extension or "?"}
        )
    if file_kind(upload) != ALLOWED_FILES[extension][0]:
        raise forms.ValidationError(
            _("Tệp “%(name)s”: nội dung không phải là tệp .%(ext)s thật.")
            % {"name": name, "ext": extension}
        )
    return upload


def evidence_file_help() -> str:
    return _("PDF, Word, Excel, PowerPoint hoặc ảnh PNG, JPG; tối đa %(max)s MB.") % {
        "max": max_upload_label()
    }


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
    link = forms.URLField(
        label=gettext_lazy("Hoặc đường dẫn"),
        max_length=500,
        required=False,
        assume_scheme="https",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = evidence_file_help()
        self.fields["file"].widget.attrs["accept"] = ",".join(
            "." + ext for ext in ALLOWED_FILES
        )

    def clean_file(self) -> UploadedFile | None:
        upload = self.cleaned_data.get("file")
        return evidence_file_check(upload) if upload else None

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if not self.errors and not any(
            data.get(k) for k in ("number", "summary", "file", "link")
        ):
            raise forms.ValidationError(
                _(
                    "Tài liệu kiểm chứng cần ít nhất số, ký hiệu, trích yếu, tệp hoặc đường dẫn."
                )
            )
        return data


# --- scores --------------------------------------------------------------------------


class ScoreField(forms.CharField):
    """A score typed the Vietnamese way (0,25) or with a point (0.25)."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)
        self.widget.attrs.update({"inputmode": "decimal", "size": 6, "maxlength": 12})

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, Decimal):
            return format_decimal(value)
        return value

    def to_python(self, value: Any) -> Decimal | None:
        text = super().to_python(value)
        try:
            return parse_score(text)
        except ScoreParseError as exc:
            raise forms.ValidationError(
                _("%(label)s: %(reason)s.") % {"label": self.label, "reason": exc}
            ) from exc


class VersionField(forms.IntegerField):
    widget = forms.HiddenInput

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("min_value", 1)
        super().__init__(**kwargs)


class SelfScoreForm(forms.Form):
    self_score = ScoreField(label=gettext_lazy("Điểm tự đánh giá"))
    explanation = forms.CharField(
        label=gettext_lazy("Giải trình, ghi chú"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    version = VersionField()

    @classmethod
    def for_criterion(cls, criterion: Criterion, **kwargs: Any) -> SelfScoreForm:
        return cls(
            initial={
                "self_score": criterion.self_score,
                "explanation": criterion.explanation,
                "version": criterion.version,
            },
            prefix=f"c{criterion.pk}",
            **kwargs,
        )


class CriterionForm(forms.Form):
    plan = forms.ModelChoiceField(
        label=gettext_lazy("Kế hoạch"), queryset=Plan.objects.none()
    )
    code = forms.CharField(
        label=gettext_lazy("STT (mã)"),
        max_length=30,
        help_text=gettext_lazy("Ví dụ 1, 1.2 hoặc 1.2.3; tiêu chí cha phải có trước."),
    )
    title = forms.CharField(
        label=gettext_lazy("Lĩnh vực, tiêu chí"),
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    max_score = ScoreField(label=gettext_lazy("Điểm chuẩn"))
    baseline_score = ScoreField(label=gettext_lazy("Điểm năm trước"))
    target_score = ScoreField(label=gettext_lazy("Mục tiêu"))
    version = VersionField(required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["plan"].queryset = Plan.objects.select_related("organization")


class ScoringRuleForm(forms.ModelForm):
    """The rule of one criterion and the figures the office entered."""

    full_at = ScoreField(label=gettext_lazy("Đạt tối đa từ (%)"))
    per_failure = ScoreField(label=gettext_lazy("Điểm trừ mỗi lỗi"))
    numerator = ScoreField(label=gettext_lazy("Số đạt (tử số)"))
    denominator = ScoreField(label=gettext_lazy("Tổng số (mẫu số)"))
    passed = forms.NullBooleanField(
        label=gettext_lazy("Kết quả"),
        required=False,
        widget=forms.Select(
            choices=[
                ("unknown", "—"),
                ("true", gettext_lazy("Đạt")),
                ("false", gettext_lazy("Không đạt")),
            ]
        ),
    )
    version = VersionField()

    class Meta:
        model = ScoringRule
        fields = [
            "kind",
            "levels",
            "full_at",
            "per_failure",
            "numerator",
            "denominator",
            "count",
            "passed",
            "option",
        ]
        widgets = {"levels": forms.Textarea(attrs={"rows": 2})}

    @classmethod
    def for_criterion(cls, criterion: Criterion, **kwargs: Any) -> ScoringRuleForm:
        rule = getattr(criterion, "scoring_rule", None) or ScoringRule(
            criterion=criterion
        )
        initial = {"version": criterion.version}
        return cls(instance=rule, initial=initial, prefix="rule", **kwargs)
