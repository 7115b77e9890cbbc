"""What openpyxl cannot write itself: the cached results of a workbook's formulas,
the row heights its wrapped text needs, and its PDF through LibreOffice.

openpyxl writes a formula with an empty result (``<f>SUM(C8:C9)</f><v/>``): Excel and
LibreOffice recalculate on opening, but a viewer that does not (a phone's preview, a
mail client's, a reader with ``data_only``) shows empty totals. ``cached_values_copy``
fills in the results PAR Plan computed, in the saved sheet's XML.
"""

from __future__ import annotations

import math
import os
import re
import shutil
import subprocess
import tempfile
import zipfile
from collections.abc import Iterator, Sequence
from decimal import Decimal
from pathlib import Path
from typing import IO
from xml.sax.saxutils import escape

# A formula cell as openpyxl writes it: its reference, its other attributes, the
# formula, and the empty result.
_FORMULA_CELL = re.compile(
    rb'<c r="(?P<ref>[A-Z]+[0-9]+)"(?P<attrs>[^>]*)>'
    rb"(?P<formula><f>.*?</f>)<v\s*/>(?:</v>)?</c>",
    re.DOTALL,
)

CachedValue = Decimal | str | None
# The part of the sheet read at once when the results are filled in.
COPY_CHUNK = 16 * 1024


class CachedValues:
    """The results of a sheet's formula cells in the order they are written, kept as
    one run of text (``C8 n 1.5``, a line a cell): a few bytes a formula, never an
    object per cell."""

    def __init__(self) -> None:
        self._text = bytearray()

    def add(self, ref: str, value: CachedValue) -> None:
        if isinstance(value, Decimal):
            kind, result = b"n", format(value.normalize(), "f")
        else:
            kind, result = b"s", escape(value or "").replace("\n", "&#10;")
        self._text += ref.encode() + b" " + kind + b" " + result.encode() + b"\n"

    def __iter__(self) -> Iterator[tuple[bytes, bytes, bytes]]:
        """(reference, ``n`` or ``s``, the result as the sheet's XML writes it)."""
        start = 0
        text = self._text
        while (end := text.find(b"\n", start)) >= 0:
            ref, kind, result = bytes(text[start:end]).split(b" ", 2)
            yield ref, kind, result
            start = end + 1


def cached_values_copy(
    source: IO[bytes],
    output: IO[bytes] | str,
    values: CachedValues,
    sheet: str = "sheet1",
) -> None:
    """Copy the workbook ``source`` to ``output`` with the result of each formula cell
    named in ``values`` stored beside its formula, a part at a time: the sheet is read
    in chunks cut after a cell, never whole."""
    part = f"xl/worksheets/{sheet}.xml"
    pending = iter(values)
    head = next(pending, None)

    def fill(match: re.Match[bytes]) -> bytes:
        nonlocal head
        if head is None or head[0] != match["ref"]:
            return match[0]
        _ref, kind, result = head
        head = next(pending, None)
        attrs = match["attrs"] + (b' t="str"' if kind == b"s" else b"")
        return (
            b'<c r="'
            + match["ref"]
            + b'"'
            + attrs
            + b">"
            + match["formula"]
            + b"<v>"
            + result
            + b"</v></c>"
        )

    with (
        zipfile.ZipFile(source) as archive,
        zipfile.ZipFile(output, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for info in archive.infolist():
            with archive.open(info) as src, target.open(info, "w") as dst:
                if info.filename != part:
                    shutil.copyfileobj(src, dst, COPY_CHUNK)
                    continue
                rest = b""
                while chunk := src.read(COPY_CHUNK):
                    rest += chunk
                    cut = rest.rfind(b"</c>") + len(b"</c>")
                    if cut >= len(b"</c>"):
                        dst.write(_FORMULA_CELL.sub(fill, rest[:cut]))
                        rest = rest[cut:]
                dst.write(_FORMULA_CELL.sub(fill, rest))


# Row heights ---------------------------------------------------------------------------

POINTS_PER_LINE = 1.3  # a line of text is about 1,3 times the font size
CELL_PADDING_POINTS = 4.0
# Characters of Times New Roman at 12 pt in one unit of column width (the width of a
# "0" of the default font): measured on LibreOffice's PDF, kept on the safe side.
CHARS_PER_WIDTH = 1.2


def text_lines(text: str, width: float, *, bold: bool = False) -> int:
    """The lines ``text`` wraps to in a column ``width`` wide, word by word."""
    per_line = max(1, math.floor(width * CHARS_PER_WIDTH * (0.88 if bold else 1.0)) - 1)
    lines = 0
    for paragraph in text.split("\n"):
        line = 0
        lines += 1
        for word in paragraph.split():
            size = len(word)
            if line and line + 1 + size > per_line:
                lines += 1
                line = 0
            while size > per_line:  # a word longer than the line breaks anywhere
                lines += 1
                size -= per_line
            line = line + (1 if line else 0) + size
    return max(lines, 1)


def row_height(
    cells: Sequence[tuple[str, float, bool]], *, font_size: float = 12
) -> float:
    """The height in points that shows every cell's wrapped text whole: ``cells`` are
    (text, column width, bold)."""
    lines = max((text_lines(t, w, bold=b) for t, w, b in cells if t), default=1)
    return round(lines * font_size * POINTS_PER_LINE + CELL_PADDING_POINTS, 2)


# PDF -----------------------------------------------------------------------------------

PDF_TIMEOUT_SECONDS = 120


class PdfUnavailableError(Exception):
    """LibreOffice is not installed here, or it did not produce the PDF."""


def soffice_path() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def pdf_of_workbook(data: bytes, output: IO[bytes]) -> None:
    """Convert the workbook ``data`` to PDF with LibreOffice, written to ``output``.

    LibreOffice lays out the very workbook people download (page set-up, repeated
    header rows, row heights, footer), so the PDF and the xlsx cannot differ. Each run
    has its own profile in a temporary folder: two conversions at once would otherwise
    share one profile and the second would fail.
    """
    soffice = soffice_path()
    if soffice is None:
        raise PdfUnavailableError("soffice")
    with tempfile.TemporaryDirectory(prefix="parplan-pdf-") as folder:
        work = Path(folder)
        source = work / "bang.xlsx"
        source.write_bytes(data)
        try:
            subprocess.run(
                [
                    soffice,
                    "--headless",
                    "--norestore",
                    "--nolockcheck",
                    f"-env:UserInstallation={(work / 'profile').as_uri()}",
                    "--convert-to",
                    "pdf",
                    "--outdir",
                    str(work),
                    str(source),
                ],
                check=True,
                capture_output=True,
                timeout=PDF_TIMEOUT_SECONDS,
                env={**os.environ, "HOME": str(work)},
            )
        except (subprocess.SubprocessError, OSError) as exc:
            raise PdfUnavailableError(str(exc)) from exc
        result = work / "bang.pdf"
        if not result.is_file():
            raise PdfUnavailableError("no output")
        output.write(result.read_bytes())
