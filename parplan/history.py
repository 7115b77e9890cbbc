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
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from operator import attrgetter
from typing import TYPE_CHECKING, Any, TypeVar

from django.conf import settings
from django.db import connections, models, router
from django.db.models import F
from django.utils import formats, timezone
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy
from simple_history.utils import bulk_create_with_history

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


# Values of these fields go to the database as they are on the instance.
_AS_IS = {
    "AutoField",
    "BigAutoField",
    "BigIntegerField",
    "BooleanField",
    "CharField",
    "ForeignKey",
    "IntegerField",
    "PositiveIntegerField",
    "PositiveSmallIntegerField",
    "SmallIntegerField",
    "TextField",
}


def created_with_history(
    objs: Sequence[M], *, model: type[M], reason: str, user: Any = None
) -> list[M]:
    """Insert ``objs`` (new rows of ``model``) and their "+" history rows, as
    simple-history's ``bulk_create_with_history`` would write them (the signed-in
    user of the request or ``user``, ``reason``), in a few statements whatever their
    number: the rows by multi-row INSERTs returning their ids, the history copied
    from them by one INSERT … SELECT. No model instance is built for the history and
    no value prepared one by one but dates and decimals: an appendix creates tens of
    thousands of rows. Sets each object's pk and returns ``objs``."""
    if not objs:
        return []
    connection = connections[router.db_for_write(model)]
    history_model = _history(model).model
    if not (
        connection.features.can_return_rows_from_bulk_insert
        and getattr(settings, "SIMPLE_HISTORY_ENABLED", True)
    ):
        return list(
            bulk_create_with_history(
                objs, model, default_user=user, default_change_reason=reason
            )
        )
    now = timezone.now()
    pk = model._meta.pk
    assert pk is not None
    fields = [f for f in model._meta.concrete_fields if f is not pk]
    stamped = {
        f.attname
        for f in fields
        if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)
    }
    for obj in objs:
        for name in stamped:
            setattr(obj, name, now)
    getters = [
        _getter(f, connection, now if f.attname in stamped else None) for f in fields
    ]
    rows = [tuple(get(obj) for get in getters) for obj in objs]
    quote = connection.ops.quote_name
    insert = "INSERT INTO {} ({}) VALUES ".format(
        quote(model._meta.db_table), ", ".join(quote(f.column) for f in fields)
    )
    one = "({})".format(", ".join(["%s"] * len(fields)))
    ids: list[int] = []
    with connection.cursor() as cursor:
        per_statement = max(1, _params_max(connection) // len(fields))
        for start in range(0, len(rows), per_statement):
            batch = rows[start : start + per_statement]
            cursor.execute(
                insert
                + ", ".join([one] * len(batch))
                + f" RETURNING {quote(pk.column)}",
                [value for row in batch for value in row],
            )
            ids.extend(row[0] for row in cursor.fetchall())
        for obj, new_id in zip(objs, ids, strict=True):
            obj.pk = new_id
            # As bulk_create leaves them (Model._state is documented): saved, here.
            obj._state.adding = False
            obj._state.db = connection.alias
        _history_copy(
            cursor,
            model=model,
            history_model=history_model,
            ids=ids,
            values=[
                history_model._meta.get_field("history_date").get_db_prep_save(
                    now, connection
                ),
                reason,
                "+",
                _history_user_id(history_model, user),
            ],
        )
    return list(objs)


def _getter(
    field: models.Field[Any, Any], connection: Any, stamp: datetime.datetime | None
) -> Callable[[Any], Any]:
    """How a row's value of ``field`` is read for the database: the stamp's value
    prepared once, a value as it is, or prepared where the backend needs it (dates,
    decimals)."""
    if stamp is not None:
        value = field.get_db_prep_save(stamp, connection)
        return lambda _obj: value
    read = attrgetter(field.attname)
    if field.get_internal_type() in _AS_IS:
        return read

    def prepared(obj: Any) -> Any:
        value = read(obj)
        return None if value is None else field.get_db_prep_save(value, connection)

    return prepared


def _history_user_id(history_model: Any, user: Any) -> int | None:
    """Whom simple-history would name: ``user``, else the request's user."""
    who = user or history_model.get_default_history_user(None)
    return getattr(who, "pk", None)


def _history_copy(
    cursor: Any,
    *,
    model: type[models.Model],
    history_model: Any,
    ids: list[int],
    values: list[Any],
) -> None:
    """The history rows of rows ``ids``, copied from the rows by the database, with
    ``values`` as history_date, history_change_reason, history_type, history_user."""
    quote = cursor.db.ops.quote_name
    columns = [
        (quote(history_model._meta.get_field(f.name).column), quote(f.column))
        for f in history_model.tracked_fields
    ]
    extra = ["history_date", "history_change_reason", "history_type", "history_user"]
    assert model._meta.pk is not None
    pk = quote(model._meta.pk.column)
    ids_param: list[int] | str
    if cursor.db.vendor == "postgresql":
        where, ids_param = f"{pk} = ANY(%s)", list(ids)
    else:  # SQLite: the ids as one JSON parameter, whatever their number
        where, ids_param = f"{pk} IN (SELECT value FROM json_each(%s))", json.dumps(ids)
    cursor.execute(
        "INSERT INTO {} ({}) SELECT {} FROM {} WHERE {}".format(
            quote(history_model._meta.db_table),
            ", ".join(
                [c for c, _s in columns]
                + [quote(history_model._meta.get_field(n).column) for n in extra]
            ),
            ", ".join([s for _c, s in columns] + ["%s"] * len(extra)),
            quote(model._meta.db_table),
            where,
        ),
        [*values, ids_param],
    )


def _params_max(connection: Any) -> int:
    """Parameters one statement may take: SQLite's own limit (999 before 3.32),
    PostgreSQL's protocol limit."""
    if connection.vendor == "sqlite":
        import sqlite3

        connection.ensure_connection()
        getlimit = getattr(connection.connection, "getlimit", None)
        if getlimit is not None:
            return int(getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER))
        return int(connection.features.max_query_params)
    return 65_535
