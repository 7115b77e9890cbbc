"""Helpers for tests that build or read workbooks, and compare whole plans."""

from __future__ import annotations

import io
from collections.abc import Iterable

import openpyxl
from django.db.models import Prefetch

from criteria.models import Criterion, Organization, Plan
from tasks.models import Task, TaskUnit, Unit

APPENDIX_HEADER = [
    "STT",
    "Lĩnh vực, tiêu chí",
    "Điểm chuẩn",
    "Điểm 2022 đạt được",
    "Mục tiêu năm 2023",
    "Nhiệm vụ, giải pháp",
    "Đơn vị chủ trì",
]

# A small, valid appendix: one area, two criteria, one with two sub-criteria.
GOOD_ROWS: list[list[object]] = [
    ["1", "CÔNG TÁC CHỈ ĐẠO, ĐIỀU HÀNH CCHC", None, None, None, None, None],
    ["1.1", "Công tác tuyên truyền CCHC", None, None, None, None, None],
    ["1.1.1", "Tuyên truyền nội dung CCHC", 2, 1, 2, "Tuyên truyền", "Văn phòng Sở"],
    ["1.1.2", "Tập huấn CCHC", 1, 0.5, 1, "Tập huấn", "Văn phòng Sở"],
    ["1.2", "Sáng kiến CCHC", 2, 0, 2, "Có sáng kiến", "Các phòng, đơn vị trực thuộc"],
]


def xlsx_bytes(
    rows: Iterable[Iterable[object]], *, title_rows: int = 2, sheets: int = 1
) -> bytes:
    """A workbook whose first sheet holds ``rows`` under a few title lines."""
    workbook = openpyxl.Workbook()
    ws = workbook.active
    for index in range(title_rows):
        ws.append([f"Tiêu đề {index + 1}"])
    for row in rows:
        ws.append(list(row))
    for index in range(1, sheets):
        workbook.create_sheet(f"Trang {index + 1}")
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def appendix_xlsx(rows: list[list[object]] | None = None) -> bytes:
    return xlsx_bytes([APPENDIX_HEADER, *(GOOD_ROWS if rows is None else rows)])


def database_state() -> dict[str, object]:
    """Everything an import could write, as comparable values."""
    return {
        "plans": sorted(Plan.objects.values_list("organization_id", "year", "title")),
        "criteria": sorted(
            Criterion.objects.values_list(
                "plan_id",
                "code",
                "title",
                "max_score",
                "baseline_score",
                "target_score",
                "parent_id",
                "version",
            )
        ),
        "tasks": sorted(
            Task.objects.values_list(
                "criterion_id",
                "position",
                "text",
                "all_units",
                "due_date",
                "due_text",
                "output",
                "version",
            )
        ),
        "parts": sorted(TaskUnit.objects.values_list("task_id", "unit_id", "role")),
        "units": sorted(Unit.objects.values_list("organization_id", "name")),
    }


def plan_snapshot(plan: Plan) -> dict[str, object]:
    """The plan as its appendix says it: criteria, scores, tasks with their lead and
    supporting units, due dates and expected outputs."""
    parts = TaskUnit.objects.select_related("unit")
    tasks: dict[int, list[tuple[object, ...]]] = {}
    for task in (
        Task.objects.filter(criterion__plan=plan)
        .order_by("criterion_id", "position")
        .prefetch_related(Prefetch("parts", queryset=parts))
    ):
        names = {
            role: tuple(sorted(p.unit.name for p in task.parts.all() if p.role == role))
            for role in TaskUnit.Role
        }
        leads = () if task.all_units else names[TaskUnit.Role.LEAD]
        tasks.setdefault(task.criterion_id, []).append(
            (
                task.text,
                task.all_units,
                leads,
                names[TaskUnit.Role.SUPPORT],
                task.due_date,
                task.due_text,
                task.output,
            )
        )
    criteria = Criterion.objects.filter(plan=plan).select_related("parent")
    return {
        "year": plan.year,
        "baseline_year": plan.baseline_year,
        "criteria": [
            (
                c.code,
                c.parent.code if c.parent else None,
                c.title,
                c.max_score,
                c.baseline_score,
                c.target_score,
                tasks.get(c.pk, []),
            )
            for c in criteria.order_by("sort_key")
        ],
    }


def database_empty() -> None:
    """Remove every plan, unit and organization (history tables keep their rows)."""
    Plan.objects.all().delete()
    Unit.objects.all().delete()
    Organization.objects.all().delete()
