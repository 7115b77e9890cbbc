"""What every admin Import button shares: files read by ``parplan.spreadsheets`` (its
limits, zip-bomb and XML checks) instead of tablib's unbounded readers, the reader's
Vietnamese reason shown on the form instead of an exception's name, and the file kept
between preview and confirmation in the staging folder (removed at confirmation, or
within an hour by ``parplan.uploads.staged_purge``)."""

from __future__ import annotations

import re
import secrets
from pathlib import Path
from typing import IO, Any

import tablib
from django import forms
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _
from import_export.formats.base_formats import CSV, XLSX, Format
from import_export.tmp_storages import BaseStorage

from parplan.spreadsheets import TableError, cell_text, read_rows
from parplan.uploads import staged_purge, staging_dir
from parplan.workbooks import FORMULA_TRIGGERS

_NAME = re.compile(r"[A-Za-z0-9_-]{32}")


class StagedTempStorage(BaseStorage):
    """django-import-export's temporary storage (``IMPORT_EXPORT_TMP_STORAGE_CLASS``)
    in the staging folder. The confirmation posts the file's name back, so only a
    name this storage made is accepted: never a path."""

    def _path(self) -> Path:
        if not self.name or not _NAME.fullmatch(self.name):
            # Only a forged confirmation names another file: refuse it (403).
            raise PermissionDenied(_("Tệp tạm của lần nhập không hợp lệ."))
        return staging_dir() / f"{self.name}.admin-upload"

    def save(self, data: Any) -> None:
        staged_purge()
        self.name = secrets.token_urlsafe(24)
        mode = "wb" if isinstance(data, bytes) else "w"
        handle: IO[Any]
        with open(
            self._path(), mode, encoding=None if "b" in mode else "utf-8"
        ) as handle:
            handle.write(data)

    def read(self) -> Any:
        binary = "b" in (self.read_mode or "")
        with open(
            self._path(), self.read_mode, encoding=None if binary else "utf-8"
        ) as handle:
            return handle.read()

    def remove(self) -> None:
        self._path().unlink(missing_ok=True)


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


def formulae_escaped(dataset: tablib.Dataset) -> tablib.Dataset:
    """``dataset`` with every text a spreadsheet would run as a formula (``=``,
    ``+``, ``-``, ``@``, a tab or a carriage return at the start) quoted as text."""
    escaped = tablib.Dataset(headers=dataset.headers, title=dataset.title)
    for row in dataset:
        escaped.append(
            [
                "'" + cell
                if isinstance(cell, str) and cell.startswith(FORMULA_TRIGGERS)
                else cell
                for cell in row
            ]
        )
    return escaped


class SafeXLSX(XLSX):
    def export_data(self, dataset: tablib.Dataset, **kwargs: Any) -> Any:
        return super().export_data(formulae_escaped(dataset), **kwargs)


class SafeCSV(CSV):
    def export_data(self, dataset: tablib.Dataset, **kwargs: Any) -> Any:
        return super().export_data(formulae_escaped(dataset), **kwargs)


EXPORT_FORMATS = [SafeXLSX, SafeCSV]


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
