from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy

from criteria.models import Criterion, Plan, ScoringRule
from parplan.forms import ScoreField, VersionField


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
        plan = self.fields["plan"]
        assert isinstance(plan, forms.ModelChoiceField)
        plan.queryset = Plan.objects.select_related("organization")


class ScoringRuleForm(forms.ModelForm):
    """The rule of one criterion and the figures the office entered."""

    full_at = ScoreField(label=gettext_lazy("Đạt tối đa từ (%)"), places=2)
    per_failure = ScoreField(label=gettext_lazy("Điểm trừ mỗi lỗi"))
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
