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

import re
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
from reports.ranking_rows import PEER_RANK_LENGTHS, RankingRow, ranks_fill
from reports.rules import HUNDRED, INDEX_Q


class ColumnsRefused(TableImportError):
    """The header's columns cannot be read without a guess (two columns for one
    figure, no name, no score or index): the office chooses each column's role."""

    def __init__(self, problems: list[Problem], columns: list[RankingColumn]) -> None:
        super().__init__(problems)
        self.columns = columns


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


# The quantum a percentage format shows, by its decimals (three at most are kept).
_SHOWN = tuple(Decimal(1).scaleb(-places) for places in range(4))


def _percent_value(raw: object, percent_cell: int | None) -> Decimal | None:
    """An index cell as a percentage: a %-formatted fraction (0,9685 shown 96,85 %),
    text with a % sign, or a number in a column of percentages."""
    if (
        percent_cell is not None
        and isinstance(raw, int | float)
        and not isinstance(raw, bool)
    ):
        # As the sheet shows it: 0,874285 formatted 0.00% is 87,43.
        shown = _SHOWN[min(percent_cell, 3)]
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


def _group_title(name: str, texts: list[str]) -> str | None:
    """The title of a group of units, or None: a row without figures that reads as
    one (a Roman numeral, "Các sở, ban, ngành", "UBND các huyện", "Khối …"), or whose
    text stands outside the name column (a title merged over the first columns)."""
    title = " ".join(dict.fromkeys(texts))  # a title merged across cells, once
    folded = normalize_name(title)
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
    # The table's columns of figures (role, cell index), in ``NUMERIC_ROLES`` order.
    figures: list[tuple[str, int]] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.figures = [
            (r, self.columns[r]) for r in NUMERIC_ROLES if r in self.columns
        ]

    def text(self, shown: list[str], role: str) -> str:
        """The text of the row's cell in ``role``'s column (``""`` if none)."""
        index = self.columns.get(role)
        if index is None or index >= len(shown):
            return ""
        return shown[index]


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
    used = {row.block for row in reading.rows}
    return RankingTable(
        rows=reading.rows,
        columns=columns,
        header_row=header.number,
        blocks=[b for b in reading.blocks if b in used],
        notices=reading.notices,
    )


def _row_read(reading: _Reading, src: SourceRow, header_roles: set[str]) -> None:
    shown = [cell_text(c) for c in src.cells]  # each cell's text, once
    texts = [t for t in shown if t]
    if not texts:
        return
    if _header_again(src.cells, shown, texts, header_roles):
        return  # the header repeated at a page break or above a group; column numbers
    name = reading.text(shown, "name")
    if is_total_row(name) or (not name and is_total_row(texts[0])):
        return
    values, numeric = _values_read(reading, src, shown)
    rank_text = reading.text(shown, "rank")
    if not numeric and not (rank_text and _RANK_TEXT.match(rank_text)):
        title = _group_title(name, texts)
        if title is None:
            reading.notices.append(
                _(
                    "Dòng %(row)s (“%(name)s”) không có điểm, chỉ số: coi là dòng tiêu đề nhóm, bỏ qua."
                )
                % {"row": src.number, "name": name}
            )
            return
        _length_check(reading, src.number, "block", title)
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
    extra = [t for t in shown[reading.header_width :] if t]
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
    _unit_read(reading, src, name, values, rank_text, reading.text(shown, "band"))


# Text that only a number can be (digits, signs, separators): it names no column.
_FIGURE_TEXT = re.compile(r"[\d\s.,+-]*")


def _header_again(
    cells: list[object], shown: list[str], texts: list[str], header_roles: set[str]
) -> bool:
    """The header repeated (three of its columns named again) or the row of column
    numbers. Only words name a column, and column numbers are short, so a unit's
    row (a name among figures) is passed over without reading what its cells say."""
    words = [
        text
        for cell, text in zip(cells, shown, strict=True)
        if text and isinstance(cell, str) and not _FIGURE_TEXT.fullmatch(text)
    ]
    if len(words) >= 3 and len({role_of(t) for t in words} & header_roles) >= 3:
        return True
    return all(len(t) <= 4 for t in texts) and is_column_numbering(cells)


def _values_read(
    reading: _Reading, src: SourceRow, shown: list[str]
) -> tuple[dict[str, Decimal | None], bool]:
    """The row's figures by role, and whether it has any."""
    values: dict[str, Decimal | None] = dict.fromkeys(NUMERIC_ROLES)
    numeric = False
    for role, index in reading.figures:
        if index >= len(shown) or not shown[index]:
            continue
        numeric = True
        raw = src.cells[index]
        try:
            if role == "index":
                values[role] = _percent_value(raw, src.percent.get(index))
            else:
                values[role] = parse_decimal(raw, places=3)
        except (ScoreParseError, InvalidOperation) as exc:
            reading.problems.append(
                Problem(f"{exc}.", src.number, reading.labels[role])
            )
    return values, numeric


def _unit_read(
    reading: _Reading,
    src: SourceRow,
    name: str,
    values: dict[str, Decimal | None],
    rank_text: str,
    band: str,
) -> None:
    labels, problems = reading.labels, reading.problems
    if values["score"] is None and values["index"] is None:
        column = labels["index" if "index" in reading.columns else "score"]
        problems.append(
            Problem(_("thiếu điểm hoặc chỉ số của đơn vị."), src.number, column)
        )
    maximum = values["max_score"]
    for role, _index in reading.figures:
        value = values[role]
        if value is None:
            continue
        upper = (
            HUNDRED
            if role in {"index", "max_score"}
            else (maximum or reading.full_scale)
        )
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
    for role, text in (("name", name), ("band", band)):
        _length_check(reading, src.number, role, text)
    key = normalize_name(name)
    first = reading.seen.duplicate_of(key, src.number)
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
            band=band,
            max_score=maximum,
            direct=values["direct"],
            survey=values["survey"],
            block=reading.block,
            key=key,
        )
    )


def _length_check(reading: _Reading, row: int, role: str, text: str) -> None:
    """A name, band or group title longer than the table keeps it."""
    limit = PEER_RANK_LENGTHS[role]
    if len(text) > limit:
        reading.problems.append(
            Problem(
                _("dài %(n)s ký tự, quá %(limit)s ký tự.")
                % {"n": len(text), "limit": limit},
                row,
                reading.labels.get(role) or _("Nhóm"),
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
    places = _places(index)
    tolerance = _SHOWN[places] if places < 3 else INDEX_Q
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
