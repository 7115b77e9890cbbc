"""What every table import shares: its one error type, the matchers of the header
cells and rows that all the province's tables have (STT, total rows), and the check
for a key that appears twice.

The appendix and the ranking table are both read as rows of a sheet; a problem is
placed where the user can find it (row, column) and the import refuses the whole file
when there is any, so nothing is half-written.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.utils.translation import gettext as _

from parplan.text import normalize_name

_TOTAL_ROW = re.compile(r"^(tổng|cộng)(\s|$|:)")


@dataclass
class Problem:
    """One reason an import cannot go on, placed where the user can find it."""

    message: str
    row: int | None = None
    column: str | None = None

    def __str__(self) -> str:
        where = []
        if self.row is not None:
            where.append(_("Dòng %(row)s") % {"row": self.row})
        if self.column:
            where.append(_("cột “%(column)s”") % {"column": self.column})
        return f"{', '.join(where)}: {self.message}" if where else self.message


class TableImportError(Exception):
    """The file cannot be imported; ``problems`` says every reason. Nothing was
    written."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("\n".join(str(p) for p in self.problems))


def is_position_header(text: str) -> bool:
    """The STT (số thứ tự) header cell, as a folded text."""
    return text in {"stt", "tt", "số tt", "số thứ tự"} or text.startswith("stt")


def is_total_row(text: object) -> bool:
    """A ``Tổng cộng`` / ``Cộng`` row: PAR Plan computes totals itself."""
    return bool(_TOTAL_ROW.match(normalize_name(text)))


class FirstSeen:
    """Where each key of a table was first seen, to name both rows of a duplicate."""

    def __init__(self) -> None:
        self._rows: dict[str, int] = {}

    def duplicate_of(self, key: str, row: int) -> int | None:
        """The row ``key`` was first seen on, or None (and ``row`` is remembered)."""
        first = self._rows.get(key)
        if first is None:
            self._rows[key] = row
        return first
