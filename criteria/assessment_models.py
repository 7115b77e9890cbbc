"""The year's self-assessment as a document with a state: draft → submitted →
approved (locked), and reopened back to draft with a reason. Every step is kept with
who took it, when, why and the figures at that moment.

The models name the plan by string, so ``criteria.models`` can import them without a
cycle (they are re-exported there). The steps' writes, which need the figures, are in
``reports.self_assessment_steps``; the lock every write asks is
``criteria.assessment_lock``.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class SelfAssessment(models.Model):
    class State(models.TextChoices):
        DRAFT = "draft", _("Dự thảo")
        SUBMITTED = "submitted", _("Đã nộp, chờ phê duyệt")
        APPROVED = "approved", _("Đã phê duyệt")

    plan = models.OneToOneField(
        "criteria.Plan",
        on_delete=models.CASCADE,
        related_name="self_assessment",
        verbose_name=_("kế hoạch"),
    )
    state = models.CharField(
        _("trạng thái"), max_length=20, choices=State.choices, default=State.DRAFT
    )
    edition = models.PositiveIntegerField(
        _("phiên bản"), default=0, help_text=_("Số lần đã nộp.")
    )
    updated_at = models.DateTimeField(_("cập nhật lúc"), auto_now=True)

    class Meta:
        verbose_name = _("bảng tự đánh giá")
        verbose_name_plural = _("bảng tự đánh giá")

    def __str__(self) -> str:
        return f"{self.plan_id}: {self.get_state_display()}"

    @property
    def is_locked(self) -> bool:
        return self.state == self.State.APPROVED


class SelfAssessmentStep(models.Model):
    class Kind(models.TextChoices):
        SUBMIT = "submit", _("Nộp")
        APPROVE = "approve", _("Phê duyệt")
        REOPEN = "reopen", _("Mở lại")

    assessment = models.ForeignKey(
        SelfAssessment,
        on_delete=models.CASCADE,
        related_name="steps",
        verbose_name=_("bảng tự đánh giá"),
    )
    kind = models.CharField(_("bước"), max_length=20, choices=Kind.choices)
    edition = models.PositiveIntegerField(_("phiên bản"))
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("người thực hiện"),
    )
    at = models.DateTimeField(_("thời điểm"), default=timezone.now)
    reason = models.TextField(_("lý do"), blank=True)
    figures = models.JSONField(_("số liệu lúc đó"), default=dict)

    class Meta:
        verbose_name = _("bước tự đánh giá")
        verbose_name_plural = _("bước tự đánh giá")
        ordering = ["-at", "-pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.edition}"


class Appeal(models.Model):
    """The department's explanation or appeal (giải trình, kiến nghị) of one
    criterion's appraised score, and what the council decided. An accepted appeal
    sets the criterion's final score."""

    class Kind(models.TextChoices):
        EXPLANATION = "explanation", _("Giải trình")
        APPEAL = "appeal", _("Kiến nghị")

    class Outcome(models.TextChoices):
        PENDING = "pending", _("Đang chờ")
        ACCEPTED = "accepted", _("Chấp nhận")
        REJECTED = "rejected", _("Không chấp nhận")

    criterion = models.OneToOneField(
        "criteria.Criterion",
        on_delete=models.CASCADE,
        related_name="appeal",
        verbose_name=_("tiêu chí"),
    )
    kind = models.CharField(
        _("loại"), max_length=20, choices=Kind.choices, default=Kind.EXPLANATION
    )
    text = models.TextField(_("nội dung giải trình, kiến nghị"))
    outcome = models.CharField(
        _("kết quả"), max_length=20, choices=Outcome.choices, default=Outcome.PENDING
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("người ghi"),
    )
    updated_at = models.DateTimeField(_("cập nhật lúc"), auto_now=True)

    class Meta:
        verbose_name = _("giải trình, kiến nghị")
        verbose_name_plural = _("giải trình, kiến nghị")

    def __str__(self) -> str:
        return f"{self.criterion_id}: {self.get_outcome_display()}"
