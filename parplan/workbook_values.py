"""What openpyxl cannot write itself: the cached results of a workbook's formulas,
the row heights its wrapped text needs, and its PDF through LibreOffice.

openpyxl writes a formula with an empty result (``<f>SUM(C8:C9)</f><v/>``): Excel and
LibreOffice recalculate on opening, but a viewer that does not (a phone's preview, a
mail client's, a reader with ``data_only``) shows empty totals. ``cached_values_write``
fills in the results PAR Plan computed, in the saved sheet's XML.
"""

from __future__ import annotations

import io
import math
import os
import re
import shutil
import subprocess
import tempfile
import zipfile
from collections.abc import Mapping, Sequence
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


def cached_values_write(
    data: bytes, values: Mapping[str, CachedValue], sheet: str = "sheet1"
) -> bytes:
    """The workbook ``data`` with the result of each formula cell named in ``values``
    (``{"C8": Decimal("1.5"), "D8": ""}``) stored beside its formula."""
    part = f"xl/worksheets/{sheet}.xml"

    def fill(match: re.Match[bytes]) -> bytes:
        ref = match["ref"].decode()
        if ref not in values:
            return match[0]
        value = values[ref]
        attrs = match["attrs"]
        if isinstance(value, Decimal):
            result = format(value.normalize(), "f").encode()
        else:
            attrs += b' t="str"'
            result = escape(value or "").encode()
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

    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            content = source.read(info.filename)
            if info.filename == part:
                content = _FORMULA_CELL.sub(fill, content)
            target.writestr(info, content)
    return out.getvalue()


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
