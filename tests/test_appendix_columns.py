"""The appendix's other columns (tasks/appendix/columns.py, dates.py, parse.py,
load.py): supporting units, due dates and expected outputs of each task, columns the
importer does not know, and the plan workbook that writes them back."""

from __future__ import annotations

import datetime
import io
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse

from criteria.models import Organization, Plan
from parplan.tables import TableImportError
from reports.plan_workbook import plan_write
from tasks.appendix.dates import Due, DueDateError, due_read
from tasks.appendix.load import appendix_import
from tasks.models import Status, Task, TaskUnit, Unit
from tests.helpers import client_for
from tests.workbooks import (
    APPENDIX_HEADER,
    database_empty,
    database_state,
    plan_snapshot,
    xlsx_bytes,
)

HEADER = [
    *APPENDIX_HEADER,
    "Đơn vị phối hợp",
    "Thời gian hoàn thành",
    "Sản phẩm",
    "Ghi chú",
]
ROWS: list[list[object]] = [
    ["1", "CÔNG TÁC CHỈ ĐẠO, ĐIỀU HÀNH CCHC", *[None] * 9],
    [
        "1.1",
        "Công tác tuyên truyền CCHC",
        2,
        1,
        2,
        "Tuyên truyền",
        "Văn phòng Sở",
        "Trung tâm TTKT& UDKHCN; Phòng Quản lý chuyên ngành",
        "Quý II/2023",
        "Bài viết trên Cổng thông tin",
        "ghi chú nội bộ",
    ],
    # A continuation row: its empty cells are merged with those above.
    [None, None, None, None, None, "Tập huấn", None, None, None, None, None],
    [
        None,
        None,
        None,
        None,
        None,
        "Tổng kết",
        None,
        "—",
        "Thường xuyên",
        "—",
        None,
    ],
    [
        "1.2",
        "Sáng kiến CCHC",
        2,
        0,
        2,
        "Có sáng kiến",
        "Trung tâm TTKT& UDKHCN",
        "Các phòng, đơn vị trực thuộc",
        datetime.datetime(2023, 11, 15),
        None,
        None,
    ],
]


def appendix(rows: list[list[object]] | None = None) -> bytes:
    return xlsx_bytes([HEADER, *(ROWS if rows is None else rows)])


def imported(organization: Organization, data: bytes | None = None) -> Plan:
    return appendix_import(
        organization=organization,
        year=2023,
        data=appendix() if data is None else data,
        filename="phu-luc.xlsx",
    ).plan


def task(plan: Plan, code: str, position: int = 1) -> Task:
    return Task.objects.get(
        criterion__plan=plan, criterion__code=code, position=position
    )


def names(task: Task, role: str) -> list[str]:
    return sorted(p.unit.name for p in task.parts.filter(role=role))


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("Quý I/2023", datetime.date(2023, 3, 31)),
        ("Quý IV", datetime.date(2024, 12, 31)),
        ("Quý 2 năm 2023", datetime.date(2023, 6, 30)),
        ("Tháng 6/2023", datetime.date(2023, 6, 30)),
        ("Tháng 2", datetime.date(2024, 2, 29)),
        ("30/6/2023", datetime.date(2023, 6, 30)),
        ("trước 30/6", datetime.date(2024, 6, 30)),
        ("Trước ngày 15/10/2023", datetime.date(2023, 10, 15)),
        ("Năm 2023", datetime.date(2023, 12, 31)),
        ("Trong năm", datetime.date(2024, 12, 31)),
        ("6 tháng đầu năm", datetime.date(2024, 6, 30)),
        ("2023-09-30", datetime.date(2023, 9, 30)),
        (datetime.datetime(2023, 5, 4), datetime.date(2023, 5, 4)),
    ],
)
def test_a_due_date_is_the_end_of_the_period_written(
    written: object, expected: datetime.date
) -> None:
    assert due_read(written, year=2024) == Due(expected)


@pytest.mark.parametrize("written", ["Thường xuyên", "Hằng quý", "Theo kế hoạch"])
def test_words_that_name_no_date_are_kept_as_written(written: str) -> None:
    assert due_read(written, year=2024) == Due(None, written)


@pytest.mark.parametrize("written", ["31/2/2023", "Quý V", "Tháng 13/2023", "Sớm 12"])
def test_a_date_that_cannot_be_read_is_an_error_not_a_guess(written: str) -> None:
    with pytest.raises(DueDateError, match="không đọc được thời hạn"):
        due_read(written, year=2024)


def test_a_date_without_year_needs_the_plans_year() -> None:
    with pytest.raises(DueDateError, match="không ghi năm"):
        due_read("Quý IV", year=None)


def test_the_extra_columns_become_supporting_units_due_dates_and_outputs(
    organization: Organization, units: dict[str, Unit]
) -> None:
    plan = imported(organization)
    first = task(plan, "1.1")
    assert names(first, TaskUnit.Role.LEAD) == ["Văn phòng Sở"]
    assert names(first, TaskUnit.Role.SUPPORT) == [
        "Phòng Quản lý chuyên ngành",
        "Trung tâm TTKT& UDKHCN",
    ]
    assert (first.due_date, first.due_text) == (datetime.date(2023, 6, 30), "")
    assert first.output == "Bài viết trên Cổng thông tin"
    # The unknown unit was created like a lead unit.
    assert Unit.objects.filter(name="Phòng Quản lý chuyên ngành").exists()


def test_a_continuation_row_keeps_the_cells_above_unless_it_says_none(
    organization: Organization, units: dict[str, Unit]
) -> None:
    plan = imported(organization)
    second, third = task(plan, "1.1", 2), task(plan, "1.1", 3)
    assert names(second, TaskUnit.Role.LEAD) == ["Văn phòng Sở"]
    assert len(names(second, TaskUnit.Role.SUPPORT)) == 2
    assert second.due_date == datetime.date(2023, 6, 30)
    assert second.output == "Bài viết trên Cổng thông tin"
    assert names(third, TaskUnit.Role.SUPPORT) == []
    assert (third.due_date, third.due_text, third.output) == (None, "Thường xuyên", "")


def test_every_unit_supports_except_the_lead_and_an_excel_date_is_read(
    organization: Organization, units: dict[str, Unit]
) -> None:
    plan = imported(organization)
    sole = task(plan, "1.2")
    assert names(sole, TaskUnit.Role.LEAD) == ["Trung tâm TTKT& UDKHCN"]
    assert names(sole, TaskUnit.Role.SUPPORT) == [
        "Phòng Quản lý chuyên ngành",
        "Văn phòng Sở",
    ]
    assert sole.due_date == datetime.date(2023, 11, 15)


def test_re_importing_the_same_file_changes_nothing(
    organization: Organization, units: dict[str, Unit]
) -> None:
    imported(organization)
    before = database_state()
    report = appendix_import(
        organization=organization, year=2023, data=appendix(), filename="p.xlsx"
    )
    assert not report.changed
    assert database_state() == before


def test_a_changed_cell_updates_the_task_with_a_new_version_and_history(
    organization: Organization, units: dict[str, Unit]
) -> None:
    plan = imported(organization)
    old = task(plan, "1.1")
    revisions = old.history.count()
    rows = [list(r) for r in ROWS]
    rows[1][8], rows[1][9] = "Tháng 9/2023", "Kế hoạch tuyên truyền"
    report = appendix_import(
        organization=organization, year=2023, data=appendix(rows), filename="p.xlsx"
    )
    assert report.tasks_updated == 2  # the row below shares the merged cells
    new = task(plan, "1.1")
    assert (new.due_date, new.output) == (
        datetime.date(2023, 9, 30),
        "Kế hoạch tuyên truyền",
    )
    assert task(plan, "1.1", 2).output == "Kế hoạch tuyên truyền"
    assert task(plan, "1.1", 3).version == 1
    assert new.version == old.version + 1
    assert new.history.count() == revisions + 1


def test_a_supporting_unit_that_reported_progress_is_never_dropped(
    organization: Organization, units: dict[str, Unit]
) -> None:
    plan = imported(organization)
    part = task(plan, "1.1").parts.get(unit=units["center"])
    part.status, part.percent = Status.IN_PROGRESS, 40
    part.save()
    before = database_state()
    rows = [list(r) for r in ROWS]
    rows[1][7] = "Phòng Quản lý chuyên ngành"
    with pytest.raises(TableImportError) as caught:
        imported(organization, appendix(rows))
    assert "Trung tâm TTKT& UDKHCN" in str(caught.value)
    assert "đơn vị phối hợp" in str(caught.value)
    assert database_state() == before


def test_a_supporting_unit_without_reports_is_dropped_when_the_cell_drops_it(
    organization: Organization, units: dict[str, Unit]
) -> None:
    plan = imported(organization)
    rows = [list(r) for r in ROWS]
    rows[1][7] = "Phòng Quản lý chuyên ngành"
    imported(organization, appendix(rows))
    assert names(task(plan, "1.1"), TaskUnit.Role.SUPPORT) == [
        "Phòng Quản lý chuyên ngành"
    ]


def test_a_file_without_the_columns_keeps_what_the_browser_set(
    organization: Organization, units: dict[str, Unit]
) -> None:
    plan = imported(organization)
    plain = [r[:7] for r in ROWS]
    report = appendix_import(
        organization=organization,
        year=2023,
        data=xlsx_bytes([APPENDIX_HEADER, *plain]),
        filename="p.xlsx",
    )
    assert not report.changed
    first = task(plan, "1.1")
    assert len(names(first, TaskUnit.Role.SUPPORT)) == 2
    assert first.output == "Bài viết trên Cổng thông tin"


def test_a_unit_both_lead_and_supporting_is_refused_with_its_row(
    organization: Organization,
) -> None:
    rows = [list(r) for r in ROWS]
    rows[1][7] = "Văn phòng Sở; Trung tâm TTKT& UDKHCN"
    with pytest.raises(TableImportError) as caught:
        imported(organization, appendix(rows))
    message = str(caught.value)
    assert "Dòng 5" in message and "Đơn vị phối hợp" in message
    assert "Văn phòng Sở vừa là đơn vị chủ trì vừa là đơn vị phối hợp" in message
    assert not Plan.objects.exists()


def test_an_unreadable_due_date_names_its_row_and_column(
    organization: Organization,
) -> None:
    rows = [list(r) for r in ROWS]
    rows[4][8] = "Quý V/2023"
    with pytest.raises(TableImportError) as caught:
        imported(organization, appendix(rows))
    message = str(caught.value)
    assert "Dòng 8" in message and "Thời gian hoàn thành" in message
    assert "“Quý V/2023”" in message
    assert not Plan.objects.exists()


def test_an_unknown_column_is_named_as_ignored_by_the_command(
    organization: Organization, units: dict[str, Unit], tmp_path: Path
) -> None:
    path = tmp_path / "phu-luc.xlsx"
    path.write_bytes(appendix())
    out = StringIO()
    call_command("import_appendix", str(path), "--year", "2023", stdout=out)
    assert "Cột không được nhập" in out.getvalue()
    assert "“Ghi chú”" in out.getvalue()


def test_the_preview_names_the_ignored_column(
    office: User, organization: Organization, settings: Any, tmp_path: Path
) -> None:
    settings.IMPORT_STAGING_DIR = str(tmp_path / "staging")
    response = client_for(office).post(
        reverse("tasks-import"),
        {
            "organization": organization.pk,
            "year": 2023,
            "file": SimpleUploadedFile("phu-luc.xlsx", appendix()),
        },
    )
    assert response.status_code == 200
    content = response.content.decode()
    assert 'id="import-ignored-columns"' in content
    assert "“Ghi chú”" in content


def test_the_plan_workbook_round_trips_the_new_columns(
    organization: Organization, units: dict[str, Unit]
) -> None:
    plan = imported(organization)
    # A later task without due date or output, and one with neither on its own row.
    criterion = task(plan, "1.2").criterion
    Task.objects.create(criterion=criterion, position=2, text="Không hạn")
    before = plan_snapshot(plan)
    buffer = io.BytesIO()
    plan_write(plan=plan, output=buffer)
    database_empty()
    again = appendix_import(
        organization=Organization.objects.create(name=organization.name),
        year=2023,
        data=buffer.getvalue(),
        filename="ke-hoach.xlsx",
    )
    assert plan_snapshot(again.plan) == before
    assert not again.ignored_columns


def test_the_task_pages_and_tree_show_the_expected_output(
    office: User, organization: Organization, units: dict[str, Unit]
) -> None:
    plan = imported(organization)
    client = client_for(office)
    first = task(plan, "1.1")
    detail = client.get(first.get_absolute_url())
    assert "Bài viết trên Cổng thông tin" in detail.content.decode()
    third = client.get(task(plan, "1.1", 3).get_absolute_url())
    assert "Thường xuyên" in third.content.decode()
    listing = client.get(reverse("tasks-list"))
    assert "Bài viết trên Cổng thông tin" in listing.content.decode()
    tree = client.get(reverse("reports-tree") + "?year=2023&expand=all")
    assert "Bài viết trên Cổng thông tin" in tree.content.decode()


def test_the_office_edits_the_output_and_due_text(
    office: User, organization: Organization, units: dict[str, Unit]
) -> None:
    plan = imported(organization)
    edited = task(plan, "1.1", 3)
    response = client_for(office).post(
        reverse("tasks-edit", args=[edited.pk]),
        {
            "criterion": edited.criterion_id,
            "text": edited.text,
            "due_text": "Hằng quý",
            "output": "Báo cáo tổng kết",
            "lead_units": [units["office"].pk],
            "version": edited.version,
        },
    )
    assert response.status_code == 302
    edited.refresh_from_db()
    assert (edited.due_text, edited.output) == ("Hằng quý", "Báo cáo tổng kết")


def test_a_due_date_and_a_due_text_together_are_refused(
    office: User, organization: Organization, units: dict[str, Unit]
) -> None:
    plan = imported(organization)
    edited = task(plan, "1.1", 3)
    response = client_for(office).post(
        reverse("tasks-edit", args=[edited.pk]),
        {
            "criterion": edited.criterion_id,
            "text": edited.text,
            "due_date": "2023-12-31",
            "due_text": "Hằng quý",
            "lead_units": [units["office"].pk],
            "version": edited.version,
        },
    )
    assert response.status_code == 400
    assert "không ghi cả hai" in response.content.decode()
    edited.refresh_from_db()
    assert edited.due_text == "Thường xuyên"
