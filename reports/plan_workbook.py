"""The plan workbook: the plan in its appendix's own columns, which the appendix
import reads back unchanged."""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from decimal import Decimal
from typing import IO, TypeAlias

from django.db.models import Prefetch
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import Cell
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

from criteria.models import Criterion, Plan
from parplan.workbooks import (
    AREA_FILL,
    BOLD,
    CENTER,
    HEADER_FILL,
    TITLE,
    TOP,
    column_widths,
    number_cell,
    page_setup,
    style_cell,
    text_cell,
)
from tasks.appendix.task_cells import NO_LEAD
from tasks.models import Task, TaskUnit

PLAN_WIDTHS = [8, 52, 10, 11, 11, 52, 30, 30, 14, 36]
DUE_FORMAT = "DD/MM/YYYY"
PLAN_HEADER_ROW = 6

# A criterion's columns: code, title, standard, baseline and target scores.
CriterionColumns: TypeAlias = tuple[
    str, str, Decimal | None, Decimal | None, Decimal | None
]
# A task's columns: its text, lead units, supporting units, due (a date, or the
# words when there is none) and expected output.
TaskColumns: TypeAlias = tuple[str, str, str, datetime.date | str, str]
# A row of the appendix: the criterion's columns, then a task's.
PlanRow: TypeAlias = tuple[
    str,
    str,
    Decimal | None,
    Decimal | None,
    Decimal | None,
    str,
    str,
    str,
    datetime.date | str,
    str,
]


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
        _("Đơn vị phối hợp"),
        _("Thời gian hoàn thành"),
        _("Sản phẩm"),
    ]


# Rows are streamed in chunks: memory stays flat in the plan's size.
CHUNK = 2000


def plan_rows(plan: Plan) -> Iterator[PlanRow]:
    """The appendix's rows: one per task, the criterion's columns on its first row.

    The criteria and their tasks are read side by side in the same order (the tasks
    by their criterion's sort key), each streamed with ``.iterator()``, so no list of
    the plan's tasks is held: one query for the criteria and, per chunk of tasks,
    one for them and one for their parts."""
    parts = TaskUnit.objects.select_related("unit")
    tasks = (
        Task.objects.filter(criterion__plan=plan)
        .order_by("criterion__sort_key", "criterion_id", "position", "pk")
        .prefetch_related(Prefetch("parts", queryset=parts))
        .iterator(chunk_size=CHUNK)
    )
    pending = next(tasks, None)
    criteria = Criterion.objects.filter(plan=plan).order_by("sort_key", "pk")
    for criterion in criteria.iterator(chunk_size=CHUNK):
        first: CriterionColumns = (
            criterion.code,
            criterion.title,
            criterion.max_score,
            criterion.baseline_score,
            criterion.target_score,
        )
        blank: CriterionColumns = ("", "", None, None, None)
        index = 0
        while pending is not None and pending.criterion_id == criterion.pk:
            yield (
                *(first if index == 0 else blank),
                *_task_columns(pending, index > 0),
            )
            index += 1
            pending = next(tasks, None)
        if index == 0:
            yield (*first, "", "", "", "", "")


def _task_columns(task: Task, below: bool) -> TaskColumns:
    """A task's cells; ``below`` another task of the same criterion, an empty cell
    would read as the value above (a merged cell), so "none" is written ``—``."""
    supports = "; ".join(
        p.unit.name for p in task.parts.all() if p.role == TaskUnit.Role.SUPPORT
    )
    none = NO_LEAD if below else ""
    return (
        task.text,
        task.lead_label() or none,
        supports or none,
        task.due_date or task.due_text or none,
        task.output or none,
    )


def _due_cell(ws: WriteOnlyWorksheet, value: datetime.date | str) -> Cell:
    if not isinstance(value, datetime.date):
        return text_cell(ws, value)
    cell = WriteOnlyCell(ws, value=datetime.datetime.combine(value, datetime.time()))
    style_cell(cell, font=None, alignment=TOP, number_format=DUE_FORMAT)
    return cell


def plan_write(*, plan: Plan, output: IO[bytes] | str) -> None:
    """Write the plan as its appendix (``import_appendix`` reads it back unchanged)."""
    organization = plan.organization
    workbook = Workbook(write_only=True)
    ws = workbook.create_sheet(_("Phụ lục kế hoạch"))
    column_widths(ws, PLAN_WIDTHS)
    page_setup(ws, PLAN_HEADER_ROW, f"C{PLAN_HEADER_ROW + 1}")
    attached = plan.title + (f" (số {plan.number})" if plan.number else "")
    for text, font in [
        (organization.name.upper(), TITLE),
        (_("PHỤ LỤC"), TITLE),
        (
            _(
                "NHIỆM VỤ, GIẢI PHÁP CẢI THIỆN VÀ NÂNG CAO CHỈ SỐ CẢI CÁCH HÀNH CHÍNH NĂM %(year)s"
            )
            % {"year": plan.year},
            BOLD,
        ),
        (_("(Kèm theo %(plan)s)") % {"plan": attached}, None),
    ]:
        ws.append([text_cell(ws, text, font=font, alignment=None, border=False)])
    ws.append([])
    ws.append(
        [
            text_cell(ws, label, font=BOLD, alignment=CENTER, fill=HEADER_FILL)
            for label in plan_headers(plan)
        ]
    )
    for values in plan_rows(plan):
        code = values[0]
        heading = bool(code) and values[2] is None
        font = BOLD if heading else None
        fill = AREA_FILL if code and "." not in str(code) else None
        ws.append(
            [
                text_cell(ws, values[0], font=font, fill=fill),
                text_cell(ws, values[1], font=font, fill=fill),
                *[number_cell(ws, v, font=font, fill=fill) for v in values[2:5]],
                *[text_cell(ws, v, fill=fill) for v in values[5:8]],
                _due_cell(ws, values[8]),
                text_cell(ws, values[9], fill=fill),
            ]
        )
    workbook.save(output)
