"""Builders of hostile spreadsheets: small files that claim or hold far more than
any plan, written straight as XML so that building them costs little."""

from __future__ import annotations

import io
import zipfile

from tests.workbooks import appendix_xlsx

SHEET = "xl/worksheets/sheet1.xml"
SHEET_OPEN = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
)


def _with_parts(replace: dict[str, bytes], *, level: int = 6) -> bytes:
    """The small valid appendix with some of its parts replaced."""
    source = zipfile.ZipFile(io.BytesIO(appendix_xlsx()))
    buffer = io.BytesIO()
    with zipfile.ZipFile(
        buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=level
    ) as archive:
        for info in source.infolist():
            data = replace.pop(info.filename, None) or source.read(info.filename)
            archive.writestr(info.filename, data)
        for name, data in replace.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def dimension_bomb() -> bytes:
    """About 2 KB whose sheet declares every cell Excel has (A1:XFD1048576)."""
    sheet = (
        SHEET_OPEN + '<dimension ref="A1:XFD1048576"/><sheetData>'
        '<row r="1"><c r="A1" t="inlineStr"><is><t>STT</t></is></c></row>'
        "</sheetData></worksheet>"
    ).encode()
    return _with_parts({SHEET: sheet})


def million_rows() -> bytes:
    """A sheet of 1,000,000 real rows of one number each (a few MB)."""
    rows = "".join(
        f'<row r="{i}"><c r="A{i}"><v>{i}</v></c></row>' for i in range(1, 1_000_001)
    )
    sheet = (SHEET_OPEN + "<sheetData>" + rows + "</sheetData></worksheet>").encode()
    return _with_parts({SHEET: sheet}, level=1)


def far_cell() -> bytes:
    """One row whose only other cell sits in the last column, XFD."""
    sheet = (
        SHEET_OPEN + "<sheetData>"
        '<row r="1"><c r="A1" t="inlineStr"><is><t>STT</t></is></c>'
        '<c r="XFD1"><v>1</v></c></row></sheetData></worksheet>'
    ).encode()
    return _with_parts({SHEET: sheet})


def shared_strings(count: int) -> bytes:
    """A workbook whose shared-string table holds ``count`` distinct strings (the
    sheet uses none of them)."""
    items = "".join(f"<si><t>{i:x}</t></si>" for i in range(count))
    table = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
        f'count="1" uniqueCount="1">{items}</sst>'
    ).encode()
    source = zipfile.ZipFile(io.BytesIO(appendix_xlsx()))
    types = source.read("[Content_Types].xml").replace(
        b"</Types>",
        b'<Override PartName="/xl/sharedStrings.xml" ContentType="application/'
        b'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>',
    )
    return _with_parts(
        {"xl/sharedStrings.xml": table, "[Content_Types].xml": types}, level=1
    )


def long_cell(length: int) -> bytes:
    sheet = (
        SHEET_OPEN + "<sheetData>"
        f'<row r="1"><c r="A1" t="inlineStr"><is><t>{"x" * length}</t></is></c></row>'
        "</sheetData></worksheet>"
    ).encode()
    return _with_parts({SHEET: sheet})


def csv_with_field(length: int) -> bytes:
    return ("STT,Lĩnh vực\n" + '1,"' + "x" * length + '"\n').encode()
