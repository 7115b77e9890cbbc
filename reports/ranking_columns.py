"""The columns of a ranking table: what each header means (by meaning, not by the
first match), and the checks that refuse a layout PAR Plan would have to guess."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from django.utils.translation import gettext as _

from parplan.spreadsheets import HEADER_SEARCH_ROWS, SourceRow, cell_text
from parplan.tables import Problem, is_position_header
from parplan.text import normalize_name

NUMERIC_ROLES = ("max_score", "score", "direct", "survey", "index")
ROLES = ("position", "name", "rank", "band", *NUMERIC_ROLES)


def ranking_labels() -> dict[str, str]:
    return {
        "position": _("STT"),
        "name": _("Tên đơn vị"),
        "rank": _("Xếp hạng"),
        "band": _("Xếp loại"),
        "max_score": _("Điểm tối đa"),
        "score": _("Điểm"),
        "direct": _("Điểm đánh giá trực tiếp"),
        "survey": _("Điểm điều tra xã hội học"),
        "index": _("Chỉ số (%)"),
    }


def role_of(text: str) -> str | None:
    """The role of a header cell (folded text) by what it says, most specific first:
    ``Điểm tối đa`` is a maximum and ``Tỷ lệ đạt`` an index although both say more."""
    t = normalize_name(text)
    if not t:
        return None
    if "xếp loại" in t or t in {"loại", "phân loại"}:
        return "band"
    if "hạng" in t or "vị thứ" in t or t.startswith("thứ tự xếp"):
        return "rank"
    if is_position_header(t):
        return "position"
    if "tối đa" in t or "điểm chuẩn" in t:
        return "max_score"
    if "trực tiếp" in t:
        return "direct"
    if "điều tra" in t or "xhh" in t or "xã hội học" in t or "sipas" in t:
        return "survey"
    if "chỉ số" in t or "tỷ lệ" in t or "%" in t or t == "index":
        return "index"
    if t.startswith("kết quả"):
        return "index"
    if "điểm" in t:
        return "score"
    if "đơn vị" in t or "cơ quan" in t or t.startswith("tên"):
        return "name"
    return None


@dataclass
class RankingColumn:
    index: int  # cell index in the row
    label: str  # the header's text
    role: str | None  # what PAR Plan reads it as (None: ignored)


def header_find(
    source: list[SourceRow], kind: str, overrides: dict[int, str] | None
) -> tuple[SourceRow, list[RankingColumn]] | None:
    """The first row with a name column and a score or index column."""
    rows = source if kind == "text" else source[:HEADER_SEARCH_ROWS]
    for row in rows:
        columns = [
            RankingColumn(i, cell_text(c), role_of(cell_text(c)))
            for i, c in enumerate(row.cells)
            if cell_text(c)
        ]
        roles = {c.role for c in columns}
        if "name" in roles and roles & {"score", "index", "rank", "max_score"}:
            if overrides:
                for column in columns:
                    if column.index in overrides:
                        column.role = overrides[column.index] or None
            return row, columns
    return None


def layout_problems(columns: list[RankingColumn], header_row: int) -> list[Problem]:
    """Two columns read as the same figure, or none that gives an index: refuse."""
    labels = ranking_labels()
    problems = []
    by_role: dict[str, list[RankingColumn]] = defaultdict(list)
    for column in columns:
        if column.role:
            by_role[column.role].append(column)
    for role, found in by_role.items():
        if len(found) > 1:
            problems.append(
                Problem(
                    _(
                        "các cột %(columns)s đều có thể là “%(role)s”; PAR Plan không đoán. "
                        "Hãy đổi tên tiêu đề cột, hoặc khi nhập trên trang web thì chọn vai "
                        "trò từng cột, để chỉ một cột là “%(role)s”."
                    )
                    % {
                        "columns": ", ".join(f"“{c.label}”" for c in found),
                        "role": labels[role],
                    },
                    header_row,
                )
            )
    if "name" not in by_role:
        problems.append(Problem(_("không có cột tên đơn vị."), header_row))
    if not by_role.keys() & {"score", "index"}:
        problems.append(
            Problem(
                _(
                    "bảng chỉ có thứ hạng, không có điểm hay chỉ số: không dự báo được "
                    "thứ hạng từ bảng này."
                ),
                header_row,
            )
        )
    return problems
