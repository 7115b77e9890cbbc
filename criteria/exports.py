"""The workbooks PAR Plan writes: the self-assessment (bảng tự đánh giá, chấm điểm)
and the plan in the appendix's own columns.

Both are written with openpyxl's write-only mode, row by row, so a province-sized plan
is streamed rather than held as a sheet of cell objects. Every text cell goes through
``_text``: a value that Excel would run as a formula (``=``, ``+``, ``-``, ``@``, a tab
or a carriage return at the start) is stored as a string with the quote prefix, so
Excel shows it as text and never evaluates it.
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Iterator
from copy import copy
from datetime import date
from decimal import Decimal
from typing import IO

from django.db.models import F, Prefetch
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.styles.cell_style import StyleArray
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

from criteria.models import Criterion, Evidence, Plan
from criteria.services import NO_LEAD
from tasks.models import Task, TaskUnit

SCORE_FORMAT = "0.00"
PAPER_A4 = "9"  # the paper size code of A4 in SpreadsheetML
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
EXCEL_MAX_TEXT = 32_767
# Excel accepts at most 255 arguments in one function call.
SUM_MAX_ARGS = 255

_THIN = Side(style="thin", color="808080")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_WRAP = Alignment(wrap_text=True, vertical="top")
_CENTER = Alignment(wrap_text=True, vertical="center", horizontal="center")
_TOP = Alignment(vertical="top")
_HEADER_FILL = PatternFill("solid", fgColor="DDE5EE")
_AREA_FILL = PatternFill("solid", fgColor="F0F4F9")
_BOLD = Font(bold=True)
_TITLE = Font(bold=True, size=13)


def export_filename(plan: Plan, kind: str) -> str:
    """``tu-danh-gia-SKHCN-2023.xlsx``: the organization and the year, in ASCII."""
    organization = plan.organization
    name = organization.short_name or organization.name
    return f"{kind}-{_ascii_slug(name)}-{plan.year}.xlsx"


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


def _text(
    ws: WriteOnlyWorksheet,
    value: object,
    *,
    font: Font | None = None,
    alignment: Alignment = _WRAP,
    fill: PatternFill | None = None,
    border: bool = True,
) -> WriteOnlyCell:
    cell = WriteOnlyCell(ws)
    text = clean_text(value)
    if text:
        cell.value = text
        # openpyxl would store "=…" as a formula; a string cell never runs.
        cell.data_type = "s"
    _style(
        cell,
        font=font,
        alignment=alignment,
        fill=fill,
        border=border,
        quote=text.startswith(FORMULA_TRIGGERS),
    )
    return cell


def _number(
    ws: WriteOnlyWorksheet,
    value: Decimal | None,
    *,
    font: Font | None = None,
    fill: PatternFill | None = None,
) -> WriteOnlyCell:
    cell = WriteOnlyCell(ws, value=value)
    _style(cell, font=font, alignment=_TOP, fill=fill, number_format=SCORE_FORMAT)
    return cell


def _formula(
    ws: WriteOnlyWorksheet,
    formula: str,
    *,
    font: Font | None = None,
    fill: PatternFill | None = None,
) -> WriteOnlyCell:
    cell = WriteOnlyCell(ws, value=formula)
    _style(cell, font=font, alignment=_TOP, fill=fill, number_format=SCORE_FORMAT)
    return cell


def _style(
    cell: WriteOnlyCell,
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
    the time of a large export."""
    workbook = cell.parent.parent
    cache: dict[tuple[object, ...], StyleArray] = workbook.__dict__.setdefault(
        "_parplan_styles", {}
    )
    key = (id(font), id(alignment), id(fill), border, number_format, quote)
    if key in cache:
        cell._style = copy(cache[key])
        return
    if font is not None:
        cell.font = font
    if alignment is not None:
        cell.alignment = alignment
    if fill is not None:
        cell.fill = fill
    if border:
        cell.border = _BORDER
    if number_format is not None:
        cell.number_format = number_format
    if quote:
        cell.quotePrefix = True
    cache[key] = copy(cell._style)


def sum_formula(column: str, rows: Iterable[int]) -> str:
    """``=SUM(C8:C10,C14)``: the cells of ``rows``, runs of adjacent rows as ranges.

    A heading's children are not adjacent when grandchildren sit between them, so the
    formula names each child; runs keep it short when they are.
    """
    ordered = sorted(set(rows))
    if not ordered:
        return "=0"
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
    chunks = [refs[i : i + SUM_MAX_ARGS] for i in range(0, len(refs), SUM_MAX_ARGS)]
    return "=" + "+".join(f"SUM({','.join(chunk)})" for chunk in chunks)


def _page_setup(ws: WriteOnlyWorksheet, header_row: int, freeze: str) -> None:
    """A4 landscape, one page wide, the header row repeated on every printed page."""
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = PAPER_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_options.horizontalCentered = True
    ws.page_margins.left = ws.page_margins.right = 0.4
    ws.page_margins.top = ws.page_margins.bottom = 0.5
    ws.print_title_rows = f"{header_row}:{header_row}"
    ws.freeze_panes = freeze


def _widths(ws: WriteOnlyWorksheet, widths: list[float]) -> None:
    for index, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(index)].width = width


def _criteria(plan: Plan) -> list[Criterion]:
    return list(Criterion.objects.filter(plan=plan).order_by("sort_key"))


def _children(criteria: list[Criterion]) -> dict[int, list[Criterion]]:
    children: dict[int, list[Criterion]] = defaultdict(list)
    for criterion in criteria:
        if criterion.parent_id is not None:
            children[criterion.parent_id].append(criterion)
    return children


# The self-assessment ----------------------------------------------------------------

SELF_ASSESSMENT_WIDTHS = [8, 58, 11, 11, 11, 12, 48, 36]
SELF_ASSESSMENT_HEADER_ROW = 6
SCORE_COLUMNS = {"max_score": "C", "baseline_score": "D", "target_score": "E"}
SELF_COLUMN = "F"


def self_assessment_headers() -> list[str]:
    return [
        _("STT"),
        _("Lĩnh vực / Tiêu chí / Tiêu chí thành phần"),
        _("Điểm tối đa"),
        _("Điểm năm trước"),
        _("Mục tiêu"),
        _("Điểm tự đánh giá"),
        _("Tài liệu kiểm chứng"),
        _("Giải trình / Ghi chú"),
    ]


def evidence_line(evidence: Evidence) -> str:
    """``Số 12/TB-SKHCN ngày 15/03/2023 – Thông báo kết luận … – mục 2, trang 3``."""
    head = evidence.number
    if evidence.issued_on:
        issued = evidence.issued_on.strftime("%d/%m/%Y")
        head = (
            _("%(number)s ngày %(date)s") % {"number": head, "date": issued}
            if head
            else _("ngày %(date)s") % {"date": issued}
        )
    parts = [
        head,
        evidence.issuer,
        evidence.summary,
        evidence.location,
        evidence.link,
    ]
    if evidence.file:
        parts.append(evidence.file.name.rsplit("/", 1)[-1])
    return " – ".join(" ".join(p.split()) for p in parts if p and p.strip())


def _evidence_by_criterion(plan: Plan) -> dict[int, list[str]]:
    """Evidence of each criterion: attached to it, or to a progress report of one of
    its tasks."""
    found: dict[int, list[str]] = defaultdict(list)
    evidence = Evidence.objects.filter(plan=plan).select_related(
        "progress_update__part__task"
    )
    for item in evidence.order_by(F("issued_on").asc(nulls_last=True), "pk"):
        criterion_id = item.criterion_id
        if criterion_id is None and item.progress_update is not None:
            criterion_id = item.progress_update.part.task.criterion_id
        if criterion_id is not None:
            found[criterion_id].append(evidence_line(item))
    return found


def self_assessment_write(
    *, plan: Plan, output: IO[bytes] | str, today: date | None = None
) -> None:
    """Write the plan's self-assessment workbook to ``output`` (a path or binary file).

    Three queries, whatever the size of the plan: the organization, the criteria and
    the evidence (with the progress reports it belongs to); nothing per row.
    """
    organization = plan.organization
    criteria = _criteria(plan)
    children = _children(criteria)
    evidence = _evidence_by_criterion(plan)
    first = SELF_ASSESSMENT_HEADER_ROW + 1
    row_of = {c.pk: first + index for index, c in enumerate(criteria)}

    workbook = Workbook(write_only=True)
    ws = workbook.create_sheet(_("Tự đánh giá"))
    _widths(ws, SELF_ASSESSMENT_WIDTHS)
    _page_setup(ws, SELF_ASSESSMENT_HEADER_ROW, f"C{first}")
    today = today or timezone.localdate()

    for text, font in [
        (organization.name.upper(), _TITLE),
        (
            _("BẢNG TỰ ĐÁNH GIÁ, CHẤM ĐIỂM CHỈ SỐ CẢI CÁCH HÀNH CHÍNH NĂM %(year)s")
            % {"year": plan.year},
            _TITLE,
        ),
        (_("Kế hoạch: %(title)s") % {"title": plan.title}, None),
        (_("Ngày lập: %(date)s") % {"date": today.strftime("%d/%m/%Y")}, None),
    ]:
        ws.append([_text(ws, text, font=font, alignment=None, border=False)])
    ws.append([])
    ws.append(
        [
            _text(ws, label, font=_BOLD, alignment=_CENTER, fill=_HEADER_FILL)
            for label in self_assessment_headers()
        ]
    )

    for criterion in criteria:
        kids = children.get(criterion.pk, [])
        heading = bool(kids)
        font = _BOLD if heading else None
        fill = _AREA_FILL if criterion.parent_id is None else None
        cells = [
            _text(ws, criterion.code, font=font, fill=fill),
            _text(ws, criterion.title, font=font, fill=fill),
        ]
        values = [
            criterion.max_score,
            criterion.baseline_score,
            criterion.target_score,
            criterion.self_score,
        ]
        for column, value in zip(
            [*SCORE_COLUMNS.values(), SELF_COLUMN], values, strict=True
        ):
            if heading:
                rows = [row_of[k.pk] for k in kids]
                cells.append(
                    _formula(ws, sum_formula(column, rows), font=font, fill=fill)
                )
            else:
                cells.append(_number(ws, value, font=font, fill=fill))
        cells.append(_text(ws, "\n".join(evidence.get(criterion.pk, [])), fill=fill))
        cells.append(_text(ws, criterion.explanation, fill=fill))
        ws.append(cells)

    areas = [row_of[c.pk] for c in criteria if c.parent_id is None]
    ws.append(
        [
            _text(ws, "", font=_BOLD, fill=_HEADER_FILL),
            _text(ws, _("TỔNG CỘNG"), font=_BOLD, fill=_HEADER_FILL),
            *[
                _formula(ws, sum_formula(column, areas), font=_BOLD, fill=_HEADER_FILL)
                for column in [*SCORE_COLUMNS.values(), SELF_COLUMN]
            ],
            _text(ws, "", fill=_HEADER_FILL),
            _text(ws, "", fill=_HEADER_FILL),
        ]
    )
    workbook.save(output)


# The plan, in the appendix's own columns ----------------------------------------------

PLAN_WIDTHS = [8, 52, 10, 11, 11, 52, 30]
PLAN_HEADER_ROW = 6


def plan_headers(plan: Plan) -> list[str]:
    """The appendix's header, with the plan's years (``Điểm 2022 đạt được``)."""
    return [
        _("STT"),
        _("Lĩnh vực, tiêu chí"),
        _("Điểm chuẩn"),
        _("Điểm %(year)s đạt được") % {"year": plan.baseline_year},
        _("Mục tiêu năm %(year)s") % {"year": plan.year},
        _("Nhiệm vụ, giải pháp"),
        _("Đơn vị chủ trì"),
    ]


def _tasks_by_criterion(plan: Plan) -> dict[int, list[Task]]:
    parts = TaskUnit.objects.filter(role=TaskUnit.Role.LEAD).select_related("unit")
    tasks = (
        Task.objects.filter(criterion__plan=plan)
        .order_by("criterion_id", "position", "pk")
        .prefetch_related(Prefetch("parts", queryset=parts))
    )
    found: dict[int, list[Task]] = defaultdict(list)
    for task in tasks:
        found[task.criterion_id].append(task)
    return found


def plan_rows(plan: Plan) -> Iterator[list[object]]:
    """The appendix's rows: one per task, the criterion's columns on its first row."""
    tasks = _tasks_by_criterion(plan)
    for criterion in _criteria(plan):
        first: list[object] = [
            criterion.code,
            criterion.title,
            criterion.max_score,
            criterion.baseline_score,
            criterion.target_score,
        ]
        mine = tasks.get(criterion.pk, [])
        if not mine:
            yield [*first, "", ""]
            continue
        for index, task in enumerate(mine):
            head = first if index == 0 else ["", "", None, None, None]
            lead = task.lead_label()
            if index and not lead:
                lead = NO_LEAD  # an empty cell here would read as "the lead above"
            yield [*head, task.text, lead]


def plan_write(*, plan: Plan, output: IO[bytes] | str) -> None:
    """Write the plan as its appendix (``import_appendix`` reads it back unchanged)."""
    organization = plan.organization
    workbook = Workbook(write_only=True)
    ws = workbook.create_sheet(_("Phụ lục kế hoạch"))
    _widths(ws, PLAN_WIDTHS)
    _page_setup(ws, PLAN_HEADER_ROW, f"C{PLAN_HEADER_ROW + 1}")
    attached = plan.title + (f" (số {plan.number})" if plan.number else "")
    for text, font in [
        (organization.name.upper(), _TITLE),
        (_("PHỤ LỤC"), _TITLE),
        (
            _(
                "NHIỆM VỤ, GIẢI PHÁP CẢI THIỆN VÀ NÂNG CAO CHỈ SỐ CẢI CÁCH HÀNH CHÍNH NĂM %(year)s"
            )
            % {"year": plan.year},
            _BOLD,
        ),
        (_("(Kèm theo %(plan)s)") % {"plan": attached}, None),
    ]:
        ws.append([_text(ws, text, font=font, alignment=None, border=False)])
    ws.append([])
    ws.append(
        [
            _text(ws, label, font=_BOLD, alignment=_CENTER, fill=_HEADER_FILL)
            for label in plan_headers(plan)
        ]
    )
    for values in plan_rows(plan):
        code = values[0]
        heading = bool(code) and values[2] is None
        font = _BOLD if heading else None
        fill = _AREA_FILL if code and "." not in str(code) else None
        ws.append(
            [
                _text(ws, values[0], font=font, fill=fill),
                _text(ws, values[1], font=font, fill=fill),
                *[_number(ws, v, font=font, fill=fill) for v in values[2:5]],
                _text(ws, values[5], fill=fill),
                _text(ws, values[6], fill=fill),
            ]
        )
    workbook.save(output)
