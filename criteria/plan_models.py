"""The organizations and their plans of a year (re-exported by ``criteria.models``)."""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from criteria.managers import PlanQuerySet
from parplan.scores import ScoreField


class Organization(models.Model):
    name = models.CharField(_("tên cơ quan"), max_length=255, unique=True)
    short_name = models.CharField(_("tên viết tắt"), max_length=50, blank=True)
    province = models.CharField(_("tỉnh"), max_length=100, blank=True)
    governing_body = models.CharField(
        _("cơ quan chủ quản"),
        max_length=255,
        blank=True,
        help_text=_(
            "Dòng trên tên cơ quan ở góc trái văn bản, ví dụ “UBND TỈNH ĐẮK NÔNG”; để "
            "trống: “UBND TỈNH” và tên tỉnh."
        ),
    )
    place = models.CharField(
        _("địa danh"),
        max_length=100,
        blank=True,
        help_text=_(
            "Địa danh ở dòng ngày tháng của văn bản, ví dụ “Đắk Nông”; để trống: tên "
            "tỉnh."
        ),
    )
    is_synthetic = models.BooleanField(
        _("dữ liệu tổng hợp"),
        default=False,
        editable=False,
        help_text=_(
            "Tạo bởi generate_demo_data để đo hiệu năng; không phải cơ quan thật."
        ),
    )

    class Meta:
        verbose_name = _("cơ quan")
        verbose_name_plural = _("cơ quan")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def governing_label(self) -> str:
        """The governing body above the name in an official document's corner."""
        if self.governing_body.strip():
            return self.governing_body.strip()
        if self.province.strip():
            return f"UBND TỈNH {self.province.strip().upper()}"
        return ""

    @property
    def place_label(self) -> str:
        """The place of an official document's date line (“Đắk Nông, ngày …”)."""
        return self.place.strip() or self.province.strip()


class Plan(models.Model):
    class ScoreColumns(models.TextChoices):
        """The score columns of the self-assessment form: provinces differ."""

        SELF = "self", _("Tự đánh giá")
        SELF_SURVEY = "self_survey", _("Tự đánh giá, điều tra xã hội học")
        SELF_APPRAISED = "self_appraised", _("Tự đánh giá, thẩm định")
        ALL = "all", _("Tự đánh giá, điều tra xã hội học, thẩm định")

    organization = models.ForeignKey(
        Organization,
        on_delete=models.PROTECT,
        related_name="plans",
        verbose_name=_("cơ quan"),
    )
    year = models.PositiveSmallIntegerField(_("năm kế hoạch"))
    baseline_year = models.PositiveSmallIntegerField(_("năm cơ sở"))
    title = models.CharField(_("tên kế hoạch"), max_length=500)
    number = models.CharField(_("số, ký hiệu"), max_length=100, blank=True)
    legal_basis = models.TextField(_("căn cứ"), blank=True)
    full_scale = ScoreField(_("thang điểm tối đa"), default=Decimal("100"))
    rank_goal = models.PositiveSmallIntegerField(
        _("mục tiêu tăng bậc"),
        default=2,
        help_text=_("Số bậc xếp hạng phấn đấu tăng so với năm cơ sở."),
    )
    criteria_set_name = models.CharField(
        _("bộ tiêu chí đã nhập"),
        max_length=255,
        blank=True,
        help_text=_(
            "Tệp bộ tiêu chí của tỉnh đã nhập vào kế hoạch; để trống khi kế hoạch chỉ "
            "có các tiêu chí của phụ lục."
        ),
    )
    score_columns = models.CharField(
        _("các cột điểm của bảng tự đánh giá"),
        max_length=20,
        choices=ScoreColumns.choices,
        default=ScoreColumns.SELF,
        help_text=_(
            "Ngoài cột tự đánh giá, các cột điểm điều tra xã hội học và điểm thẩm định "
            "có trong bảng tự đánh giá khi tỉnh yêu cầu."
        ),
    )
    review_criterion_code = models.CharField(
        _("tiêu chí về giao ban quý"),
        max_length=30,
        blank=True,
        default="1.2.2",
        help_text=_(
            "STT của tiêu chí đòi hỏi các cuộc giao ban quý; để trống nếu không có."
        ),
    )
    reviews_required = models.PositiveSmallIntegerField(
        _("số cuộc giao ban cần có"), default=4
    )
    # The PAR calendar of the plan year, as the province announces it.
    self_assessment_due = models.DateField(
        _("hạn nộp bảng tự đánh giá"), null=True, blank=True
    )
    appraisal_starts = models.DateField(_("bắt đầu thẩm định"), null=True, blank=True)
    appraisal_ends = models.DateField(_("kết thúc thẩm định"), null=True, blank=True)
    explanation_starts = models.DateField(
        _("bắt đầu giải trình, phúc khảo"), null=True, blank=True
    )
    explanation_ends = models.DateField(
        _("hạn giải trình, phúc khảo"), null=True, blank=True
    )
    created_at = models.DateTimeField(_("tạo lúc"), auto_now_add=True)

    objects = PlanQuerySet.as_manager()

    class Meta:
        verbose_name = _("kế hoạch")
        verbose_name_plural = _("kế hoạch")
        ordering = ["-year", "organization__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "year"], name="plan_one_per_organization_year"
            ),
            models.CheckConstraint(
                condition=Q(baseline_year__lt=F("year")),
                name="plan_baseline_before_year",
            ),
            models.CheckConstraint(
                condition=Q(full_scale__gt=0), name="plan_full_scale_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.organization}, {self.year})"

    @property
    def shows_survey_column(self) -> bool:
        return self.score_columns in {
            self.ScoreColumns.SELF_SURVEY,
            self.ScoreColumns.ALL,
        }

    @property
    def shows_appraised_column(self) -> bool:
        return self.score_columns in {
            self.ScoreColumns.SELF_APPRAISED,
            self.ScoreColumns.ALL,
        }

    def clean(self) -> None:
        if self.year and self.baseline_year and self.baseline_year >= self.year:
            raise ValidationError(
                {"baseline_year": _("Năm cơ sở phải trước năm kế hoạch.")}
            )
        windows = [
            ("appraisal_starts", "appraisal_ends"),
            ("explanation_starts", "explanation_ends"),
        ]
        for start, end in windows:
            first, last = getattr(self, start), getattr(self, end)
            if first and last and last < first:
                raise ValidationError(
                    {end: _("Ngày kết thúc phải từ ngày bắt đầu trở đi.")}
                )
