"""The self-assessment workbook (bảng tự đánh giá, chấm điểm) of a plan."""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from typing import IO

from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook

from criteria.models import Criterion, Plan
from parplan.workbooks import (
    AREA_FILL,
    BOLD,
    CENTER,
    HEADER_FILL,
    TITLE,
    column_widths,
    formula_cell,
    number_cell,
    page_setup,
    sum_formula,
    text_cell,
    workbook_filename,
)
from tasks.models import Evidence


def export_filename(plan: Plan, kind: str) -> str:
    """``tu-danh-gia-SKHCN-2023.xlsx``: the organization and the year, in ASCII."""
    organization = plan.organization
    return workbook_filename(
        kind, organization.short_name or organization.name, plan.year
    )


def _criteria(plan: Plan) -> list[Criterion]:
    return list(Criterion.objects.filter(plan=plan).order_by("sort_key"))


def _children(criteria: list[Criterion]) -> dict[int, list[Criterion]]:
    children: dict[int, list[Criterion]] = defaultdict(list)
    for criterion in criteria:
        if criterion.parent_id is not None:
            children[criterion.parent_id].append(criterion)
    return children


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
    column_widths(ws, SELF_ASSESSMENT_WIDTHS)
    page_setup(ws, SELF_ASSESSMENT_HEADER_ROW, f"C{first}")
    today = today or timezone.localdate()

    for text, font in [
        (organization.name.upper(), TITLE),
        (
            _("BẢNG TỰ ĐÁNH GIÁ, CHẤM ĐIỂM CHỈ SỐ CẢI CÁCH HÀNH CHÍNH NĂM %(year)s")
            % {"year": plan.year},
            TITLE,
        ),
        (_("Kế hoạch: %(title)s") % {"title": plan.title}, None),
        (_("Ngày lập: %(date)s") % {"date": today.strftime("%d/%m/%Y")}, None),
    ]:
        ws.append([text_cell(ws, text, font=font, alignment=None, border=False)])
    ws.append([])
    ws.append(
        [
            text_cell(ws, label, font=BOLD, alignment=CENTER, fill=HEADER_FILL)
            for label in self_assessment_headers()
        ]
    )

    for criterion in criteria:
        kids = children.get(criterion.pk, [])
        heading = bool(kids)
        font = BOLD if heading else None
        fill = AREA_FILL if criterion.parent_id is None else None
        cells = [
            text_cell(ws, criterion.code, font=font, fill=fill),
            text_cell(ws, criterion.title, font=font, fill=fill),
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
                    formula_cell(ws, sum_formula(column, rows), font=font, fill=fill)
                )
            else:
                cells.append(number_cell(ws, value, font=font, fill=fill))
        cells.append(
            text_cell(ws, "\n".join(evidence.get(criterion.pk, [])), fill=fill)
        )
        cells.append(text_cell(ws, criterion.explanation, fill=fill))
        ws.append(cells)

    areas = [row_of[c.pk] for c in criteria if c.parent_id is None]
    ws.append(
        [
            text_cell(ws, "", font=BOLD, fill=HEADER_FILL),
            text_cell(ws, _("TỔNG CỘNG"), font=BOLD, fill=HEADER_FILL),
            *[
                formula_cell(
                    ws, sum_formula(column, areas), font=BOLD, fill=HEADER_FILL
                )
                for column in [*SCORE_COLUMNS.values(), SELF_COLUMN]
            ],
            text_cell(ws, "", fill=HEADER_FILL),
            text_cell(ws, "", fill=HEADER_FILL),
        ]
    )
    workbook.save(output)
