from __future__ import annotations

import datetime

from django.contrib.auth.models import User
from django.utils import timezone

from criteria.models import Plan
from tasks.models import ProgressUpdate, Task, TaskUnit, Unit
from tasks.progress import progress_record
from tests.factories import plan_build
from tests.helpers import client_for, part_of


def post_progress(client: object, part: TaskUnit, **fields: object) -> object:
    data = {f"p{part.pk}-{k}": v for k, v in fields.items()}
    data.setdefault(f"p{part.pk}-version", part.version)
    return client.post(f"/nhiem-vu/phan-viec/{part.pk}/cap-nhat/", data)


def test_a_unit_head_lands_on_their_units_tasks(head_center: User) -> None:
    response = client_for(head_center).get("/")
    assert response.status_code == 302
    assert response["Location"] == "/nhiem-vu/cua-don-vi/"


def test_the_unit_heads_page_lists_only_their_units_parts(
    head_center: User, seed_plan: Plan, units: dict[str, Unit]
) -> None:
    response = client_for(head_center).get("/nhiem-vu/cua-don-vi/")
    body = response.content.decode()
    mine = TaskUnit.objects.filter(unit=units["center"])
    others = TaskUnit.objects.exclude(unit=units["center"])
    assert mine.exists()
    for part in mine:
        assert f'id="part-{part.pk}"' in body
        assert f"/nhiem-vu/phan-viec/{part.pk}/cap-nhat/" in body
    for part in others:
        assert f"/nhiem-vu/phan-viec/{part.pk}/cap-nhat/" not in body


def test_overdue_parts_come_first_and_are_marked(
    head_center: User, seed_plan: Plan, units: dict[str, Unit]
) -> None:
    parts = list(TaskUnit.objects.filter(unit=units["center"]).order_by("pk"))
    assert len(parts) >= 2
    late = parts[-1]
    Task.objects.filter(pk=late.task_id).update(
        due_date=timezone.localdate() - datetime.timedelta(days=3)
    )
    Task.objects.filter(pk=parts[0].task_id).update(
        due_date=timezone.localdate() + datetime.timedelta(days=30)
    )
    body = client_for(head_center).get("/nhiem-vu/cua-don-vi/").content.decode()
    assert body.index(f'id="part-{late.pk}"') < body.index(f'id="part-{parts[0].pk}"')
    assert "1 phần việc đã quá hạn." in body
    assert "Quá hạn" in body


def test_a_unit_head_updates_progress_and_the_task_follows_at_once(
    head_center: User, shared_task: Task, units: dict[str, Unit]
) -> None:
    client = client_for(head_center)
    part = part_of(shared_task, units["center"])
    response = post_progress(
        client, part, status="in_progress", percent="60", note="Đã trình dự thảo"
    )
    assert response.status_code == 302
    assert response["Location"] == "/nhiem-vu/cua-don-vi/"
    part.refresh_from_db()
    assert (part.status, part.percent, part.note) == (
        "in_progress",
        60,
        "Đã trình dự thảo",
    )
    assert part.version == 2
    update = ProgressUpdate.objects.get(part=part)
    assert (update.old_status, update.old_percent) == ("not_started", 0)
    assert (update.status, update.percent, update.author) == (
        "in_progress",
        60,
        head_center,
    )
    # Two lead units: 0 % and 60 % → the task is at 30 %.
    assert shared_task.progress == 30
    page = client.get("/nhiem-vu/cua-don-vi/").content.decode()
    assert "Đã cập nhật tiến độ: Trung tâm TTKT&amp; UDKHCN – 60%." in page
    detail = client.get(shared_task.get_absolute_url()).content.decode()
    assert "30%" in detail
    assert "Đã trình dự thảo" in detail
    criterion_page = client.get(shared_task.criterion.get_absolute_url())
    assert 'aria-valuenow="30.0"' in criterion_page.content.decode()


def test_done_means_100_percent_and_100_percent_means_done(
    head_center: User, shared_task: Task, units: dict[str, Unit]
) -> None:
    client = client_for(head_center)
    part = part_of(shared_task, units["center"])
    post_progress(client, part, status="done", percent="40")
    part.refresh_from_db()
    assert (part.status, part.percent) == ("done", 100)
    post_progress(client, part, status="in_progress", percent="100")
    part.refresh_from_db()
    assert (part.status, part.percent) == ("done", 100)


def test_a_percent_above_100_is_refused_with_a_message(
    head_center: User, shared_task: Task, units: dict[str, Unit]
) -> None:
    part = part_of(shared_task, units["center"])
    response = post_progress(
        client_for(head_center), part, status="in_progress", percent="140"
    )
    assert response.status_code == 400
    assert "Tiến độ phải từ 0 đến 100%." in response.content.decode()
    part.refresh_from_db()
    assert part.percent == 0
    assert not ProgressUpdate.objects.exists()


def test_the_office_may_update_any_units_part(
    office: User, shared_task: Task, units: dict[str, Unit]
) -> None:
    part = part_of(shared_task, units["center"])
    response = post_progress(client_for(office), part, status="blocked", percent="10")
    assert response.status_code == 302
    assert response["Location"] == shared_task.get_absolute_url()
    part.refresh_from_db()
    assert part.status == "blocked"


def test_progress_record_appends_to_the_history_with_old_and_new_values(
    head_center: User, shared_task: Task, units: dict[str, Unit]
) -> None:
    part = part_of(shared_task, units["center"])
    progress_record(
        part=part,
        user=head_center,
        status="in_progress",
        percent=30,
        note="",
        expected_version=1,
    )
    progress_record(
        part=part,
        user=head_center,
        status="in_progress",
        percent=70,
        note="Gần xong",
        expected_version=2,
    )
    updates = list(ProgressUpdate.objects.filter(part=part).order_by("pk"))
    assert [(u.old_percent, u.percent) for u in updates] == [(0, 30), (30, 70)]


def test_the_unit_heads_page_runs_a_fixed_number_of_queries(
    head_center: User,
    organization: object,
    units: dict[str, Unit],
    django_assert_num_queries: object,
) -> None:
    client = client_for(head_center)
    small = plan_build(organization=organization, year=2023, areas=1)
    # session, user, groups, memberships, plan, parts, their tasks' parts
    with django_assert_num_queries(7):
        response = client.get(f"/nhiem-vu/cua-don-vi/?plan={small.pk}")
    small_rows = response.content.decode().count('<tr id="part-')
    big = plan_build(
        organization=organization,
        year=2024,
        areas=4,
        criteria_per_area=3,
        tasks_per_leaf=2,
    )
    with django_assert_num_queries(7):
        response = client.get(f"/nhiem-vu/cua-don-vi/?plan={big.pk}")
    assert response.content.decode().count('<tr id="part-') > small_rows > 0
