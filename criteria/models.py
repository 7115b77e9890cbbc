from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from criteria.assessment_models import Appeal, SelfAssessment, SelfAssessmentStep
from criteria.codes import CODE_RE, code_sort_key, parent_code
from criteria.managers import CriterionQuerySet
from criteria.plan_models import Organization, Plan
from criteria.plan_version import PlanVersion
from criteria.scoring import RuleKind, levels_check, rule_score
from parplan.scores import ScoreField, format_decimal

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

__all__ = [
    "Appeal",
    "Criterion",
    "Organization",
    "Plan",
    "PlanVersion",
    "ScoringRule",
    "SelfAssessment",
    "SelfAssessmentStep",
]


class Criterion(models.Model):
    """A row of the criteria tree: area (depth 1), criterion (2) or sub-criterion (3).

    A row with children is a heading: it has no scores of its own and shows the sums
    of its children. A row without children carries its own scores, at any depth.

    Its score layers: baseline (last year's final), target (the plan), self-assessed
    (with its explanation), appraised by the province's council (with its note, and
    the final value after an explanation or appeal) and, for a criterion scored by
    survey, the survey score. A criterion that does not apply to the organization
    leaves the applicable maximum and every sum.
    """

    class Method(models.TextChoices):
        APPRAISED = "appraised", _("Thẩm định")
        SURVEY = "survey", _("Điều tra xã hội học")

    plan = models.ForeignKey(
        Plan,
        on_delete=models.CASCADE,
        related_name="criteria",
        verbose_name=_("kế hoạch"),
    )
    parent = models.ForeignKey(
        "self",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("thuộc"),
    )
    code = models.CharField(_("STT"), max_length=30)
    title = models.TextField(_("lĩnh vực, tiêu chí"))
    max_score = ScoreField(_("điểm chuẩn"), null=True, blank=True)
    baseline_score = ScoreField(_("điểm năm trước"), null=True, blank=True)
    target_score = ScoreField(_("mục tiêu"), null=True, blank=True)
    self_score = ScoreField(_("điểm tự đánh giá"), null=True, blank=True)
    explanation = models.TextField(_("giải trình, ghi chú"), blank=True)
    scoring_text = models.TextField(
        _("cách chấm điểm (theo bộ tiêu chí)"),
        blank=True,
        help_text=_("Hướng dẫn chấm điểm của tỉnh, như bộ tiêu chí ghi."),
    )
    method = models.CharField(
        _("cách đánh giá"),
        max_length=20,
        choices=Method.choices,
        default=Method.APPRAISED,
        help_text=_(
            "Thẩm định: Hội đồng thẩm định chấm trên bảng tự đánh giá. Điều tra xã hội "
            "học: điểm đến từ kết quả điều tra, không tự chấm."
        ),
    )
    applicable = models.BooleanField(
        _("áp dụng"),
        default=True,
        help_text=_(
            "Bỏ chọn khi tiêu chí không áp dụng cho cơ quan: nó ra khỏi điểm tối đa áp "
            "dụng, chỉ số và mọi tổng."
        ),
    )
    not_applicable_reason = models.TextField(_("lý do không áp dụng"), blank=True)
    appraised_score = ScoreField(_("điểm thẩm định"), null=True, blank=True)
    final_score = ScoreField(
        _("điểm sau giải trình, phúc khảo"),
        null=True,
        blank=True,
        help_text=_("Điểm thẩm định cuối cùng, khi Hội đồng chấm lại sau giải trình."),
    )
    appraisal_note = models.TextField(_("ý kiến của Hội đồng thẩm định"), blank=True)
    survey_score = ScoreField(_("điểm điều tra xã hội học"), null=True, blank=True)
    depth = models.PositiveSmallIntegerField(_("cấp"), editable=False)
    sort_key = models.CharField(max_length=40, editable=False, db_index=True)
    version = models.PositiveIntegerField(default=1, editable=False)
    updated_at = models.DateTimeField(_("cập nhật lúc"), auto_now=True)

    history = HistoricalRecords(excluded_fields=["sort_key", "depth"])
    objects = CriterionQuerySet.as_manager()

    class Meta:
        verbose_name = _("tiêu chí")
        verbose_name_plural = _("tiêu chí")
        ordering = ["plan", "sort_key"]
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "code"], name="criterion_code_unique_in_plan"
            ),
            models.CheckConstraint(
                condition=Q(max_score__gte=0)
                & Q(baseline_score__gte=0)
                & Q(target_score__gte=0)
                & Q(self_score__gte=0)
                & Q(appraised_score__gte=0)
                & Q(final_score__gte=0)
                & Q(survey_score__gte=0),
                name="criterion_scores_not_negative",
                violation_error_message=_("Điểm không được âm."),
            ),
            models.CheckConstraint(
                condition=Q(baseline_score__lte=F("max_score"))
                & Q(target_score__lte=F("max_score"))
                & Q(self_score__lte=F("max_score"))
                & Q(appraised_score__lte=F("max_score"))
                & Q(final_score__lte=F("max_score"))
                & Q(survey_score__lte=F("max_score")),
                name="criterion_scores_within_max",
                violation_error_message=_("Điểm không được vượt điểm chuẩn."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code}. {self.title}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.tree_fields_set()
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("reports-criterion", args=[self.pk])

    def tree_fields_set(self) -> None:
        """Depth and sort key from the code, as ``save()`` sets them; a bulk insert,
        which skips ``save()``, calls it itself."""
        self.depth = self.code.count(".") + 1
        self.sort_key = code_sort_key(self.code)

    @property
    def is_scored(self) -> bool:
        return self.max_score is not None

    @property
    def appraised(self) -> Decimal | None:
        """The council's score: after an explanation or appeal, the final one."""
        return (
            self.final_score if self.final_score is not None else self.appraised_score
        )

    @property
    def self_minus_appraised(self) -> Decimal | None:
        """Where the department over-claims (positive) or under-claims."""
        appraised = self.appraised
        if self.self_score is None or appraised is None:
            return None
        return self.self_score - appraised

    def clean(self) -> None:
        errors: dict[str, list[StrOrPromise]] = {}
        if not CODE_RE.match(self.code or ""):
            errors.setdefault("code", []).append(
                _("Mã “%(code)s” không đúng dạng 1, 1.2 hoặc 1.2.3.")
                % {"code": self.code}
            )
        else:
            expected = parent_code(self.code)
            parent = self.parent if self.parent_id else None
            if expected is None and parent is not None:
                errors.setdefault("parent", []).append(
                    _("Lĩnh vực (mã một cấp) không thuộc tiêu chí nào.")
                )
            elif expected is not None and (parent is None or parent.code != expected):
                errors.setdefault("parent", []).append(
                    _("Mã %(code)s phải thuộc tiêu chí %(parent)s.")
                    % {"code": self.code, "parent": expected}
                )
        labels = {
            "max_score": _("Điểm tối đa"),
            "baseline_score": _("Điểm năm trước"),
            "target_score": _("Mục tiêu"),
            "self_score": _("Điểm tự đánh giá"),
            "appraised_score": _("Điểm thẩm định"),
            "final_score": _("Điểm sau giải trình, phúc khảo"),
            "survey_score": _("Điểm điều tra xã hội học"),
        }
        for field, label in labels.items():
            value = getattr(self, field)
            if value is not None and value < 0:
                errors.setdefault(field, []).append(
                    _("%(label)s không được âm (%(value)s).")
                    % {"label": label, "value": format_decimal(value)}
                )
        scored = [f for f in labels if f != "max_score"]
        if self.method == self.Method.SURVEY:
            for field in ("self_score", "appraised_score", "final_score"):
                if getattr(self, field) is not None:
                    errors.setdefault(field, []).append(
                        _(
                            "%(label)s: tiêu chí chấm bằng điều tra xã hội học không tự chấm "
                            "hay thẩm định; hãy nhập điểm điều tra."
                        )
                        % {"label": labels[field]}
                    )
        elif self.survey_score is not None:
            errors.setdefault("survey_score", []).append(
                _("Chỉ tiêu chí chấm bằng điều tra xã hội học có điểm điều tra.")
            )
        if not self.applicable and not self.not_applicable_reason.strip():
            errors.setdefault("not_applicable_reason", []).append(
                _("Hãy ghi lý do tiêu chí không áp dụng.")
            )
        if self.max_score is not None:
            for field in scored:
                value = getattr(self, field)
                if value is not None and value > self.max_score:
                    errors.setdefault(field, []).append(
                        _("%(label)s %(value)s vượt điểm chuẩn %(max)s.")
                        % {
                            "label": labels[field],
                            "value": format_decimal(value),
                            "max": format_decimal(self.max_score),
                        }
                    )
        else:
            for field in scored:
                if getattr(self, field) is not None:
                    errors.setdefault(field, []).append(
                        _("%(label)s cần có điểm chuẩn đi kèm.")
                        % {"label": labels[field]}
                    )
        if errors:
            raise ValidationError(errors)


class ScoringRule(models.Model):
    """How the province scores one criterion, and the figures the office entered.

    The rule's kinds are those of the provinces' criteria decisions (see
    ``criteria.scoring``, which reads the levels and computes the score). The score
    it gives is a suggestion the office may take as the self-assessed score.
    """

    Kind = RuleKind

    criterion = models.OneToOneField(
        Criterion,
        on_delete=models.CASCADE,
        related_name="scoring_rule",
        verbose_name=_("tiêu chí"),
    )
    kind = models.CharField(_("cách chấm"), max_length=20, choices=Kind.choices)
    levels = models.TextField(
        _("các mức"),
        blank=True,
        help_text=_(
            "“mức: điểm”, cách nhau bằng “;” hoặc xuống dòng. Mức tỷ lệ: “trên 90%: "
            "2; từ 70% đến 90%: 1; dưới 70%: 0” (một số “90” là từ 90 trở lên). Số "
            "lượng: “4: 0,5; 3: 0,375”. Lựa chọn: “Kịp thời: 1; Không kịp thời: 0,5” "
            "hoặc “Hoàn thành tốt: 75% số điểm”. Loại lỗi: “Chậm báo cáo: 0,25”. "
            "Thưởng, trừ: “Sáng kiến: +0,5; Bị phê bình: -0,25”. Nội dung thành phần: "
            "“Ban hành kế hoạch: 0,5”."
        ),
    )
    full_at = models.DecimalField(
        _("đạt tối đa từ (%)"),
        max_digits=6,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_("Tỷ lệ: từ mức này được trọn điểm (để trống: chỉ đạt 100 %)."),
    )
    zero_below = models.DecimalField(
        _("dưới mức này không có điểm (%)"),
        max_digits=6,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_("Tỷ lệ: dưới mức này được 0 điểm (đúng bằng mức vẫn tính điểm)."),
    )
    per_failure = ScoreField(_("điểm trừ mỗi lỗi"), null=True, blank=True)
    per_item = ScoreField(_("điểm mỗi mục"), null=True, blank=True)
    cap = ScoreField(
        _("tối đa"),
        null=True,
        blank=True,
        help_text=_("Điểm mỗi mục: tổng không quá mức này (và điểm tối đa)."),
    )
    bonus_cap = ScoreField(_("điểm thưởng tối đa"), null=True, blank=True)
    penalty_cap = ScoreField(_("điểm trừ tối đa"), null=True, blank=True)
    base_score = ScoreField(
        _("điểm trước khi thưởng, trừ"),
        null=True,
        blank=True,
        help_text=_("Để trống: 0."),
    )
    numerator = models.DecimalField(
        _("số đạt (tử số)"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    denominator = models.DecimalField(
        _("tổng số (mẫu số)"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    count = models.PositiveIntegerField(_("số lượng / số lỗi"), null=True, blank=True)
    passed = models.BooleanField(_("đạt"), null=True, blank=True)
    option = models.CharField(_("lựa chọn"), max_length=200, blank=True)
    items = models.TextField(
        _("số liệu từng mục"),
        blank=True,
        help_text=_(
            "“mục: số” cho từng mức đã khai báo, cách nhau bằng “;”: số lỗi mỗi loại, "
            "số lần được thưởng hay bị trừ, điểm đạt của mỗi nội dung; mục không ghi "
            "là 0."
        ),
    )
    updated_at = models.DateTimeField(_("cập nhật lúc"), auto_now=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("cách chấm điểm")
        verbose_name_plural = _("cách chấm điểm")

    def __str__(self) -> str:
        return f"{self.criterion.code}: {self.get_kind_display()}"

    def clean(self) -> None:
        levels_check(self)

    def score(self) -> Decimal:
        """The score the rule gives for the figures entered, within 0 and the maximum.

        Raises ValidationError (naming the field) when a figure the rule needs is
        missing or out of range.
        """
        maximum = self.criterion.max_score
        if maximum is None:
            raise ValidationError(_("Tiêu chí tiêu đề không chấm điểm riêng."))
        return rule_score(self, maximum=maximum)

    def figures_label(self) -> str:
        """The figures as a sentence for the explanation, e.g. ``45/50 (90 %)``."""
        if self.kind in {self.Kind.RATIO, self.Kind.STEPS} and self.denominator:
            return (
                f"{format_decimal(self.numerator)}/{format_decimal(self.denominator)}"
            )
        if (
            self.kind in {self.Kind.LADDER, self.Kind.DEDUCTION, self.Kind.PER_ITEM}
            and self.count is not None
        ):
            return str(self.count)
        if self.kind == self.Kind.PASS_FAIL and self.passed is not None:
            return str(_("Đạt") if self.passed else _("Không đạt"))
        if self.kind in {self.Kind.DEDUCTIONS, self.Kind.BONUS_PENALTY, self.Kind.SUM}:
            return "; ".join(" ".join(line.split()) for line in self.items.splitlines())
        return self.option
