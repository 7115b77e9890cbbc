"""Reading the tables people actually have: .xlsx, .csv, .tsv and text pasted from a
document, with title rows above the table, header rows repeated at page breaks, and
numbers typed as text. Shared by every importer (appendix, ranking).

Files are recognised by their content, not their name, and an .xlsx archive is
inspected before openpyxl opens it, so that a zip bomb is refused cheaply. What a table
may hold (``TABLE_MAX_*`` in the settings) is counted in what the file really contains,
while it is read: a sheet's declared ``<dimension>`` is ignored, the shared strings are
counted before openpyxl loads them, and reading stops at the first limit passed.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext as _

from parplan.table_limits import TableBudget, TableError
from parplan.text import normalize_name
from parplan.xlsx_archive import check_xlsx_archive, xlsx_unreadable

HEADER_SEARCH_ROWS = 30

XLSX_SIGNATURE = b"PK\x03\x04"
OLE_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


@dataclass
class SourceRow:
    number: int  # as the user sees it: the line of a text file, the row of a sheet
    cells: list[object]
    # Cells of a sheet that hold a formula: cell index → formula text. The cell's value
    # in ``cells`` is the result the spreadsheet program saved (None if it saved none).
    formulas: dict[int, str] = field(default_factory=dict)
    # Number cells of a sheet formatted as a percentage: cell index → the decimals
    # the format shows (``0.00%`` → 2). Read only when the reader asks for it.
    percent: dict[int, int] = field(default_factory=dict)


@dataclass
class Header:
    row_number: int
    columns: dict[str, int]  # role → cell index
    labels: dict[str, str] = field(default_factory=dict)  # role → header text


def cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return unicodedata.normalize("NFC", str(value)).strip()


def read_rows(
    data: bytes, filename: str, *, percent_formats: bool = False
) -> tuple[str, list[SourceRow]]:
    """Return the file's kind (``xlsx``, ``csv``, ``text``) and its rows; with
    ``percent_formats``, which number cells of a sheet are formatted as %."""
    name = filename.lower()
    if not data or not data.strip():
        raise TableError(_("Tệp “%(name)s” trống.") % {"name": filename})
    if len(data) > settings.UPLOAD_MAX_BYTES:
        raise TableError(
            _("Tệp “%(name)s” lớn hơn giới hạn %(mb)s MB.")
            % {"name": filename, "mb": settings.UPLOAD_MAX_BYTES // (1024 * 1024)}
        )
    if data.startswith(XLSX_SIGNATURE):
        if not name.endswith((".xlsx", ".xlsm")):
            raise TableError(
                _("Tệp “%(name)s” là bảng tính Excel nhưng tên không có đuôi .xlsx.")
                % {"name": filename}
            )
        rows = _read_xlsx(data, filename, percent_formats)
        if not rows:
            raise TableError(
                _("Tệp “%(name)s” không có dữ liệu: mọi trang tính đều trống.")
                % {"name": filename}
            )
        return "xlsx", rows
    if data.startswith(OLE_SIGNATURE):
        raise TableError(
            _(
                "Tệp “%(name)s” là định dạng Excel cũ (.xls). Hãy lưu lại dưới dạng .xlsx."
            )
            % {"name": filename}
        )
    if name.endswith((".xlsx", ".xlsm", ".xls")):
        raise TableError(
            _("Tệp “%(name)s” có tên .xlsx nhưng nội dung không phải bảng tính Excel.")
            % {"name": filename}
        )
    text = _decode(data, filename)
    if name.endswith(".csv"):
        return "csv", _read_csv(text, TableBudget(filename))
    return "text", _read_tab_text(text, TableBudget(filename))


def _decode(data: bytes, filename: str) -> str:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16")
    if b"\x00" in data:
        raise TableError(
            _("Tệp “%(name)s” không phải là tệp văn bản hay bảng tính được hỗ trợ.")
            % {"name": filename}
        )
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        # Vietnamese files saved by older Windows programs.
        return data.decode("cp1258", errors="replace")


def _read_csv(text: str, budget: TableBudget) -> list[SourceRow]:
    # The sniffer's time grows fast with its sample; a few hundred lines are plenty.
    sample = text[:16384]
    try:
        dialect: type[csv.Dialect] | csv.Dialect = csv.Sniffer().sniff(sample, ",;\t")
    except csv.Error:
        dialect = csv.excel
    rows = []
    reader = csv.reader(io.StringIO(text), dialect)
    try:
        for cells in reader:
            row = budget.row(reader.line_num, list(cells))
            rows.append(SourceRow(reader.line_num, row))
    except csv.Error as exc:
        # The csv module refuses a field over its own limit (128 KB) or a broken
        # quote; either way, the line where it stopped.
        if "field larger than field limit" in str(exc):
            raise TableError(
                _(
                    "Dòng %(row)s của tệp “%(name)s” có một ô dài hơn giới hạn "
                    "%(limit)s ký tự cho một ô."
                )
                % {
                    "row": reader.line_num,
                    "name": budget.filename,
                    "limit": settings.TABLE_MAX_CELL_CHARS,
                }
            ) from exc
        raise TableError(
            _("Dòng %(row)s của tệp “%(name)s” không đọc được như CSV (%(reason)s).")
            % {"row": reader.line_num, "name": budget.filename, "reason": exc}
        ) from exc
    return rows


def _read_tab_text(text: str, budget: TableBudget) -> list[SourceRow]:
    rows = []
    for number, line in enumerate(text.splitlines(), start=1):
        cells = budget.row(number, list(line.split("\t")))
        rows.append(SourceRow(number, cells))
    return rows


def _read_xlsx(data: bytes, filename: str, percent_formats: bool) -> list[SourceRow]:
    """The first sheet with data, read in read-only mode (rows are streamed).

    A first pass sees formulas as written; only when there are some does a second pass
    fetch the results the spreadsheet program saved, so that the importer can refuse a
    formula where it expects text and use the shown number where it expects a score.
    """
    formulas = check_xlsx_archive(data, filename)
    from openpyxl.xml import DEFUSEDXML

    if not DEFUSEDXML:
        # openpyxl falls back to the standard library's XML parser without defusedxml,
        # which expands entities (billion laughs). Refuse rather than read unsafely.
        raise ImproperlyConfigured(
            "defusedxml must be installed (and OPENPYXL_DEFUSEDXML not False) "
            "before PAR Plan reads .xlsx files"
        )
    index, rows = _read_sheet(
        data,
        filename,
        data_only=False,
        percent_formats=percent_formats,
        values_only=not formulas and not percent_formats,
    )
    if index is None:
        return []
    if formulas and any(r.formulas for r in rows):
        _index, computed = _read_sheet(data, filename, data_only=True, only=index)
        by_number = {r.number: r for r in computed}
        for row in rows:
            for i in list(row.formulas):
                source = by_number.get(row.number)
                row.cells[i] = (
                    source.cells[i] if source and i < len(source.cells) else None
                )
    return rows


def _read_sheet(
    data: bytes,
    filename: str,
    *,
    data_only: bool,
    only: int | None = None,
    percent_formats: bool = False,
    values_only: bool = False,
) -> tuple[int | None, list[SourceRow]]:
    """The first sheet with data, or sheet ``only``. With ``values_only`` (no sheet
    holds a formula, no format is asked for) openpyxl gives the values alone, without
    a cell object each."""
    import openpyxl

    try:
        workbook = openpyxl.load_workbook(
            io.BytesIO(data), read_only=True, data_only=data_only
        )
    except Exception as exc:  # openpyxl raises many kinds for a damaged file
        raise xlsx_unreadable(exc, filename) from exc
    budget = TableBudget(filename)
    try:
        # The table is on the first sheet that has any data; others are ignored.
        for index, sheet in enumerate(workbook.worksheets):
            if only is not None and index != only:
                continue
            # The declared <dimension> would make openpyxl pad every row and add
            # empty rows up to it (A1:XFD1048576: 17 billion cells); ignore it.
            sheet.reset_dimensions()
            rows = (
                _sheet_values(sheet, budget)
                if values_only
                else _sheet_cells(sheet, budget, percent_formats)
            )
            if any(any(cell_text(c) for c in r.cells) for r in rows):
                return index, rows
        return None, []
    except TableError:
        raise
    except Exception as exc:
        raise xlsx_unreadable(exc, filename) from exc
    finally:
        workbook.close()


def _sheet_values(sheet: Any, budget: TableBudget) -> list[SourceRow]:
    return [
        SourceRow(number, budget.row(number, list(values)))
        for number, values in enumerate(sheet.iter_rows(values_only=True), start=1)
    ]


def _sheet_cells(
    sheet: Any, budget: TableBudget, percent_formats: bool
) -> list[SourceRow]:
    """The rows with their formulas and, with ``percent_formats``, which number
    cells are formatted as a percentage."""
    rows = []
    for number, cells in enumerate(sheet.iter_rows(), start=1):
        row = SourceRow(number, [])
        values = budget.row(number, [cell.value for cell in cells])
        for i, cell in enumerate(cells[: len(values)]):
            row.cells.append(cell.value)
            kind = getattr(cell, "data_type", None)
            if kind == "f":
                row.formulas[i] = str(cell.value)
            if percent_formats and kind in {"n", "f"}:
                places = percent_places(getattr(cell, "number_format", ""))
                if places is not None:
                    row.percent[i] = places
        rows.append(row)
    return rows


def percent_places(number_format: str | None) -> int | None:
    """The decimals a percentage format shows (``0.00%`` → 2), None if it is not
    one."""
    if not number_format or "%" not in number_format:
        return None
    body = number_format.split(";")[0].split("%")[0]
    decimals = body.partition(".")[2]
    return sum(1 for ch in decimals if ch in "0#?")


def find_header(
    rows: Iterable[SourceRow],
    matchers: Mapping[str, Callable[[str], bool]],
    required: Iterable[str],
    *,
    search_rows: int | None = HEADER_SEARCH_ROWS,
) -> Header | None:
    """The first row where every required role matches a cell.

    ``search_rows`` limits the search to the first rows of a sheet; None searches the
    whole file (text pasted from a document has prose of any length above the table).
    """
    required = list(required)
    for index, row in enumerate(rows):
        if search_rows is not None and index >= search_rows:
            return None
        header = match_header(row, matchers)
        if header and all(role in header.columns for role in required):
            return header
    return None


def match_header(
    row: SourceRow, matchers: Mapping[str, Callable[[str], bool]]
) -> Header | None:
    columns: dict[str, int] = {}
    labels: dict[str, str] = {}
    for index, cell in enumerate(row.cells):
        text = normalize_name(cell)
        if not text:
            continue
        for role, matches in matchers.items():
            if role not in columns and matches(text):
                columns[role] = index
                labels[role] = cell_text(cell)
                break
    if not columns:
        return None
    return Header(row.number, columns, labels)


_NUMBERING = re.compile(r"^\(?\d{1,2}\)?$")


def is_column_numbering(cells: list[object]) -> bool:
    """The row of column numbers (1, 2, 3 … or (1), (2) …) forms put under headers."""
    texts = [cell_text(c) for c in cells if cell_text(c)]
    if len(texts) < 3 or not all(_NUMBERING.match(t) for t in texts):
        return False
    numbers = [int(t.strip("()")) for t in texts]
    return numbers == list(range(numbers[0], numbers[0] + len(numbers)))
