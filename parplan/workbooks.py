"""Writing the cells of PAR Plan's workbooks: styles, text, numbers, formulas,
page set-up.

Workbooks are written with openpyxl's write-only mode, row by row, so a province-sized
plan is streamed rather than held as a sheet of cell objects. Every text cell goes
through ``text_cell``: a value that Excel would run as a formula (``=``, ``+``, ``-``,
``@``, a tab or a carriage return at the start) is stored as a string with the quote
prefix, so Excel shows it as text and never evaluates it.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from copy import copy
from decimal import Decimal
from typing import cast

from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, Cell
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.styles.cell_style import StyleArray
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._write_only import WriteOnlyWorksheet
from openpyxl.worksheet.worksheet import Worksheet

# A score shows as its value is (0,5 · 0,375 · 1), never 0,50: Excel's General format
# drops trailing zeros and follows the viewer's decimal separator.
SCORE_FORMAT = "General"
PAPER_A4 = "9"  # the paper size code of A4 in SpreadsheetML
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
EXCEL_MAX_TEXT = 32_767
# Excel accepts at most 255 arguments in one function call.
SUM_MAX_ARGS = 255

THIN = Side(style="thin", color="808080")
BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
WRAP = Alignment(wrap_text=True, vertical="top")
CENTER = Alignment(wrap_text=True, vertical="center", horizontal="center")
TOP = Alignment(vertical="top")
HEADER_FILL = PatternFill("solid", fgColor="DDE5EE")
AREA_FILL = PatternFill("solid", fgColor="F0F4F9")
BOLD = Font(bold=True)
TITLE = Font(bold=True, size=13)


def workbook_filename(kind: str, name: str, year: int) -> str:
    """``tu-danh-gia-SKHCN-2023.xlsx``: the kind, a name and a year, in ASCII."""
    return f"{kind}-{_ascii_slug(name)}-{year}.xlsx"


def _ascii_slug(text: str) -> str:
    text = text.replace("đ", "d").replace("Đ", "D")
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^A-Za-z0-9]+", "-", text).strip("-") or "parplan"


# Cells ---------------------------------------------------------------------------------


def clean_text(value: object) -> str:
    """Text Excel can store: no control characters XML forbids, within the cell limit."""
    if value is None:
        return ""
    text = ILLEGAL_CHARACTERS_RE.sub("", str(value))
    return text[:EXCEL_MAX_TEXT]


def text_cell(
    ws: WriteOnlyWorksheet,
    value: object,
    *,
    font: Font | None = None,
    alignment: Alignment | None = WRAP,
    fill: PatternFill | None = None,
    border: bool = True,
) -> Cell:
    cell = WriteOnlyCell(ws)
    text = clean_text(value)
    if text:
        cell.value = text
        # openpyxl would store "=…" as a formula; a string cell never runs.
        cell.data_type = "s"
    style_cell(
        cell,
        font=font,
        alignment=alignment,
        fill=fill,
        border=border,
        quote=text.startswith(FORMULA_TRIGGERS),
    )
    return cell


def number_cell(
    ws: WriteOnlyWorksheet,
    value: Decimal | None,
    *,
    font: Font | None = None,
    fill: PatternFill | None = None,
) -> Cell:
    cell = WriteOnlyCell(ws)
    cell.value = value
    style_cell(cell, font=font, alignment=TOP, fill=fill, number_format=SCORE_FORMAT)
    return cell


def formula_cell(
    ws: WriteOnlyWorksheet,
    formula: str,
    *,
    font: Font | None = None,
    fill: PatternFill | None = None,
) -> Cell:
    cell = WriteOnlyCell(ws, value=formula)
    style_cell(cell, font=font, alignment=TOP, fill=fill, number_format=SCORE_FORMAT)
    return cell


def style_cell(
    cell: Cell,
    *,
    font: Font | None,
    alignment: Alignment | None,
    fill: PatternFill | None = None,
    border: bool = True,
    number_format: str | None = None,
    quote: bool = False,
) -> None:
    """Style the cell, reusing the workbook's style array for a combination already
    seen: registering a style hashes every part of it, which would otherwise take half
    the time of a large export. The array is shared, not copied: a write-only cell is
    styled once, before it is written, and never changed after."""
    workbook = cell.parent.parent
    cache: dict[tuple[object, ...], StyleArray] = workbook.__dict__.setdefault(
        "_parplan_styles", {}
    )
    key = (id(font), id(alignment), id(fill), border, number_format, quote)
    if key in cache:
        cell._style = cache[key]  # type: ignore[attr-defined]  # openpyxl's private style array: not in types-openpyxl
        return
    if font is not None:
        cell.font = font
    if alignment is not None:
        cell.alignment = alignment
    if fill is not None:
        cell.fill = fill
    if border:
        cell.border = BORDER
    if number_format is not None:
        cell.number_format = number_format
    if quote:
        cell.quotePrefix = True
    cache[key] = copy(cell._style)  # type: ignore[attr-defined]  # openpyxl's private style array: not in types-openpyxl


def sum_formula(column: str, rows: Iterable[int]) -> str:
    """``=SUM(C8:C10,C14)``: the cells of ``rows``, runs of adjacent rows as ranges.

    A heading's children are not adjacent when grandchildren sit between them, so the
    formula names each child; runs keep it short when they are.
    """
    chunks = _ref_chunks(column, rows)
    if not chunks:
        return "=0"
    return "=" + "+".join(f"SUM({chunk})" for chunk in chunks)


def blank_sum_formula(column: str, rows: Iterable[int]) -> str:
    """``=IF(COUNT(C8,C9)=0,"",SUM(C8,C9))``: the sum, or an empty cell while none of
    the cells holds a number, so a heading nobody scored shows nothing, never 0."""
    chunks = _ref_chunks(column, rows)
    if not chunks:
        return '=""'
    count = "+".join(f"COUNT({chunk})" for chunk in chunks)
    total = "+".join(f"SUM({chunk})" for chunk in chunks)
    return f'=IF({count}=0,"",{total})'


def _ref_chunks(column: str, rows: Iterable[int]) -> list[str]:
    """The cells of ``rows`` as comma-separated references, at most 255 a chunk."""
    ordered = sorted(set(rows))
    if not ordered:
        return []
    refs: list[str] = []
    start = prev = ordered[0]
    for row in [*ordered[1:], None]:
        if row is not None and row == prev + 1:
            prev = row
            continue
        refs.append(
            f"{column}{start}" if start == prev else f"{column}{start}:{column}{prev}"
        )
        if row is not None:
            start = prev = row
    return [
        ",".join(refs[i : i + SUM_MAX_ARGS]) for i in range(0, len(refs), SUM_MAX_ARGS)
    ]


def _layout(ws: WriteOnlyWorksheet) -> Worksheet:
    """``ws`` as the worksheet whose page set-up, print options and column dimensions
    it has: a write-only sheet runs ``Worksheet._setup``, which types-openpyxl does not
    declare on it."""
    return cast(Worksheet, ws)


sheet_layout = _layout


def page_setup(ws: WriteOnlyWorksheet, header_row: int, freeze: str) -> None:
    """A4 landscape, one page wide, the header row repeated on every printed page."""
    sheet = _layout(ws)
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = PAPER_A4
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    fit = sheet.sheet_properties.pageSetUpPr
    assert fit is not None  # WorksheetProperties() makes its own
    fit.fitToPage = True
    sheet.print_options.horizontalCentered = True
    sheet.page_margins.left = sheet.page_margins.right = 0.4
    sheet.page_margins.top = sheet.page_margins.bottom = 0.5
    sheet.print_title_rows = f"{header_row}:{header_row}"
    sheet.freeze_panes = freeze


def column_widths(ws: WriteOnlyWorksheet, widths: Sequence[float]) -> None:
    sheet = _layout(ws)
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
