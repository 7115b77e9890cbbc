"""Reminders: each unit head's digest of their unit's parts due within
``REMINDER_DAYS`` or overdue, and the office's PAR calendar deadlines, by e-mail
once a day (``send_reminders``)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMessage, get_connection
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import formats
from django.utils.translation import gettext as _

from criteria.models import Plan
from parplan.roles import GROUP_NAMES, Role
from reports.models import ReminderLog
from tasks.models import REMINDER_DAYS, Membership, Status, TaskUnit

if TYPE_CHECKING:
    from django.contrib.auth.models import User


@dataclass(frozen=True)
class Deadline:
    """A date (``starts == ends``) or a window of the PAR calendar of one plan."""

    plan: Plan
    label: str
    starts: date
    ends: date


@dataclass
class Reminder:
    user: User
    kind: ReminderLog.Kind
    subject: str
    lines: list[str]


def _day(value: date) -> str:
    return formats.date_format(value, "d/m/Y")


def plan_deadlines(plan: Plan, *, today: date) -> list[Deadline]:
    """The plan's calendar dates still ahead within ``REMINDER_DAYS``, and the
    windows open today or opening within them."""
    entries = [
        (_("Hạn nộp bảng tự đánh giá"), plan.self_assessment_due, None),
        (_("Thời gian thẩm định"), plan.appraisal_starts, plan.appraisal_ends),
        (
            _("Thời gian giải trình, phúc khảo"),
            plan.explanation_starts,
            plan.explanation_ends,
        ),
    ]
    horizon = today + timedelta(days=REMINDER_DAYS)
    found = []
    for label, first, last in entries:
        starts = first or last
        ends = last or first
        if starts is None or ends is None:
            continue
        if ends >= today and starts <= horizon:
            found.append(Deadline(plan, str(label), starts, ends))
    return found


def _latest_plans() -> dict[int, Plan]:
    """Each organization's newest plan: the one reminders are about."""
    latest: dict[int, Plan] = {}
    for plan in Plan.objects.select_related("organization").order_by(
        "organization_id", "-year"
    ):
        latest.setdefault(plan.organization_id, plan)
    return latest


def _recipients(role: Role) -> list[User]:
    users = get_user_model().objects.filter(is_active=True).exclude(email="")
    chosen = Q(groups__name=GROUP_NAMES[role])
    if role == Role.OFFICE:
        chosen |= Q(is_superuser=True)
    return list(users.filter(chosen).distinct().order_by("pk"))


def _task_reminders(plans: dict[int, Plan], today: date) -> list[Reminder]:
    heads = _recipients(Role.UNIT_HEAD)
    units_of: dict[int, set[int]] = defaultdict(set)
    for user_id, unit_id in Membership.objects.filter(user__in=heads).values_list(
        "user_id", "unit_id"
    ):
        units_of[user_id].add(unit_id)
    parts = (
        TaskUnit.objects.filter(
            unit_id__in={u for units in units_of.values() for u in units},
            task__criterion__plan__in=list(plans.values()),
            task__due_date__lte=today + timedelta(days=REMINDER_DAYS),
        )
        .exclude(status=Status.DONE)
        .select_related("task__criterion", "unit")
        .order_by("task__due_date", "task__criterion__sort_key", "task__position")
    )
    parts_of: dict[int, list[TaskUnit]] = defaultdict(list)
    for part in parts:
        if part.needs_reminder(today):
            parts_of[part.unit_id].append(part)
    reminders = []
    for user in heads:
        mine = [p for unit in sorted(units_of[user.pk]) for p in parts_of[unit]]
        if not mine:
            continue
        mine.sort(key=lambda p: (p.task.due_date or today, p.task.criterion.sort_key))
        lines = [
            _("%(code)s – %(task)s (%(unit)s): hạn %(due)s%(late)s")
            % {
                "code": p.task.criterion.code,
                "task": p.task.text[:200],
                "unit": p.unit.name,
                "due": _day(p.task.due_date or today),
                "late": _(", đã quá hạn") if p.is_overdue(today) else "",
            }
            for p in mine
        ]
        subject = _("PAR Plan: %(n)s phần việc đến hạn hoặc quá hạn") % {"n": len(mine)}
        reminders.append(Reminder(user, ReminderLog.Kind.TASKS, subject, lines))
    return reminders


def _calendar_reminders(plans: dict[int, Plan], today: date) -> list[Reminder]:
    deadlines = [
        d for plan in plans.values() for d in plan_deadlines(plan, today=today)
    ]
    if not deadlines:
        return []
    lines = []
    for d in deadlines:
        when = (
            _day(d.starts)
            if d.starts == d.ends
            else _("từ %(start)s đến %(end)s")
            % {"start": _day(d.starts), "end": _day(d.ends)}
        )
        lines.append(f"{d.plan.organization} {d.plan.year}: {d.label} – {when}")
    subject = _("PAR Plan: lịch cải cách hành chính sắp tới")
    return [
        Reminder(user, ReminderLog.Kind.CALENDAR, subject, lines)
        for user in _recipients(Role.OFFICE)
    ]


def reminders_send(*, today: date) -> list[ReminderLog]:
    """Send today's reminders not sent yet; returns the logs of those sent now.

    The log row is written before the message goes out, in one transaction with
    it: a failed send leaves no log, and a second run the same day sends nothing.
    """
    plans = _latest_plans()
    sent = set(ReminderLog.objects.filter(day=today).values_list("user_id", "kind"))
    reminders = _task_reminders(plans, today) + _calendar_reminders(plans, today)
    logs = []
    connection = get_connection()
    for reminder in reminders:
        if (reminder.user.pk, reminder.kind) in sent:
            continue
        body = "\n".join(
            [_("Kính gửi %(name)s,") % {"name": reminder.user.get_full_name()}, ""]
            + [f"- {line}" for line in reminder.lines]
        )
        message = EmailMessage(
            reminder.subject,
            body,
            settings.DEFAULT_FROM_EMAIL,
            [reminder.user.email],
            connection=connection,
        )
        try:
            with transaction.atomic():
                log = ReminderLog.objects.create(
                    user=reminder.user,
                    kind=reminder.kind,
                    day=today,
                    items=len(reminder.lines),
                )
                message.send()
        except IntegrityError:
            continue  # another run sent it a moment ago
        logs.append(log)
    return logs
