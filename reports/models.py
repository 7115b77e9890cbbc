from __future__ import annotations

import hashlib
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from criteria.models import Organization
from parplan.text import normalize_name


class PeerRank(models.Model):
    """One row of the province's published ranking of a year (e.g. QĐ 251/QĐ-UBND).

    Scores and indices keep the three decimals some decisions publish.
    """

    year = models.PositiveSmallIntegerField(_("năm"))
    name = models.CharField(_("tên đơn vị"), max_length=255)
    key = models.CharField(max_length=255, editable=False)
    score = models.DecimalField(
        _("điểm"), max_digits=8, decimal_places=3, null=True, blank=True
    )
    index = models.DecimalField(
        _("chỉ số (%)"), max_digits=7, decimal_places=3, null=True, blank=True
    )
    rank = models.PositiveSmallIntegerField(_("xếp hạng"), null=True, blank=True)
    rank_computed = models.BooleanField(
        _("thứ hạng do PAR Plan tính"),
        default=False,
        help_text=_(
            "Bảng không ghi thứ hạng: tính theo chỉ số, bằng nhau cùng hạng; không bao "
            "giờ là thứ tự phân định khi bằng điểm."
        ),
    )
    band = models.CharField(_("xếp loại"), max_length=50, blank=True)
    max_score = models.DecimalField(
        _("điểm tối đa"),
        max_digits=8,
        decimal_places=3,
        null=True,
        blank=True,
        help_text=_("Thang điểm của riêng đơn vị (ví dụ 96,5); để trống là 100."),
    )
    direct_score = models.DecimalField(
        _("điểm đánh giá trực tiếp"),
        max_digits=8,
        decimal_places=3,
        null=True,
        blank=True,
    )
    survey_score = models.DecimalField(
        _("điểm điều tra xã hội học"),
        max_digits=8,
        decimal_places=3,
        null=True,
        blank=True,
    )
    block = models.CharField(
        _("nhóm"),
        max_length=255,
        blank=True,
        help_text=_(
            "Khối của đơn vị trong bảng (ví dụ “I. Các sở, ban, ngành”); mỗi khối xếp "
            "hạng riêng."
        ),
    )
    organization = models.ForeignKey(
        Organization,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="peer_ranks",
        verbose_name=_("là cơ quan"),
        help_text=_("Dòng của chính cơ quan trong bảng xếp hạng."),
    )
    source = models.CharField(
        _("nguồn"),
        max_length=255,
        blank=True,
        help_text=_("Quyết định công bố, ví dụ 251/QĐ-UBND ngày 01/3/2023."),
    )
    position = models.PositiveIntegerField(_("thứ tự"), default=0)
    # Empty for the province's published table; a synthetic organization's own table
    # (demo.synthetic) names it, so synthetic peers never join a real table.
    table_of = models.ForeignKey(
        Organization,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        editable=False,
        related_name="own_peer_ranks",
    )

    class Meta:
        verbose_name = _("xếp hạng đơn vị")
        verbose_name_plural = _("bảng xếp hạng")
        ordering = ["year", "position", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["year", "key"],
                condition=models.Q(table_of__isnull=True),
                name="peerrank_unique_name",
            ),
            models.UniqueConstraint(
                fields=["table_of", "year", "key"],
                condition=models.Q(table_of__isnull=False),
                name="peerrank_unique_name_own_table",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.year} – {self.name}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.key = normalize_name(self.name)
        super().save(*args, **kwargs)


def table_stamp(rows: Iterable[PeerRank]) -> str:
    """A digest of a year's table as shown, so a stale edit form can be recognised."""
    digest = hashlib.sha256()
    for r in rows:
        values = (
            r.pk,
            r.name,
            r.score,
            r.index,
            r.rank,
            r.band,
            r.organization_id,
            r.max_score,
            r.block,
        )
        digest.update(repr((*values, r.position)).encode())
    return digest.hexdigest()


class ReminderLog(models.Model):
    """A reminder sent: to whom, of which kind, for which day. One per user, kind
    and day, so ``send_reminders`` run twice the same day sends nothing more."""

    class Kind(models.TextChoices):
        TASKS = "tasks", _("Nhiệm vụ đến hạn")
        CALENDAR = "calendar", _("Lịch cải cách hành chính")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("người nhận"),
    )
    kind = models.CharField(_("loại"), max_length=20, choices=Kind.choices)
    day = models.DateField(_("ngày"))
    items = models.PositiveIntegerField(_("số mục"))
    sent_at = models.DateTimeField(_("gửi lúc"), auto_now_add=True)

    class Meta:
        verbose_name = _("thư nhắc việc")
        verbose_name_plural = _("thư nhắc việc")
        ordering = ["-day", "user"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "kind", "day"], name="reminder_once_a_day"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} – {self.get_kind_display()} – {self.day}"


class CriterionCrosswalk(models.Model):
    """A criterion of the year before renamed or moved in a plan's new criteria set:
    ``old_code`` of ``plan.year - 1`` is ``new_code`` of ``plan``. Written when the
    plan is created from a new set (``reports.next_year``); read by the year-over-year
    comparison so the criterion compares across the years."""

    plan = models.ForeignKey(
        "criteria.Plan",
        on_delete=models.CASCADE,
        related_name="crosswalk",
        verbose_name=_("kế hoạch"),
    )
    old_code = models.CharField(_("mã năm trước"), max_length=30)
    new_code = models.CharField(_("mã năm nay"), max_length=30)

    class Meta:
        verbose_name = _("đối chiếu mã tiêu chí")
        verbose_name_plural = _("đối chiếu mã tiêu chí")
        ordering = ["plan", "old_code"]
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "old_code"], name="crosswalk_old_code_once"
            ),
            models.UniqueConstraint(
                fields=["plan", "new_code"], name="crosswalk_new_code_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.old_code} → {self.new_code}"
