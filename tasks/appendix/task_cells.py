"""Reading a task's cells of the appendix: its text, lead and supporting units (split
as people write them), due date and expected output, with the cells of a
continuation row merged with those above."""

from __future__ import annotations

import datetime
import functools
import re
from dataclasses import dataclass

from django.utils.translation import gettext as _

from parplan.tables import Problem
from parplan.text import normalize_name
from tasks.appendix.columns import ALL_UNITS_KEYS
from tasks.appendix.dates import Due, DueDateError, due_read


@dataclass
class TaskRow:
    text: str
    lead: str
    # The columns below are None when the file has no such column: the import then
    # leaves what the plan has (set in the browser) as it is.
    support: str | None = None
    due_date: datetime.date | None = None
    due_text: str | None = None  # a due named in words only ("Thường xuyên")
    output: str | None = None  # sản phẩm, kết quả đầu ra


def split_lead(lead: str) -> tuple[bool, list[str]]:
    """``"Văn phòng Sở; Trung tâm X"`` → (False, ["Văn phòng Sở", "Trung tâm X"]);
    a name of every unit (``Các phòng, đơn vị trực thuộc``) makes the first True."""
    all_units, names = _split_lead(lead or "")
    return all_units, list(names)


@functools.lru_cache(maxsize=4096)
def _split_lead(lead: str) -> tuple[bool, tuple[str, ...]]:
    # A province's appendix names the same few units on thousands of tasks.
    names = [part.strip() for part in re.split(r"[;\n]+", lead) if part.strip()]
    all_units = any(normalize_name(n) in ALL_UNITS_KEYS for n in names)
    return all_units, tuple(n for n in names if normalize_name(n) not in ALL_UNITS_KEYS)


def task_read(
    *,
    row: int,
    cells: dict[str, object],
    texts: dict[str, str],
    labels: dict[str, str],
    year: int | None,
    above: TaskRow | None,
) -> TaskRow | Problem:
    """The task of sheet row ``row`` (``cells`` and ``texts`` by column), or the
    problem of one of its cells. ``above`` is the task of the row above when this
    row continues it: its empty cells are merged with those above. ``year`` is the
    plan's, for a due date written without one."""
    lead, support, output = (texts.get(r, "") for r in ("lead", "support", "output"))
    if above is not None:
        lead, support = lead or above.lead, support or (above.support or "")
        output = output or (above.output or "")
    try:
        due = due_read(cells.get("due"), year=year)
    except DueDateError as exc:
        return Problem(f"{exc}", row, labels["due"])
    if above is not None and due == Due() and not texts.get("due"):
        due = Due(above.due_date, above.due_text or "")
    if normalize_name(due.text) in _NO_LEAD_MARKS:
        due = Due()
    task = TaskRow(
        texts["task"],
        _lead_text(lead),
        support=_lead_text(support) if "support" in cells else None,
        due_date=due.date,
        due_text=due.text if "due" in cells else None,
        output=_lead_text(output) if "output" in cells else None,
    )
    both = _both_roles(task)
    if both:
        return Problem(
            _(
                "%(units)s vừa là đơn vị chủ trì vừa là đơn vị phối hợp của nhiệm "
                "vụ; hãy ghi mỗi đơn vị ở một cột."
            )
            % {"units": ", ".join(both)},
            row,
            labels["support"],
        )
    return task


def _both_roles(task: TaskRow) -> list[str]:
    """The units a task names both as lead and as supporting units."""
    all_leads, leads = split_lead(task.lead)
    all_support, supports = split_lead(task.support or "")
    if all_leads and (all_support or supports):
        return supports or [task.support or ""]
    # "Các phòng, đơn vị trực thuộc" as supporting units: every unit but the leads.
    keys = {normalize_name(n) for n in leads}
    return [n for n in supports if normalize_name(n) in keys]


# What a task's cell (lead, supporting units, due, output) holds to say "none" where
# an empty cell would read as a merged cell (the plan workbook writes it on a task's
# continuation row).
NO_LEAD = "—"
_NO_LEAD_MARKS = {"—", "–", "-", "chưa giao"}


def _lead_text(lead: str) -> str:
    return "" if normalize_name(lead) in _NO_LEAD_MARKS else lead
