"""The appendix import (tasks/appendix/): the seed plan read whole, other files and
their problems, re-imports; and the ``import_appendix`` command."""

from __future__ import annotations

from decimal import Decimal
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.db.models import Sum

from criteria.models import Criterion, Organization, Plan
from parplan.tables import TableImportError
from tasks.appendix.load import appendix_import
from tasks.models import Task, TaskUnit, Unit
from tests.helpers import ORG_NAME, SEED_FILE

D = Decimal


def leaf_sums(plan: Plan, prefix: str = "") -> tuple[Decimal, Decimal, Decimal]:
    qs = Criterion.objects.filter(plan=plan, max_score__isnull=False)
    if prefix:
        qs = qs.filter(code__startswith=prefix + ".")
    s = qs.aggregate(m=Sum("max_score"), b=Sum("baseline_score"), t=Sum("target_score"))
    return s["m"], s["b"], s["t"]


def test_the_seed_gives_24_rows_of_which_13_are_scored(seed_plan: Plan) -> None:
    assert Criterion.objects.filter(plan=seed_plan).count() == 24
    assert (
        Criterion.objects.filter(plan=seed_plan, max_score__isnull=False).count() == 13
    )


def test_the_seed_totals_are_15_then_1_65_then_15(seed_plan: Plan) -> None:
    assert leaf_sums(seed_plan) == (D("15"), D("1.65"), D("15"))
    _maximum, baseline, target = leaf_sums(seed_plan)
    assert target - baseline == D("13.35")


@pytest.mark.parametrize(
    ("area", "expected"),
    [
        ("1", (D("5"), D("1.25"), D("5"))),
        ("2", (D("1.5"), D("0"), D("1.5"))),
        ("3", (D("1"), D("0"), D("1"))),
        ("4", (D("7.5"), D("0.4"), D("7.5"))),
    ],
)
def test_each_area_sums_as_the_domain_notes_say(
    seed_plan: Plan, area: str, expected: tuple[Decimal, Decimal, Decimal]
) -> None:
    assert leaf_sums(seed_plan, area) == expected


HEADER = [
    "STT",
    "Lĩnh vực, tiêu chí",
    "Điểm chuẩn",
    "Điểm 2022 đạt được",
    "Mục tiêu năm 2023",
    "Nhiệm vụ, giải pháp",
    "Đơn vị chủ trì",
]
GOOD_ROWS = [
    ["1", "CÔNG TÁC CHỈ ĐẠO", "", "", "", "", ""],
    ["1.1", "Tuyên truyền", "", "", "", "", ""],
    ["1.1.1", "Tuyên truyền CCHC", "2", "1", "2", "Tuyên truyền 100%", "Văn phòng Sở"],
    [
        "1.2",
        "Sáng kiến",
        "2",
        "0",
        "2",
        "Một sáng kiến",
        "Các phòng, đơn vị trực thuộc",
    ],
]


def tsv(rows: list[list[str]]) -> bytes:
    return "\n".join("\t".join(r) for r in rows).encode()


def xlsx(rows: list[list[object]], title_rows: int = 0) -> bytes:
    import io

    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    for i in range(title_rows):
        ws.append([f"TIÊU ĐỀ {i + 1}: PHỤ LỤC KẾ HOẠCH"])
    for row in rows:
        ws.append(row)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def run(
    organization: Any, data: bytes, filename: str = "phu-luc.tsv", **kw: Any
) -> Any:
    return appendix_import(
        organization=organization, year=2023, data=data, filename=filename, **kw
    )


def snapshot() -> tuple:
    return (
        list(
            Criterion.objects.values_list(
                "code", "title", "max_score", "baseline_score", "target_score"
            ).order_by("code")
        ),
        list(
            Task.objects.values_list("criterion__code", "position", "text").order_by(
                "pk"
            )
        ),
        list(TaskUnit.objects.values_list("task_id", "unit_id", "role").order_by("pk")),
        list(Unit.objects.values_list("name", flat=True).order_by("pk")),
        Plan.objects.count(),
    )


def test_every_task_text_and_lead_unit_is_kept_as_written(seed_plan: Plan) -> None:
    seed = SEED_FILE.read_text(encoding="utf-8")
    tasks = Task.objects.filter(criterion__plan=seed_plan).prefetch_related(
        "parts__unit"
    )
    by_code = {t.criterion.code: t for t in tasks.select_related("criterion")}
    assert len(by_code) == 13
    for line in seed.splitlines():
        cells = line.split("\t")
        if len(cells) == 7 and cells[0] in by_code:
            task = by_code[cells[0]]
            assert task.text == cells[5]
            assert task.lead_label() == cells[6]
    assert by_code["1.1.1"].lead_label() == "Văn phòng Sở; Trung tâm TTKT& UDKHCN"
    assert by_code["4.3"].lead_label() == ""
    assert by_code["1.3"].all_units


def test_a_task_for_all_units_gives_every_unit_its_own_part(seed_plan: Plan) -> None:
    task = Task.objects.get(criterion__plan=seed_plan, criterion__code="1.3")
    assert task.lead_label() == "Các phòng, đơn vị trực thuộc"
    assert task.parts.count() == Unit.objects.count()


def test_headings_carry_no_scores_and_scored_rows_may_sit_at_depth_two(
    seed_plan: Plan,
) -> None:
    heading = Criterion.objects.get(plan=seed_plan, code="4.2")
    assert heading.max_score is None and heading.children.count() == 4
    scored = Criterion.objects.get(plan=seed_plan, code="4.3")
    assert scored.depth == 2 and scored.max_score == D("0.5")
    assert scored.parent.code == "4"


def test_importing_the_same_file_twice_changes_nothing(
    seed_plan: Plan, organization: Any
) -> None:
    before = snapshot()
    report = run(organization, SEED_FILE.read_bytes(), SEED_FILE.name)
    assert report.created == [] and report.updated == []
    assert len(report.unchanged) == 24 and report.tasks_unchanged == 13
    assert snapshot() == before


def test_a_dry_run_reports_what_would_change_and_writes_nothing(
    organization: Any, units: Any
) -> None:
    before = snapshot()
    report = run(organization, SEED_FILE.read_bytes(), SEED_FILE.name, dry_run=True)
    assert len(report.created) == 24 and report.tasks_created == 13
    assert snapshot() == before


SEED_1_2_1 = (
    "\tTriển khai, hướng dẫn, đôn đốc thực hiện CCHC theo các văn bản chỉ đạo của UBND "
    "tỉnh, các ngành liên quan.\t0,5\t"
)


def seed_with_1_2_1(code: str, *, baseline: str) -> str:
    """The seed file with its row 1.2.1 written as ``code`` and ``baseline``."""
    text = SEED_FILE.read_text(encoding="utf-8")
    assert "1.2.1" + SEED_1_2_1 + "0,25" in text
    return text.replace("1.2.1" + SEED_1_2_1 + "0,25", code + SEED_1_2_1 + baseline)


def test_a_changed_score_updates_only_its_criterion(
    seed_plan: Plan, organization: Any
) -> None:
    text = seed_with_1_2_1("1.2.1", baseline="0,3")
    report = run(organization, text.encode(), "seed.txt")
    assert report.updated == ["1.2.1"]
    assert Criterion.objects.get(plan=seed_plan, code="1.2.1").baseline_score == D(
        "0.3"
    )


def test_a_code_written_with_leading_zeros_is_the_criterion_without_them(
    seed_plan: Plan, organization: Any
) -> None:
    text = seed_with_1_2_1("01.02.01", baseline="0,3")
    report = run(organization, text.encode(), "seed.txt")
    assert report.created == [] and report.updated == ["1.2.1"]
    assert Criterion.objects.filter(plan=seed_plan).count() == 24


def test_an_xlsx_with_title_rows_text_numbers_and_a_repeated_header_is_read(
    organization: Any, units: Any
) -> None:
    rows = [
        HEADER,
        [
            "1",
            "2",
            "3",
            "4",
            "5",
            "6",
            "7",
        ],  # the row of column numbers under the header
        ["1", "CÔNG TÁC CHỈ ĐẠO", None, None, None, None, None],
        ["1.1", "Tuyên truyền", 2, "0,25", "1.5", "Tuyên truyền", "Văn phòng Sở"],
        [
            None,
            None,
            None,
            None,
            None,
            "Tập huấn thêm",
            None,
        ],  # merged cells: a second task
        HEADER,
        [1.2, "Sáng kiến", 0.5, 0, "0,5", "Một sáng kiến", "Văn phòng Sở"],
        [None, "Tổng cộng", 2.5, 0.25, 2, None, None],
    ]
    report = run(organization, xlsx(rows, title_rows=3), "phu-luc.xlsx")
    assert report.created == ["1", "1.1", "1.2"]
    c11 = Criterion.objects.get(code="1.1")
    assert (c11.max_score, c11.baseline_score, c11.target_score) == (
        D("2"),
        D("0.25"),
        D("1.5"),
    )
    assert [t.text for t in c11.tasks.order_by("position")] == [
        "Tuyên truyền",
        "Tập huấn thêm",
    ]
    assert c11.tasks.get(position=2).lead_label() == "Văn phòng Sở"
    assert Criterion.objects.get(code="1.2").max_score == D("0.5")
    assert any("dòng tổng" in n for n in report.notices)


def test_a_csv_with_decimal_points_and_semicolons_is_read(
    organization: Any, units: Any
) -> None:
    lines = [";".join(HEADER)] + [
        ";".join(f'"{c}"' if "," in c else c for c in r).replace("0,25", "0.25")
        for r in GOOD_ROWS
    ]
    report = run(organization, "\n".join(lines).encode(), "phu-luc.csv")
    assert report.created == ["1", "1.1", "1.1.1", "1.2"]


BAD_CASES = [
    (
        "unknown layout",
        [["Số", "Nội dung công việc", "Ghi chú"], ["1", "x", "y"]],
        ["Không tìm thấy dòng tiêu đề"],
    ),
    (
        "missing columns",
        [
            ["STT", "Lĩnh vực, tiêu chí", "Điểm chuẩn", "Mục tiêu năm 2023"],
            ["1", "A", "1", "1"],
        ],
        ["thiếu cột", "Điểm năm trước đạt được"],
    ),
    (
        "non-numeric score",
        [
            HEADER,
            *GOOD_ROWS[:2],
            ["1.1.1", "Tuyên truyền", "2", "một", "2", "Việc", "Văn phòng Sở"],
        ],
        ["Dòng 4", "cột “Điểm 2022 đạt được”", "“một” không phải là số"],
    ),
    (
        "score above the standard",
        [
            HEADER,
            *GOOD_ROWS[:2],
            ["1.1.1", "Tuyên truyền", "2", "1", "2,5", "Việc", "Văn phòng Sở"],
        ],
        ["Dòng 4", "cột “Mục tiêu năm 2023”", "2,5 vượt điểm chuẩn 2"],
    ),
    (
        "duplicate code",
        [
            HEADER,
            *GOOD_ROWS,
            ["1.2", "Sáng kiến lần hai", "1", "0", "1", "Việc", "Văn phòng Sở"],
        ],
        ["Dòng 6", "mã 1.2 trùng với dòng 5"],
    ),
    (
        "the same code written with a leading zero",
        [
            HEADER,
            *GOOD_ROWS,
            ["1.02", "Sáng kiến lần hai", "1", "0", "1", "Việc", "Văn phòng Sở"],
        ],
        ["Dòng 6", "mã 1.02 trùng với dòng 5"],
    ),
    (
        "code without its parent",
        [
            HEADER,
            *GOOD_ROWS,
            ["5.1.1", "Mồ côi", "1", "0", "1", "Việc", "Văn phòng Sở"],
        ],
        ["Dòng 6", "mã 5.1.1 thiếu dòng cha 5.1"],
    ),
    (
        "negative score",
        [
            HEADER,
            *GOOD_ROWS[:2],
            ["1.1.1", "Tuyên truyền", "2", "-1", "2", "Việc", "Văn phòng Sở"],
        ],
        ["Dòng 4", "điểm không được âm"],
    ),
    (
        "too many decimals",
        [
            HEADER,
            *GOOD_ROWS[:2],
            ["1.1.1", "Tuyên truyền", "2", "0,1255", "2", "Việc", "Văn phòng Sở"],
        ],
        ["Dòng 4", "quá 3 chữ số thập phân"],
    ),
    (
        "a scored row without scores",
        [HEADER, ["1", "Lĩnh vực", "", "", "", "Việc", "Văn phòng Sở"]],
        ["Dòng 2", "phải có điểm"],
    ),
    (
        "a bad code",
        [HEADER, *GOOD_ROWS, ["II", "Lĩnh vực La Mã", "1", "0", "1", "", ""]],
        ["Dòng 6", "“II” không phải mã tiêu chí"],
    ),
]


@pytest.mark.parametrize(
    ("case", "rows", "expected"), BAD_CASES, ids=[c[0] for c in BAD_CASES]
)
def test_bad_input_is_refused_with_its_row_and_reason_and_nothing_is_written(
    seed_plan: Plan,
    organization: Any,
    case: str,
    rows: list[list[str]],
    expected: list[str],
) -> None:
    before = snapshot()
    with pytest.raises(TableImportError) as caught:
        run(organization, tsv(rows))
    message = str(caught.value)
    for part in expected:
        assert part in message
    assert snapshot() == before


@pytest.mark.parametrize(
    ("data", "filename", "expected"),
    [
        (b"", "empty.xlsx", "trống"),
        (b"this is not a spreadsheet", "plan.xlsx", "không phải bảng tính Excel"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100, "plan.xls", "Excel cũ"),
        (b"\x00\x01\x02binary", "plan.txt", "không phải là tệp văn bản"),
    ],
)
def test_a_file_that_is_not_what_its_name_says_is_refused(
    organization: Any, data: bytes, filename: str, expected: str
) -> None:
    with pytest.raises(TableImportError) as caught:
        run(organization, data, filename)
    assert expected in str(caught.value)
    assert Criterion.objects.count() == 0 and Plan.objects.count() == 0


def test_an_empty_sheet_is_refused(organization: Any) -> None:
    with pytest.raises(TableImportError) as caught:
        run(organization, xlsx([]), "trong.xlsx")
    assert "mọi trang tính đều trống" in str(caught.value)


def test_a_file_for_another_year_is_refused(organization: Any) -> None:
    with pytest.raises(TableImportError) as caught:
        appendix_import(
            organization=organization,
            year=2024,
            data=SEED_FILE.read_bytes(),
            filename="seed.txt",
        )
    assert "mục tiêu năm 2023 nhưng đang nhập cho kế hoạch năm 2024" in str(
        caught.value
    )


def test_a_lead_unit_with_reported_progress_is_not_dropped_by_a_reimport(
    seed_plan: Plan, organization: Any
) -> None:
    part = TaskUnit.objects.get(
        task__criterion__code="1.1.1", unit__name="Trung tâm TTKT& UDKHCN"
    )
    part.percent = 40
    part.save()
    text = SEED_FILE.read_text(encoding="utf-8").replace(
        "Văn phòng Sở; Trung tâm TTKT& UDKHCN", "Văn phòng Sở"
    )
    before = snapshot()
    with pytest.raises(TableImportError) as caught:
        run(organization, text.encode(), "seed.txt")
    assert "đã báo cáo tiến độ" in str(caught.value)
    assert snapshot() == before


# The command -----------------------------------------------------------------------


def test_import_appendix_creates_the_plan_and_reports_what_it_did(db: None) -> None:
    out = StringIO()
    call_command(
        "import_appendix",
        str(SEED_FILE),
        "--year",
        "2023",
        "--organization",
        ORG_NAME,
        stdout=out,
    )
    assert "Tiêu chí: 24 đã tạo" in out.getvalue()
    assert Criterion.objects.count() == 24 and Task.objects.count() == 13


def test_import_appendix_dry_run_writes_nothing_not_even_the_organization(
    db: None,
) -> None:
    out = StringIO()
    call_command(
        "import_appendix",
        str(SEED_FILE),
        "--year",
        "2023",
        "--organization",
        ORG_NAME,
        "--dry-run",
        stdout=out,
    )
    assert "24 sẽ tạo" in out.getvalue()
    assert Organization.objects.count() == 0 and Plan.objects.count() == 0


def test_import_appendix_fails_with_the_row_and_reason(
    tmp_path: Path, organization: Organization
) -> None:
    bad = tmp_path / "bad.tsv"
    bad.write_text(
        "STT\tLĩnh vực, tiêu chí\tĐiểm chuẩn\tĐiểm 2022 đạt được\tMục tiêu năm 2023\n1\tA\t1\t2\t1\n",
        encoding="utf-8",
    )
    with pytest.raises(CommandError) as caught:
        call_command("import_appendix", str(bad), "--year", "2023")
    assert "chưa ghi gì" in str(caught.value)
    assert "Dòng 2, cột “Điểm 2022 đạt được”: 2 vượt điểm chuẩn 1" in str(caught.value)
    assert Plan.objects.count() == 0


def test_import_appendix_says_when_the_file_is_missing(
    organization: Organization,
) -> None:
    with pytest.raises(CommandError, match="Không tìm thấy tệp"):
        call_command("import_appendix", "/nonexistent/plan.xlsx", "--year", "2023")


def test_a_score_with_three_decimals_is_kept_as_written(organization: object) -> None:
    rows = [
        HEADER,
        *GOOD_ROWS[:2],
        ["1.1.1", "Tuyên truyền", "2", "0,375", "1,125", "Việc", "Văn phòng Sở"],
    ]
    report = appendix_import(
        organization=organization, year=2023, data=tsv(rows), filename="p.tsv"
    )
    row = Criterion.objects.get(plan=report.plan, code="1.1.1")
    assert (row.baseline_score, row.target_score) == (D("0.375"), D("1.125"))


def test_a_baseline_year_not_before_the_plan_year_is_refused(
    organization: object,
) -> None:
    header = [*HEADER[:3], "Điểm 2023 đạt được", "Mục tiêu năm 2023", *HEADER[5:]]
    rows = [header, *GOOD_ROWS]
    with pytest.raises(TableImportError) as caught:
        appendix_import(
            organization=organization, year=2023, data=tsv(rows), filename="p.tsv"
        )
    assert "Dòng 1, cột “Điểm 2023 đạt được”" in str(caught.value)
    assert "không trước năm kế hoạch 2023" in str(caught.value)
    assert not Plan.objects.exists()
