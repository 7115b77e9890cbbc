"""What an imported table may hold (``TABLE_MAX_*`` in the settings), counted in
what the file really contains while it is read, and the error that refuses it."""

from __future__ import annotations

from django.conf import settings
from django.utils.translation import gettext as _


class TableError(Exception):
    """A file that cannot be read as a table; the message is for the user."""


class TableBudget:
    """What is left of the settings' limits while one file is read; raises
    TableError at the first limit passed, naming it."""

    def __init__(self, filename: str) -> None:
        self.filename = filename
        self.cells = 0
        self.text = 0

    def _refuse(self, message: str, **values: object) -> TableError:
        return TableError(message % {"name": self.filename, **values})

    def rows_check(self, number: int) -> None:
        if number > settings.TABLE_MAX_ROWS:
            raise self._refuse(
                _("Tệp “%(name)s” có hơn %(limit)s dòng, quá giới hạn cho một bảng."),
                limit=settings.TABLE_MAX_ROWS,
            )

    def cells_add(self, count: int) -> None:
        self.cells += count
        if self.cells > settings.TABLE_MAX_CELLS:
            raise self._refuse(
                _("Tệp “%(name)s” có hơn %(limit)s ô, quá giới hạn cho một bảng."),
                limit=settings.TABLE_MAX_CELLS,
            )

    def row(self, number: int, cells: list[object]) -> list[object]:
        """``cells`` without its trailing empty cells, once counted."""
        self.rows_check(number)
        end = len(cells)
        while end and (cells[end - 1] is None or cells[end - 1] == ""):
            end -= 1
        if end > settings.TABLE_MAX_COLUMNS:
            raise self._refuse(
                _(
                    "Dòng %(row)s của tệp “%(name)s” có hơn %(limit)s cột, quá giới hạn "
                    "cho một bảng."
                ),
                row=number,
                limit=settings.TABLE_MAX_COLUMNS,
            )
        del cells[end:]
        self.cells_add(end)
        for index, value in enumerate(cells):
            if isinstance(value, str):
                self.cell_text(len(value), row=number, column=index + 1)
        return cells

    def cell_text(self, length: int, *, row: int | None, column: int | None) -> None:
        if length > settings.TABLE_MAX_CELL_CHARS:
            where = (
                _("Ô ở dòng %(row)s, cột %(column)s") % {"row": row, "column": column}
                if row is not None
                else _("Một chuỗi văn bản")
            )
            raise self._refuse(
                _(
                    "%(where)s của tệp “%(name)s” dài hơn giới hạn %(limit)s ký tự "
                    "cho một ô."
                ),
                where=where,
                limit=settings.TABLE_MAX_CELL_CHARS,
            )
        self.text += length
        if self.text > settings.TABLE_MAX_TEXT_CHARS:
            raise self._refuse(
                _(
                    "Tệp “%(name)s” có hơn %(limit)s ký tự văn bản, quá giới hạn cho "
                    "một bảng."
                ),
                limit=settings.TABLE_MAX_TEXT_CHARS,
            )
