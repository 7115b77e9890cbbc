from __future__ import annotations

import datetime
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from criteria.models import Plan
from parplan.templatetags.parplan import percent
from tasks.models import Evidence, ProgressUpdate, Task, TaskUnit, Unit
from tasks.part_rows import part_page_of, parts_ordered
from tasks.progress import progress_record
from tests.factories import plan_build
from tests.helpers import PDF_BYTES, client_for, part_of


def row_of(body: str, part: TaskUnit) -> str:
    """The HTML of a part's row on the unit head's page, with the line under it."""
    start = body.index(f'<tr id="part-{part.pk}"')
    ends = [
        i
        for i in (body.find('<tr id="part-', start + 1), body.find("</tbody>", start))
        if i > 0
    ]
    return body[start : min(ends)]


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
    # drawn as an inline SVG: a machine without an emoji font shows no empty box
    assert body.count('class="icon icon-late"') >= 2 and "⏰" not in body


def test_a_unit_head_updates_progress_and_the_task_follows_at_once(
    head_center: User, shared_task: Task, units: dict[str, Unit]
) -> None:
    client = client_for(head_center)
    part = part_of(shared_task, units["center"])
    response = post_progress(
        client, part, status="in_progress", percent="60", note="Đã trình dự thảo"
    )
    assert response.status_code == 302
    plan_id = shared_task.criterion.plan_id
    assert (
        response["Location"] == f"/nhiem-vu/cua-don-vi/?plan={plan_id}#part-{part.pk}"
    )
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
    page = client.get(response["Location"]).content.decode()
    assert "Đã cập nhật tiến độ: Trung tâm TTKT&amp; UDKHCN – 60%." in page
    row = row_of(page, part)
    assert "Đã lưu" in row and "Đã trình dự thảo" in row
    assert "Cả nhiệm vụ: 30%" in row
    # Shown once: a reload no longer says it was just saved.
    assert "Đã lưu" not in row_of(
        client.get(response["Location"]).content.decode(), part
    )
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


# Any whole percent, links as people type them ------------------------------------


def test_any_whole_percent_is_taken_and_the_form_allows_it(
    head_center: User, shared_task: Task, units: dict[str, Unit]
) -> None:
    client = client_for(head_center)
    part = part_of(shared_task, units["center"])
    form = client.get(
        f"/nhiem-vu/phan-viec/{part.pk}/cap-nhat/", headers={"HX-Request": "true"}
    ).content.decode()
    assert 'step="1"' in form and 'min="0"' in form and 'max="100"' in form
    assert 'type="url"' not in form
    response = post_progress(client, part, status="in_progress", percent="33")
    assert response.status_code == 302
    part.refresh_from_db()
    assert part.percent == 33


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("33.5", "Tiến độ (%) phải là một số nguyên từ 0 đến 100, ví dụ 33"),
        ("33,5", "Tiến độ (%) phải là một số nguyên từ 0 đến 100, ví dụ 33"),
        ("ba mươi", "Tiến độ (%) phải là một số nguyên từ 0 đến 100, ví dụ 33"),
        ("-1", "Tiến độ phải từ 0 đến 100%."),
        ("101", "Tiến độ phải từ 0 đến 100%."),
        ("", "Nhập tiến độ (%), một số nguyên từ 0 đến 100."),
    ],
)
def test_a_percent_that_is_not_a_whole_number_from_0_to_100_is_refused(
    head_center: User,
    shared_task: Task,
    units: dict[str, Unit],
    typed: str,
    message: str,
) -> None:
    part = part_of(shared_task, units["center"])
    response = post_progress(
        client_for(head_center), part, status="in_progress", percent=typed, note="x"
    )
    assert response.status_code == 400
    assert message in response.content.decode()
    part.refresh_from_db()
    assert (part.percent, part.note, part.version) == (0, "", 1)
    assert not ProgressUpdate.objects.exists()


def test_a_link_typed_without_a_scheme_is_kept_with_https_and_shown_at_the_row(
    head_center: User, shared_task: Task, units: dict[str, Unit]
) -> None:
    client = client_for(head_center)
    part = part_of(shared_task, units["center"])
    response = post_progress(
        client,
        part,
        status="in_progress",
        percent="40",
        note="Đã gửi dự thảo",
        evidence_link="vanban.daknong.gov.vn/abc",
    )
    assert response.status_code == 302
    evidence = Evidence.objects.get()
    assert evidence.link == "https://vanban.daknong.gov.vn/abc"
    assert evidence.progress_update.part == part
    row = row_of(client.get(response["Location"]).content.decode(), part)
    assert 'href="https://vanban.daknong.gov.vn/abc"' in row
    assert "Đã gửi dự thảo" in row


def test_a_link_that_is_no_address_is_refused_naming_the_field(
    head_center: User, shared_task: Task, units: dict[str, Unit]
) -> None:
    part = part_of(shared_task, units["center"])
    response = post_progress(
        client_for(head_center),
        part,
        status="in_progress",
        percent="40",
        evidence_link="công văn số 5",
    )
    assert response.status_code == 400
    assert "Đường dẫn tài liệu kiểm chứng không hợp lệ" in response.content.decode()
    part.refresh_from_db()
    assert part.percent == 0
    assert not Evidence.objects.exists() and not ProgressUpdate.objects.exists()


def test_evidence_with_a_file_and_a_link_shows_both(
    head_center: User, shared_task: Task, units: dict[str, Unit], media_root: Path
) -> None:
    client = client_for(head_center)
    part = part_of(shared_task, units["center"])
    response = client.post(
        f"/nhiem-vu/phan-viec/{part.pk}/cap-nhat/",
        {
            f"p{part.pk}-status": "in_progress",
            f"p{part.pk}-percent": "50",
            f"p{part.pk}-version": part.version,
            f"p{part.pk}-evidence_file": SimpleUploadedFile("bao-cao.pdf", PDF_BYTES),
            f"p{part.pk}-evidence_link": "https://example.org/bao-cao",
        },
    )
    assert response.status_code == 302
    evidence = Evidence.objects.get()
    row = row_of(client.get(response["Location"]).content.decode(), part)
    assert f"/ke-hoach/tai-lieu/{evidence.pk}/tep/" in row
    assert 'href="https://example.org/bao-cao"' in row
    assert "bao-cao.pdf" in row


# What the page says ----------------------------------------------------------------


def test_a_supporting_part_says_the_task_counts_only_the_lead_units(
    head_center: User, seed_plan: Plan, units: dict[str, Unit]
) -> None:
    task = Task.objects.filter(criterion__plan=seed_plan).exclude(
        parts__unit=units["center"]
    )[0]
    support = TaskUnit.objects.create(
        task=task, unit=units["center"], role="support", status="done", percent=100
    )
    body = client_for(head_center).get("/nhiem-vu/cua-don-vi/").content.decode()
    row = row_of(body, support)
    assert "Phối hợp" in row
    assert (
        "Tiến độ nhiệm vụ tính theo các đơn vị chủ trì; phần phối hợp không được tính."
        in row
    )
    # The whole task is its lead parts' mean: the supporting 100 % is not in it.
    assert f"Cả nhiệm vụ: {percent(task.progress)}%" in row
    assert task.progress < 100
    lead = TaskUnit.objects.filter(unit=units["center"], role="lead")[0]
    assert "phần phối hợp không được tính" not in row_of(body, lead)


def test_a_task_without_lead_units_shows_its_own_percent(
    head_center: User, seed_plan: Plan, units: dict[str, Unit]
) -> None:
    part = TaskUnit.objects.filter(unit=units["center"], role="lead")[0]
    task = part.task
    task.parts.exclude(pk=part.pk).delete()
    TaskUnit.objects.filter(pk=part.pk).update(role="support", percent=80)
    Task.objects.filter(pk=task.pk).update(percent=45)
    body = client_for(head_center).get("/nhiem-vu/cua-don-vi/").content.decode()
    assert "Cả nhiệm vụ: 45%" in row_of(body, part)


def test_a_stale_update_names_the_button_to_press(
    head_center: User, shared_task: Task, units: dict[str, Unit]
) -> None:
    part = part_of(shared_task, units["center"])
    progress_record(
        part=part, user=None, status="blocked", percent=5, note="", expected_version=1
    )
    response = post_progress(
        client_for(head_center), part, status="in_progress", percent="60", version=1
    )
    assert response.status_code == 409
    body = response.content.decode()
    assert "rồi bấm “Cập nhật” nếu vẫn muốn" in body
    assert "bấm Lưu" not in body


def test_the_page_has_no_form_until_a_row_is_opened(
    head_center: User, seed_plan: Plan, units: dict[str, Unit]
) -> None:
    client = client_for(head_center)
    body = client.get("/nhiem-vu/cua-don-vi/").content.decode()
    part = TaskUnit.objects.filter(unit=units["center"]).first()
    assert 'class="quick-update"' not in body
    url = f"/nhiem-vu/phan-viec/{part.pk}/cap-nhat/"
    # The link works without JavaScript; htmx loads the same URL into the row.
    assert f'href="{url}"' in row_of(body, part)
    assert f'hx-get="{url}" hx-target="#form-{part.pk}"' in row_of(body, part)
    fragment = client.get(url, headers={"HX-Request": "true"})
    assert fragment.status_code == 200
    text = fragment.content.decode()
    assert "<html" not in text and 'class="quick-update"' in text
    assert "autofocus" in text
    full = client.get(url).content.decode()
    assert "<html" in full and 'class="quick-update"' in full
    assert f'href="/nhiem-vu/cua-don-vi/?plan={seed_plan.pk}#part-{part.pk}"' in full


def test_another_units_part_cannot_be_opened_or_updated(
    head_office: User, shared_task: Task, units: dict[str, Unit]
) -> None:
    client = client_for(head_office)
    part = part_of(shared_task, units["center"])
    url = f"/nhiem-vu/phan-viec/{part.pk}/cap-nhat/"
    assert client.get(url, headers={"HX-Request": "true"}).status_code == 403
    assert post_progress(client, part, status="done", percent="100").status_code == 403
    part.refresh_from_db()
    assert (part.status, part.percent, part.version) == ("not_started", 0, 1)
    assert not ProgressUpdate.objects.exists()


# Grouped and paged -----------------------------------------------------------------


def _due(part: TaskUnit, days: int | None) -> None:
    due = None if days is None else timezone.localdate() + datetime.timedelta(days)
    Task.objects.filter(pk=part.task_id).update(due_date=due)


def test_parts_are_grouped_overdue_then_due_soon_then_later_then_done(
    head_center: User, seed_plan: Plan, units: dict[str, Unit]
) -> None:
    parts = list(TaskUnit.objects.filter(unit=units["center"]).order_by("pk"))
    assert len(parts) >= 4
    late, soon, later, done = parts[0], parts[1], parts[2], parts[3]
    for part in parts:
        _due(part, 60)
    _due(late, -2)
    _due(soon, 5)
    _due(later, None)
    TaskUnit.objects.filter(pk=done.pk).update(status="done", percent=100)
    _due(done, -30)  # done: never overdue
    body = client_for(head_center).get("/nhiem-vu/cua-don-vi/").content.decode()
    order = [body.index(f'<tr id="part-{p.pk}"') for p in (late, soon, later, done)]
    assert order == sorted(order)
    headings = [
        body.index(f'id="group-{key}"') for key in ("overdue", "soon", "later", "done")
    ]
    assert headings == sorted(headings)
    assert "Quá hạn (1)" in body and "Đến hạn trong 14 ngày tới (1)" in body
    assert body.index('id="group-soon"') < body.index(f'<tr id="part-{soon.pk}"')
    assert "1 phần việc đã quá hạn." in body


def test_a_long_list_is_paged_and_saving_returns_to_the_rows_page(
    head_center: User,
    organization: object,
    units: dict[str, Unit],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr("tasks.part_rows.PAGE_SIZE", 3)
    plan = plan_build(organization=organization, year=2030, areas=2)
    parts = list(
        TaskUnit.objects.filter(unit=units["center"], task__criterion__plan=plan)
    )
    assert len(parts) > 3
    client = client_for(head_center)
    first = client.get(f"/nhiem-vu/cua-don-vi/?plan={plan.pk}").content.decode()
    assert first.count('<tr id="part-') == 3
    assert "Trang 1/" in first and "page=2" in first
    second = client.get(f"/nhiem-vu/cua-don-vi/?plan={plan.pk}&page=2").content.decode()
    shown = [p for p in parts if f'<tr id="part-{p.pk}"' in second]
    assert shown and not any(f'<tr id="part-{p.pk}"' in first for p in shown)
    # A page number that is no page shows the nearest one, not an error.
    assert (
        client.get(f"/nhiem-vu/cua-don-vi/?plan={plan.pk}&page=abc").status_code == 200
    )
    last = client.get(f"/nhiem-vu/cua-don-vi/?plan={plan.pk}&page=999")
    assert last.status_code == 200 and "Trang sau" not in last.content.decode()
    part = shown[0]
    response = post_progress(client, part, status="in_progress", percent="10")
    assert response["Location"] == (
        f"/nhiem-vu/cua-don-vi/?plan={plan.pk}&page=2#part-{part.pk}"
    )
    landed = client.get(response["Location"]).content.decode()
    assert "Đã lưu" in row_of(landed, part)


def test_a_saved_part_is_found_on_the_page_that_lists_it(
    organization: object,
    units: dict[str, Unit],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr("tasks.part_rows.PAGE_SIZE", 1)  # a page is a place
    plan = plan_build(organization=organization, year=2030, areas=2)
    parts = list(
        TaskUnit.objects.filter(task__criterion__plan=plan).select_related(
            "task__criterion__plan"
        )
    )
    assert len(parts) > 9
    # every ordering key tied somewhere: due dates shared, missing, passed; done parts
    tasks = Task.objects.filter(criterion__plan=plan).order_by("pk")
    today = timezone.localdate()
    for index, task in enumerate(tasks):
        days = [None, -3, 5, 40, 5, 40, None][index % 7]
        due = None if days is None else today + datetime.timedelta(days)
        Task.objects.filter(pk=task.pk).update(due_date=due, position=1)
    for part in parts[::5]:
        TaskUnit.objects.filter(pk=part.pk).update(status="done", percent=100)
    unit_ids = [units["center"].pk, units["office"].pk]
    listed = list(
        parts_ordered(unit_ids=unit_ids, plan=plan, today=today).values_list(
            "pk", flat=True
        )
    )
    for part in parts:
        expected = listed.index(part.pk) + 1 if part.pk in listed else 1
        assert part_page_of(part=part, unit_ids=unit_ids, today=today) == expected


@pytest.mark.parametrize("page", [1, 2])
def test_the_unit_heads_page_runs_a_fixed_number_of_queries(
    head_center: User,
    organization: object,
    units: dict[str, Unit],
    django_assert_num_queries: object,
    monkeypatch: pytest.MonkeyPatch,
    page: int,
) -> None:
    monkeypatch.setattr("tasks.part_rows.PAGE_SIZE", 2)
    client = client_for(head_center)
    small = plan_build(organization=organization, year=2023, areas=1)
    big = plan_build(
        organization=organization,
        year=2024,
        areas=4,
        criteria_per_area=3,
        tasks_per_leaf=2,
    )
    counts = []
    for plan in (small, big):
        # session, user, groups, plan, memberships, the groups' counts, the page's
        # parts (with their tasks' progress), the units' names
        with django_assert_num_queries(8):
            response = client.get(f"/nhiem-vu/cua-don-vi/?plan={plan.pk}&page={page}")
        counts.append(response.content.decode().count('<tr id="part-'))
    assert counts == [2, 2]
    assert TaskUnit.objects.filter(task__criterion__plan=big).count() > 4 * 2


def test_the_evidence_shown_costs_one_query_at_two_sizes(
    head_center: User,
    organization: object,
    units: dict[str, Unit],
    django_assert_num_queries: object,
) -> None:
    client = client_for(head_center)
    for year, areas in ((2023, 1), (2024, 3)):
        plan = plan_build(organization=organization, year=year, areas=areas)
        for part in TaskUnit.objects.filter(
            task__criterion__plan=plan, unit=units["center"]
        ):
            post_progress(
                client,
                part,
                status="in_progress",
                percent="20",
                evidence_link=f"example.org/{part.pk}",
            )
        url = f"/nhiem-vu/cua-don-vi/?plan={plan.pk}"
        client.get(url)  # shows “Đã lưu” once, which writes the session
        # the 8 of the page without evidence, and the evidence of the rows shown
        with django_assert_num_queries(9):
            body = client.get(url).content.decode()
        assert (
            body.count('class="evidence-link"')
            == TaskUnit.objects.filter(
                task__criterion__plan=plan, unit=units["center"]
            ).count()
        )


@pytest.mark.parametrize("percent", [33.5, -1, 101])
def test_progress_record_refuses_a_percent_that_is_not_a_whole_0_to_100(
    head_center: User, shared_task: Task, units: dict[str, Unit], percent: object
) -> None:
    part = part_of(shared_task, units["center"])
    with pytest.raises(ValidationError) as refused:
        progress_record(
            part=part,
            user=head_center,
            status="in_progress",
            percent=percent,  # type: ignore[arg-type]  # what a careless caller passes
            note="",
            expected_version=1,
        )
    assert "percent" in refused.value.message_dict
    assert "Tiến độ" in refused.value.message_dict["percent"][0]
    part.refresh_from_db()
    assert (part.percent, part.version) == (0, 1)
    assert not ProgressUpdate.objects.exists()
