"""Saved changes and optimistic locking, for any model with ``history`` and
``version``.

No lost update: every editable row carries a ``version``. A form sends back the
version it was loaded with; the save first bumps the version with a conditional
UPDATE (``WHERE version = <the form's>``), which both checks and takes the row's write
lock, so two saves of the same version cannot both pass, on PostgreSQL or SQLite.
A refused save raises ``StaleEditError`` carrying the changes made since.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any, TypeVar

from django.db import models
from django.db.models import F
from django.utils import formats
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy

from parplan.scores import format_decimal

# Bookkeeping fields that are not worth showing to people in a history.
HIDDEN_HISTORY_FIELDS = {"version", "updated_at", "sort_key", "depth", "key", "id"}

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser, User

    AnyUser = User | AnonymousUser

M = TypeVar("M", bound=models.Model)


@dataclass(frozen=True)
class Change:
    field: str
    old: str
    new: str


@dataclass
class HistoryEntry:
    """One saved change of one row: who, when, and what changed."""

    when: datetime.datetime
    who: Any
    kind: str
    subject: str
    changes: list[Change] = field(default_factory=list)


def _field(record: models.Model, name: str) -> models.Field[Any, Any]:
    model_field = record._meta.get_field(name)
    assert isinstance(model_field, models.Field)  # a diff names concrete fields
    return model_field


def _display(record: models.Model, name: str, value: Any) -> str:
    if value is None or value == "":
        return "—"
    model_field = _field(record, name)
    if model_field.choices:
        return str(dict(model_field.flatchoices).get(value, value))
    if isinstance(value, bool):
        return _("Có") if value else _("Không")
    if isinstance(value, Decimal):
        return format_decimal(value)
    if isinstance(value, datetime.date):
        return formats.date_format(value, "d/m/Y")
    return str(value)


def _label(record: models.Model, name: str) -> str:
    return capfirst(str(_field(record, name).verbose_name))


# In the context "history": what was done to a row ("Sửa" is "Changed" here, the
# verb "Edit" on a link).
KINDS = {
    "+": pgettext_lazy("history", "Tạo mới"),
    "~": pgettext_lazy("history", "Sửa"),
    "-": pgettext_lazy("history", "Xóa"),
}


def history_entries(
    records: Sequence[Any],
    *,
    subject: str = "",
    limit: int | None = None,
    after_version: int | None = None,
) -> list[HistoryEntry]:
    """Entries from history records of one or more rows, newest first.

    Diffs are computed in memory between each record and the previous record of
    the same row found in ``records`` (pass one record more than you show).
    Records at or before ``after_version`` only serve as the base of a diff.
    """
    ordered = sorted(records, key=lambda r: (r.history_date, r.history_id))
    previous: dict[Any, Any] = {}
    entries = []
    for record in ordered:
        old = previous.get(record.id)
        previous[record.id] = record
        if after_version is not None and record.version <= after_version:
            continue
        changes = []
        if old is not None and record.history_type == "~":
            delta = record.diff_against(old, excluded_fields=HIDDEN_HISTORY_FIELDS)
            changes = [
                Change(
                    _label(record, c.field),
                    _display(record, c.field, c.old),
                    _display(record, c.field, c.new),
                )
                for c in delta.changes
            ]
            if not changes:
                continue
        elif old is None and record.history_type == "~":
            # The record before it was not fetched: it cannot be diffed.
            continue
        entries.append(
            HistoryEntry(
                when=record.history_date,
                who=record.history_user,
                kind=str(KINDS[record.history_type]),
                subject=subject
                or capfirst(str(record.instance_type._meta.verbose_name)),
                changes=changes,
            )
        )
    entries.reverse()
    return entries[:limit] if limit else entries


def _history(model: type[models.Model]) -> Any:
    """The model's simple-history manager (``history = HistoricalRecords()``)."""
    return model.history  # type: ignore[attr-defined]  # simple-history adds .history


def recent_history(
    model: type[models.Model], *, limit: int, subject: str = "", **filters: Any
) -> list[HistoryEntry]:
    """The latest ``limit`` entries of the rows of ``model`` matching ``filters``."""
    records = list(
        _history(model)
        .filter(**filters)
        .select_related("history_user")
        .order_by("-history_date", "-history_id")[: limit + 1]
    )
    return history_entries(records, subject=subject, limit=limit)


class StaleEditError(Exception):
    """The row was saved by someone else after the form was loaded; nothing written."""

    def __init__(self, current: models.Model, entries: list[HistoryEntry]) -> None:
        super().__init__(_("Dữ liệu đã được người khác thay đổi."))
        self.current = current
        self.entries = entries


def history_baseline(model: type[models.Model], pk: int) -> None:
    """Rows written in bulk (the appendix import) have no history yet: record their
    state as it was before the first change, so the change can be shown."""
    history = _history(model)
    if history.filter(id=pk).exists():
        return
    row = model._default_manager.filter(pk=pk).first()
    if row is not None:
        updated_at = row.updated_at  # type: ignore[attr-defined]  # every versioned model has it
        history.bulk_history_create([row], default_date=updated_at)


def claim(model: type[M], pk: int, expected_version: int) -> M:
    """Take the row for writing if it is still at ``expected_version``.

    Returns the row as it is now (its version already bumped), or raises
    StaleEditError listing what changed after ``expected_version``.
    """
    history_baseline(model, pk)
    manager = model._default_manager
    claimed = manager.filter(pk=pk, version=expected_version).update(
        version=F("version") + 1
    )
    current = manager.get(pk=pk)
    if not claimed:
        records = list(
            _history(model)
            .filter(id=pk, version__gte=expected_version)
            .select_related("history_user")
            .order_by("history_date", "history_id")
        )
        entries = history_entries(records, after_version=expected_version)
        raise StaleEditError(current, entries)
    return current


def by_user(obj: M, user: AnyUser | None) -> M:
    """``obj`` with ``user`` as the author of the history record its save or delete
    writes (HistoryRequestMiddleware does it in views; this covers other callers)."""
    obj._history_user = user  # type: ignore[attr-defined]  # simple-history's hook
    return obj
