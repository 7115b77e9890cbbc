from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django import forms
from django.utils.translation import gettext_lazy

from criteria.codes import CODE_RE, canonical_code
from criteria.models import Appeal, Criterion, Plan, ScoringRule
from criteria.scoring import EXAMPLES, FIELDS_BY_KIND
from parplan.forms import ScoreField, VersionField

if TYPE_CHECKING:
    from parplan.roles import AnyUser


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
    max_score = ScoreField(label=gettext_lazy("Điểm tối đa"))
    baseline_score = ScoreField(label=gettext_lazy("Điểm năm trước"))
    target_score = ScoreField(label=gettext_lazy("Mục tiêu"))
    version = VersionField(required=False)

    def __init__(self, *args: Any, user: AnyUser, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        plan = self.fields["plan"]
        assert isinstance(plan, forms.ModelChoiceField)
        plan.queryset = Plan.objects.visible_to(user).select_related("organization")

    def clean_code(self) -> str:
        """``01.2`` is criterion ``1.2`` (``criteria.codes.canonical_code``); a code
        of another form is refused by the model, naming it."""
        code = str(self.cleaned_data["code"]).strip()
        return canonical_code(code) if CODE_RE.match(code) else code


class ScoringRuleForm(forms.ModelForm):
    """The rule of one criterion and the figures the office entered: only those its
    kind reads (``criteria.scoring.FIELDS_BY_KIND``); the kind itself is chosen on
    the page before, and travels as a hidden field."""

    full_at = ScoreField(label=gettext_lazy("Đạt tối đa từ (%)"), places=2)
    zero_below = ScoreField(
        label=gettext_lazy("Dưới mức này không có điểm (%)"),
        places=2,
        help_text=gettext_lazy("Ví dụ “dưới 50% không có điểm”: nhập 50."),
    )
    per_failure = ScoreField(label=gettext_lazy("Điểm trừ mỗi lỗi"))
    per_item = ScoreField(label=gettext_lazy("Điểm mỗi mục"))
    cap = ScoreField(label=gettext_lazy("Tối đa"))
    bonus_cap = ScoreField(label=gettext_lazy("Điểm thưởng tối đa"))
    penalty_cap = ScoreField(label=gettext_lazy("Điểm trừ tối đa"))
    base_score = ScoreField(
        label=gettext_lazy("Điểm trước khi thưởng, trừ"),
        help_text=gettext_lazy("Để trống: 0."),
    )
    numerator = ScoreField(label=gettext_lazy("Số đạt (tử số)"), places=2)
    denominator = ScoreField(label=gettext_lazy("Tổng số (mẫu số)"), places=2)
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
            "zero_below",
            "per_failure",
            "per_item",
            "cap",
            "bonus_cap",
            "penalty_cap",
            "base_score",
            "numerator",
            "denominator",
            "count",
            "passed",
            "option",
            "items",
        ]
        widgets = {
            "kind": forms.HiddenInput,
            "levels": forms.Textarea(attrs={"rows": 3}),
            "items": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args: Any, kind: str | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.is_bound:
            kind = self.data.get(self.add_prefix("kind"))
        self.chosen_kind = kind if kind in FIELDS_BY_KIND else self.instance.kind
        if self.chosen_kind:
            self.initial["kind"] = self.chosen_kind
        wanted = {"kind", "version", *FIELDS_BY_KIND.get(self.chosen_kind, ())}
        for name in list(self.fields):
            if name not in wanted:
                del self.fields[name]

    @property
    def kind_label(self) -> str:
        return str(ScoringRule.Kind(self.chosen_kind).label) if self.chosen_kind else ""

    @property
    def example(self) -> str:
        return str(EXAMPLES[self.chosen_kind]) if self.chosen_kind else ""

    @classmethod
    def for_criterion(
        cls, criterion: Criterion, *, kind: str | None = None, **kwargs: Any
    ) -> ScoringRuleForm:
        rule = getattr(criterion, "scoring_rule", None) or ScoringRule(
            criterion=criterion
        )
        initial = {"version": criterion.version}
        return cls(instance=rule, initial=initial, prefix="rule", kind=kind, **kwargs)


class LayersForm(forms.Form):
    """What the province decided on one criterion: how it is scored, whether it
    applies, and the council's and the survey's scores."""

    method = forms.ChoiceField(
        label=gettext_lazy("Cách đánh giá"), choices=Criterion.Method.choices
    )
    applicable = forms.BooleanField(
        label=gettext_lazy("Áp dụng cho cơ quan"), required=False
    )
    not_applicable_reason = forms.CharField(
        label=gettext_lazy("Lý do không áp dụng"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    appraised_score = ScoreField(label=gettext_lazy("Điểm thẩm định"))
    final_score = ScoreField(label=gettext_lazy("Điểm sau giải trình, phúc khảo"))
    appraisal_note = forms.CharField(
        label=gettext_lazy("Ý kiến của Hội đồng thẩm định"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    survey_score = ScoreField(label=gettext_lazy("Điểm điều tra xã hội học"))
    version = VersionField()

    @classmethod
    def for_criterion(cls, criterion: Criterion) -> LayersForm:
        return cls(
            initial={
                "method": criterion.method,
                "applicable": criterion.applicable,
                "not_applicable_reason": criterion.not_applicable_reason,
                "appraised_score": criterion.appraised_score,
                "final_score": criterion.final_score,
                "appraisal_note": criterion.appraisal_note,
                "survey_score": criterion.survey_score,
                "version": criterion.version,
            }
        )


class PlanSettingsForm(forms.Form):
    """The self-assessment form's settings: its score columns, and the organization's
    governing body and place as its official heading and date line name them."""

    score_columns = forms.ChoiceField(
        label=gettext_lazy("Các cột điểm của bảng tự đánh giá"),
        choices=Plan.ScoreColumns.choices,
    )
    governing_body = forms.CharField(
        label=gettext_lazy("Cơ quan chủ quản"),
        max_length=255,
        required=False,
        help_text=gettext_lazy("Ví dụ “UBND TỈNH ĐẮK NÔNG”; để trống: theo tên tỉnh."),
    )
    place = forms.CharField(
        label=gettext_lazy("Địa danh"),
        max_length=100,
        required=False,
        help_text=gettext_lazy("Ví dụ “Đắk Nông”; để trống: tên tỉnh."),
    )


class AppealForm(forms.Form):
    """The department's explanation or appeal of an appraised score, and its outcome."""

    kind = forms.ChoiceField(label=gettext_lazy("Loại"), choices=Appeal.Kind.choices)
    text = forms.CharField(
        label=gettext_lazy("Nội dung giải trình, kiến nghị"),
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    outcome = forms.ChoiceField(
        label=gettext_lazy("Kết quả"), choices=Appeal.Outcome.choices
    )
    final_score = ScoreField(
        label=gettext_lazy("Điểm sau giải trình, phúc khảo"),
        help_text=gettext_lazy("Chỉ khi được chấp nhận."),
    )
    version = VersionField()

    @classmethod
    def for_criterion(cls, criterion: Criterion, appeal: Appeal | None) -> AppealForm:
        return cls(
            initial={
                "kind": appeal.kind if appeal else Appeal.Kind.EXPLANATION,
                "text": appeal.text if appeal else "",
                "outcome": appeal.outcome if appeal else Appeal.Outcome.PENDING,
                "final_score": criterion.final_score,
                "version": criterion.version,
            }
        )


class PlanCalendarForm(forms.ModelForm):
    """The PAR calendar of a plan year and the criterion asking for quarterly reviews."""

    class Meta:
        model = Plan
        fields = [
            "self_assessment_due",
            "appraisal_starts",
            "appraisal_ends",
            "explanation_starts",
            "explanation_ends",
            "review_criterion_code",
            "reviews_required",
        ]
        widgets = {
            name: forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
            for name in fields[:5]
        }
