from __future__ import annotations

import csv
import io
import os
import shutil
import subprocess
from datetime import date
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from django.contrib.auth.models import User
from django.core.management import CommandError, call_command
from django.db.models import Sum
from django.urls import reverse

from criteria.models import Criterion, Organization, Plan
from parplan.workbooks import sum_formula
from reports.self_assessment import self_assessment_write
from tasks.models import Evidence, ProgressUpdate, TaskUnit
from tests.factories import plan_build
from tests.helpers import client_for

D = Decimal
HEADER = 6


def workbook_of(plan: Plan, **kwargs: object) -> openpyxl.Workbook:
    buffer = io.BytesIO()
    self_assessment_write(plan=plan, output=buffer, **kwargs)
    buffer.seek(0)
    return openpyxl.load_workbook(buffer)


def row_by_code(ws: object) -> dict[str, int]:
    return {
        ws.cell(r, 1).value: r
        for r in range(HEADER + 1, ws.max_row + 1)
        if ws.cell(r, 1).value
    }


def test_the_title_block_names_organization_year_plan_and_date(seed_plan: Plan) -> None:
    ws = workbook_of(seed_plan, today=date(2023, 11, 30)).active
    assert ws["A1"].value == "SỞ KHOA HỌC VÀ CÔNG NGHỆ TỈNH ĐẮK NÔNG"
    assert "NĂM 2023" in ws["A2"].value
    assert ws["A3"].value == f"Kế hoạch: {seed_plan.title}"
    assert ws["A4"].value == "Ngày lập: 30/11/2023"


def test_the_header_is_the_provinces_columns(seed_plan: Plan) -> None:
    ws = workbook_of(seed_plan).active
    assert [c.value for c in ws[HEADER]] == [
        "STT",
        "Lĩnh vực / Tiêu chí / Tiêu chí thành phần",
        "Điểm tối đa",
        "Điểm năm trước",
        "Mục tiêu",
        "Điểm tự đánh giá",
        "Tài liệu kiểm chứng",
        "Giải trình / Ghi chú",
    ]
    assert all(c.font.bold for c in ws[HEADER])


def test_there_is_one_row_per_criterion_in_code_order_then_the_total(
    seed_plan: Plan,
) -> None:
    ws = workbook_of(seed_plan).active
    codes = [ws.cell(r, 1).value for r in range(HEADER + 1, ws.max_row)]
    expected = list(
        Criterion.objects.filter(plan=seed_plan)
        .order_by("sort_key")
        .values_list("code", flat=True)
    )
    assert codes == expected
    assert len(codes) == 24
    assert ws.cell(ws.max_row, 2).value == "TỔNG CỘNG"


def test_headings_are_bold_and_sum_their_direct_children(seed_plan: Plan) -> None:
    ws = workbook_of(seed_plan).active
    rows = row_by_code(ws)
    # Area 1's children 1.1, 1.2, 1.3 are not adjacent: grandchildren sit between.
    assert ws.cell(rows["1"], 3).value == (
        f"=SUM(C{rows['1.1']},C{rows['1.2']},C{rows['1.3']})"
    )
    # 4.2's children are adjacent rows, written as a range.
    assert ws.cell(rows["4.2"], 5).value == f"=SUM(E{rows['4.2.1']}:E{rows['4.2.4']})"
    assert ws.cell(rows["1"], 1).font.bold
    assert ws.cell(rows["1.1"], 2).font.bold
    assert not ws.cell(rows["1.1.1"], 2).font.bold
    total = ws.max_row
    areas = ",".join(f"D{rows[a]}" for a in ["1", "2", "3", "4"])
    assert ws.cell(total, 4).value == f"=SUM({areas})"


def test_scores_are_numbers_shown_as_their_value(seed_plan: Plan) -> None:
    Criterion.objects.filter(plan=seed_plan, code="1.2.1").update(self_score=D("0.375"))
    ws = workbook_of(seed_plan).active
    row = row_by_code(ws)["1.2.1"]
    cells = [ws.cell(row, col) for col in range(3, 7)]
    assert [c.value for c in cells] == [0.5, 0.25, 0.5, 0.375]
    assert all(c.data_type == "n" for c in cells)
    # General shows 0,5 and 0,375 as they are, never 0,50 or 0,38.
    assert all(c.number_format == "General" for c in cells)
    heading = ws.cell(row_by_code(ws)["1"], 3)
    assert heading.data_type == "f"
    assert heading.number_format == "General"


def test_it_prints_on_a4_landscape_one_page_wide_with_the_header_repeated(
    seed_plan: Plan,
) -> None:
    ws = workbook_of(seed_plan).active
    assert ws.page_setup.orientation == "landscape"
    assert ws.page_setup.paperSize == 9  # A4
    assert ws.page_setup.fitToWidth == 1
    assert ws.page_setup.fitToHeight == 0
    assert ws.sheet_properties.pageSetUpPr.fitToPage
    assert ws.print_title_rows == "$6:$6"
    assert ws.freeze_panes == "C7"


def test_columns_are_sized_and_long_text_wraps(seed_plan: Plan) -> None:
    ws = workbook_of(seed_plan).active
    assert ws.column_dimensions["B"].width >= 50
    assert ws.column_dimensions["G"].width >= 40
    assert 8 <= ws.column_dimensions["C"].width <= 14
    row = row_by_code(ws)["1.1.1"]
    assert ws.cell(row, 2).alignment.wrap_text
    assert ws.cell(row, 7).alignment.wrap_text


def test_evidence_is_listed_with_number_date_summary_and_page(
    seed_plan: Plan, units: dict[str, object], office: User
) -> None:
    criterion = Criterion.objects.get(plan=seed_plan, code="1.2.2")
    Evidence.objects.create(
        plan=seed_plan,
        criterion=criterion,
        number="12/TB-SKHCN",
        issued_on=date(2023, 4, 5),
        summary="Thông báo kết luận giao ban quý I",
        location="mục 2, trang 3",
    )
    part = TaskUnit.objects.filter(task__criterion=criterion).first()
    update = ProgressUpdate.objects.create(
        part=part, author=office, status="in_progress", percent=50
    )
    Evidence.objects.create(
        plan=seed_plan,
        progress_update=update,
        number="30/TB-SKHCN",
        summary="Thông báo kết luận giao ban quý II",
    )
    Criterion.objects.filter(pk=criterion.pk).update(
        explanation="Còn thiếu quý III, IV"
    )
    ws = workbook_of(seed_plan).active
    row = row_by_code(ws)["1.2.2"]
    assert ws.cell(row, 7).value == (
        "12/TB-SKHCN ngày 05/04/2023 – Thông báo kết luận giao ban quý I – mục 2, trang 3"
        "\n30/TB-SKHCN – Thông báo kết luận giao ban quý II"
    )
    assert ws.cell(row, 8).value == "Còn thiếu quý III, IV"


@pytest.mark.parametrize(
    "text",
    [
        '=HYPERLINK("http://evil.example","Bấm")',
        "+1+1",
        "-2+3",
        "@SUM(A1)",
        "\t=1+1",
        "\r=1+1",
    ],
)
def test_text_that_excel_would_run_is_written_as_text(
    seed_plan: Plan, text: str
) -> None:
    Criterion.objects.filter(plan=seed_plan, code="1.3").update(explanation=text)
    ws = workbook_of(seed_plan).active
    cell = ws.cell(row_by_code(ws)["1.3"], 8)
    assert cell.data_type == "s"
    assert cell.value.strip() == text.strip()
    assert cell.quotePrefix


def test_characters_excel_cannot_store_are_dropped_not_fatal(seed_plan: Plan) -> None:
    Criterion.objects.filter(plan=seed_plan, code="1.3").update(
        explanation="Dán từ Word\x0b có ký tự lạ\x07"
    )
    ws = workbook_of(seed_plan).active
    assert ws.cell(row_by_code(ws)["1.3"], 8).value == "Dán từ Word có ký tự lạ"


@pytest.mark.parametrize("size", [1, 3])
def test_the_export_runs_three_queries_whatever_the_size(
    organization: Organization,
    size: int,
    django_assert_num_queries: object,
) -> None:
    plan = plan_build(
        organization=organization, areas=size, criteria_per_area=size, tasks_per_leaf=2
    )
    plan = Plan.objects.get(pk=plan.pk)
    # organization, criteria, evidence (with the progress reports they belong to)
    with django_assert_num_queries(3):
        self_assessment_write(plan=plan, output=io.BytesIO())


def test_sum_formula_keeps_to_excels_limit_of_255_arguments() -> None:
    rows = range(10, 10 + 2 * 300, 2)  # 300 cells, none adjacent
    formula = sum_formula("C", rows)
    assert formula.startswith("=SUM(C10,C12,")
    assert formula.count("SUM(") == 2
    first, second = formula[1:].split("+")
    assert first.count(",") == 254
    assert second.count(",") == 300 - 255 - 1
    assert sum_formula("C", [5, 6, 7, 9]) == "=SUM(C5:C7,C9)"


# Recalculated by a spreadsheet program --------------------------------------------

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")


@pytest.fixture
def soffice() -> str:
    if SOFFICE is None:
        if os.environ.get("PARPLAN_REQUIRE_SOFFICE"):
            pytest.fail("LibreOffice is required but soffice is missing")
        pytest.skip("LibreOffice (soffice) is not installed")
    return SOFFICE


def recalculated(path: Path, tmp_path: Path, soffice: str) -> list[list[str]]:
    """The sheet's values as LibreOffice computes them (it recalculates on load the
    formulas that carry no saved result)."""
    subprocess.run(
        [
            soffice,
            "--headless",
            "--norestore",
            f"-env:UserInstallation=file://{tmp_path / 'lo-profile'}",
            "--convert-to",
            "csv:Text - txt - csv (StarCalc):44,34,76",
            "--outdir",
            str(tmp_path),
            str(path),
        ],
        check=True,
        capture_output=True,
        timeout=120,
    )
    with open(tmp_path / (path.stem + ".csv"), encoding="utf-8") as handle:
        return list(csv.reader(handle))


def leaf_total(plan: Plan, field: str, prefix: str = "") -> Decimal:
    qs = Criterion.objects.filter(plan=plan, max_score__isnull=False)
    if prefix:
        qs = qs.filter(code__startswith=prefix + ".")
    return qs.aggregate(s=Sum(field))["s"] or D("0")


def test_libreoffice_computes_the_same_totals_as_the_application(
    seed_plan: Plan, tmp_path: Path, soffice: str
) -> None:
    for code, score in [("1.1.1", "1.5"), ("4.2.2", "0.75"), ("4.3", "0.5")]:
        Criterion.objects.filter(plan=seed_plan, code=code).update(self_score=D(score))
    path = tmp_path / "tu-danh-gia.xlsx"
    self_assessment_write(plan=seed_plan, output=str(path))
    rows = recalculated(path, tmp_path, soffice)
    by_code = {r[0]: r for r in rows[HEADER:] if r and r[0]}
    total = next(r for r in rows if len(r) > 1 and r[1] == "TỔNG CỘNG")
    fields = ["max_score", "baseline_score", "target_score", "self_score"]
    assert [D(v) for v in total[2:6]] == [leaf_total(seed_plan, f) for f in fields]
    assert [D(v) for v in total[2:6]] == [D("15"), D("1.65"), D("15"), D("2.75")]
    for area in ["1", "2", "3", "4"]:
        assert [D(v) for v in by_code[area][2:6]] == [
            leaf_total(seed_plan, f, area) for f in fields
        ]
    assert [D(v) for v in by_code["4.2"][2:6]] == [
        D("5"),
        D("0.4"),
        D("5"),
        D("0.75"),
    ]


def test_libreoffice_totals_match_on_a_three_level_generated_plan(
    organization: Organization, tmp_path: Path, soffice: str
) -> None:
    plan = plan_build(organization=organization, areas=3, criteria_per_area=4)
    path = tmp_path / "lon.xlsx"
    self_assessment_write(plan=plan, output=str(path))
    rows = recalculated(path, tmp_path, soffice)
    total = next(r for r in rows if len(r) > 1 and r[1] == "TỔNG CỘNG")
    # 3 areas × 4 criteria × 2 sub-criteria, each 1 / 0,25 / 1
    assert [D(v) for v in total[2:5]] == [D("24"), D("6"), D("24")]


# Command and download -------------------------------------------------------------


def test_the_command_writes_the_workbook(seed_plan: Plan, tmp_path: Path) -> None:
    out = io.StringIO()
    target = tmp_path / "bao-cao.xlsx"
    call_command("export_self_assessment", year=2023, output=str(target), stdout=out)
    assert target.is_file()
    assert openpyxl.load_workbook(target).active["C6"].value == "Điểm tối đa"
    assert "Đã xuất bảng tự đánh giá" in out.getvalue()


def test_the_command_names_the_file_after_organization_and_year(
    seed_plan: Plan, tmp_path: Path
) -> None:
    call_command("export_self_assessment", year=2023, output=str(tmp_path))
    assert (tmp_path / "tu-danh-gia-SKHCN-2023.xlsx").is_file()


def test_the_command_refuses_a_year_without_plan(seed_plan: Plan) -> None:
    with pytest.raises(CommandError, match="Không có kế hoạch năm 2019"):
        call_command("export_self_assessment", year=2019, output="x.xlsx")


def test_anyone_with_a_role_downloads_the_workbook(
    seed_plan: Plan, viewer: User, head_center: User, director: User
) -> None:
    url = reverse("reports-export-self-assessment", args=[seed_plan.pk])
    for user in (viewer, head_center, director):
        response = client_for(user).get(url)
        assert response.status_code == 200
        assert response["Content-Type"].startswith(
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        )
        assert (
            'filename="tu-danh-gia-SKHCN-2023.xlsx"' in response["Content-Disposition"]
        )
        data = b"".join(response.streaming_content)
        ws = openpyxl.load_workbook(io.BytesIO(data)).active
        assert ws["B6"].value == "Lĩnh vực / Tiêu chí / Tiêu chí thành phần"


def test_an_outsider_gets_nothing(seed_plan: Plan, outsider: User) -> None:
    url = reverse("reports-export-self-assessment", args=[seed_plan.pk])
    assert client_for(outsider).get(url).status_code == 403
    response = client_for(outsider).get(reverse("reports-exports"))
    assert response.status_code == 403


def test_a_visitor_who_is_not_signed_in_is_sent_to_sign_in(seed_plan: Plan) -> None:
    from django.test import Client

    url = reverse("reports-export-self-assessment", args=[seed_plan.pk])
    response = Client().get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_a_vietnamese_file_name_is_sent_in_ascii_and_in_utf8(viewer: User) -> None:
    organization = Organization.objects.create(name="Sở Nội vụ tỉnh Đắk Nông")
    plan = Plan.objects.create(
        organization=organization, year=2024, baseline_year=2023, title="KH 2024"
    )
    response = client_for(viewer).get(
        reverse("reports-export-self-assessment", args=[plan.pk])
    )
    assert (
        'filename="tu-danh-gia-So-Noi-vu-tinh-Dak-Nong-2024.xlsx"'
        in response["Content-Disposition"]
    )


def _download_queries(
    client: object, plan_id: int, django_assert_num_queries: object
) -> int:
    url = reverse("reports-export-self-assessment", args=[plan_id])
    # session, user, the user's groups (role), the plan with its organization, its
    # criteria, its evidence with the progress reports they belong to
    with django_assert_num_queries(6):
        response = client.get(url)
        body = b"".join(response.streaming_content)
    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(body), read_only=True).active
    return sum(1 for _row in sheet.iter_rows(values_only=True))


def test_the_self_assessment_download_runs_the_same_queries_for_a_large_plan(
    organization: Organization, director: User, django_assert_num_queries: object
) -> None:
    small = plan_build(organization=organization, year=2023, areas=1)
    large = plan_build(
        organization=organization,
        year=2024,
        areas=6,
        criteria_per_area=5,
        subs_per_criterion=3,
        tasks_per_leaf=3,
    )
    client = client_for(director)
    small_rows = _download_queries(client, small.pk, django_assert_num_queries)
    large_rows = _download_queries(client, large.pk, django_assert_num_queries)
    assert large_rows > 3 * small_rows


def test_the_exports_page_lists_each_plans_downloads(
    seed_plan: Plan, viewer: User
) -> None:
    response = client_for(viewer).get(reverse("reports-exports"))
    assert response.status_code == 200
    assert reverse("reports-export-self-assessment", args=[seed_plan.pk]) in (
        response.content.decode()
    )
    assert reverse("reports-export-plan", args=[seed_plan.pk]) in (
        response.content.decode()
    )
    assert "Nhập kế hoạch từ Excel" not in response.content.decode()


@pytest.mark.parametrize("plans", [1, 4])
def test_the_exports_page_runs_a_fixed_number_of_queries(
    organization: Organization,
    viewer: User,
    plans: int,
    django_assert_num_queries: object,
) -> None:
    for year in range(2020, 2020 + plans):
        Plan.objects.create(
            organization=organization, year=year, baseline_year=year - 1, title="KH"
        )
    client = client_for(viewer)
    # session, user, the user's groups (roles), the plans with their organization
    with django_assert_num_queries(4):
        response = client.get(reverse("reports-exports"))
    assert response.content.decode().count("tu-danh-gia.xlsx") == plans
