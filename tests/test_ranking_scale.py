"""The ranking import (reports/ranking_read.py, ranking_columns.py, ranking.py) grows
linearly with the table: the lines of PAR Plan's own code it runs are counted, not
timed, at three sizes, so that a loop over every row inside a loop over every row
(which 20,000 rows turn into minutes) fails here."""

from __future__ import annotations

import io
import sys
from pathlib import Path
from types import FrameType
from typing import Any

import pytest
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell

from reports.ranking import ranking_import

ROOT = Path(__file__).resolve().parent.parent
OWN_CODE = (str(ROOT / "reports"), str(ROOT / "parplan"))


def ranking_file(rows: int) -> bytes:
    """Two blocks of ``rows // 2`` units, a maximum, a score and a %-formatted rate
    each, no rank (every rank computed), as the benchmark's table."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet()
    sheet.append(["STT", "Tên đơn vị", "Điểm tối đa", "Điểm thẩm định", "Tỷ lệ đạt"])
    for block in ("I. Khối thử A", "II. Khối thử B"):
        sheet.append([block])
        for i in range(rows // 2):
            score = round(60 + (i * 37 % 4000) / 100, 2)
            rate = WriteOnlyCell(sheet, value=score / 100)
            rate.number_format = "0.00%"
            sheet.append([i + 1, f"{block} đơn vị {i}", 100, score, rate])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def lines_run(data: bytes) -> int:
    """The lines of PAR Plan's code (not openpyxl's, not Django's) one dry-run
    import of ``data`` runs."""
    count = 0

    def local(frame: FrameType, event: str, arg: Any) -> Any:
        nonlocal count
        if event == "line":
            count += 1
        return local

    def calls(frame: FrameType, event: str, arg: Any) -> Any:
        if event == "call" and frame.f_code.co_filename.startswith(OWN_CODE):
            return local
        return None

    sys.settrace(calls)
    try:
        ranking_import(year=1990, data=data, filename="xh.xlsx", dry_run=True)
    finally:
        sys.settrace(None)
    return count


@pytest.mark.django_db
def test_the_ranking_import_runs_the_same_code_for_each_row_whatever_the_size() -> None:
    small, medium, large = (lines_run(ranking_file(n)) for n in (100, 200, 300))
    first, second = medium - small, large - medium
    assert first > 100  # each unit runs its own lines
    # Linear: each 100 rows more run as many more lines (to a few lines' noise,
    # such as a number's digits); a quadratic part would add ~100 × 100 × its lines.
    assert abs(second - first) <= first // 50, (small, medium, large)
