"""The task pages (tasks/views.py): the task list and its filters, a unit's page, a
task's page, and creating, editing and deleting a task with its lead and supporting
units."""

from __future__ import annotations

import datetime
import html
import re

import pytest
from django.contrib.auth.models import User
from django.utils import timezone

from criteria.models import Criterion, Organization, Plan
from tasks.models import Status, Task, TaskUnit, Unit
from tasks.progress import progress_record
from tests.factories import plan_build
from tests.helpers import client_for


def test_the_task_list_shows_every_task_with_units_and_progress(
    office: User, seed_plan: Plan
) -> None:
    response = client_for(office).get("/nhiem-vu/")
    body = response.content.decode()
    assert response.status_code == 200
    for task in Task.objects.filter(criterion__plan=seed_plan):
        assert f'href="/nhiem-vu/{task.pk}/"' in body
    assert "Văn phòng Sở; Trung tâm TTKT&amp; UDKHCN" in body
    assert "Thêm nhiệm vụ" in body


def test_the_task_list_filters_by_unit_status_and_overdue(
    office: User, seed_plan: Plan, units: dict[str, Unit]
) -> None:
    client = client_for(office)
    center_tasks = set(
        Task.objects.filter(parts__unit=units["center"]).values_list("pk", flat=True)
    )
    other = Task.objects.exclude(pk__in=center_tasks).first()
    body = client.get(f"/nhiem-vu/?unit={units['center'].pk}").content.decode()
    for pk in center_tasks:
        assert f'href="/nhiem-vu/{pk}/"' in body
    assert f'href="/nhiem-vu/{other.pk}/"' not in body

    late = Task.objects.filter(criterion__plan=seed_plan).first()
    Task.objects.filter(pk=late.pk).update(
        due_date=timezone.localdate() - datetime.timedelta(days=1)
    )
    body = client.get("/nhiem-vu/?overdue=on").content.decode()
    assert f'href="/nhiem-vu/{late.pk}/"' in body
    assert "1 nhiệm vụ" in body

    TaskUnit.objects.filter(task=late).update(status="blocked", percent=10)
    body = client.get("/nhiem-vu/?status=blocked").content.decode()
    assert f'href="/nhiem-vu/{late.pk}/"' in body
    assert "1 nhiệm vụ" in body


def test_a_units_page_lists_that_units_tasks(
    viewer: User, seed_plan: Plan, units: dict[str, Unit]
) -> None:
    response = client_for(viewer).get(units["center"].get_absolute_url())
    body = response.content.decode()
    assert "Nhiệm vụ của Trung tâm TTKT&amp; UDKHCN" in body
    for task in Task.objects.filter(parts__unit=units["center"]):
        assert f'href="/nhiem-vu/{task.pk}/"' in body


def test_the_office_creates_a_task_with_lead_and_supporting_units(
    office: User, seed_plan: Plan, units: dict[str, Unit]
) -> None:
    criterion = Criterion.objects.get(plan=seed_plan, code="1.2.2")
    before = criterion.tasks.count()
    response = client_for(office).post(
        f"/nhiem-vu/moi/?criterion={criterion.pk}",
        {
            "criterion": criterion.pk,
            "text": "Tổ chức giao ban quý và ban hành thông báo kết luận",
            "due_date": "2023-12-15",
            "lead_units": [units["office"].pk],
            "support_units": [units["center"].pk],
        },
    )
    assert response.status_code == 302
    task = Task.objects.get(text__startswith="Tổ chức giao ban quý")
    assert response["Location"] == task.get_absolute_url()
    assert criterion.tasks.count() == before + 1
    assert task.position == before + 1
    assert str(task.due_date) == "2023-12-15"
    roles = {p.unit.name: p.role for p in task.parts.select_related("unit")}
    assert roles == {"Văn phòng Sở": "lead", "Trung tâm TTKT& UDKHCN": "support"}


def test_a_unit_cannot_both_lead_and_support(
    office: User, seed_plan: Plan, units: dict[str, Unit]
) -> None:
    criterion = Criterion.objects.get(plan=seed_plan, code="1.2.2")
    response = client_for(office).post(
        f"/nhiem-vu/moi/?criterion={criterion.pk}",
        {
            "criterion": criterion.pk,
            "text": "Nhiệm vụ",
            "lead_units": [units["office"].pk],
            "support_units": [units["office"].pk],
        },
    )
    assert response.status_code == 400
    assert "vừa chủ trì vừa phối hợp: Văn phòng Sở" in response.content.decode()
    assert not Task.objects.filter(text="Nhiệm vụ").exists()


def test_all_units_makes_every_unit_a_lead(
    office: User, shared_task: Task, units: dict[str, Unit]
) -> None:
    response = client_for(office).post(
        f"/nhiem-vu/{shared_task.pk}/sua/",
        {
            "criterion": shared_task.criterion_id,
            "text": shared_task.text,
            "all_units": "on",
            "version": shared_task.version,
        },
    )
    assert response.status_code == 302
    shared_task.refresh_from_db()
    assert shared_task.all_units
    assert shared_task.lead_label() == "Các phòng, đơn vị trực thuộc"
    assert shared_task.parts.filter(role="lead").count() == Unit.objects.count()


def test_removing_a_unit_from_a_task_removes_its_part(
    office: User, shared_task: Task, units: dict[str, Unit]
) -> None:
    client_for(office).post(
        f"/nhiem-vu/{shared_task.pk}/sua/",
        {
            "criterion": shared_task.criterion_id,
            "text": shared_task.text,
            "lead_units": [units["office"].pk],
            "version": shared_task.version,
        },
    )
    assert list(shared_task.parts.values_list("unit__name", flat=True)) == [
        "Văn phòng Sở"
    ]
    shared_task.refresh_from_db()
    assert shared_task.version == 2


def test_the_office_deletes_a_task_after_confirming(
    office: User, shared_task: Task
) -> None:
    client = client_for(office)
    confirm = client.get(f"/nhiem-vu/{shared_task.pk}/xoa/")
    assert "Xóa nhiệm vụ?" in confirm.content.decode()
    assert Task.objects.filter(pk=shared_task.pk).exists()
    response = client.post(f"/nhiem-vu/{shared_task.pk}/xoa/")
    assert response["Location"] == shared_task.criterion.get_absolute_url()
    assert not Task.objects.filter(pk=shared_task.pk).exists()


def test_an_office_user_who_is_not_a_superuser_does_the_whole_job(
    office: User, seed_plan: Plan
) -> None:
    assert not office.is_superuser
    client = client_for(office)
    for url in ["/nhiem-vu/", "/nhiem-vu/moi/", "/nhiem-vu/nguoi-dung/"]:
        assert client.get(url).status_code == 200


def test_the_pages_switch_to_english(
    office: User, shared_task: Task, settings: object
) -> None:
    client = client_for(office)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    body = client.get(shared_task.get_absolute_url()).content.decode()
    assert "Edit task" in body
    assert "History of changes" in body
    assert "Sửa nhiệm vụ" not in body


def test_a_task_without_a_lead_unit_is_tracked_on_the_task_itself(
    office: User, seed_plan: Plan
) -> None:
    task = Task.objects.get(criterion__plan=seed_plan, criterion__code="4.3")
    assert not task.parts.exists()
    response = client_for(office).post(
        f"/nhiem-vu/{task.pk}/sua/",
        {
            "criterion": task.criterion_id,
            "text": task.text,
            "status": "in_progress",
            "percent": "40",
            "version": task.version,
        },
    )
    assert response.status_code == 302
    task.refresh_from_db()
    assert (task.status, task.percent, task.progress) == ("in_progress", 40, 40)


def test_a_unit_that_reported_progress_cannot_be_removed_from_its_task(
    office: User, head_center: User, shared_task: Task, units: dict[str, Unit]
) -> None:
    part = shared_task.parts.get(unit=units["center"])
    progress_record(
        part=part,
        user=head_center,
        status="in_progress",
        percent=30,
        note="",
        expected_version=part.version,
    )
    shared_task.refresh_from_db()
    response = client_for(office).post(
        f"/nhiem-vu/{shared_task.pk}/sua/",
        {
            "criterion": shared_task.criterion_id,
            "text": shared_task.text,
            "lead_units": [units["office"].pk],
            "version": shared_task.version,
        },
    )
    assert response.status_code == 400
    assert (
        "Không thể bỏ Trung tâm TTKT&amp; UDKHCN khỏi nhiệm vụ"
        in response.content.decode()
    )
    assert shared_task.parts.count() == 2
    assert part.updates.count() == 1


# Query counts: fixed whatever the size of the plan -----------------------------------


def test_the_task_list_runs_a_fixed_number_of_queries(
    office: User,
    organization: object,
    units: dict[str, Unit],
    django_assert_num_queries: object,
) -> None:
    client = client_for(office)
    small = plan_build(organization=organization, year=2023, areas=1)
    # session, user, groups, plan, tasks, their parts with units, units for the filter
    with django_assert_num_queries(7):
        small_body = client.get(f"/nhiem-vu/?plan={small.pk}").content.decode()
    big = plan_build(
        organization=organization,
        year=2024,
        areas=5,
        criteria_per_area=3,
        tasks_per_leaf=2,
    )
    with django_assert_num_queries(7):
        big_body = client.get(f"/nhiem-vu/?plan={big.pk}").content.decode()
    assert big_body.count('href="/nhiem-vu/') > small_body.count('href="/nhiem-vu/')


# Filters the dashboard's figures link to; bad values; reasons --------------------


def _listed(body: str) -> set[int]:
    return {int(pk) for pk in re.findall(r'class="task-row" data-task="(\d+)"', body)}


def test_the_task_list_filters_by_state_as_the_dashboard_counts(
    director: User, seed_plan: Plan
) -> None:
    today = timezone.localdate()
    tasks = list(Task.objects.filter(criterion__plan=seed_plan).order_by("pk"))
    blocked, late, soon, later, done_late = tasks[:5]
    TaskUnit.objects.filter(task=blocked).update(status=Status.BLOCKED)
    Task.objects.filter(pk=late.pk).update(due_date=today - datetime.timedelta(days=1))
    Task.objects.filter(pk=soon.pk).update(due_date=today + datetime.timedelta(days=14))
    Task.objects.filter(pk=later.pk).update(
        due_date=today + datetime.timedelta(days=15)
    )
    Task.objects.filter(pk=done_late.pk).update(
        due_date=today - datetime.timedelta(days=9)
    )
    TaskUnit.objects.filter(task=done_late).update(status=Status.DONE, percent=100)
    client = client_for(director)

    def listed(state: str) -> set[int]:
        return _listed(client.get("/nhiem-vu/", {"state": state}).content.decode())

    assert listed("blocked") == {blocked.pk}
    assert listed("late") == {late.pk}
    assert listed("due_soon") == {soon.pk}
    assert listed("at_risk") == {blocked.pk, late.pk, soon.pk}
    assert listed("open") == {t.pk for t in tasks} - {done_late.pk}


def test_the_task_list_filters_by_criterion_with_its_sub_criteria(
    director: User, seed_plan: Plan
) -> None:
    area = seed_plan.criteria.get(code="4")
    body = client_for(director).get("/nhiem-vu/", {"criterion": area.pk}).content
    expected = set(
        Task.objects.filter(criterion__code__startswith="4.").values_list(
            "pk", flat=True
        )
    )
    assert expected and _listed(body.decode()) == expected
    assert "Chỉ nhiệm vụ của tiêu chí 4" in body.decode()
    assert f'href="/ke-hoach/tieu-chi/{area.pk}/"' in body.decode()


@pytest.mark.parametrize(
    ("query", "label", "value"),
    [
        ("unit=abc", "Đơn vị", "abc"),
        ("state=xyz", "Tình hình", "xyz"),
        ("status=xyz", "Trạng thái", "xyz"),
        ("criterion=999999", "Tiêu chí", "999999"),
    ],
)
def test_a_bad_filter_value_is_ignored_with_a_notice(
    director: User, seed_plan: Plan, query: str, label: str, value: str
) -> None:
    response = client_for(director).get(f"/nhiem-vu/?{query}")
    body = response.content.decode()
    assert response.status_code == 200
    assert (
        f"Bộ lọc “{label}” không có giá trị “{value}”, nên đã bỏ qua bộ lọc này."
        in html.unescape(body)
    )
    # every task is still listed
    assert len(_listed(body)) == Task.objects.filter(criterion__plan=seed_plan).count()


def test_a_unit_of_another_organization_is_a_bad_filter_value(
    director: User, seed_plan: Plan
) -> None:
    other = Organization.objects.create(name="Sở khác", short_name="SK")
    foreign = Unit.objects.create(organization=other, name="Phòng của sở khác")
    body = client_for(director).get(f"/nhiem-vu/?unit={foreign.pk}").content.decode()
    assert "Bộ lọc “Đơn vị” không có giá trị" in html.unescape(body)
    assert "Phòng của sở khác" not in body


def test_the_tree_ignores_a_bad_status_with_a_notice_instead_of_a_404(
    director: User, seed_plan: Plan
) -> None:
    response = client_for(director).get("/ke-hoach/?status=xyz&unit=abc&due=never")
    assert response.status_code == 200
    body = html.unescape(response.content.decode())
    assert "Bộ lọc “Trạng thái” không có giá trị “xyz”" in body
    assert "Bộ lọc “Đơn vị” không có giá trị “abc”" in body
    assert "Bộ lọc “Hạn” không có giá trị “never”" in body


def test_a_blocked_or_late_task_shows_its_units_last_notes_where_it_is_listed(
    director: User, seed_plan: Plan, units: dict[str, Unit]
) -> None:
    blocked = Task.objects.get(criterion__code="1.1.1")
    part = blocked.parts.filter(role="lead").first()
    TaskUnit.objects.filter(pk=part.pk).update(
        status=Status.BLOCKED,
        note="Phần mềm quản lý văn bản lỗi, chờ Sở TT&TT khắc phục.",
    )
    late = Task.objects.get(criterion__code="2.1.1")
    Task.objects.filter(pk=late.pk).update(
        due_date=timezone.localdate() - datetime.timedelta(days=2)
    )
    quiet = Task.objects.get(criterion__code="3.1.1")
    TaskUnit.objects.filter(task=quiet).update(note="Ghi chú của việc đang chạy.")
    client = client_for(director)
    today = timezone.localdate().strftime("%d/%m/%Y")
    note = f'{part.unit.name}</span> <span class="muted">({today})</span>: '
    note += "Phần mềm quản lý văn bản lỗi, chờ Sở TT&amp;TT khắc phục."
    for page in ("/nhiem-vu/", f"/nhiem-vu/{blocked.pk}/", "/bao-cao/"):
        body = client.get(page).content.decode()
        assert note in body, page
        assert "Ghi chú của việc đang chạy." not in body.split("Báo cáo tiến độ")[0]
    # a late task with no note says the unit has not written why
    assert (
        "Đơn vị chưa ghi lý do." in client.get(f"/nhiem-vu/{late.pk}/").content.decode()
    )
    body = client.get("/nhiem-vu/?state=late").content.decode()
    assert "Đơn vị chưa ghi lý do." in body
    assert 'class="icon icon-late"' in body and "⏰" not in body


def test_the_filtered_task_list_runs_a_fixed_number_of_queries(
    director: User,
    organization: Organization,
    units: dict[str, Unit],
    django_assert_num_queries: object,
) -> None:
    client = client_for(director)
    for year, size in ((2023, {"areas": 1}), (2024, {"areas": 5, "tasks_per_leaf": 2})):
        plan = plan_build(organization=organization, year=year, **size)
        area = plan.criteria.get(code="1")
        query = (
            f"/nhiem-vu/?plan={plan.pk}&state=open"
            f"&unit={units['office'].pk}&criterion={area.pk}"
        )
        # session, user, groups, plan, tasks, their parts with units, units for the
        # filter; the unit and the criterion asked for
        with django_assert_num_queries(9):
            assert client.get(query).status_code == 200
