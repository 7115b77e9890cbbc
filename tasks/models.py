from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from criteria.models import Criterion, Organization, Plan
from parplan.text import normalize_name
from tasks.accounts import PasswordChangeRequired as PasswordChangeRequired

ALL_UNITS_LABEL = "Các phòng, đơn vị trực thuộc"


class Status(models.TextChoices):
    NOT_STARTED = "not_started", _("Chưa thực hiện")
    IN_PROGRESS = "in_progress", _("Đang thực hiện")
    BLOCKED = "blocked", _("Gặp vướng mắc")
    DONE = "done", _("Hoàn thành")


def progress_of(own_percent: int, lead_parts: Sequence[TaskUnit]) -> Decimal:
    """A task's percent done, 0–100: the mean of its lead units' parts, or its own
    percent while it has no lead unit."""
    if not lead_parts:
        return Decimal(own_percent)
    return Decimal(sum(p.percent for p in lead_parts)) / len(lead_parts)


def status_of(own_status: str, lead_parts: Sequence[TaskUnit]) -> str:
    """A task's status from its lead units' parts (its own while it has none)."""
    if not lead_parts:
        return own_status
    statuses = {p.status for p in lead_parts}
    if statuses == {Status.DONE}:
        return Status.DONE
    if Status.BLOCKED in statuses:
        return Status.BLOCKED
    if statuses == {Status.NOT_STARTED} and not any(p.percent for p in lead_parts):
        return Status.NOT_STARTED
    return Status.IN_PROGRESS


def lead_label_of(all_units: bool, lead_parts: Sequence[TaskUnit]) -> str:
    """A task's lead units as the appendix writes them."""
    if all_units:
        return ALL_UNITS_LABEL
    return "; ".join(p.unit.name for p in lead_parts)


def is_past_due(due_date: date | None, status: str, today: date) -> bool:
    return bool(due_date and due_date < today and status != Status.DONE)


# A unit head is reminded of a task due within this many days, or overdue.
REMINDER_DAYS = 14


def needs_reminder(due_date: date | None, status: str, today: date) -> bool:
    if not due_date or status == Status.DONE:
        return False
    return (due_date - today).days <= REMINDER_DAYS


class Unit(models.Model):
    """A division or attached unit of the organization (phòng, đơn vị trực thuộc)."""

    organization = models.ForeignKey(
        Organization,
        on_delete=models.CASCADE,
        related_name="units",
        verbose_name=_("cơ quan"),
    )
    name = models.CharField(_("tên phòng, đơn vị"), max_length=255)
    key = models.CharField(max_length=255, editable=False)
    is_office = models.BooleanField(
        _("là Văn phòng Sở"),
        default=False,
        help_text=_("Đơn vị điều phối kế hoạch và bảng tự đánh giá."),
    )
    is_illustrative = models.BooleanField(
        _("dữ liệu minh họa"),
        default=False,
        help_text=_("Không có trong văn bản gốc; chỉ để trình diễn."),
    )
    position = models.PositiveIntegerField(_("thứ tự"), default=0)
    is_active = models.BooleanField(_("đang hoạt động"), default=True)

    class Meta:
        verbose_name = _("phòng, đơn vị")
        verbose_name_plural = _("phòng, đơn vị")
        ordering = ["organization", "position", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "key"], name="unit_name_unique"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.key = normalize_name(self.name)
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("tasks-unit", args=[self.pk])

    def clean(self) -> None:
        # The unique key is not a form field, so forms would not check it.
        self.key = normalize_name(self.name)
        twin = Unit.objects.filter(organization_id=self.organization_id, key=self.key)
        if twin.exclude(pk=self.pk).exists():
            message = _("Cơ quan đã có phòng, đơn vị “%(name)s”.")
            raise ValidationError({"name": message % {"name": self.name}})


class Membership(models.Model):
    """Ties a unit head (or any staff member) to the unit whose tasks they report."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="memberships",
        verbose_name=_("người dùng"),
    )
    unit = models.ForeignKey(
        Unit,
        on_delete=models.CASCADE,
        related_name="memberships",
        verbose_name=_("phòng, đơn vị"),
    )

    class Meta:
        verbose_name = _("thành viên đơn vị")
        verbose_name_plural = _("thành viên đơn vị")
        constraints = [
            models.UniqueConstraint(fields=["user", "unit"], name="membership_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.user} – {self.unit}"


class Task(models.Model):
    """Nhiệm vụ, giải pháp: a piece of work attached to one criterion.

    Its lead and supporting units are its parts (``TaskUnit``). Progress comes from
    the lead parts; a task with no lead unit is tracked on the task itself.
    """

    criterion = models.ForeignKey(
        Criterion,
        on_delete=models.CASCADE,
        related_name="tasks",
        verbose_name=_("tiêu chí"),
    )
    position = models.PositiveSmallIntegerField(_("thứ tự"), default=1)
    text = models.TextField(_("nhiệm vụ, giải pháp"))
    all_units = models.BooleanField(
        _("tất cả phòng, đơn vị chủ trì"),
        default=False,
        help_text=_("“%(label)s”: mọi phòng, đơn vị cùng chủ trì.")
        % {"label": ALL_UNITS_LABEL},
    )
    units: models.ManyToManyField[Unit, TaskUnit] = models.ManyToManyField(
        Unit, through="TaskUnit", related_name="tasks", verbose_name=_("đơn vị")
    )
    due_date = models.DateField(_("hạn hoàn thành"), null=True, blank=True)
    due_text = models.CharField(
        _("thời hạn (không là một ngày)"),
        max_length=255,
        blank=True,
        help_text=_(
            "Thời hạn như văn bản ghi khi không là một ngày, ví dụ “Thường xuyên”."
        ),
    )
    output = models.TextField(_("sản phẩm, kết quả đầu ra"), blank=True)
    status = models.CharField(
        _("trạng thái"),
        max_length=20,
        choices=Status.choices,
        default=Status.NOT_STARTED,
        help_text=_("Chỉ dùng khi nhiệm vụ chưa giao đơn vị chủ trì."),
    )
    percent = models.PositiveSmallIntegerField(
        _("tiến độ (%)"), default=0, validators=[MaxValueValidator(100)]
    )
    version = models.PositiveIntegerField(default=1, editable=False)
    updated_at = models.DateTimeField(_("cập nhật lúc"), auto_now=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("nhiệm vụ")
        verbose_name_plural = _("nhiệm vụ")
        ordering = ["criterion__plan", "criterion__sort_key", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["criterion", "position"], name="task_position_unique"
            ),
            models.CheckConstraint(
                condition=Q(percent__lte=100), name="task_percent_max_100"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.criterion.code} – {self.text[:80]}"

    def get_absolute_url(self) -> str:
        return reverse("tasks-detail", args=[self.pk])

    def lead_parts(self) -> list[TaskUnit]:
        """Lead parts (from the prefetched parts when there are some)."""
        return [p for p in self.parts.all() if p.role == TaskUnit.Role.LEAD]

    def lead_label(self) -> str:
        """The lead units as the appendix writes them."""
        return lead_label_of(self.all_units, self.lead_parts())

    @property
    def progress(self) -> Decimal:
        """Percent done, 0–100: the mean of the lead units' parts."""
        return progress_of(self.percent, self.lead_parts())

    @property
    def overall_status(self) -> str:
        return status_of(self.status, self.lead_parts())

    def is_overdue(self, today: date | None = None) -> bool:
        return is_past_due(
            self.due_date, self.overall_status, today or timezone.localdate()
        )


class TaskUnit(models.Model):
    """One unit's part of a task: lead (chủ trì) or supporting (phối hợp)."""

    class Role(models.TextChoices):
        LEAD = "lead", _("Chủ trì")
        SUPPORT = "support", _("Phối hợp")

    task = models.ForeignKey(
        Task, on_delete=models.CASCADE, related_name="parts", verbose_name=_("nhiệm vụ")
    )
    unit = models.ForeignKey(
        Unit,
        on_delete=models.PROTECT,
        related_name="parts",
        verbose_name=_("phòng, đơn vị"),
    )
    role = models.CharField(
        _("vai trò"), max_length=10, choices=Role.choices, default=Role.LEAD
    )
    status = models.CharField(
        _("trạng thái"),
        max_length=20,
        choices=Status.choices,
        default=Status.NOT_STARTED,
    )
    percent = models.PositiveSmallIntegerField(
        _("tiến độ (%)"), default=0, validators=[MaxValueValidator(100)]
    )
    note = models.TextField(_("ghi chú"), blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)
    updated_at = models.DateTimeField(_("cập nhật lúc"), auto_now=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("phần việc của đơn vị")
        verbose_name_plural = _("phần việc của đơn vị")
        ordering = ["task", "role", "unit__position", "unit__name"]
        constraints = [
            models.UniqueConstraint(fields=["task", "unit"], name="taskunit_unique"),
            models.CheckConstraint(
                condition=Q(percent__lte=100), name="taskunit_percent_max_100"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.unit} – {self.task}"

    def is_overdue(self, today: date | None = None) -> bool:
        """This unit's part is past the task's due date and not done."""
        return is_past_due(
            self.task.due_date, self.status, today or timezone.localdate()
        )

    def needs_reminder(self, today: date) -> bool:
        """Due within ``REMINDER_DAYS`` or overdue, and this unit's part not done."""
        return needs_reminder(self.task.due_date, self.status, today)

    def has_reports(self) -> bool:
        """The unit has reported on it: removing it would lose that history."""
        return bool(
            self.percent or self.status != Status.NOT_STARTED or self.updates.exists()
        )


class ProgressUpdate(models.Model):
    """An entry of a part's progress history: who reported what, and when."""

    part = models.ForeignKey(
        TaskUnit,
        on_delete=models.CASCADE,
        related_name="updates",
        verbose_name=_("phần việc"),
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="progress_updates",
        verbose_name=_("người cập nhật"),
    )
    created_at = models.DateTimeField(
        _("thời điểm"), default=timezone.now, db_index=True
    )
    old_status = models.CharField(max_length=20, choices=Status.choices, blank=True)
    status = models.CharField(_("trạng thái"), max_length=20, choices=Status.choices)
    old_percent = models.PositiveSmallIntegerField(null=True, blank=True)
    percent = models.PositiveSmallIntegerField(
        _("tiến độ (%)"), validators=[MaxValueValidator(100)]
    )
    note = models.TextField(_("ghi chú"), blank=True)

    class Meta:
        verbose_name = _("báo cáo tiến độ")
        verbose_name_plural = _("báo cáo tiến độ")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.part} – {self.percent}%"


# A file system takes at most 255 bytes per name, and storage may add a suffix to a
# name already taken: keep the stem well under it (Vietnamese letters are 2–3 bytes).
EVIDENCE_STEM_BYTES = 150


def evidence_upload_to(instance: Evidence, filename: str) -> str:
    stem, dot, extension = filename.rpartition(".")
    if not dot or len(extension) > 10:
        stem, dot, extension = filename, "", ""
    while len(stem.encode("utf-8")) > EVIDENCE_STEM_BYTES:
        stem = stem[:-1]
    return f"evidence/{instance.plan_id}/{stem}{dot}{extension}"


class Evidence(models.Model):
    """Tài liệu kiểm chứng: a document that proves a score or a piece of progress."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="evidence")
    criterion = models.ForeignKey(
        Criterion,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="evidence",
        verbose_name=_("tiêu chí"),
    )
    progress_update = models.ForeignKey(
        ProgressUpdate,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="evidence",
        verbose_name=_("báo cáo tiến độ"),
    )
    number = models.CharField(_("số, ký hiệu"), max_length=100, blank=True)
    issued_on = models.DateField(_("ngày ban hành"), null=True, blank=True)
    issuer = models.CharField(_("cơ quan ban hành"), max_length=255, blank=True)
    summary = models.TextField(_("trích yếu"), blank=True)
    location = models.CharField(_("mục, trang"), max_length=100, blank=True)
    file = models.FileField(
        _("tệp"), upload_to=evidence_upload_to, blank=True, max_length=300
    )
    original_name = models.CharField(
        _("tên tệp gốc"),
        max_length=255,
        blank=True,
        help_text=_("Tên tệp như người tải lên đặt, không có hậu tố của nơi lưu."),
    )
    link = models.URLField(_("đường dẫn"), blank=True, max_length=500)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("người tải lên"),
    )
    created_at = models.DateTimeField(_("tạo lúc"), auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("tài liệu kiểm chứng")
        verbose_name_plural = _("tài liệu kiểm chứng")
        ordering = ["issued_on", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(criterion__isnull=False) | Q(progress_update__isnull=False),
                name="evidence_belongs_somewhere",
            )
        ]

    def __str__(self) -> str:
        parts = [self.number, self.summary]
        return " – ".join(p for p in parts if p) or (self.file.name or self.link)

    @property
    def file_label(self) -> str:
        """The file's name as uploaded (the stored one may carry a random suffix)."""
        if not self.file:
            return ""
        return self.original_name or self.file.name.rsplit("/", 1)[-1]

    def clean(self) -> None:
        if not (self.number or self.summary or self.file or self.link):
            raise ValidationError(
                _(
                    "Tài liệu kiểm chứng cần ít nhất số, ký hiệu, trích yếu, tệp hoặc đường dẫn."
                )
            )


class QuarterlyReviewQuerySet(models.QuerySet["QuarterlyReview"]):
    def evidence_for(self, criterion: Criterion) -> QuarterlyReviewQuerySet:
        """Reviews a criterion page lists: every review of the plan for the
        criterion that asks for them (``Plan.review_criterion_code``), else the
        reviews that discussed the criterion."""
        plan = criterion.plan
        if plan.review_criterion_code and criterion.code == plan.review_criterion_code:
            return self.filter(plan=plan)
        return self.filter(criteria=criterion)


class QuarterlyReview(models.Model):
    """Giao ban quý: a quarterly review meeting and its written conclusions."""

    class Quarter(models.IntegerChoices):
        Q1 = 1, _("Quý I")
        Q2 = 2, _("Quý II")
        Q3 = 3, _("Quý III")
        Q4 = 4, _("Quý IV")

    plan = models.ForeignKey(
        Plan,
        on_delete=models.CASCADE,
        related_name="quarterly_reviews",
        verbose_name=_("kế hoạch"),
    )
    held_on = models.DateField(_("ngày giao ban"))
    quarter = models.PositiveSmallIntegerField(_("quý"), choices=Quarter.choices)
    notice_number = models.CharField(
        _("số, ký hiệu thông báo kết luận"), max_length=100, blank=True
    )
    conclusions = models.TextField(_("kết luận, quyết định"))
    criteria = models.ManyToManyField(
        Criterion,
        blank=True,
        related_name="quarterly_reviews",
        verbose_name=_("tiêu chí được bàn"),
    )
    tasks = models.ManyToManyField(
        Task,
        blank=True,
        related_name="quarterly_reviews",
        verbose_name=_("nhiệm vụ được bàn"),
    )
    updated_at = models.DateTimeField(_("cập nhật lúc"), auto_now=True)

    history = HistoricalRecords()
    objects = QuarterlyReviewQuerySet.as_manager()

    class Meta:
        verbose_name = _("cuộc giao ban quý")
        verbose_name_plural = _("cuộc giao ban quý")
        ordering = ["plan", "held_on", "pk"]

    def __str__(self) -> str:
        label = self.get_quarter_display()
        return f"{label} – {self.notice_number}" if self.notice_number else label

    def get_absolute_url(self) -> str:
        return reverse("tasks-review-edit", args=[self.pk])
