"""A corpus of bad files, each refused with its reason and the database unchanged."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable

import openpyxl
import pytest
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from criteria.models import Criterion, Organization, Plan
from parplan.tables import TableImportError
from reports.plan_workbook import plan_write
from tasks.appendix.load import appendix_import
from tests.helpers import client_for
from tests.workbooks import (
    APPENDIX_HEADER,
    GOOD_ROWS,
    appendix_xlsx,
    database_state,
    xlsx_bytes,
)


def with_cell(row: int, column: int, value: object) -> list[list[object]]:
    rows = [list(r) for r in GOOD_ROWS]
    rows[row][column] = value
    return rows


def wrong_columns() -> bytes:
    header = [h for h in APPENDIX_HEADER if h != "Điểm chuẩn"]
    return xlsx_bytes([header, *[r[:2] + r[3:] for r in GOOD_ROWS]])


def empty_sheet() -> bytes:
    return xlsx_bytes([], title_rows=0, sheets=3)


def zip_bomb() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"0" * (20 * 1024 * 1024))
    return buffer.getvalue()


def too_many_parts() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
        for index in range(2_001):
            archive.writestr(f"xl/media/image{index}.bin", b"x")
    return buffer.getvalue()


def billion_laughs() -> bytes:
    """A real workbook whose sheet declares an entity that expands exponentially."""
    source = zipfile.ZipFile(io.BytesIO(appendix_xlsx()))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                entities = '<!ENTITY a "ha">' + "".join(
                    f'<!ENTITY {chr(98 + i)} "&{chr(97 + i)};&{chr(97 + i)};">'
                    for i in range(20)
                )
                data = f"<!DOCTYPE worksheet [{entities}]>".encode() + data.replace(
                    "Tuyên truyền".encode(), b"&u;", 1
                )
                assert b"&u;" in data
            archive.writestr(info, data)
    return buffer.getvalue()


def formula_in_title() -> bytes:
    return appendix_xlsx(
        with_cell(2, 1, '=HYPERLINK("http://evil.example","Tuyên truyền")')
    )


def formula_in_score_without_result() -> bytes:
    return appendix_xlsx(with_cell(3, 2, "=0.5+0.5"))


def damaged_archive() -> bytes:
    return b"PK\x03\x04" + b"\x00" * 200


def old_excel() -> bytes:
    return b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600


CORPUS: list[tuple[str, Callable[[], bytes], str, list[str]]] = [
    (
        "wrong-columns",
        wrong_columns,
        "thieu-cot.xlsx",
        ["Dòng 3: Dòng tiêu đề thiếu cột: Điểm chuẩn."],
    ),
    (
        "text-in-number",
        lambda: appendix_xlsx(with_cell(2, 2, "hai")),
        "chu-trong-so.xlsx",
        ["Dòng 6, cột “Điểm chuẩn”: “hai” không phải là số."],
    ),
    (
        "too-many-decimals",
        lambda: appendix_xlsx(with_cell(2, 3, 0.1255)),
        "thap-phan.xlsx",
        ["Dòng 6, cột “Điểm 2022 đạt được”: “0,1255” có quá 3 chữ số thập phân."],
    ),
    (
        "above-standard",
        lambda: appendix_xlsx(with_cell(3, 4, 1.5)),
        "vuot-diem.xlsx",
        ["Dòng 7, cột “Mục tiêu năm 2023”: 1,5 vượt điểm chuẩn 1."],
    ),
    (
        "negative",
        lambda: appendix_xlsx(with_cell(3, 3, -0.5)),
        "am.xlsx",
        ["Dòng 7, cột “Điểm 2022 đạt được”: điểm không được âm (-0,5)."],
    ),
    (
        "duplicate-code",
        lambda: appendix_xlsx(with_cell(3, 0, "1.1.1")),
        "trung-ma.xlsx",
        ["Dòng 7, cột “STT”: mã 1.1.1 trùng với dòng 6."],
    ),
    (
        "orphan-code",
        lambda: appendix_xlsx(
            [*GOOD_ROWS, ["5.1", "Tiêu chí mồ côi", 1, 0, 1, None, None]]
        ),
        "mo-coi.xlsx",
        ["Dòng 9, cột “STT”: mã 5.1 thiếu dòng cha 5."],
    ),
    (
        "not-a-code",
        lambda: appendix_xlsx(with_cell(4, 0, "1.a")),
        "ma-sai.xlsx",
        ["Dòng 8, cột “STT”: “1.a” không phải mã tiêu chí dạng 1, 1.2 hoặc 1.2.3."],
    ),
    (
        "leaf-without-scores",
        lambda: appendix_xlsx(with_cell(4, 2, None)),
        "thieu-diem.xlsx",
        ["Dòng 8, cột “Điểm chuẩn”: tiêu chí không có tiêu chí con phải có điểm."],
    ),
    (
        "other-year",
        lambda: xlsx_bytes(
            [
                [*APPENDIX_HEADER[:4], "Mục tiêu năm 2024", *APPENDIX_HEADER[5:]],
                *GOOD_ROWS,
            ]
        ),
        "nam-khac.xlsx",
        [
            "Dòng 3, cột “Mục tiêu năm 2024”: Bảng ghi mục tiêu năm 2024 nhưng đang "
            "nhập cho kế hoạch năm 2023."
        ],
    ),
    (
        "empty-sheet",
        empty_sheet,
        "trong.xlsx",
        ["Tệp “trong.xlsx” không có dữ liệu: mọi trang tính đều trống."],
    ),
    (
        "empty-file",
        lambda: b"",
        "rong.csv",
        ["Tệp “rong.csv” trống."],
    ),
    (
        "not-excel-named-xlsx",
        lambda: "STT\tLĩnh vực\n1\tA\n".encode(),
        "gia-mao.xlsx",
        ["Tệp “gia-mao.xlsx” có tên .xlsx nhưng nội dung không phải bảng tính Excel."],
    ),
    (
        "pdf-named-xlsx",
        lambda: b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n",
        "van-ban.xlsx",
        ["Tệp “van-ban.xlsx” có tên .xlsx nhưng nội dung không phải bảng tính Excel."],
    ),
    (
        "old-excel",
        old_excel,
        "cu.xls",
        ["Tệp “cu.xls” là định dạng Excel cũ (.xls). Hãy lưu lại dưới dạng .xlsx."],
    ),
    (
        "damaged-archive",
        damaged_archive,
        "hong.xlsx",
        ["Tệp “hong.xlsx” bị hỏng: không mở được như một bảng tính .xlsx."],
    ),
    (
        "zip-bomb",
        zip_bomb,
        "bom.xlsx",
        [
            "Tệp “bom.xlsx” khi giải nén quá lớn so với kích thước tệp; đã từ chối "
            "để an toàn."
        ],
    ),
    (
        "too-many-parts",
        too_many_parts,
        "nhieu-phan.xlsx",
        ["Tệp “nhieu-phan.xlsx” có 2003 thành phần, quá nhiều cho một bảng tính."],
    ),
    (
        "entity-expansion",
        billion_laughs,
        "thuc-the.xlsx",
        [
            "Tệp “thuc-the.xlsx” chứa khai báo XML không an toàn (DTD, thực thể); "
            "đã từ chối để an toàn."
        ],
    ),
    (
        "formula-in-text",
        formula_in_title,
        "cong-thuc.xlsx",
        [
            "Dòng 6, cột “Lĩnh vực, tiêu chí”: ô chứa công thức "
            '“=HYPERLINK("http://evil.example","Tuyên truyền")”; cột này chỉ nhận '
            "chữ. Hãy dán lại dạng giá trị (Paste Special → Values) rồi nhập lại."
        ],
    ),
    (
        "formula-without-result",
        formula_in_score_without_result,
        "cong-thuc-so.xlsx",
        [
            "Dòng 7, cột “Điểm chuẩn”: ô có công thức nhưng tệp không lưu kết "
            "quả tính; hãy mở tệp bằng Excel, lưu lại rồi nhập lại."
        ],
    ),
    (
        "csv-text-in-number",
        lambda: (
            "STT;Lĩnh vực, tiêu chí;Điểm chuẩn;Điểm 2022 đạt được;Mục tiêu năm 2023\n"
            "1;Lĩnh vực;;;\n1.1;Tiêu chí;một;0;1\n"
        ).encode(),
        "bang.csv",
        ["Dòng 3, cột “Điểm chuẩn”: “một” không phải là số."],
    ),
]


@pytest.mark.parametrize(
    ("make", "filename", "expected"),
    [case[1:] for case in CORPUS],
    ids=[case[0] for case in CORPUS],
)
def test_a_bad_file_is_refused_with_its_reason_and_nothing_changes(
    seed_plan: Plan,
    make: Callable[[], bytes],
    filename: str,
    expected: list[str],
) -> None:
    before = database_state()
    with pytest.raises(TableImportError) as caught:
        appendix_import(
            organization=seed_plan.organization,
            year=2023,
            data=make(),
            filename=filename,
        )
    assert [str(p) for p in caught.value.problems] == expected
    assert database_state() == before


def test_a_bad_file_for_a_new_year_creates_no_plan(seed_plan: Plan) -> None:
    before = database_state()
    with pytest.raises(TableImportError):
        appendix_import(
            organization=seed_plan.organization,
            year=2024,
            data=appendix_xlsx(with_cell(2, 2, "hai")),
            filename="x.xlsx",
        )
    assert database_state() == before
    assert not Plan.objects.filter(year=2024).exists()


def test_a_file_over_the_size_limit_is_refused(
    seed_plan: Plan, settings: object
) -> None:
    settings.UPLOAD_MAX_BYTES = 1024 * 1024
    before = database_state()
    with pytest.raises(TableImportError) as caught:
        appendix_import(
            organization=seed_plan.organization,
            year=2023,
            data=b"x" * (1024 * 1024 + 1),
            filename="lon.csv",
        )
    assert str(caught.value) == "Tệp “lon.csv” lớn hơn giới hạn 1 MB."
    assert database_state() == before


def test_a_formula_whose_result_was_saved_gives_its_number(
    organization: Organization,
) -> None:
    """Excel saves each formula's result; the importer takes the number shown."""
    workbook = openpyxl.load_workbook(io.BytesIO(appendix_xlsx()))
    data = io.BytesIO()
    workbook.save(data)
    # Write the formula with a saved result, as Excel does, into the sheet XML.
    source = zipfile.ZipFile(io.BytesIO(data.getvalue()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for info in source.infolist():
            part = source.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                part = part.replace(
                    b'<c r="C7" t="n"><v>1</v></c>',
                    b'<c r="C7"><f>0.5+0.5</f><v>1</v></c>',
                )
                assert b"<f>0.5+0.5</f>" in part
            archive.writestr(info, part)
    report = appendix_import(
        organization=organization, year=2023, data=out.getvalue(), filename="f.xlsx"
    )
    assert Criterion.objects.get(plan=report.plan, code="1.1.2").max_score == 1


def test_formula_text_from_a_csv_is_kept_as_text_and_exported_safely(
    organization: Organization,
) -> None:
    data = (
        "STT,Lĩnh vực,Điểm chuẩn,Điểm 2022 đạt được,Mục tiêu năm 2023,Nhiệm vụ\n"
        '1,"=HYPERLINK(""http://evil.example"")",1,0,1,"@SUM(1+1)"\n'
    ).encode()
    report = appendix_import(
        organization=organization, year=2023, data=data, filename="a.csv"
    )
    criterion = Criterion.objects.get(plan=report.plan, code="1")
    assert criterion.title == '=HYPERLINK("http://evil.example")'
    buffer = io.BytesIO()
    plan_write(plan=report.plan, output=buffer)
    buffer.seek(0)
    ws = openpyxl.load_workbook(buffer).active
    title, task = ws["B7"], ws["F7"]
    assert (title.value, title.data_type, title.quotePrefix) == (
        criterion.title,
        "s",
        True,
    )
    assert (task.value, task.data_type, task.quotePrefix) == ("@SUM(1+1)", "s", True)


def test_openpyxl_reads_through_defusedxml() -> None:
    from openpyxl.xml import DEFUSEDXML
    from openpyxl.xml.functions import iterparse

    assert DEFUSEDXML
    assert iterparse.__module__.startswith("defusedxml")


@pytest.mark.parametrize(
    ("make", "filename", "expected"),
    [CORPUS[1][1:], CORPUS[12][1:], CORPUS[16][1:], CORPUS[19][1:]],
    ids=[CORPUS[i][0] for i in (1, 12, 16, 19)],
)
def test_the_browser_import_shows_the_reason_and_writes_nothing(
    seed_plan: Plan,
    office: User,
    make: Callable[[], bytes],
    filename: str,
    expected: list[str],
) -> None:
    before = database_state()
    response = client_for(office).post(
        reverse("tasks-import"),
        {
            "organization": seed_plan.organization_id,
            "year": 2023,
            "file": SimpleUploadedFile(filename, make()),
        },
    )
    assert response.status_code == 200
    page = response.content.decode()
    problem = response.context["problems"][0]
    assert str(problem) == expected[0]
    assert "chưa ghi gì vào kế hoạch" in page
    assert "Xác nhận nhập" not in page
    assert database_state() == before
