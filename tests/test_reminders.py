"""Reminders: unit heads get their unit's parts due within 14 days or overdue, the
office gets the PAR calendar, each once a day; the page shows the same digest."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.contrib.auth.models import User
from django.core import mail
from django.core.management import CommandError, call_command

from criteria.models import Organization, Plan
from reports.models import ReminderLog
from tasks.models import Status, Task, TaskUnit, Unit
from tests.factories import plan_build
from tests.helpers import client_for

pytestmark = pytest.mark.django_db

TODAY = date(2023, 6, 1)


@pytest.fixture
def plan(organization: Organization, units: dict[str, Unit]) -> Plan:
    plan = plan_build(
        organization=organization, areas=1, criteria_per_area=2, subs_per_criterion=2
    )
    TaskUnit.objects.filter(task__criterion__plan=plan).delete()
    tasks = list(Task.objects.filter(criterion__plan=plan).order_by("pk"))
    due = {
        "Sắp đến hạn": (
            TODAY + timedelta(days=14),
            units["center"],
            Status.IN_PROGRESS,
        ),
        "Quá hạn": (TODAY - timedelta(days=3), units["center"], Status.NOT_STARTED),
        "Còn xa": (TODAY + timedelta(days=15), units["center"], Status.NOT_STARTED),
        "Đã xong": (TODAY + timedelta(days=2), units["center"], Status.DONE),
    }
    for task, (text, (when, unit, status)) in zip(tasks, due.items(), strict=True):
        task.text, task.due_date = text, when
        task.save()
        TaskUnit.objects.create(task=task, unit=unit, status=status)
    return plan


def _with_email(*users: User) -> None:
    for user in users:
        user.email = f"{user.username}@example.vn"
        user.save()


def test_a_unit_head_gets_the_parts_due_soon_or_overdue_once(
    plan: Plan, head_center: User, head_office: User
) -> None:
    _with_email(head_center, head_office)
    call_command("send_reminders", date=TODAY.isoformat())
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["head_center@example.vn"]
    assert "Sắp đến hạn" in message.body and "Quá hạn" in message.body
    assert "đã quá hạn" in message.body
    assert "Còn xa" not in message.body and "Đã xong" not in message.body
    assert "2 phần việc" in message.subject
    log = ReminderLog.objects.get()
    assert (log.user, log.kind, log.day, log.items) == (
        head_center,
        ReminderLog.Kind.TASKS,
        TODAY,
        2,
    )


def test_a_second_run_the_same_day_sends_nothing(plan: Plan, head_center: User) -> None:
    _with_email(head_center)
    call_command("send_reminders", date=TODAY.isoformat())
    call_command("send_reminders", date=TODAY.isoformat())
    assert len(mail.outbox) == 1
    call_command("send_reminders", date=(TODAY + timedelta(days=1)).isoformat())
    assert len(mail.outbox) == 2


def test_inactive_users_and_users_without_an_address_are_skipped(
    plan: Plan, head_center: User, units: dict[str, Unit]
) -> None:
    head_center.is_active = False
    _with_email(head_center)
    call_command("send_reminders", date=TODAY.isoformat())
    assert mail.outbox == []
    assert not ReminderLog.objects.exists()


def test_the_office_gets_the_par_calendar_deadlines(
    plan: Plan, office: User, head_center: User
) -> None:
    _with_email(office)
    plan.self_assessment_due = TODAY + timedelta(days=10)
    plan.appraisal_starts = TODAY - timedelta(days=1)
    plan.appraisal_ends = TODAY + timedelta(days=30)
    plan.explanation_starts = TODAY + timedelta(days=40)
    plan.save()
    call_command("send_reminders", date=TODAY.isoformat())
    assert [m.to for m in mail.outbox] == [["office@example.vn"]]
    body = mail.outbox[0].body
    assert "Hạn nộp bảng tự đánh giá – 11/06/2023" in body
    assert "Thời gian thẩm định – từ 31/05/2023 đến 01/07/2023" in body
    assert "giải trình" not in body
    assert ReminderLog.objects.get().kind == ReminderLog.Kind.CALENDAR


def test_the_office_gets_nothing_when_no_deadline_is_near(
    plan: Plan, office: User
) -> None:
    _with_email(office)
    plan.self_assessment_due = TODAY - timedelta(days=1)
    plan.save()
    call_command("send_reminders", date=TODAY.isoformat())
    assert mail.outbox == []


def test_a_bad_date_is_refused_by_name() -> None:
    with pytest.raises(CommandError, match="--date"):
        call_command("send_reminders", date="1/6/2023")


def test_the_unit_head_page_shows_the_same_digest(
    plan: Plan, head_center: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("django.utils.timezone.localdate", lambda: TODAY)
    body = client_for(head_center).get("/nhiem-vu/cua-don-vi/").content.decode()
    digest = body.split('id="reminders-title"')[1].split("</section>")[0]
    assert "Sắp đến hạn" in digest and "Quá hạn" in digest
    assert "Còn xa" not in digest and "Đã xong" not in digest


def test_the_office_sets_the_calendar_and_a_window_must_not_end_first(
    plan: Plan, office: User
) -> None:
    client = client_for(office)
    url = f"/ke-hoach/{plan.pk}/lich/"
    data = {
        "self_assessment_due": "2023-11-30",
        "appraisal_starts": "2023-12-10",
        "appraisal_ends": "2023-12-01",
        "explanation_starts": "",
        "explanation_ends": "",
        "review_criterion_code": "1.2.2",
        "reviews_required": "4",
    }
    response = client.post(url, data)
    assert response.status_code == 400
    assert "Ngày kết thúc phải từ ngày bắt đầu trở đi." in response.content.decode()
    plan.refresh_from_db()
    assert plan.self_assessment_due is None
    data["appraisal_ends"] = "2023-12-20"
    assert client.post(url, data).status_code == 302
    plan.refresh_from_db()
    assert plan.self_assessment_due == date(2023, 11, 30)
    assert plan.appraisal_ends == date(2023, 12, 20)


def test_only_the_office_sets_the_calendar(
    plan: Plan, director: User, head_center: User, outsider: User
) -> None:
    for user in (director, head_center, outsider):
        client = client_for(user)
        assert client.get(f"/ke-hoach/{plan.pk}/lich/").status_code == 403
        response = client.post(
            f"/ke-hoach/{plan.pk}/lich/", {"self_assessment_due": "2023-11-30"}
        )
        assert response.status_code == 403
    plan.refresh_from_db()
    assert plan.self_assessment_due is None
