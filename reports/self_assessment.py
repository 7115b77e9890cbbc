"""The self-assessment workbook (bảng tự đánh giá, chấm điểm) of a plan: the official
form the director signs, and its PDF.

Every criterion of the plan in code order under the national heading, the score
columns the plan's setting asks for, headings with ``SUM`` formulas whose results are
stored too (``parplan.workbook_values``), the total and the index as the engine
computes them (read first, in one pass: ``reports.self_assessment_sums``), evidence by
its metadata (``reports.self_assessment_evidence``), the explanation, and the
signature block.
"""

from __future__ import annotations

import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import IO, NamedTuple

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

from criteria.models import Criterion, Plan
from parplan.scores import format_decimal
from parplan.workbook_values import (
    CachedValue,
    CachedValues,
    cached_values_copy,
    row_height,
)
from parplan.workbooks import (
    AREA_FILL,
    HEADER_FILL,
    blank_sum_formula,
    column_widths,
    formula_cell,
    number_cell,
    page_setup,
    text_cell,
    workbook_filename,
)
from parplan.workbooks import (
    sheet_layout as _layout,
)
from reports.self_assessment_evidence import EvidenceLines
from reports.self_assessment_sums import (
    SCORE_KEYS,
    STREAM_CHUNK,
    SheetSums,
    heading_unpacked,
    leaf_values,
    sheet_sums,
)

FONT_NAME = "Times New Roman"  # the font of Vietnamese official documents
FONT_SIZE = 12
PLAIN = Font(name=FONT_NAME, size=FONT_SIZE)
BOLD = Font(name=FONT_NAME, size=FONT_SIZE, bold=True)
ITALIC = Font(name=FONT_NAME, size=FONT_SIZE, italic=True)
MUTED = Font(name=FONT_NAME, size=FONT_SIZE, italic=True, color="666666")
HEADING = Font(name=FONT_NAME, size=13, bold=True)
TITLE = Font(name=FONT_NAME, size=14, bold=True)
UNDERLINED = Font(name=FONT_NAME, size=13, bold=True, underline="single")
MIDDLE = Alignment(horizontal="center", vertical="center", wrap_text=True)
RIGHT_TOP = Alignment(horizontal="right", vertical="top", wrap_text=True)

HEADER_ROW = 7
TITLE_ROW = 4
STATUS_ROW = 5


def export_filename(plan: Plan, kind: str, extension: str = "xlsx") -> str:
    """``tu-danh-gia-SKHCN-2023.xlsx``: the organization and the year, in ASCII."""
    organization = plan.organization
    name = workbook_filename(
        kind, organization.short_name or organization.name, plan.year
    )
    return name.removesuffix(".xlsx") + "." + extension


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    width: float


def self_assessment_columns(plan: Plan) -> list[Column]:
    """The form's columns; the survey and appraised ones as the plan's setting asks."""
    columns = [
        Column("code", _("STT"), 7),
        Column("title", _("Lĩnh vực / Tiêu chí / Tiêu chí thành phần"), 50),
        Column("max", _("Điểm tối đa"), 9),
        Column("self", _("Điểm tự đánh giá"), 10),
    ]
    if plan.shows_survey_column:
        columns.append(Column("survey", _("Điểm điều tra XHH"), 10))
    if plan.shows_appraised_column:
        columns.append(Column("appraised", _("Điểm thẩm định"), 10))
    columns += [
        Column("achieved", _("Điểm đạt được"), 10),
        Column("index", _("Chỉ số (%)"), 9),
        Column("evidence", _("Tài liệu kiểm chứng"), 42),
        Column("note", _("Giải trình / Ghi chú"), 32),
    ]
    return columns


class _Sheet:
    """The sheet being written, row by row, with each formula's result kept."""

    def __init__(self, ws: WriteOnlyWorksheet, columns: list[Column]) -> None:
        self.ws = ws
        self.columns = columns
        self.letters = {
            c.key: get_column_letter(i) for i, c in enumerate(columns, start=1)
        }
        self.widths = {c.key: c.width for c in columns}
        self.row = 0
        self.cached = CachedValues()

    def append(self, cells: Sequence[object], height: float | None = None) -> None:
        self.row += 1
        dimensions = _layout(self.ws).row_dimensions
        if height is not None:
            dimensions[self.row].height = height
        self.ws.append(cells)
        # Written with its row: kept, the sheet would hold an object a row.
        dimensions.pop(self.row, None)

    def merge(self, first: int, last: int) -> None:
        _layout(self.ws).merged_cells.add(
            f"{get_column_letter(first)}{self.row}:{get_column_letter(last)}{self.row}"
        )

    def line(
        self,
        text: str,
        font: Font,
        first: int = 1,
        last: int | None = None,
        alignment: Alignment = MIDDLE,
        height: float | None = None,
    ) -> None:
        """A line of text centred across columns ``first`` to ``last``."""
        last = last or len(self.columns)
        cells: list[object] = [None] * (first - 1)
        cells.append(
            text_cell(self.ws, text, font=font, alignment=alignment, border=False)
        )
        self.append(cells, height)
        if last > first:
            self.merge(first, last)


def self_assessment_write(
    *,
    plan: Plan,
    output: IO[bytes] | str,
    status_line: str = "",
) -> None:
    """Write the plan's self-assessment workbook to ``output`` (a path or binary file).

    ``status_line`` is printed under the title (the state and version of the
    self-assessment, once it is submitted or approved). The sums are read first
    (``reports.self_assessment_sums``), then the criteria and their evidence are
    streamed in code order into a write-only sheet: memory stays flat in the row
    count. Six queries whatever the size of the plan: the criteria, their tasks summed
    and the ranking table for the sums; the organization; the criteria again and the
    evidence for the rows.
    """
    sums = sheet_sums(plan=plan, first_row=HEADER_ROW + 1)
    organization = plan.organization
    columns = self_assessment_columns(plan)
    workbook = Workbook(write_only=True)
    ws = workbook.create_sheet(_("Tự đánh giá"))
    sheet = _Sheet(ws, columns)
    column_widths(ws, [c.width for c in columns])
    page_setup(ws, HEADER_ROW, f"C{HEADER_ROW + 1}")
    layout = _layout(ws)
    footer = layout.oddFooter
    assert footer is not None  # the worksheet's set-up makes one
    footer.center.text = _("Trang &P/&N")
    footer.center.font = FONT_NAME
    footer.center.size = 10
    count = len(columns)
    split = 2  # the organization's block over STT and the title column

    # The national heading beside the organization's block.
    for left, left_font, right, right_font in [
        (
            organization.governing_label.upper(),
            HEADING,
            _("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"),
            HEADING,
        ),
        (
            organization.name.upper(),
            HEADING,
            _("Độc lập - Tự do - Hạnh phúc"),
            UNDERLINED,
        ),
    ]:
        sheet.append(
            [
                text_cell(ws, left, font=left_font, alignment=MIDDLE, border=False),
                None,
                text_cell(ws, right, font=right_font, alignment=MIDDLE, border=False),
            ],
            height=row_height([(left, 57 * 0.9, True)], font_size=13),
        )
        sheet.merge(1, split)
        sheet.merge(split + 1, count)
    sheet.append([])
    title = _("BẢNG TỰ ĐÁNH GIÁ, CHẤM ĐIỂM CHỈ SỐ CẢI CÁCH HÀNH CHÍNH NĂM %(year)s") % {
        "year": plan.year
    }
    sheet.line(title, TITLE, height=24)
    sheet.line(status_line, ITALIC)
    sheet.append([])

    header = [
        text_cell(ws, c.label, font=BOLD, alignment=MIDDLE, fill=HEADER_FILL)
        for c in columns
    ]
    sheet.append(
        header,
        height=row_height([(c.label, c.width, True) for c in columns]),
    )

    areas = _criteria_rows(sheet, plan, sums)
    _total_rows(sheet, plan, sums, areas)
    sheet.append([])
    _signature(sheet, organization.place_label)

    # Saved to a file on disk, then copied with the formulas' results filled in.
    with tempfile.TemporaryFile() as saved:
        workbook.save(saved)
        saved.seek(0)
        cached_values_copy(saved, output, sheet.cached)


class _Row(NamedTuple):
    """A criterion as its row of the form needs it."""

    pk: int
    parent_id: int | None
    code: str
    title: str
    applicable: bool
    max_score: Decimal | None
    self_score: Decimal | None
    survey_score: Decimal | None
    appraised_score: Decimal | None
    final_score: Decimal | None
    method: str
    explanation: str
    not_applicable_reason: str


def _criteria_rows(sheet: _Sheet, plan: Plan, sums: SheetSums) -> list[int]:
    """The criteria's rows, streamed in code order; the rows of the areas that apply.

    A row is a heading when the next one is its child (code order lists a heading's
    rows right after it); its cells and counted children come from ``sums``."""
    criteria = map(
        _Row._make,
        Criterion.objects.filter(plan=plan)
        .order_by("sort_key", "pk")
        .values_list(*_Row._fields)
        .iterator(chunk_size=STREAM_CHUNK),
    )
    evidence = EvidenceLines(plan)
    headings = iter(sums.headings)
    achieved = sums.achieved_in_order()
    path: list[tuple[int, bool]] = []  # (pk, applies) from the area down
    areas: list[int] = []
    row = next(criteria, None)
    while row is not None:
        following = next(criteria, None)
        while path and path[-1][0] != row.parent_id:
            path.pop()
        applicable = row.applicable and (not path or path[-1][1])
        path.append((row.pk, applicable))
        counted: list[int] | None = None  # a heading's counted children
        if following is not None and following.parent_id == row.pk:
            values, counted = heading_unpacked(next(headings))
        else:
            final = row.final_score
            values = leaf_values(
                max_score=row.max_score,
                self_score=row.self_score,
                survey_score=row.survey_score,
                appraised=final if final is not None else row.appraised_score,
                method=row.method,
                achieved=next(achieved),
                applicable=applicable,
            )
        if row.parent_id is None and applicable:
            areas.append(sheet.row + 1)
        _criterion_write(
            sheet,
            row,
            applicable=applicable,
            values=dict(zip(SCORE_KEYS, values, strict=True)),
            counted=counted,
            evidence=evidence.of(row.pk),
        )
        row = following
    return areas


def _criterion_write(
    sheet: _Sheet,
    row: _Row,
    *,
    applicable: bool,
    values: dict[str, Decimal | None],
    counted: list[int] | None,
    evidence: str,
) -> None:
    """One criterion's row: a heading's scores as sums of the children it counts
    (``counted``), with their results kept for the sheet."""
    ws = sheet.ws
    number = sheet.row + 1
    area = row.parent_id is None
    font = BOLD if counted is not None or area else PLAIN
    if not applicable:
        font = MUTED
    fill = AREA_FILL if area else None
    note = row.explanation
    if not applicable:
        reason = row.not_applicable_reason
        note = (
            _("Không áp dụng: %(reason)s") % {"reason": reason}
            if reason
            else _("Không áp dụng")
        )
    texts = {"code": row.code, "title": row.title, "evidence": evidence, "note": note}
    cells: list[object] = []
    for column in sheet.columns:
        key = column.key
        letter = sheet.letters[key]
        if key in texts:
            cells.append(text_cell(ws, texts[key], font=font, fill=fill))
        elif key == "index":
            shown = area and applicable
            cells.append(_index_cell(sheet, number, shown, values, font, fill))
        elif counted is not None:
            rows = counted if applicable or key == "max" else []
            sheet.cached.add(f"{letter}{number}", _cached(values[key]))
            formula = blank_sum_formula(letter, rows)
            cells.append(formula_cell(ws, formula, font=font, fill=fill))
        else:
            cells.append(number_cell(ws, values[key], font=font, fill=fill))
    height = row_height(
        [
            (texts[k], sheet.widths[k], font is BOLD)
            for k in ("code", "title", "evidence", "note")
        ]
    )
    sheet.append(cells, height)


def _cached(value: Decimal | None) -> CachedValue:
    return "" if value is None else value


def _index_cell(
    sheet: _Sheet,
    number: int,
    shown: bool,
    values: dict[str, Decimal | None],
    font: Font,
    fill: PatternFill | None,
) -> object:
    """An area's sub-index: achieved ÷ applicable maximum × 100, to three decimals;
    ``shown`` for an area that applies."""
    ws = sheet.ws
    if not shown:
        return text_cell(ws, "", font=font, fill=fill)
    maximum = sheet.letters["max"] + str(number)
    achieved = sheet.letters["achieved"] + str(number)
    formula = f'=IF(N({maximum})=0,"",ROUND(N({achieved})/{maximum}*100,3))'
    top = values["max"]
    got = values["achieved"] or Decimal(0)
    cached: CachedValue = ""
    if top:
        cached = (got * 100 / top).quantize(Decimal("0.001"))
    sheet.cached.add(f"{sheet.letters['index']}{number}", cached)
    return formula_cell(ws, formula, font=font, fill=fill)


def _total_rows(sheet: _Sheet, plan: Plan, sums: SheetSums, areas: list[int]) -> None:
    """TỔNG CỘNG (the sums of the areas) and the index the engine computes."""
    ws = sheet.ws
    totals = sums.totals
    basis = sums.basis
    cells_of = {
        "max": totals.max_score,
        "self": totals.self_total if totals.self_entered else None,
        "survey": totals.survey_total if totals.survey_entered else None,
        "appraised": totals.appraised_total if totals.appraised_entered else None,
        "achieved": totals.forecast,
    }
    number = sheet.row + 1
    cells: list[object] = []
    for column in sheet.columns:
        key, letter = column.key, sheet.letters[column.key]
        if key in cells_of:
            sheet.cached.add(f"{letter}{number}", _cached(cells_of[key]))
            cells.append(
                formula_cell(
                    ws, blank_sum_formula(letter, areas), font=BOLD, fill=HEADER_FILL
                )
            )
        else:
            label = _("TỔNG CỘNG") if key == "title" else ""
            cells.append(text_cell(ws, label, font=BOLD, fill=HEADER_FILL))
    sheet.append(cells, row_height([(_("TỔNG CỘNG"), 50, True)]))

    total_ref = f"{sheet.letters['achieved']}{number}"
    max_ref = f"{sheet.letters['max']}{number}"
    index = basis.index(totals.forecast - totals.baseline)
    if index is not None and basis.baseline_index is not None:
        label = _(
            "CHỈ SỐ CẢI CÁCH HÀNH CHÍNH (%%) = chỉ số năm %(year)s %(index)s + (tổng "
            "điểm đạt được − tổng điểm năm %(year)s) ÷ điểm tối đa %(scale)s × 100"
        ) % {
            "year": plan.baseline_year,
            "index": _number(basis.baseline_index),
            "scale": _number(basis.scale),
        }
        formula = (
            f"=MIN(MAX(ROUND({basis.baseline_index}+({total_ref}-"
            f"{totals.baseline})*100/{basis.scale},3),0),100)"
        )
        cached: CachedValue = index
    else:
        label = _(
            "CHỈ SỐ CẢI CÁCH HÀNH CHÍNH (%) = tổng điểm đạt được ÷ tổng điểm tối đa "
            "áp dụng × 100"
        )
        formula = f'=IF(N({max_ref})=0,"",ROUND(N({total_ref})/{max_ref}*100,3))'
        cached = (
            (totals.forecast * 100 / totals.max_score).quantize(Decimal("0.001"))
            if totals.max_score
            else ""
        )
    cells = []
    number += 1
    for column in sheet.columns:
        key = column.key
        if key == "index":
            sheet.cached.add(f"{sheet.letters['index']}{number}", cached)
            cells.append(formula_cell(ws, formula, font=BOLD, fill=HEADER_FILL))
        else:
            text = label if key == "title" else ""
            cells.append(text_cell(ws, text, font=BOLD, fill=HEADER_FILL))
    sheet.append(cells, row_height([(label, 50, True)]))


def _number(value: Decimal) -> str:
    return format_decimal(value)


def _signature(sheet: _Sheet, place: str) -> None:
    """The place and date line, THỦ TRƯỞNG CƠ QUAN and room to sign, on the right."""
    count = len(sheet.columns)
    first = max(count - 3, 3)
    dated = _("%(place)s, ngày … tháng … năm …") % {"place": place or "……"}
    sheet.line(dated, ITALIC, first=first)
    sheet.line(_("THỦ TRƯỞNG CƠ QUAN"), HEADING, first=first)
    sheet.line(_("(Ký, ghi rõ họ tên và đóng dấu)"), ITALIC, first=first)
