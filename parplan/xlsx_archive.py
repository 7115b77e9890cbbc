"""Checks of an .xlsx archive before openpyxl opens it: its proportions (a zip
bomb), the parts openpyxl reads whole, and the shared strings and sheet rows counted as
written, since openpyxl loads every shared string and ignores no declared
``<dimension>``."""

from __future__ import annotations

import io
import zipfile
from xml.parsers import expat

from django.conf import settings
from django.utils.translation import gettext as _

from parplan.table_limits import TableBudget, TableError

MAX_XLSX_UNCOMPRESSED = 200 * 1024 * 1024
MAX_XLSX_PARTS = 2_000
MAX_XLSX_RATIO = 200
# Parts openpyxl reads whole into memory (the workbook, styles, theme, relations).
MAX_XLSX_WHOLE_PART = 16 * 1024 * 1024


def check_xlsx_archive(data: bytes, filename: str) -> bool:
    """Refuse an archive out of proportion before openpyxl expands any part of it;
    returns whether any of its sheets holds a formula."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        infos = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError) as exc:
        raise TableError(
            _("Tệp “%(name)s” bị hỏng: không mở được như một bảng tính .xlsx.")
            % {"name": filename}
        ) from exc
    if len(infos) > MAX_XLSX_PARTS:
        raise TableError(
            _("Tệp “%(name)s” có %(n)s thành phần, quá nhiều cho một bảng tính.")
            % {"name": filename, "n": len(infos)}
        )
    total = sum(info.file_size for info in infos)
    compressed = sum(info.compress_size for info in infos) or 1
    if total > MAX_XLSX_UNCOMPRESSED or total / compressed > MAX_XLSX_RATIO:
        raise TableError(
            _(
                "Tệp “%(name)s” khi giải nén quá lớn so với kích thước tệp; đã từ chối để an toàn."
            )
            % {"name": filename}
        )
    names = {info.filename for info in infos}
    if "[Content_Types].xml" not in names or "xl/workbook.xml" not in names:
        raise TableError(
            _("Tệp “%(name)s” không phải là bảng tính Excel (.xlsx).")
            % {"name": filename}
        )
    for info in infos:
        if _read_whole(info.filename) and info.file_size > MAX_XLSX_WHOLE_PART:
            raise TableError(
                _(
                    "Tệp “%(name)s” có phần “%(part)s” quá lớn (%(mb)s MB) cho một bảng "
                    "tính; đã từ chối để an toàn."
                )
                % {
                    "name": filename,
                    "part": info.filename,
                    "mb": info.file_size // (1024 * 1024),
                }
            )
    _count_shared_strings(archive, TableBudget(filename))
    formulas = False
    for info in infos:
        if info.filename.endswith(".xml") and not _read_whole(info.filename):
            formulas |= _count_sheet_cells(
                archive, info.filename, TableBudget(filename)
            )
    return formulas


def _read_whole(part: str) -> bool:
    """Whether openpyxl reads the part whole, in read-only mode too."""
    return (
        part in {"[Content_Types].xml", "xl/workbook.xml", "xl/styles.xml"}
        or part.endswith(".rels")
        or part.startswith(("xl/theme/", "docProps/"))
    )


def _count_sheet_cells(
    archive: zipfile.ZipFile, part: str, budget: TableBudget
) -> bool:
    """Count a sheet's rows and cells as written, streaming, before openpyxl opens it
    (openpyxl reads a sheet without a ``<dimension>`` whole just to size it); returns
    whether the sheet holds a formula.

    By expat's callbacks, not ElementTree's iterparse (which builds every element in
    Python: this pass was a third of openpyxl's own read), refusing entity
    declarations and external references as defusedxml does."""
    from openpyxl.xml.constants import SHEET_MAIN_NS

    sheet, row, cell, formula = (
        f"{SHEET_MAIN_NS} {tag}" for tag in ("worksheet", "row", "c", "f")
    )
    parser = expat.ParserCreate(namespace_separator=" ")
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    parser.EntityDeclHandler = _entity_refused
    parser.UnparsedEntityDeclHandler = _unparsed_entity_refused
    parser.ExternalEntityRefHandler = _external_refused
    rows = 0
    first = True
    formulas = False

    def start(name: str, attributes: dict[str, str]) -> None:
        nonlocal rows, first, formulas
        if first:
            first = False
            if name != sheet:
                raise _NotASheet  # openpyxl does not read it in read-only mode
        elif name == cell:
            budget.cells_add(1)
        elif name == row:
            rows += 1
            budget.rows_check(max(int(attributes.get("r") or rows), rows))
        elif name == formula:
            formulas = True

    parser.StartElementHandler = start
    try:
        with archive.open(part) as source:
            while chunk := source.read(1 << 20):
                parser.Parse(chunk, False)
            parser.Parse(b"", True)
    except _NotASheet:
        return False
    except TableError:
        raise
    except Exception as exc:
        raise xlsx_unreadable(exc, budget.filename) from exc
    return formulas


class _NotASheet(Exception):
    """The part's root is not a worksheet: it is not counted."""


def _entity_refused(name: str, *args: object) -> None:
    from defusedxml import EntitiesForbidden

    raise EntitiesForbidden(name, None, None, None, None, None)


def _unparsed_entity_refused(name: str, *args: object) -> None:
    from defusedxml import EntitiesForbidden

    raise EntitiesForbidden(name, None, None, None, None, None)


def _external_refused(
    context: str, base: str | None, sysid: str | None, pubid: str | None
) -> int:
    from defusedxml import ExternalReferenceForbidden

    raise ExternalReferenceForbidden(context, base, sysid, pubid)


def _count_shared_strings(archive: zipfile.ZipFile, budget: TableBudget) -> None:
    """Count the shared strings openpyxl would load, streaming, before it loads them:
    it keeps them all in memory whatever the sheet uses."""
    from defusedxml.ElementTree import fromstring, iterparse
    from openpyxl.xml.constants import CONTYPES_NS, SHARED_STRINGS, SHEET_MAIN_NS

    try:
        types = fromstring(archive.read("[Content_Types].xml"))
    except Exception as exc:
        raise xlsx_unreadable(exc, budget.filename) from exc
    # The part openpyxl loads: the first one declared with the shared strings' type.
    parts = [
        override.get("PartName", "")
        for override in types.iter(f"{{{CONTYPES_NS}}}Override")
        if override.get("ContentType") == SHARED_STRINGS
    ]
    if not parts:
        return
    item, text = f"{{{SHEET_MAIN_NS}}}si", f"{{{SHEET_MAIN_NS}}}t"
    count = 0
    try:
        with archive.open(parts[0].lstrip("/")) as source:
            for _event, node in iterparse(source):
                if node.tag == text:
                    budget.cell_text(len(node.text or ""), row=None, column=None)
                elif node.tag == item:
                    count += 1
                    if count > settings.TABLE_MAX_SHARED_STRINGS:
                        raise TableError(
                            _(
                                "Tệp “%(name)s” có hơn %(limit)s chuỗi văn bản dùng "
                                "chung, quá giới hạn cho một bảng."
                            )
                            % {
                                "name": budget.filename,
                                "limit": settings.TABLE_MAX_SHARED_STRINGS,
                            }
                        )
                    node.clear()
    except TableError:
        raise
    except Exception as exc:
        raise xlsx_unreadable(exc, budget.filename) from exc


def xlsx_unreadable(exc: BaseException, filename: str) -> TableError:
    from defusedxml import DefusedXmlException

    cause: BaseException | None = exc
    while cause is not None:
        if isinstance(cause, DefusedXmlException):
            return TableError(
                _(
                    "Tệp “%(name)s” chứa khai báo XML không an toàn (DTD, thực thể); "
                    "đã từ chối để an toàn."
                )
                % {"name": filename}
            )
        cause = cause.__cause__ or cause.__context__
    return TableError(
        _("Tệp “%(name)s” bị hỏng: không đọc được bảng tính (%(reason)s).")
        % {"name": filename, "reason": type(exc).__name__}
    )
