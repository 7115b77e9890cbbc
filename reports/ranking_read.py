"""Reading the province's ranking table as it is published: columns recognised by
what they mean, percentages in every form, blocks of units ranked apart, and every
doubt refused with its reason rather than guessed.

Seen in real decisions: ``STT | Tên đơn vị | Điểm / Chỉ số | Xếp hạng | Xếp loại``;
``STT | TÊN CƠ QUAN | Điểm tối đa | Điểm thẩm định | Tỷ lệ đạt | Xếp loại`` (index in
%, maxima per unit, no rank, blocks "I. Các sở, ban, ngành", "II. UBND huyện …");
``Thứ tự xếp hạng | Tên cơ quan, đơn vị | Tổng điểm | Điểm đánh giá trực tiếp | Điểm
điều tra XHH`` in groups with a merged title and the header repeated, ranks restarting
per group.
"""

from __future__ import annotations

import bisect
import re
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.utils.translation import gettext as _

from parplan.scores import ScoreParseError, format_decimal, parse_decimal
from parplan.spreadsheets import (
    SourceRow,
    TableError,
    cell_text,
    is_column_numbering,
    read_rows,
)
from parplan.tables import (
    FirstSeen,
    Problem,
    TableImportError,
    is_total_row,
)
from parplan.text import normalize_name
from reports.ranking_columns import (
    NUMERIC_ROLES,
    RankingColumn,
    header_find,
    layout_problems,
    ranking_labels,
    role_of,
)
from reports.rules import HUNDRED, INDEX_Q, ZERO


class ColumnsRefused(TableImportError):
    """The header's columns cannot be read without a guess (two columns for one
    figure, no name, no score or index): the office chooses each column's role."""

    def __init__(self, problems: list[Problem], columns: list[RankingColumn]) -> None:
        super().__init__(problems)
        self.columns = columns


@dataclass
class RankingRow:
    source_row: int
    name: str
    score: Decimal | None
    index: Decimal | None
    rank: int | None
    band: str
    max_score: Decimal | None = None
    direct: Decimal | None = None
    survey: Decimal | None = None
    block: str = ""
    rank_computed: bool = False
    is_self: bool = False


@dataclass
class RankingTable:
    """The table as read: its units in file order, its columns and their roles."""

    rows: list[RankingRow]
    columns: list[RankingColumn]
    header_row: int
    blocks: list[str] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)


_RANK_TEXT = re.compile(r"^\d{1,4}$")
_ROMAN = re.compile(r"^[ivxl]{1,6}([\s.):–-]|$)")
_GROUP_WORDS = ("các sở", "ubnd", "khối", "nhóm", "cơ quan trung ương", "huyện")
_PERCENT_TEXT = re.compile(r"^(.*?)\s*%$")


def _places(value: Decimal) -> int:
    exponent = value.as_tuple().exponent
    return max(0, -exponent) if isinstance(exponent, int) else 0


def _percent_value(
    raw: object, places: int | None, percent_cell: int | None
) -> Decimal | None:
    """An index cell as a percentage: a %-formatted fraction (0,9685 shown 96,85 %),
    text with a % sign, or a number in a column of percentages."""
    if (
        percent_cell is not None
        and isinstance(raw, int | float)
        and not isinstance(raw, bool)
    ):
        # As the sheet shows it: 0,874285 formatted 0.00% is 87,43.
        shown = Decimal(1).scaleb(-min(percent_cell, 3))
        return (Decimal(repr(raw)) * HUNDRED).quantize(shown, rounding=ROUND_HALF_UP)
    if isinstance(raw, str):
        match = _PERCENT_TEXT.match(raw.strip())
        if match:
            raw = match.group(1)
    # More decimals are read here so that a fraction (0,9685) can be recognised as
    # one; ``_index_column_check`` refuses what is neither. The decimals as written
    # are kept: they say how precisely the province published the index.
    value = parse_decimal(raw, places=6)
    if value is None:
        return None
    text = format(value, "f")
    return Decimal(text.rstrip("0").rstrip(".") if "." in text else text)


def _group_title(reading: _Reading, src: SourceRow, texts: list[str]) -> str | None:
    """The title of a group of units, or None: a row without figures that reads as
    one (a Roman numeral, "Các sở, ban, ngành", "UBND các huyện", "Khối …"), or whose
    text stands outside the name column (a title merged over the first columns)."""
    title = " ".join(dict.fromkeys(texts))  # a title merged across cells, once
    folded = normalize_name(title)
    name = cell_text(reading.cell(src, "name"))
    if (
        _ROMAN.match(folded)
        or any(word in folded for word in _GROUP_WORDS)
        or not name
        or (title.isupper() and len(title) > 3)
    ):
        return title
    return None


@dataclass
class _Reading:
    kind: str
    columns: dict[str, int]
    labels: dict[str, str]
    header_width: int
    full_scale: Decimal
    problems: list[Problem] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)
    rows: list[RankingRow] = field(default_factory=list)
    blocks: list[str] = field(default_factory=list)
    block: str = ""
    seen: FirstSeen = field(default_factory=FirstSeen)

    def cell(self, src: SourceRow, role: str) -> object:
        index = self.columns.get(role)
        if index is None or index >= len(src.cells):
            return None
        return src.cells[index]


def ranking_parse(
    *,
    data: bytes,
    filename: str,
    full_scale: Decimal = HUNDRED,
    roles: dict[int, str] | None = None,
) -> RankingTable:
    """Read and check a ranking table. Raises TableImportError with every problem.

    ``roles`` overrides the role of a column (by cell index; ``""`` ignores it), as
    the office chooses in the preview.
    """
    try:
        kind, source = read_rows(data, filename, percent_formats=True)
    except TableError as exc:
        raise TableImportError([Problem(str(exc))]) from exc
    found = header_find(source, kind, roles)
    labels = ranking_labels()
    if found is None:
        raise TableImportError(
            [
                Problem(
                    _(
                        "Không tìm thấy dòng tiêu đề của bảng xếp hạng trong “%(name)s”. Bảng cần cột "
                        "%(unit)s và cột %(score)s hoặc %(index)s; có thể thêm %(rank)s, %(band)s."
                    )
                    % {
                        "name": filename,
                        "unit": labels["name"],
                        "score": labels["score"],
                        "index": labels["index"],
                        "rank": labels["rank"],
                        "band": labels["band"],
                    }
                )
            ]
        )
    header, columns = found
    problems = layout_problems(columns, header.number)
    if problems:
        raise ColumnsRefused(problems, columns)
    by_role = {c.role: c.index for c in columns if c.role}
    reading = _Reading(
        kind=kind,
        columns=by_role,
        labels=labels | {c.role: c.label for c in columns if c.role},
        header_width=max(c.index for c in columns) + 1,
        full_scale=full_scale,
    )
    header_roles = set(by_role)
    for src in source:
        if src.number > header.number:
            _row_read(reading, src, header_roles)
    _index_column_check(reading, source)
    if not reading.rows and not reading.problems:
        reading.problems.append(
            Problem(_("Bảng không có đơn vị nào dưới dòng tiêu đề."), header.number)
        )
    if reading.problems:
        reading.problems.sort(key=lambda p: p.row or 0)
        raise TableImportError(reading.problems)
    ranks_fill(reading.rows, full_scale)
    return RankingTable(
        rows=reading.rows,
        columns=columns,
        header_row=header.number,
        blocks=[b for b in reading.blocks if any(r.block == b for r in reading.rows)],
        notices=reading.notices,
    )


def _row_read(reading: _Reading, src: SourceRow, header_roles: set[str]) -> None:
    texts = [cell_text(c) for c in src.cells if cell_text(c)]
    if not texts:
        return
    repeat = {role_of(t) for t in texts} - {None}
    if len(repeat & header_roles) >= 3 or is_column_numbering(src.cells):
        return  # the header repeated at a page break or above a group; column numbers
    name = cell_text(reading.cell(src, "name"))
    if is_total_row(name) or (not name and is_total_row(texts[0])):
        return
    values, numeric = _values_read(reading, src)
    rank_text = cell_text(reading.cell(src, "rank"))
    if not numeric and not (rank_text and _RANK_TEXT.match(rank_text)):
        title = _group_title(reading, src, texts)
        if title is None:
            reading.notices.append(
                _(
                    "Dòng %(row)s (“%(name)s”) không có điểm, chỉ số: coi là dòng tiêu đề nhóm, bỏ qua."
                )
                % {"row": src.number, "name": name}
            )
            return
        reading.block = title
        reading.blocks.append(title)
        reading.notices.append(
            _(
                "Dòng %(row)s (“%(name)s”) không có điểm, chỉ số: coi là dòng tiêu đề nhóm; "
                "các đơn vị bên dưới được xếp hạng riêng trong nhóm này."
            )
            % {"row": src.number, "name": title}
        )
        return
    if not name:
        reading.problems.append(
            Problem(_("thiếu tên đơn vị."), src.number, reading.labels["name"])
        )
        return
    extra = [cell_text(c) for c in src.cells[reading.header_width :] if cell_text(c)]
    if extra:
        reading.problems.append(
            Problem(
                _(
                    "dòng có nhiều ô hơn dòng tiêu đề (thừa: %(extra)s). Nếu là tệp CSV phân "
                    "cách bằng dấu phẩy có số thập phân viết bằng dấu phẩy, hãy lưu lại với "
                    "dấu chấm phẩy (;) hoặc đặt số trong ngoặc kép; nếu là cột ghi chú, hãy "
                    "đặt tiêu đề cho cột."
                )
                % {"extra": "; ".join(extra)},
                src.number,
            )
        )
        return
    _unit_read(reading, src, name, values, rank_text)


def _values_read(
    reading: _Reading, src: SourceRow
) -> tuple[dict[str, Decimal | None], bool]:
    """The row's figures by role, and whether it has any."""
    values: dict[str, Decimal | None] = {}
    numeric = False
    for role in NUMERIC_ROLES:
        raw = reading.cell(src, role)
        if cell_text(raw) == "":
            values[role] = None
            continue
        numeric = True
        try:
            if role == "index":
                index = reading.columns[role]
                values[role] = _percent_value(raw, 3, src.percent.get(index))
            else:
                values[role] = parse_decimal(raw, places=3)
        except (ScoreParseError, InvalidOperation) as exc:
            reading.problems.append(
                Problem(f"{exc}.", src.number, reading.labels[role])
            )
            values[role] = None
    return values, numeric


def _unit_read(
    reading: _Reading,
    src: SourceRow,
    name: str,
    values: dict[str, Decimal | None],
    rank_text: str,
) -> None:
    labels, problems = reading.labels, reading.problems
    if values["score"] is None and values["index"] is None:
        column = labels["index" if "index" in reading.columns else "score"]
        problems.append(
            Problem(_("thiếu điểm hoặc chỉ số của đơn vị."), src.number, column)
        )
    maximum = values["max_score"]
    for role in NUMERIC_ROLES:
        value = values[role]
        upper = (
            HUNDRED
            if role in {"index", "max_score"}
            else (maximum or reading.full_scale)
        )
        if value is None:
            continue
        if value < 0:
            problems.append(
                Problem(
                    _("không được âm (%(value)s).") % {"value": format_decimal(value)},
                    src.number,
                    labels[role],
                )
            )
        elif value > upper:
            problems.append(
                Problem(
                    _("%(value)s vượt quá %(max)s.")
                    % {"value": format_decimal(value), "max": format_decimal(upper)},
                    src.number,
                    labels[role],
                )
            )
    if maximum == 0:
        problems.append(
            Problem(_("điểm tối đa phải lớn hơn 0."), src.number, labels["max_score"])
        )
    index = _index_checked(reading, src, values)
    rank = None
    if rank_text:
        if _RANK_TEXT.match(rank_text) and int(rank_text) > 0:
            rank = int(rank_text)
        else:
            problems.append(
                Problem(
                    _("“%(text)s” không phải là thứ hạng (số nguyên dương).")
                    % {"text": rank_text},
                    src.number,
                    labels["rank"],
                )
            )
    first = reading.seen.duplicate_of(normalize_name(name), src.number)
    if first is not None:
        problems.append(
            Problem(
                _("đơn vị “%(name)s” trùng với dòng %(first)s.")
                % {"name": name, "first": first},
                src.number,
                labels["name"],
            )
        )
        return
    reading.rows.append(
        RankingRow(
            source_row=src.number,
            name=name,
            score=values["score"],
            index=index,
            rank=rank,
            band=cell_text(reading.cell(src, "band")),
            max_score=maximum,
            direct=values["direct"],
            survey=values["survey"],
            block=reading.block,
        )
    )


def _index_checked(
    reading: _Reading, src: SourceRow, values: dict[str, Decimal | None]
) -> Decimal | None:
    """The unit's index: score ÷ maximum × 100 when the table has both, checked
    against its index column if it has one; else the index column as read."""
    score, maximum, index = values["score"], values["max_score"], values["index"]
    if score is None or not maximum:
        return index
    computed = (score * HUNDRED / maximum).quantize(INDEX_Q, rounding=ROUND_HALF_UP)
    if index is None:
        return computed
    # The published index is rounded to its own decimals: allow one unit of them.
    tolerance = Decimal(1).scaleb(-_places(index)) if _places(index) < 3 else INDEX_Q
    if abs(computed - index) > tolerance:
        reading.problems.append(
            Problem(
                _(
                    "chỉ số %(index)s không khớp điểm %(score)s ÷ điểm tối đa %(max)s × 100 = "
                    "%(computed)s."
                )
                % {
                    "index": format_decimal(index),
                    "score": format_decimal(score),
                    "max": format_decimal(maximum),
                    "computed": format_decimal(computed),
                },
                src.number,
                reading.labels["index"],
            )
        )
    return index


def _index_column_check(reading: _Reading, source: list[SourceRow]) -> None:
    """Indices that are all fractions (0,9685) in cells not formatted as % are
    ambiguous: the office says which they are."""
    if "index" not in reading.columns or reading.problems:
        return
    column = reading.columns["index"]
    by_number = {r.number: r for r in source}
    plain = [
        row
        for row in reading.rows
        if row.index is not None and column not in by_number[row.source_row].percent
    ]
    fractions = all(row.index is not None and row.index <= 1 for row in plain)
    if not (plain and fractions and any(row.index for row in plain)):
        for row in plain:
            if row.index is not None and _places(row.index) > 3:
                reading.problems.append(
                    Problem(
                        _("“%(text)s” có quá %(places)s chữ số thập phân.")
                        % {"text": format_decimal(row.index), "places": 3},
                        row.source_row,
                        reading.labels["index"],
                    )
                )
        return
    reading.problems.append(
        Problem(
            _(
                "mọi chỉ số đều không quá 1: có vẻ là tỷ lệ dạng thập phân (0,9685 là "
                "96,85 %). Hãy định dạng cột là phần trăm (%) hoặc ghi 96,85 rồi nhập lại."
            ),
            plain[0].source_row,
            reading.labels["index"],
        )
    )


def ranks_fill(rows: list[RankingRow], full_scale: Decimal = HUNDRED) -> None:
    """Give a rank to rows without one, within their block, from the index (or score
    ÷ maximum × 100) of every row of the block: 1 + rows with a strictly higher index,
    so equal indices share. Linear after one sort per block."""
    by_block: dict[str, list[RankingRow]] = defaultdict(list)
    for row in rows:
        by_block[row.block].append(row)
    for members in by_block.values():
        indices = [row_index(r, full_scale) for r in members]
        ordered = sorted(indices)
        for row, index in zip(members, indices, strict=True):
            if row.rank is None:
                row.rank = 1 + len(ordered) - bisect.bisect_right(ordered, index)
                row.rank_computed = True


def row_index(row: RankingRow, full_scale: Decimal) -> Decimal:
    """A row's index: as read, else its score ÷ (its maximum or the scale) × 100."""
    if row.index is not None:
        return row.index
    if row.score is not None:
        scale = row.max_score or full_scale
        return (row.score * HUNDRED / scale).quantize(INDEX_Q, rounding=ROUND_HALF_UP)
    return ZERO
