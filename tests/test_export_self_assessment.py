from __future__ import annotations

import csv
import io
import json
import os
import re
import shutil
import subprocess
import zipfile
from datetime import date
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.db.models import Sum
from django.urls import reverse

from criteria.models import Criterion, Organization, Plan
from parplan.workbooks import sum_formula
from reports.figures import plan_figures
from reports.models import PeerRank
from reports.self_assessment import self_assessment_write
from tasks.evidence import evidence_add
from tasks.models import Evidence, ProgressUpdate, TaskUnit
from tests.factories import plan_build
from tests.helpers import client_for

D = Decimal
HEADER = 7
SELF_SCORES = {"1.1.1": D("1.5"), "1.2.1": D("0.25"), "4.1.1": D("1.81")}
COLUMNS = [
    "STT",
    "Lĩnh vực / Tiêu chí / Tiêu chí thành phần",
    "Điểm tối đa",
    "Điểm tự đánh giá",
    "Điểm đạt được",
    "Chỉ số (%)",
    "Tài liệu kiểm chứng",
    "Giải trình / Ghi chú",
]


def workbook_of(plan: Plan, **kwargs: object) -> openpyxl.Workbook:
    buffer = io.BytesIO()
    self_assessment_write(plan=plan, output=buffer, **kwargs)
    buffer.seek(0)
    return openpyxl.load_workbook(buffer)


def cached_of(plan: Plan) -> openpyxl.Workbook:
    buffer = io.BytesIO()
    self_assessment_write(plan=plan, output=buffer)
    buffer.seek(0)
    return openpyxl.load_workbook(buffer, data_only=True)


def row_by_code(ws: object) -> dict[str, int]:
    return {
        ws.cell(r, 1).value: r
        for r in range(HEADER + 1, ws.max_row + 1)
        if ws.cell(r, 1).value
    }


def total_row(ws: object) -> int:
    return next(
        r for r in range(1, ws.max_row + 1) if ws.cell(r, 2).value == "TỔNG CỘNG"
    )


def ranked(plan: Plan) -> None:
    PeerRank.objects.create(
        year=2022,
        name=plan.organization.name,
        index=D("80"),
        organization=plan.organization,
    )
    for position, (name, index) in enumerate(
        [("A", "90"), ("B", "85"), ("C", "82.5"), ("D", "81"), ("E", "79")], start=1
    ):
        PeerRank.objects.create(
            year=2022, name=f"Đơn vị thử {name}", index=D(index), position=position
        )


def self_scored(plan: Plan) -> None:
    for code, score in SELF_SCORES.items():
        Criterion.objects.filter(plan=plan, code=code).update(self_score=score)


def test_the_title_block_has_the_national_heading_and_the_organization(
    seed_plan: Plan,
) -> None:
    Organization.objects.filter(pk=seed_plan.organization_id).update(
        province="Đắk Nông"
    )
    ws = workbook_of(Plan.objects.get(pk=seed_plan.pk)).active
    assert ws["A1"].value == "UBND TỈNH ĐẮK NÔNG"
    assert ws["A2"].value == "SỞ KHOA HỌC VÀ CÔNG NGHỆ TỈNH ĐẮK NÔNG"
    assert ws["C1"].value == "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
    assert ws["C2"].value == "Độc lập - Tự do - Hạnh phúc"
    assert ws["A4"].value == (
        "BẢNG TỰ ĐÁNH GIÁ, CHẤM ĐIỂM CHỈ SỐ CẢI CÁCH HÀNH CHÍNH NĂM 2023"
    )
    assert ws["A4"].alignment.horizontal == "center"
    merged = {str(r) for r in ws.merged_cells.ranges}
    assert {"A1:B1", "C1:H1", "A2:B2", "C2:H2", "A4:H4"} <= merged


def test_a_status_line_stands_under_the_title(seed_plan: Plan) -> None:
    ws = workbook_of(seed_plan, status_line="Đã trình – phiên bản 2").active
    assert ws["A5"].value == "Đã trình – phiên bản 2"


def test_the_signature_block_has_place_date_and_the_head(seed_plan: Plan) -> None:
    Organization.objects.filter(pk=seed_plan.organization_id).update(
        province="Đắk Nông"
    )
    ws = workbook_of(Plan.objects.get(pk=seed_plan.pk)).active
    texts = [ws.cell(r, 5).value for r in range(total_row(ws) + 1, ws.max_row + 1)]
    assert "Đắk Nông, ngày … tháng … năm …" in texts
    assert "THỦ TRƯỞNG CƠ QUAN" in texts
    assert texts.index("THỦ TRƯỞNG CƠ QUAN") > texts.index(
        "Đắk Nông, ngày … tháng … năm …"
    )


def test_governing_body_and_place_are_the_organizations_own_when_set(
    seed_plan: Plan,
) -> None:
    Organization.objects.filter(pk=seed_plan.organization_id).update(
        province="Đắk Nông",
        governing_body="Ủy ban nhân dân tỉnh Đắk Nông",
        place="Gia Nghĩa",
    )
    ws = workbook_of(Plan.objects.get(pk=seed_plan.pk)).active
    assert ws["A1"].value == "ỦY BAN NHÂN DÂN TỈNH ĐẮK NÔNG"
    texts = [ws.cell(r, 5).value for r in range(total_row(ws) + 1, ws.max_row + 1)]
    assert "Gia Nghĩa, ngày … tháng … năm …" in texts


def test_the_header_is_the_provinces_columns(seed_plan: Plan) -> None:
    ws = workbook_of(seed_plan).active
    assert [c.value for c in ws[HEADER]] == COLUMNS
    assert all(c.font.bold for c in ws[HEADER])


def test_the_plans_setting_adds_the_survey_and_appraised_columns(
    seed_plan: Plan,
) -> None:
    Plan.objects.filter(pk=seed_plan.pk).update(score_columns=Plan.ScoreColumns.ALL)
    Criterion.objects.filter(plan=seed_plan, code="1.2.1").update(
        appraised_score=D("0.125")
    )
    ws = workbook_of(Plan.objects.get(pk=seed_plan.pk)).active
    header = [c.value for c in ws[HEADER]]
    assert header[2:7] == [
        "Điểm tối đa",
        "Điểm tự đánh giá",
        "Điểm điều tra XHH",
        "Điểm thẩm định",
        "Điểm đạt được",
    ]
    assert ws.cell(row_by_code(ws)["1.2.1"], 6).value == 0.125


def test_there_is_one_row_per_criterion_in_code_order_then_total_and_index(
    seed_plan: Plan,
) -> None:
    ws = workbook_of(seed_plan).active
    total = total_row(ws)
    codes = [ws.cell(r, 1).value for r in range(HEADER + 1, total)]
    expected = list(
        Criterion.objects.filter(plan=seed_plan)
        .order_by("sort_key")
        .values_list("code", flat=True)
    )
    assert codes == expected
    assert len(codes) == 24
    assert ws.cell(total + 1, 2).value.startswith("CHỈ SỐ CẢI CÁCH HÀNH CHÍNH")


def test_headings_are_bold_and_sum_their_direct_children(seed_plan: Plan) -> None:
    ws = workbook_of(seed_plan).active
    rows = row_by_code(ws)
    # Area 1's children 1.1, 1.2, 1.3 are not adjacent: grandchildren sit between.
    refs = f"C{rows['1.1']},C{rows['1.2']},C{rows['1.3']}"
    assert ws.cell(rows["1"], 3).value == f'=IF(COUNT({refs})=0,"",SUM({refs}))'
    # 4.2's children are adjacent rows, written as a range.
    refs = f"E{rows['4.2.1']}:E{rows['4.2.4']}"
    assert ws.cell(rows["4.2"], 5).value == f'=IF(COUNT({refs})=0,"",SUM({refs}))'
    assert ws.cell(rows["1"], 1).font.bold
    assert ws.cell(rows["1.1"], 2).font.bold
    assert not ws.cell(rows["1.1.1"], 2).font.bold
    areas = ",".join(f"C{rows[a]}" for a in ["1", "2", "3", "4"])
    assert ws.cell(total_row(ws), 3).value == f'=IF(COUNT({areas})=0,"",SUM({areas}))'


def test_every_cell_is_times_new_roman(seed_plan: Plan) -> None:
    ws = workbook_of(seed_plan).active
    fonts = {
        cell.font.name
        for row in ws.iter_rows()
        for cell in row
        if cell.value is not None
    }
    assert fonts == {"Times New Roman"}


def test_scores_are_numbers_shown_as_their_value(seed_plan: Plan) -> None:
    Criterion.objects.filter(plan=seed_plan, code="1.2.1").update(self_score=D("0.375"))
    ws = workbook_of(seed_plan).active
    row = row_by_code(ws)["1.2.1"]
    cells = [ws.cell(row, col) for col in range(3, 6)]
    assert [c.value for c in cells] == [0.5, 0.375, 0.375]
    assert all(c.data_type == "n" for c in cells)
    # General shows 0,5 and 0,375 as they are, never 0,50 or 0,38, with the
    # viewer's decimal comma.
    assert all(c.number_format == "General" for c in cells)
    heading = ws.cell(row_by_code(ws)["1"], 3)
    assert heading.data_type == "f"
    assert heading.number_format == "General"


def test_cached_values_equal_the_dashboards_figures(
    seed_plan: Plan, director: User
) -> None:
    ranked(seed_plan)
    self_scored(seed_plan)
    figures = plan_figures(plan=seed_plan)
    ws = cached_of(seed_plan).active
    total = total_row(ws)
    assert ws.cell(total, 3).value == float(figures.totals.max_score) == 15
    assert ws.cell(total, 4).value == float(figures.totals.self_total) == 3.56
    assert ws.cell(total, 5).value == float(figures.totals.forecast) == 3.96
    assert ws.cell(total + 1, 6).value == float(figures.projected.index) == 82.31
    out = io.StringIO()
    call_command("projection", "--json", stdout=out)
    data = json.loads(out.getvalue())
    assert data["scenarios"]["forecast"]["index"] == "82.31"
    response = client_for(director).get(reverse("reports-dashboard"))
    assert "82,31" in response.content.decode()
    rows = row_by_code(ws)
    by_code = {r.code: r for r in figures.rows}
    for code, row in rows.items():
        assert ws.cell(row, 5).value == pytest.approx(float(by_code[code].forecast))


def test_unscored_headings_show_nothing_never_zero(seed_plan: Plan) -> None:
    ws = cached_of(seed_plan).active
    rows = row_by_code(ws)
    # Nothing is self-scored: the self-assessment column of every heading is empty.
    assert ws.cell(rows["1"], 4).value in (None, "")
    assert ws.cell(total_row(ws), 4).value in (None, "")
    assert ws.cell(rows["1"], 3).value == 5


def test_a_criterion_that_does_not_apply_is_shown_and_leaves_the_maximum(
    seed_plan: Plan,
) -> None:
    Criterion.objects.filter(plan=seed_plan, code="1.3").update(
        applicable=False, not_applicable_reason="Không có sáng kiến được giao"
    )
    ws = cached_of(seed_plan).active
    rows = row_by_code(ws)
    assert ws.cell(rows["1.3"], 3).value == 2
    assert (
        ws.cell(rows["1.3"], 8).value == "Không áp dụng: Không có sáng kiến được giao"
    )
    assert ws.cell(rows["1"], 3).value == 3  # 5 less 1.3's 2
    assert ws.cell(total_row(ws), 3).value == 13
    assert ws.cell(rows["1.3"], 5).value in (None, "")


def test_rows_are_as_tall_as_their_wrapped_text(seed_plan: Plan) -> None:
    criterion = Criterion.objects.get(plan=seed_plan, code="1.3")
    criterion.explanation = "Giải trình rất dài " * 40
    criterion.save()
    ws = workbook_of(seed_plan).active
    rows = row_by_code(ws)
    short = ws.row_dimensions[rows["3"]].height
    long = ws.row_dimensions[rows["1.3"]].height
    assert short and long
    assert long > 5 * short
    assert all(ws.row_dimensions[r].height for r in rows.values())


def test_it_prints_on_a4_landscape_one_page_wide_with_the_header_repeated(
    seed_plan: Plan,
) -> None:
    ws = workbook_of(seed_plan).active
    assert ws.page_setup.orientation == "landscape"
    assert ws.page_setup.paperSize == 9  # A4
    assert ws.page_setup.fitToWidth == 1
    assert ws.page_setup.fitToHeight == 0
    assert ws.sheet_properties.pageSetUpPr.fitToPage
    assert ws.print_title_rows == "$7:$7"
    assert ws.freeze_panes == "C8"
    assert "&P" in ws.oddFooter.center.text and "&N" in ws.oddFooter.center.text


def test_columns_are_sized_and_long_text_wraps(seed_plan: Plan) -> None:
    ws = workbook_of(seed_plan).active
    assert ws.column_dimensions["B"].width >= 50
    assert ws.column_dimensions["G"].width >= 40
    assert 8 <= ws.column_dimensions["C"].width <= 14
    row = row_by_code(ws)["1.1.1"]
    assert ws.cell(row, 2).alignment.wrap_text
    assert ws.cell(row, 7).alignment.wrap_text


def test_evidence_is_listed_with_number_date_summary_page_and_original_name(
    seed_plan: Plan,
    units: dict[str, object],
    office: User,
    settings: object,
    tmp_path: Path,
) -> None:
    settings.MEDIA_ROOT = str(tmp_path)
    criterion = Criterion.objects.get(plan=seed_plan, code="1.2.2")
    for _copy in range(2):  # the second stored copy gets a random suffix
        evidence_add(
            plan=seed_plan,
            criterion=criterion,
            user=office,
            number="12/TB-SKHCN",
            issued_on=date(2023, 4, 5),
            summary="Thông báo kết luận giao ban quý I",
            location="mục 2, trang 3",
            file=SimpleUploadedFile("thong-bao-quy-1.pdf", b"%PDF-1.4 x"),
        )
    stored = Evidence.objects.filter(criterion=criterion).order_by("pk")
    assert stored[1].file.name != stored[0].file.name
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
    line = (
        "12/TB-SKHCN ngày 05/04/2023 – Thông báo kết luận giao ban quý I – mục 2, "
        "trang 3 – tệp: thong-bao-quy-1.pdf"
    )
    assert ws.cell(row, 7).value == (
        f"{line}\n{line}\n30/TB-SKHCN – Thông báo kết luận giao ban quý II"
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


def test_each_row_lists_its_own_evidence_whatever_order_it_was_added_in(
    seed_plan: Plan, office: User
) -> None:
    def criterion(code: str) -> Criterion:
        return Criterion.objects.get(plan=seed_plan, code=code)

    Evidence.objects.create(plan=seed_plan, criterion=criterion("4.2.3"), number="A")
    Evidence.objects.create(
        plan=seed_plan,
        criterion=criterion("1.1.1"),
        number="B",
        issued_on=date(2023, 5, 1),
    )
    part = TaskUnit.objects.filter(task__criterion__code="2.1.1").first()
    update = ProgressUpdate.objects.create(
        part=part, author=office, status="in_progress", percent=20
    )
    Evidence.objects.create(plan=seed_plan, progress_update=update, number="C")
    Evidence.objects.create(
        plan=seed_plan,
        criterion=criterion("1.1.1"),
        number="D",
        issued_on=date(2023, 2, 1),
    )
    ws = workbook_of(seed_plan).active
    shown = {code: ws.cell(row, 7).value for code, row in row_by_code(ws).items()}
    assert shown["1.1.1"] == "D ngày 01/02/2023\nB ngày 01/05/2023"
    assert shown["2.1.1"] == "C"
    assert shown["4.2.3"] == "A"
    assert {code for code, text in shown.items() if text} == {
        "1.1.1",
        "2.1.1",
        "4.2.3",
    }


def test_a_formula_cut_where_the_sheet_is_read_in_pieces_keeps_its_result(
    seed_plan: Plan, monkeypatch: pytest.MonkeyPatch
) -> None:
    self_scored(seed_plan)
    whole = [[c.value for c in row] for row in cached_of(seed_plan).active.iter_rows()]
    monkeypatch.setattr("parplan.workbook_values.COPY_CHUNK", 37)
    pieces = [[c.value for c in row] for row in cached_of(seed_plan).active.iter_rows()]
    assert pieces == whole
    assert 3.56 in {v for row in pieces for v in row}


@pytest.mark.parametrize("size", [1, 3])
def test_the_export_runs_a_fixed_number_of_queries_whatever_the_size(
    organization: Organization,
    size: int,
    django_assert_num_queries: object,
) -> None:
    plan = plan_build(
        organization=organization, areas=size, criteria_per_area=size, tasks_per_leaf=2
    )
    plan = Plan.objects.get(pk=plan.pk)
    # the engine's criteria, tasks, their units' parts and the ranking table; the
    # organization; the evidence (with the progress reports they belong to)
    with django_assert_num_queries(6):
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


def test_libreoffice_computes_the_same_totals_as_the_dashboard(
    seed_plan: Plan, tmp_path: Path, soffice: str
) -> None:
    ranked(seed_plan)
    self_scored(seed_plan)
    figures = plan_figures(plan=seed_plan)
    path = tmp_path / "tu-danh-gia.xlsx"
    self_assessment_write(plan=seed_plan, output=str(path))
    # LibreOffice shows the cached results as they are: without them it must compute
    # every formula itself.
    path.write_bytes(_stale(path.read_bytes()))
    rows = recalculated(path, tmp_path, soffice)
    total_at = next(i for i, r in enumerate(rows) if len(r) > 1 and r[1] == "TỔNG CỘNG")
    total, index = rows[total_at], rows[total_at + 1]
    assert [D(v) for v in total[2:5]] == [D("15"), D("3.56"), D("3.96")]
    assert D(total[4]) == figures.totals.forecast
    assert D(index[5]) == figures.projected.index == D("82.31")
    by_code = {r[0]: r for r in rows[HEADER:total_at] if r and r[0]}
    for area in figures.areas:
        assert D(by_code[area.code][4]) == area.forecast
        assert D(by_code[area.code][2]) == area.max_score


def _stale(data: bytes) -> bytes:
    """The workbook without its cached formula results."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            content = source.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                content = re.sub(rb"(</f>)<v>[0-9.]+</v>", rb"\1<v></v>", content)
            target.writestr(info, content)
    return out.getvalue()


def test_libreoffice_totals_match_on_a_three_level_generated_plan(
    organization: Organization, tmp_path: Path, soffice: str
) -> None:
    plan = plan_build(organization=organization, areas=3, criteria_per_area=4)
    path = tmp_path / "lon.xlsx"
    self_assessment_write(plan=plan, output=str(path))
    path.write_bytes(_stale(path.read_bytes()))
    rows = recalculated(path, tmp_path, soffice)
    total = next(r for r in rows if len(r) > 1 and r[1] == "TỔNG CỘNG")
    # 3 areas × 4 criteria × 2 sub-criteria, each of maximum 1 and not self-scored:
    # achieved is the forecast, the baseline 0,25 each with no progress.
    assert total[2] == "24"
    assert total[3] == ""  # nothing self-scored: empty, never 0
    assert D(total[4]) == plan_figures(plan=plan).totals.forecast == D("6")


# Command and download -------------------------------------------------------------


def test_the_command_writes_the_workbook(seed_plan: Plan, tmp_path: Path) -> None:
    out = io.StringIO()
    target = tmp_path / "bao-cao.xlsx"
    call_command("export_self_assessment", year=2023, output=str(target), stdout=out)
    assert target.is_file()
    assert openpyxl.load_workbook(target).active["C7"].value == "Điểm tối đa"
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
        assert ws["B7"].value == "Lĩnh vực / Tiêu chí / Tiêu chí thành phần"


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
    # session, user, the user's groups (role), the plan with its organization; the
    # engine's criteria, tasks, parts and ranking table; the evidence with the
    # progress reports they belong to; the self-assessment's state for the status line
    # under the title (a draft: no step to read)
    with django_assert_num_queries(10):
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


# PDF ---------------------------------------------------------------------------------


def test_the_pdf_download_is_the_workbook_laid_out_by_libreoffice(
    seed_plan: Plan, viewer: User, soffice: str
) -> None:
    url = reverse("reports-export-self-assessment-pdf", args=[seed_plan.pk])
    response = client_for(viewer).get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert 'filename="tu-danh-gia-SKHCN-2023.pdf"' in response["Content-Disposition"]
    assert b"".join(response.streaming_content).startswith(b"%PDF-")


def test_without_libreoffice_the_pdf_button_says_so(
    seed_plan: Plan, viewer: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("parplan.workbook_values.shutil.which", lambda _name: None)
    monkeypatch.setattr("reports.views.soffice_path", lambda: None)
    page = client_for(viewer).get(
        reverse("reports-self-assessment", args=[seed_plan.pk])
    )
    assert "chưa cài LibreOffice" in page.content.decode()
    response = client_for(viewer).get(
        reverse("reports-export-self-assessment-pdf", args=[seed_plan.pk])
    )
    assert response.status_code == 503
    assert "Chưa tạo được bản PDF" in response.content.decode()


def test_the_command_writes_the_pdf_too(
    seed_plan: Plan, tmp_path: Path, soffice: str
) -> None:
    out = io.StringIO()
    call_command(
        "export_self_assessment", year=2023, output=str(tmp_path), pdf=True, stdout=out
    )
    assert (tmp_path / "tu-danh-gia-SKHCN-2023.xlsx").is_file()
    assert (tmp_path / "tu-danh-gia-SKHCN-2023.pdf").read_bytes().startswith(b"%PDF-")
    assert "Đã xuất bản PDF" in out.getvalue()


def test_libreoffice_in_vietnamese_shows_scores_with_a_comma_and_no_trailing_zero(
    seed_plan: Plan, tmp_path: Path, soffice: str
) -> None:
    self_scored(seed_plan)
    path = tmp_path / "vi.xlsx"
    self_assessment_write(plan=seed_plan, output=str(path))
    subprocess.run(
        [
            soffice,
            "--headless",
            "--norestore",
            f"-env:UserInstallation=file://{tmp_path / 'lo-vi'}",
            "--convert-to",
            # ';' between fields, cells as shown
            "csv:Text - txt - csv (StarCalc):59,34,76,1,,0,false,true,true",
            "--outdir",
            str(tmp_path),
            str(path),
        ],
        check=True,
        capture_output=True,
        timeout=120,
        env={**os.environ, "LC_ALL": "vi_VN.UTF-8", "LANG": "vi_VN.UTF-8"},
    )
    with open(tmp_path / "vi.csv", encoding="utf-8") as handle:
        rows = list(csv.reader(handle, delimiter=";"))
    by_code = {r[0]: r for r in rows[HEADER:] if r and r[0]}
    assert by_code["1.2.1"][2:5] == ["0,5", "0,25", "0,25"]
    assert by_code["1.1.1"][2:5] == ["2", "1,5", "1,5"]
    assert by_code["2"][3] == ""  # an unscored heading: empty, never 0,00
    total = next(r for r in rows if len(r) > 1 and r[1] == "TỔNG CỘNG")
    assert total[2:5] == ["15", "3,56", "3,96"]
