"""The peer ranking table: ``import_ranking`` from the province's decision."""

from __future__ import annotations

import io
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from criteria.models import Organization
from parplan.tables import TableImportError
from reports.models import PeerRank
from reports.ranking import ranking_import

D = Decimal

TABLE = """\
UBND TỈNH ĐẮK NÔNG;;;;
BẢNG XẾP HẠNG CHỈ SỐ CCHC NĂM 2022 CỦA CÁC SỞ, BAN, NGÀNH (thử nghiệm);;;;
;;;;
STT;Tên đơn vị;Chỉ số CCHC (%);Xếp hạng;Xếp loại
1;Đơn vị thử A;90,125;1;Tốt
2;Đơn vị thử B;85,5;2;Khá
3;Sở Khoa học và Công nghệ;80,25;3;Khá
4;Đơn vị thử C;80,25;3;Khá
5;Đơn vị thử D;70;5;Trung bình
"""


def run(path: Path, *args: str) -> str:
    out = io.StringIO()
    call_command("import_ranking", str(path), *args, stdout=out)
    return out.getvalue()


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def table(year: int = 2022) -> list[tuple]:
    return list(
        PeerRank.objects.filter(year=year)
        .order_by("position")
        .values_list("name", "index", "rank", "band", "organization__name")
    )


def test_a_csv_with_title_rows_and_decimal_commas_is_imported(
    organization: Organization, tmp_path: Path
) -> None:
    output = run(write(tmp_path, "xh.csv", TABLE), "--year", "2022")
    assert table() == [
        ("Đơn vị thử A", D("90.125"), 1, "Tốt", None),
        ("Đơn vị thử B", D("85.5"), 2, "Khá", None),
        ("Sở Khoa học và Công nghệ", D("80.25"), 3, "Khá", organization.name),
        ("Đơn vị thử C", D("80.25"), 3, "Khá", None),
        ("Đơn vị thử D", D("70"), 5, "Trung bình", None),
    ]
    assert "5 đơn vị" in output
    assert "← cơ quan" in output


def test_self_names_the_organizations_row(
    organization: Organization, tmp_path: Path
) -> None:
    run(write(tmp_path, "xh.csv", TABLE), "--year", "2022", "--self", "đơn vị thử b")
    own = PeerRank.objects.get(organization=organization)
    assert own.name == "Đơn vị thử B"


def test_an_unknown_self_name_is_refused(
    organization: Organization, tmp_path: Path
) -> None:
    with pytest.raises(CommandError, match="Không có đơn vị “Sở Nội vụ”"):
        run(write(tmp_path, "xh.csv", TABLE), "--year", "2022", "--self", "Sở Nội vụ")
    assert not PeerRank.objects.exists()


def test_missing_ranks_are_computed_with_equal_indices_sharing_a_rank(
    organization: Organization, tmp_path: Path
) -> None:
    text = (
        "Tên đơn vị\tĐiểm\n"
        "Đơn vị thử A\t70.5\n"
        "Đơn vị thử B\t88\n"
        "Đơn vị thử C\t70.5\n"
        "Đơn vị thử D\t60,125\n"
    )
    output = run(write(tmp_path, "xh.tsv", text), "--year", "2022")
    ranks = dict(PeerRank.objects.values_list("name", "rank"))
    assert ranks == {
        "Đơn vị thử A": 2,
        "Đơn vị thử B": 1,
        "Đơn vị thử C": 2,
        "Đơn vị thử D": 4,
    }
    assert PeerRank.objects.get(name="Đơn vị thử D").score == D("60.125")
    assert "đã tính theo chỉ số" in output


def test_an_import_replaces_that_years_table_only(
    organization: Organization, tmp_path: Path
) -> None:
    PeerRank.objects.create(year=2022, name="Bảng cũ", index=D("50"))
    PeerRank.objects.create(year=2021, name="Năm khác", index=D("50"))
    output = run(write(tmp_path, "xh.csv", TABLE), "--year", "2022")
    assert not PeerRank.objects.filter(name="Bảng cũ").exists()
    assert PeerRank.objects.filter(year=2021, name="Năm khác").exists()
    assert PeerRank.objects.filter(year=2022).count() == 5
    assert "thay 1 dòng cũ" in output


def test_a_dry_run_writes_nothing(organization: Organization, tmp_path: Path) -> None:
    output = run(write(tmp_path, "xh.csv", TABLE), "--year", "2022", "--dry-run")
    assert "Chạy thử" in output
    assert not PeerRank.objects.exists()


def test_a_dry_run_without_our_row_says_why_once(
    organization: Organization, tmp_path: Path
) -> None:
    text = TABLE.replace("Sở Khoa học và Công nghệ", "Đơn vị thử E")
    output = run(write(tmp_path, "xh.csv", text), "--year", "2022", "--dry-run")
    assert output.count("Không nhận ra dòng") == 1
    assert "Chưa xác định dòng của cơ quan" not in output


def test_an_xlsx_table_is_read_from_its_first_sheet(
    organization: Organization, tmp_path: Path
) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["KẾT QUẢ CHỈ SỐ CCHC NĂM 2022"])
    sheet.append([])
    sheet.append(["STT", "Tên đơn vị", "Điểm / Chỉ số", "Xếp hạng"])
    sheet.append([1, "Đơn vị thử A", 91.255, 1])
    sheet.append([2, "Sở Khoa học và Công nghệ tỉnh Đắk Nông", 84.5, 2])
    path = tmp_path / "xh.xlsx"
    book.save(path)
    run(path, "--year", "2022")
    assert table() == [
        ("Đơn vị thử A", D("91.255"), 1, "", None),
        (organization.name, D("84.5"), 2, "", organization.name),
    ]


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        (
            "1;Đơn vị thử A;chín mươi;1\n",
            "Dòng 2, cột “Chỉ số (%)”: “chín mươi” không phải là số",
        ),
        ("1;Đơn vị thử A;90,1234;1\n", "“90,1234” có quá 3 chữ số thập phân"),
        ("1;Đơn vị thử A;120;1\n", "Dòng 2, cột “Chỉ số (%)”: 120 vượt quá 100"),
        ("1;;90;1\n", "Dòng 2, cột “Tên đơn vị”: thiếu tên đơn vị"),
        (
            "1;" + "Đơn vị thử " * 30 + ";90;1\n",
            "Dòng 2, cột “Tên đơn vị”: dài 329 ký tự, quá 255 ký tự",
        ),
        ("1;Đơn vị thử A;90;nhất\n", "“nhất” không phải là thứ hạng"),
        (
            "1;Đơn vị thử A;90;1\n2;Đơn vị  thử a;80;2\n",
            "Dòng 3, cột “Tên đơn vị”: đơn vị “Đơn vị  thử a” trùng với dòng 2",
        ),
        ("1;Đơn vị thử A;;1\n", "Dòng 2, cột “Chỉ số (%)”: thiếu điểm hoặc chỉ số"),
    ],
)
def test_a_bad_row_is_named_and_nothing_is_written(
    organization: Organization, tmp_path: Path, rows: str, message: str
) -> None:
    PeerRank.objects.create(year=2022, name="Bảng cũ", index=D("50"))
    path = write(tmp_path, "xh.csv", "STT;Tên đơn vị;Chỉ số (%);Xếp hạng\n" + rows)
    with pytest.raises(CommandError) as caught:
        run(path, "--year", "2022")
    assert message in str(caught.value)
    assert "chưa ghi gì" in str(caught.value)
    assert list(PeerRank.objects.values_list("name", flat=True)) == ["Bảng cũ"]


def test_a_file_without_the_table_header_is_explained(
    organization: Organization, tmp_path: Path
) -> None:
    path = write(tmp_path, "xh.csv", "Họ tên;Ngày sinh\nA;1/1/1990\n")
    with pytest.raises(CommandError, match="Không tìm thấy dòng tiêu đề"):
        run(path, "--year", "2022")


def test_a_group_heading_row_without_figures_is_skipped(
    organization: Organization,
) -> None:
    data = (
        "STT;Tên đơn vị;Chỉ số (%);Xếp hạng\n"
        "I;CÁC SỞ, BAN, NGÀNH;;\n"
        "1;Đơn vị thử A;90;1\n"
    ).encode()
    report = ranking_import(
        year=2022, data=data, filename="xh.csv", organization=organization
    )
    assert [r.name for r in report.rows] == ["Đơn vị thử A"]
    assert any("dòng tiêu đề nhóm" in n for n in report.notices)
    assert "Không nhận ra dòng" in report.own_missing
    assert not any("Không nhận ra dòng" in n for n in report.notices)


def test_the_service_raises_the_problems_for_a_browser_import_to_show(
    organization: Organization,
) -> None:
    with pytest.raises(TableImportError) as caught:
        ranking_import(
            year=2022,
            data=b"STT;T\xc3\xaan \xc4\x91\xc6\xa1n v\xe1\xbb\x8b;\xc4\x90i\xe1\xbb\x83m\n1;A;x\n",
            filename="xh.csv",
            organization=organization,
        )
    assert caught.value.problems[0].row == 2
