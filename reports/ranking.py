"""The province's ranking table of a year (e.g. QĐ 251/QĐ-UBND): reading it from the
file an office has, replacing the year's table all or nothing, and comparing a file
with the table it would replace (the import's preview)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import transaction
from django.utils.translation import gettext as _

from criteria.models import Organization
from parplan.scores import ScoreParseError, format_decimal, parse_decimal
from parplan.spreadsheets import (
    HEADER_SEARCH_ROWS,
    SourceRow,
    TableError,
    cell_text,
    match_header,
    read_rows,
)
from parplan.tables import (
    FirstSeen,
    Problem,
    TableImportError,
    is_position_header,
    is_total_row,
)
from parplan.text import normalize_name
from reports.models import PeerRank
from reports.rules import HUNDRED, ZERO, index_of, rank_among


def _is_rank(t: str) -> bool:
    return "hạng" in t or "vị thứ" in t


def _is_band(t: str) -> bool:
    return "xếp loại" in t or t in {"loại", "phân loại", "nhóm"}


def _is_index(t: str) -> bool:
    return "chỉ số" in t or "%" in t or t == "index"


def _is_score(t: str) -> bool:
    return "điểm" in t


def _is_name(t: str) -> bool:
    return "đơn vị" in t or "cơ quan" in t or t.startswith("tên")


RANKING_MATCHERS = {
    "position": is_position_header,
    "rank": _is_rank,
    "band": _is_band,
    "index": _is_index,
    "score": _is_score,
    "name": _is_name,
}


def ranking_labels() -> dict[str, str]:
    return {
        "position": _("STT"),
        "name": _("Tên đơn vị"),
        "score": _("Điểm"),
        "index": _("Chỉ số (%)"),
        "rank": _("Xếp hạng"),
        "band": _("Xếp loại"),
    }


@dataclass
class RankingRow:
    source_row: int
    name: str
    score: Decimal | None
    index: Decimal | None
    rank: int | None
    band: str
    rank_computed: bool = False
    is_self: bool = False


@dataclass
class RankingReport:
    year: int
    dry_run: bool
    rows: list[RankingRow]
    replaced: int  # rows of the year's previous table
    self_name: str | None
    notices: list[str] = field(default_factory=list)


_RANK_TEXT = re.compile(r"^\d{1,4}$")


def ranking_parse(
    *, data: bytes, filename: str, full_scale: Decimal = HUNDRED
) -> tuple[list[RankingRow], list[str]]:
    """Read and check a ranking table. Raises TableImportError with every problem."""
    try:
        kind, source = read_rows(data, filename)
    except TableError as exc:
        raise TableImportError([Problem(str(exc))]) from exc
    header = None
    for row in source[:HEADER_SEARCH_ROWS] if kind != "text" else source:
        found = match_header(row, RANKING_MATCHERS)
        if (
            found
            and "name" in found.columns
            and ("score" in found.columns or "index" in found.columns)
        ):
            header = found
            break
    labels = ranking_labels()
    if header is None:
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
    labels |= header.labels
    problems: list[Problem] = []
    notices: list[str] = []
    rows: list[RankingRow] = []
    seen = FirstSeen()

    def cell(src: SourceRow, role: str) -> object:
        index = header.columns.get(role)
        if index is None or index >= len(src.cells):
            return None
        return src.cells[index]

    for src in source:
        if src.number <= header.row_number:
            continue
        if not any(cell_text(c) for c in src.cells):
            continue
        repeat = match_header(src, RANKING_MATCHERS)
        if repeat and len(repeat.columns) >= 3:
            continue  # header repeated at a page break
        name = cell_text(cell(src, "name"))
        values: dict[str, Decimal | None] = {}
        for role in ("score", "index"):
            try:
                values[role] = parse_decimal(cell(src, role), places=3)
            except ScoreParseError as exc:
                problems.append(Problem(f"{exc}.", src.number, labels[role]))
                values[role] = None
        rank_text = cell_text(cell(src, "rank"))
        if not name:
            if is_total_row(cell_text(src.cells[0]) if src.cells else ""):
                continue
            problems.append(Problem(_("thiếu tên đơn vị."), src.number, labels["name"]))
            continue
        if is_total_row(name):
            continue
        if values["score"] is None and values["index"] is None and not rank_text:
            notices.append(
                _(
                    "Dòng %(row)s (“%(name)s”) không có điểm, chỉ số: coi là dòng tiêu đề nhóm, bỏ qua."
                )
                % {"row": src.number, "name": name}
            )
            continue
        if values["score"] is None and values["index"] is None:
            column = labels["index" if "index" in header.columns else "score"]
            problems.append(
                Problem(_("thiếu điểm hoặc chỉ số của đơn vị."), src.number, column)
            )
        for role, upper in (("score", full_scale), ("index", HUNDRED)):
            value = values[role]
            if value is None:
                continue
            if value < 0:
                problems.append(
                    Problem(
                        _("không được âm (%(value)s).")
                        % {"value": format_decimal(value)},
                        src.number,
                        labels[role],
                    )
                )
            elif value > upper:
                problems.append(
                    Problem(
                        _("%(value)s vượt quá %(max)s.")
                        % {
                            "value": format_decimal(value),
                            "max": format_decimal(upper),
                        },
                        src.number,
                        labels[role],
                    )
                )
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
        first = seen.duplicate_of(normalize_name(name), src.number)
        if first is not None:
            problems.append(
                Problem(
                    _("đơn vị “%(name)s” trùng với dòng %(first)s.")
                    % {"name": name, "first": first},
                    src.number,
                    labels["name"],
                )
            )
            continue
        rows.append(
            RankingRow(
                source_row=src.number,
                name=name,
                score=values["score"],
                index=values["index"],
                rank=rank,
                band=cell_text(cell(src, "band")),
            )
        )
    if not rows and not problems:
        problems.append(
            Problem(_("Bảng không có đơn vị nào dưới dòng tiêu đề."), header.row_number)
        )
    if problems:
        problems.sort(key=lambda p: p.row or 0)
        raise TableImportError(problems)
    ranks_fill(rows, full_scale)
    return rows, notices


def ranks_fill(rows: list[RankingRow], full_scale: Decimal = HUNDRED) -> None:
    """Give a rank to rows without one, from the index (or score ÷ full scale × 100)
    of every row: 1 + rows with a strictly higher index, so equal indices share."""
    indices = [
        index_of(index=r.index, score=r.score, full_scale=full_scale) or ZERO
        for r in rows
    ]
    for row, index in zip(rows, indices, strict=True):
        if row.rank is None:
            row.rank = rank_among(index, indices)
            row.rank_computed = True


def _own_row_find(
    rows: list[RankingRow], self_name: str | None, organization: Organization | None
) -> RankingRow | None:
    if self_name:
        key = normalize_name(self_name)
        for row in rows:
            if normalize_name(row.name) == key:
                return row
        raise TableImportError(
            [
                Problem(
                    _(
                        "Không có đơn vị “%(name)s” (dòng của cơ quan, --self) trong bảng xếp hạng."
                    )
                    % {"name": self_name}
                )
            ]
        )
    if organization is None:
        return None
    keys = {normalize_name(organization.name)}
    if organization.short_name:
        keys.add(normalize_name(organization.short_name))
    exact = [r for r in rows if normalize_name(r.name) in keys]
    if exact:
        return exact[0]
    # "Sở Khoa học và Công nghệ" in the table, "… tỉnh Đắk Nông" in PAR Plan.
    full = normalize_name(organization.name)
    partial = [
        r
        for r in rows
        if normalize_name(r.name) in full or full in normalize_name(r.name)
    ]
    return partial[0] if len(partial) == 1 else None


def ranking_import(
    *,
    year: int,
    data: bytes,
    filename: str,
    self_name: str | None = None,
    organization: Organization | None = None,
    source: str = "",
    full_scale: Decimal = HUNDRED,
    dry_run: bool = False,
) -> RankingReport:
    """Replace the ranking table of ``year`` with the one in the file.

    All or nothing: any problem raises TableImportError and the table is left as
    it was. The organization's own row is the row named ``self_name``, else the row
    matching ``organization``'s name.
    """
    rows, notices = ranking_parse(data=data, filename=filename, full_scale=full_scale)
    own = _own_row_find(rows, self_name, organization)
    if own is not None:
        own.is_self = True
    elif organization is not None:
        notices.append(
            _(
                "Không nhận ra dòng của “%(name)s” trong bảng; hãy chỉ rõ tên đơn vị (--self) hoặc "
                "đánh dấu trên trang bảng xếp hạng."
            )
            % {"name": organization.name}
        )
    if any(r.rank_computed for r in rows):
        notices.append(
            _(
                "%(n)s đơn vị chưa có thứ hạng: đã tính theo chỉ số, bằng nhau cùng hạng."
            )
            % {"n": sum(1 for r in rows if r.rank_computed)}
        )
    if own is not None and organization is None:
        only = list(Organization.objects.all()[:2])
        if len(only) != 1:
            raise TableImportError(
                [
                    Problem(
                        _("Hãy chọn cơ quan mà dòng “%(name)s” thuộc về.")
                        % {"name": own.name}
                    )
                ]
            )
        organization = only[0]
    with transaction.atomic():
        replaced, _detail = PeerRank.objects.filter(year=year).delete()
        PeerRank.objects.bulk_create(
            [
                PeerRank(
                    year=year,
                    name=row.name,
                    key=normalize_name(row.name),
                    score=row.score,
                    index=row.index,
                    rank=row.rank,
                    band=row.band,
                    organization=organization if row.is_self else None,
                    source=source or filename,
                    position=position,
                )
                for position, row in enumerate(rows, start=1)
            ]
        )
        if dry_run:
            transaction.set_rollback(True)
    return RankingReport(
        year=year,
        dry_run=dry_run,
        rows=rows,
        replaced=replaced,
        self_name=own.name if own else None,
        notices=notices,
    )


def ranking_is_illustrative(rows: Iterable[PeerRank]) -> bool:
    """A table loaded for the demo says so in its source or its unit names."""
    return any("minh họa" in normalize_name(f"{row.source} {row.name}") for row in rows)


RANKING_COMPARED = ("score", "index", "rank", "band")


@dataclass
class RankingChange:
    row: RankingRow
    outcome: str  # "added", "changed" or "unchanged"
    fields: list[str] = field(default_factory=list)  # labels of what changes


@dataclass
class RankingChanges:
    rows: list[RankingChange]
    removed: list[PeerRank]

    def count(self, outcome: str) -> int:
        return sum(1 for change in self.rows if change.outcome == outcome)

    @property
    def added(self) -> int:
        return self.count("added")

    @property
    def changed(self) -> int:
        return self.count("changed")

    @property
    def unchanged(self) -> int:
        return self.count("unchanged")


def ranking_changes(*, year: int, rows: list[RankingRow]) -> RankingChanges:
    """Compare the rows of a ranking file with the year's table, unit by unit (same
    name, ignoring case and spacing), in one query."""
    current = {
        row.key: row for row in PeerRank.objects.filter(year=year).order_by("position")
    }
    labels = ranking_labels() | {"is_self": _("Là cơ quan")}
    changes: list[RankingChange] = []
    for row in rows:
        old = current.pop(normalize_name(row.name), None)
        if old is None:
            changes.append(RankingChange(row, "added"))
            continue
        differ = [
            labels[name]
            for name in RANKING_COMPARED
            if getattr(old, name) != getattr(row, name)
        ]
        if bool(old.organization_id) != row.is_self:
            differ.append(labels["is_self"])
        changes.append(RankingChange(row, "changed" if differ else "unchanged", differ))
    return RankingChanges(rows=changes, removed=list(current.values()))
