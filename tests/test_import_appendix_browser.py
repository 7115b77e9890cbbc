from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from criteria.models import Criterion, Organization, Plan
from parplan.roles import Role
from parplan.scores import format_decimal
from parplan.uploads import SESSION_PREFIX, staging_dir
from reports.plan_workbook import plan_write
from tasks.models import Task
from tests.helpers import browser_login, client_for, make_user
from tests.workbooks import APPENDIX_HEADER, GOOD_ROWS, appendix_xlsx, database_state

IMPORT = "tasks-import"


@pytest.fixture(autouse=True)
def _staging_in_tmp(settings: object, tmp_path: Path) -> None:
    settings.IMPORT_STAGING_DIR = str(tmp_path / "staging")


def upload(
    client: Client, organization: Organization, data: bytes, name: str = "pl.xlsx"
) -> object:
    return client.post(
        reverse(IMPORT),
        {
            "organization": organization.pk,
            "year": 2023,
            "file": SimpleUploadedFile(name, data),
        },
    )


def token_of(client: Client) -> str:
    return client.session[SESSION_PREFIX + "appendix"]["token"]


def edited_seed(plan: Plan) -> bytes:
    """The seed's own workbook with one target lowered and one criterion added."""
    import openpyxl

    buffer = io.BytesIO()
    plan_write(plan=plan, output=buffer)
    buffer.seek(0)
    wb = openpyxl.load_workbook(buffer)
    ws = wb.active
    for row in ws.iter_rows(min_row=7):
        if row[0].value == "1.1.1":
            row[4].value = 1.5
    ws.append(["4.4", "Tiêu chí mới", 1, 0, 1, "Việc mới", "Văn phòng Sở"])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


# Rights -------------------------------------------------------------------------------


def test_office_staff_see_the_upload_form(office: User) -> None:
    response = client_for(office).get(reverse(IMPORT))
    assert response.status_code == 200
    assert 'type="file"' in response.content.decode()
    assert "Xem trước" in response.content.decode()


@pytest.mark.parametrize("who", ["viewer", "director", "head_office", "outsider"])
def test_only_office_staff_may_import(
    request: pytest.FixtureRequest, seed_plan: Plan, who: str
) -> None:
    client = client_for(request.getfixturevalue(who))
    before = database_state()
    assert client.get(reverse(IMPORT)).status_code == 403
    response = upload(client, seed_plan.organization, appendix_xlsx())
    assert response.status_code == 403
    assert client.post(reverse("tasks-import-confirm")).status_code == 403
    assert client.post(reverse("tasks-import-cancel")).status_code == 403
    assert database_state() == before


def test_a_visitor_who_is_not_signed_in_is_sent_to_sign_in() -> None:
    response = Client().get(reverse(IMPORT))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


# Preview, confirm, cancel -------------------------------------------------------------


def test_the_preview_shows_rows_to_create_update_and_leave_and_writes_nothing(
    seed_plan: Plan, office: User
) -> None:
    client = client_for(office)
    before = database_state()
    response = upload(client, seed_plan.organization, edited_seed(seed_plan))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Tiêu chí tạo mới: 1" in page
    assert "Tiêu chí cập nhật: 1" in page
    assert "Tiêu chí không đổi: 23" in page
    outcomes = {row.code: outcome for row, outcome, _c in response.context["preview"]}
    assert outcomes["4.4"] == "created"
    assert outcomes["1.1.1"] == "updated"
    assert outcomes["1.2.1"] == "unchanged"
    assert "Xác nhận nhập" in page
    assert database_state() == before


def test_the_preview_shows_the_old_and_new_value_of_each_field_that_changes(
    seed_plan: Plan, office: User
) -> None:
    old_target = seed_plan.criteria.get(code="1.1.1").target_score
    response = upload(
        client_for(office), seed_plan.organization, edited_seed(seed_plan)
    )
    changes = {row.code: c for row, _o, c in response.context["preview"]}
    assert [(c.field, c.new) for c in changes["1.1.1"]] == [("Mục tiêu", "1,5")]
    assert changes["1.1.1"][0].old == format_decimal(old_target)
    assert changes["1.2.1"] == [] and changes["4.4"] == []
    page = response.content.decode()
    updated = page[page.index("1.1.1") :]
    updated = updated[: updated.index("</tr>")]
    assert f"Mục tiêu: {format_decimal(old_target)} → 1,5" in updated


def test_the_preview_shows_a_tasks_changed_text_and_lead_units(
    seed_plan: Plan, office: User
) -> None:
    import openpyxl

    task = seed_plan.criteria.get(code="1.1.1").tasks.order_by("position").first()
    buffer = io.BytesIO()
    plan_write(plan=seed_plan, output=buffer)
    buffer.seek(0)
    wb = openpyxl.load_workbook(buffer)
    for row in wb.active.iter_rows(min_row=7):
        if row[0].value == "1.1.1":
            row[5].value = "Nhiệm vụ viết lại"
            row[6].value = "Văn phòng Sở"
    out = io.BytesIO()
    wb.save(out)
    response = upload(client_for(office), seed_plan.organization, out.getvalue())
    changes = {row.code: c for row, _o, c in response.context["preview"]}
    shown = {c.field: (c.old, c.new) for c in changes["1.1.1"]}
    assert shown["Nhiệm vụ 1: nội dung"] == (task.text, "Nhiệm vụ viết lại")
    old_leads, new_leads = shown["Nhiệm vụ 1: Đơn vị chủ trì"]
    assert new_leads == "Văn phòng Sở" and old_leads != new_leads


def test_confirming_imports_exactly_the_previewed_file(
    seed_plan: Plan, office: User
) -> None:
    client = client_for(office)
    upload(client, seed_plan.organization, edited_seed(seed_plan))
    token = token_of(client)
    assert (staging_dir() / f"{token}.upload").is_file()
    response = client.post(
        reverse("tasks-import-confirm"), {"token": token}, follow=True
    )
    assert "Đã nhập “pl.xlsx”" in response.content.decode()
    assert "1 tiêu chí tạo mới, 1 cập nhật, 23 không đổi" in response.content.decode()
    assert Criterion.objects.get(plan=seed_plan, code="1.1.1").target_score == 1.5
    assert Criterion.objects.get(plan=seed_plan, code="4.4").tasks.count() == 1
    assert not (staging_dir() / f"{token}.upload").exists()
    assert SESSION_PREFIX + "appendix" not in client.session


def test_a_preview_can_be_confirmed_only_once(seed_plan: Plan, office: User) -> None:
    client = client_for(office)
    upload(client, seed_plan.organization, edited_seed(seed_plan))
    token = token_of(client)
    client.post(reverse("tasks-import-confirm"), {"token": token})
    before = database_state()
    response = client.post(
        reverse("tasks-import-confirm"), {"token": token}, follow=True
    )
    assert "Bản xem trước không còn hoặc đã được dùng" in response.content.decode()
    assert database_state() == before


def test_cancelling_discards_the_file_and_writes_nothing(
    seed_plan: Plan, office: User
) -> None:
    client = client_for(office)
    before = database_state()
    upload(client, seed_plan.organization, edited_seed(seed_plan))
    token = token_of(client)
    response = client.post(reverse("tasks-import-cancel"), follow=True)
    assert "Đã hủy nhập; không có gì được ghi." in response.content.decode()
    assert not (staging_dir() / f"{token}.upload").exists()
    client.post(reverse("tasks-import-confirm"), {"token": token})
    assert database_state() == before


def test_a_file_changed_after_the_preview_is_refused(
    seed_plan: Plan, office: User
) -> None:
    client = client_for(office)
    before = database_state()
    upload(client, seed_plan.organization, edited_seed(seed_plan))
    token = token_of(client)
    Path(staging_dir() / f"{token}.upload").write_bytes(appendix_xlsx())
    response = client.post(
        reverse("tasks-import-confirm"), {"token": token}, follow=True
    )
    assert "Tệp đã thay đổi kể từ khi xem trước" in response.content.decode()
    assert database_state() == before


def test_another_users_preview_cannot_be_confirmed(
    seed_plan: Plan, office: User, organization: Organization
) -> None:
    first = client_for(office)
    upload(first, seed_plan.organization, edited_seed(seed_plan))
    token = token_of(first)
    other = client_for(make_user("office2", Role.OFFICE))
    before = database_state()
    response = other.post(
        reverse("tasks-import-confirm"), {"token": token}, follow=True
    )
    assert "Bản xem trước không còn" in response.content.decode()
    assert database_state() == before


def test_a_failure_at_confirmation_writes_nothing(
    seed_plan: Plan, office: User
) -> None:
    client = client_for(office)
    data = appendix_xlsx([["1.4", "Tiêu chí bổ sung", 1, 0, 1, "Việc", "Văn phòng Sở"]])
    response = upload(client, seed_plan.organization, data)
    assert "Tiêu chí tạo mới: 1" in response.content.decode()
    # Between preview and confirmation someone removes area 4 and area 1.
    Criterion.objects.filter(plan=seed_plan, code__in=["1", "4"]).delete()
    before = database_state()
    response = client.post(reverse("tasks-import-confirm"), {"token": token_of(client)})
    assert response.status_code == 409
    page = response.content.decode()
    assert "dữ liệu đã thay đổi kể từ khi xem trước" in page
    assert "mã 1.4 thiếu dòng cha 1." in page
    assert database_state() == before


def test_a_new_years_plan_is_created_only_on_confirmation(
    organization: Organization, office: User
) -> None:
    client = client_for(office)
    response = upload(client, organization, appendix_xlsx())
    assert "Kế hoạch năm này chưa có; sẽ được tạo mới." in response.content.decode()
    assert not Plan.objects.exists()
    client.post(reverse("tasks-import-confirm"), {"token": token_of(client)})
    plan = Plan.objects.get(organization=organization, year=2023)
    assert plan.criteria.count() == len(GOOD_ROWS)


def test_an_upload_over_the_limit_is_refused_before_it_is_read(
    organization: Organization, office: User, settings: object
) -> None:
    settings.UPLOAD_MAX_BYTES = 1024 * 1024
    client = client_for(office)
    response = upload(client, organization, b"x" * (2 * 1024 * 1024), "lon.csv")
    assert response.status_code == 413
    assert "Tệp lớn hơn giới hạn 1 MB." in response.content.decode()
    response = upload(client, organization, b"x" * (1024 * 1024 + 10), "lon.csv")
    assert response.status_code == 400
    assert "Tệp lớn hơn giới hạn 1 MB." in response.content.decode()
    assert not Plan.objects.exists()


def test_a_tab_separated_text_file_imports_too(
    organization: Organization, office: User
) -> None:
    text = "\n".join(
        "\t".join(
            ""
            if v is None
            else str(v).replace(".", ",")
            if isinstance(v, float)
            else str(v)
            for v in row
        )
        for row in [
            APPENDIX_HEADER,
            *GOOD_ROWS,
        ]
    )
    client = client_for(office)
    response = upload(client, organization, text.encode(), "phu-luc.tsv")
    assert response.context.get("problems") is None, response.context["problems"]
    assert "Tiêu chí tạo mới: 5" in response.content.decode()


# Called for by the benchmark's figures (docs/benchmarks.md): a criterion's new tasks
# are created in bulk, with their history still naming who imported them.
def test_an_imported_criterions_new_tasks_have_history_naming_the_office_user(
    seed_plan: Plan, office: User, settings: object, tmp_path: Path
) -> None:
    settings.IMPORT_STAGING_DIR = str(tmp_path / "staging")
    client = client_for(office)
    upload(client, seed_plan.organization, edited_seed(seed_plan))
    client.post(reverse("tasks-import-confirm"), {"token": token_of(client)})
    task = Task.objects.get(criterion__plan=seed_plan, criterion__code="4.4")
    assert task.text == "Việc mới"
    assert [p.unit.name for p in task.parts.all()] == ["Văn phòng Sở"]
    created = task.history.get()
    assert created.history_type == "+"
    assert created.history_user == office


# In a real browser ----------------------------------------------------------------


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_office_staff_fix_a_file_after_the_preview_and_confirm(
    page: object, office: User, organization: Organization
) -> None:
    browser_login(page, "office")
    page.goto(page.base_url + reverse(IMPORT))
    page.fill("#id_year", "2023")
    page.set_input_files(
        "#id_file",
        {
            "name": "phu-luc.xlsx",
            "mimeType": "application/octet-stream",
            "buffer": appendix_xlsx(
                [*GOOD_ROWS[:2], ["1.1.1", "Tuyên truyền", "hai", 1, 2, "Việc", ""]]
            ),
        },
    )
    page.get_by_role("button", name="Xem trước").click()
    problems = page.locator("#import-problems")
    problems.wait_for()
    assert "Tệp “phu-luc.xlsx” có 1 lỗi" in problems.inner_text()
    row = page.locator("#import-problems tr.problem").first
    assert row.locator("td").nth(0).inner_text() == "6"
    assert row.locator("td").nth(1).inner_text() == "Điểm chuẩn"
    assert "“hai” không phải là số." in row.locator("td").nth(2).inner_text()
    assert page.get_by_role("button", name="Xác nhận nhập").count() == 0
    assert not Plan.objects.exists()

    page.fill("#id_year", "2023")
    page.set_input_files(
        "#id_file",
        {
            "name": "phu-luc.xlsx",
            "mimeType": "application/octet-stream",
            "buffer": appendix_xlsx(),
        },
    )
    page.get_by_role("button", name="Xem trước").click()
    page.locator("#import-summary").wait_for()
    assert "Tiêu chí tạo mới: 5" in page.locator("#import-summary").inner_text()
    assert page.locator("#import-rows tbody tr").count() == 5
    assert not Plan.objects.exists()

    page.get_by_role("button", name="Xác nhận nhập").click()
    page.locator(".message-success").wait_for()
    assert "Đã nhập “phu-luc.xlsx”" in page.locator(".message-success").inner_text()
    plan = Plan.objects.get(organization=organization, year=2023)
    assert sorted(plan.criteria.values_list("code", flat=True)) == sorted(
        r[0] for r in GOOD_ROWS
    )


def test_staged_files_older_than_a_day_are_removed(
    organization: Organization, office: User
) -> None:
    import os
    import time

    old = staging_dir() / "forgotten.upload"
    old.write_bytes(b"old")
    two_days_ago = time.time() - 2 * 24 * 3600
    os.utime(old, (two_days_ago, two_days_ago))
    upload(client_for(office), organization, appendix_xlsx())
    assert not old.exists()
    assert len(list(staging_dir().glob("*.upload"))) == 1


def test_the_upload_is_protected_against_cross_site_requests(
    organization: Organization, office: User
) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(office)
    response = upload(client, organization, appendix_xlsx())
    assert response.status_code == 403
    assert SESSION_PREFIX + "appendix" not in client.session
