"""What every admin Import button shares: files read by ``parplan.spreadsheets`` (its
limits, zip-bomb and XML checks) instead of tablib's unbounded readers, and the
reader's Vietnamese reason shown on the form instead of an exception's name."""

from __future__ import annotations

from typing import Any

import tablib
from django import forms
from import_export.formats.base_formats import Format

from parplan.spreadsheets import TableError, cell_text, read_rows


class TableFormat(Format):
    """A plain table: its first non-empty row names the columns."""

    extension = "xlsx"
    title: Any = "xlsx"

    def __init__(self, encoding: str | None = None) -> None:
        self.encoding = encoding

    def get_title(self) -> Any:
        return self.title

    def get_extension(self) -> str:
        return self.extension

    def can_import(self) -> bool:
        return True

    def create_dataset(self, in_stream: Any, **kwargs: Any) -> tablib.Dataset:
        if isinstance(in_stream, str):
            in_stream = in_stream.encode("utf-8")
        _kind, rows = read_rows(in_stream, f"upload.{self.extension}")
        filled = [r for r in rows if any(cell_text(c) for c in r.cells)]
        if not filled:
            return tablib.Dataset()
        headers = [cell_text(c) for c in filled[0].cells]
        dataset = tablib.Dataset(headers=headers)
        width = len(headers)
        for row in filled[1:]:
            cells = list(row.cells[:width])
            dataset.append(cells + [None] * (width - len(cells)))
        return dataset


class TableCSV(TableFormat):
    extension = "csv"
    title = "csv"


class TableImportAdminMixin:
    """For an ``ImportMixin`` admin: a file the reader refuses shows its reason."""

    def add_data_read_fail_error_to_form(self, form: forms.Form, e: Exception) -> None:
        if isinstance(e, TableError):
            form.add_error("import_file", str(e))
        else:
            super().add_data_read_fail_error_to_form(form, e)  # type: ignore[misc]  # ImportMixin's
