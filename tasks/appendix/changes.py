"""What an appendix import changes in a criterion or a task, field by field (old →
new), for the preview: the shape the criteria set's preview shows."""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

from django.utils import formats
from django.utils.translation import gettext as _

from criteria.models import Criterion
from parplan.scores import format_decimal
from tasks.appendix.columns import column_labels
from tasks.models import Task, TaskUnit


@dataclass(frozen=True)
class FieldChange:
    code: str  # the criterion's code
    field: str  # what changes, as the page names it
    old: str
    new: str


def _shown(value: object) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, Decimal):
        return format_decimal(value)
    if isinstance(value, datetime.date):
        return str(formats.date_format(value, "SHORT_DATE_FORMAT"))
    return str(value)


def criterion_changes(
    *,
    criterion: Criterion,
    values: Mapping[str, object],
    parent: Criterion | None,
    old_parent_code: str | None,
) -> list[FieldChange]:
    """The stored criterion's fields that ``values`` (the file's) change; none for a
    criterion not stored yet. ``old_parent_code`` is its parent's code as stored."""
    if not criterion.pk:
        return []
    labels = column_labels()
    changes = [
        FieldChange(
            criterion.code,
            labels.get(name, name),
            _shown(getattr(criterion, name)),
            _shown(value),
        )
        for name, value in values.items()
        if getattr(criterion, name) != value
    ]
    if criterion.parent_id != (parent.pk if parent else None):
        changes.append(
            FieldChange(
                criterion.code,
                _("Thuộc"),
                _shown(old_parent_code),
                _shown(parent.code if parent else None),
            )
        )
    return changes


def _units_shown(
    parts: dict[int, str], role: str, all_units: bool, names: dict[int, str]
) -> str:
    if all_units and role == TaskUnit.Role.LEAD:
        return _("Các phòng, đơn vị trực thuộc")
    chosen = sorted(names.get(uid, "?") for uid, r in parts.items() if r == role)
    return "; ".join(chosen) or "—"


def task_changes(
    *,
    code: str,
    task: Task,
    before: tuple[str, bool, datetime.date | None, str, str],
    had: dict[int, str],
    wanted: dict[int, str],
    unit_names: dict[int, str],
) -> list[FieldChange]:
    """What an update changes in ``task`` (already given the file's values):
    ``before`` is its (text, all units, due date, due text, output) as stored,
    ``had`` and ``wanted`` its parts (unit → role) before and after."""
    text, all_units, due_date, due_text, output = before
    which = _("Nhiệm vụ %(position)s") % {"position": task.position}
    labels = column_labels()
    pairs = [
        (_("nội dung"), text, task.text),
        (
            labels["lead"],
            _units_shown(had, TaskUnit.Role.LEAD, all_units, unit_names),
            _units_shown(wanted, TaskUnit.Role.LEAD, task.all_units, unit_names),
        ),
        (
            _("Đơn vị phối hợp"),
            _units_shown(had, TaskUnit.Role.SUPPORT, False, unit_names),
            _units_shown(wanted, TaskUnit.Role.SUPPORT, False, unit_names),
        ),
        (
            _("Thời hạn"),
            due_text or _shown(due_date),
            task.due_text or _shown(task.due_date),
        ),
        (_("Sản phẩm"), output, task.output),
    ]
    return [
        FieldChange(code, f"{which}: {label}", _shown(old), _shown(new))
        for label, old, new in pairs
        if _shown(old) != _shown(new)
    ]


def task_added(*, code: str, task: Task) -> FieldChange:
    """A task the file adds to a stored criterion."""
    which = _("Nhiệm vụ %(position)s") % {"position": task.position}
    return FieldChange(code, f"{which}: {_('thêm mới')}", "—", task.text)
