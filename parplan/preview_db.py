"""On SQLite, an import's dry run works on a private copy of the database.

A dry run writes what the import would write, then rolls it back; on SQLite those
writes hold the database's single write lock for as long as they take (seconds for a
large appendix), and every unit head's progress report waits meanwhile. Copying the
database (SQLite's online backup: a read, which in WAL mode blocks no writer) and
routing the dry run's queries to the copy keeps the real database free. PostgreSQL
needs no copy: its readers and other writers do not wait for a dry run.

``preview_database()`` sets up the copy for the queries run inside it (in this thread
or task: a context variable); ``PreviewRouter`` (``DATABASE_ROUTERS``) sends them
there; a dry run's transaction is opened with ``transaction.atomic(using=
preview_alias())``.
"""

from __future__ import annotations

import contextvars
import secrets
import sqlite3
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connections

_alias: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "parplan_preview_alias", default=None
)


def preview_alias() -> str:
    """The database the current queries go to (the copy inside a preview)."""
    return _alias.get() or DEFAULT_DB_ALIAS


@contextmanager
def preview_database() -> Iterator[str]:
    """Run the block's queries on a copy of the database (SQLite only)."""
    source = connections[DEFAULT_DB_ALIAS]
    if (
        source.vendor != "sqlite"
        or source.is_in_memory_db()  # type: ignore[attr-defined]  # SQLite's; a test's
        or source.in_atomic_block  # a copy would not see what is not committed
        or _alias.get() is not None
    ):
        yield preview_alias()
        return
    folder = Path(tempfile.mkdtemp(prefix="parplan-preview-"))
    path = folder / "copy.sqlite3"
    alias = f"preview-{secrets.token_hex(8)}"
    source.ensure_connection()
    target = sqlite3.connect(path)
    try:
        source.connection.backup(target)
    finally:
        target.close()
    config: dict[str, Any] = dict(connections.settings[DEFAULT_DB_ALIAS])
    config["NAME"] = str(path)
    connections.settings[alias] = config
    token = _alias.set(alias)
    try:
        yield alias
    finally:
        _alias.reset(token)
        opened = {c.alias for c in connections.all(initialized_only=True)}
        if alias in opened:  # in this thread
            connections[alias].close()
            del connections[alias]
        connections.settings.pop(alias, None)
        for leftover in folder.iterdir():
            leftover.unlink()
        folder.rmdir()


class PreviewRouter:
    """Inside ``preview_database()`` every query goes to the copy; outside, to the
    default database (also for rows read from a copy that is gone)."""

    def db_for_read(self, model: Any, **hints: Any) -> str:
        return preview_alias()

    def db_for_write(self, model: Any, **hints: Any) -> str:
        return preview_alias()

    def allow_relation(self, obj1: Any, obj2: Any, **hints: Any) -> bool:
        return True

    def allow_migrate(self, db: str, app_label: str, **hints: Any) -> bool:
        return db == DEFAULT_DB_ALIAS
