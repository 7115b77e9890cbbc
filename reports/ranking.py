"""The province's ranking table of a year (e.g. QĐ 251/QĐ-UBND): replacing the year's
table with a file's, all or nothing, finding the organization's own row, and comparing
a file with the table it would replace (the import's preview). Reading the file is
``reports.ranking_read``."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db import connections, router, transaction
from django.utils.translation import gettext as _

from criteria.models import Organization
from parplan.preview_db import preview_alias
from parplan.tables import Problem, TableImportError
from parplan.text import normalize_name
from reports.models import PeerRank
from reports.ranking_read import RankingColumn, ranking_labels, ranking_parse
from reports.ranking_rows import RankingRow, ranks_by_index, row_index
from reports.rules import HUNDRED, rank_among


@dataclass
class RankingReport:
    year: int
    dry_run: bool
    rows: list[RankingRow]
    replaced: int  # rows of the year's previous table
    self_name: str | None
    columns: list[RankingColumn] = field(default_factory=list)
    blocks: list[str] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)
    own_block: str | None = None
    own_rank: int | None = None  # as published (or computed when not)
    own_rank_computed: int | None = None  # 1 + units of its block above it
    # Why the organization's row was not found, where the caller did not require it.
    own_missing: str = ""

    @property
    def block_sizes(self) -> dict[str, int]:
        sizes: dict[str, int] = {}
        for row in self.rows:
            sizes[row.block] = sizes.get(row.block, 0) + 1
        return sizes


# A remark in brackets after a unit's name: “Sở Khoa học và Công nghệ (minh họa)”.
_REMARK = re.compile(r"\s*[(\[][^)\]]*[)\]]")


def _name_core(name: str) -> str:
    """A unit's name folded for matching (``normalize_name``), remarks in brackets
    left out."""
    return normalize_name(_REMARK.sub(" ", name))


def _own_row_find(
    rows: list[RankingRow],
    self_name: str | None,
    organization: Organization | None,
    self_label: str,
) -> RankingRow | None:
    if self_name:
        key = normalize_name(self_name)
        for row in rows:
            if row.key == key:
                return row
        raise TableImportError(
            [
                Problem(
                    _(
                        "Không có đơn vị “%(name)s” (dòng của cơ quan, "
                        "%(field)s) trong bảng xếp hạng."
                    )
                    % {"name": self_name, "field": self_label}
                )
            ]
        )
    if organization is None:
        return None
    keys = {normalize_name(organization.name)}
    if organization.short_name:
        keys.add(normalize_name(organization.short_name))
    exact = [r for r in rows if r.key in keys]
    if exact:
        return exact[0]
    # "Sở Khoa học và Công nghệ" in the table, "… tỉnh Đắk Nông" in PAR Plan; the
    # demo's own row says “(chỉ số minh họa)” after the name.
    full = _name_core(organization.name)
    partial = [
        r
        for r in rows
        if (core := _name_core(r.name)) and (core in full or full in core)
    ]
    return partial[0] if len(partial) == 1 else None


# The columns ``ranking_import`` writes, in the order of its rows' values.
_INSERTED = (
    "year",
    "name",
    "key",
    "score",
    "index",
    "rank",
    "rank_computed",
    "band",
    "max_score",
    "direct_score",
    "survey_score",
    "block",
    "organization_id",
    "source",
    "position",
)


_Value = str | int | bool | Decimal | None


def _rows_insert(rows: list[tuple[_Value, ...]]) -> None:
    """Insert a table's rows in batches, as ``bulk_create`` would, without a model
    instance per row nor Django preparing each value: at 20,000 rows that was four
    fifths of the import's time beyond reading the file. The values are already what
    the drivers take (str, int, bool, Decimal, None), as the fields would pass them."""
    connection = connections[router.db_for_write(PeerRank)]
    by_name = {f.attname: f for f in PeerRank._meta.concrete_fields}
    fields = [by_name[name] for name in _INSERTED]
    quote = connection.ops.quote_name
    head = "INSERT INTO {} ({}) VALUES ".format(
        quote(PeerRank._meta.db_table), ", ".join(quote(f.column) for f in fields)
    )
    one = "({})".format(", ".join(["%s"] * len(fields)))
    size = max(1, min(connection.ops.bulk_batch_size(fields, rows), 1000))
    with connection.cursor() as cursor:
        for start in range(0, len(rows), size):
            batch = rows[start : start + size]
            cursor.execute(
                head + ", ".join([one] * len(batch)),
                [value for row in batch for value in row],
            )


def ranking_import(
    *,
    year: int,
    data: bytes,
    filename: str,
    self_name: str | None = None,
    organization: Organization | None = None,
    source: str = "",
    full_scale: Decimal = HUNDRED,
    roles: dict[int, str] | None = None,
    dry_run: bool = False,
    self_label: str = "--self",
    own_required: bool = False,
) -> RankingReport:
    """Replace the ranking table of ``year`` with the one in the file.

    All or nothing: any problem raises TableImportError and the table is left as
    it was. The organization's own row is the row named ``self_name``, else the row
    matching ``organization``'s name; ``own_required`` refuses a table where
    neither finds it. ``self_label`` names where ``self_name`` is given (the
    command's ``--self``, the page's field).
    """
    table = ranking_parse(
        data=data, filename=filename, full_scale=full_scale, roles=roles
    )
    rows, notices = table.rows, table.notices
    own = _own_row_find(rows, self_name, organization, self_label)
    missing = ""
    if own is not None:
        own.is_self = True
    elif organization is not None:
        missing = _(
            "Không nhận ra dòng của “%(name)s” trong bảng; hãy chỉ rõ tên đơn vị "
            "(%(field)s) hoặc đánh dấu trên trang bảng xếp hạng."
        ) % {"name": organization.name, "field": self_label}
        if own_required:
            raise TableImportError([Problem(missing)])
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
    with transaction.atomic(using=preview_alias()):
        replaced, _detail = PeerRank.objects.filter(year=year, table_of=None).delete()
        _rows_insert(
            [
                (
                    year,
                    row.name,
                    row.key,
                    row.score,
                    row.index,
                    row.rank,
                    row.rank_computed,
                    row.band,
                    row.max_score,
                    row.direct,
                    row.survey,
                    row.block,
                    organization.pk if row.is_self and organization else None,
                    source or filename,
                    position,
                )
                for position, row in enumerate(rows, start=1)
            ]
        )
        if dry_run:
            transaction.set_rollback(True, using=preview_alias())
    report = RankingReport(
        year=year,
        dry_run=dry_run,
        rows=rows,
        replaced=replaced,
        self_name=own.name if own else None,
        columns=table.columns,
        blocks=table.blocks,
        notices=notices,
        own_missing=missing,
    )
    if own is not None:
        peers = [
            row_index(r, full_scale)
            for r in rows
            if r.block == own.block and r is not own
        ]
        report.own_block = own.block
        report.own_rank = own.rank
        report.own_rank_computed = rank_among(row_index(own, full_scale), peers)
    return report


def ranking_is_illustrative(rows: Iterable[PeerRank]) -> bool:
    """A table loaded for the demo says so in its source or its unit names."""
    return any("minh họa" in normalize_name(f"{row.source} {row.name}") for row in rows)


RANKING_COMPARED = ("score", "index", "rank", "band", "max_score", "block")


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
        row.key: row
        for row in PeerRank.objects.filter(year=year, table_of=None).order_by(
            "position"
        )
    }
    labels = ranking_labels() | {"is_self": _("Là cơ quan"), "block": _("Nhóm")}
    changes: list[RankingChange] = []
    for row in rows:
        old = current.pop(row.key or normalize_name(row.name), None)
        if old is None:
            changes.append(RankingChange(row, "added"))
            continue
        differ = [
            labels.get(name, name)
            for name in RANKING_COMPARED
            if getattr(old, name) != getattr(row, name)
        ]
        if bool(old.organization_id) != row.is_self:
            differ.append(labels["is_self"])
        changes.append(RankingChange(row, "changed" if differ else "unchanged", differ))
    return RankingChanges(rows=changes, removed=list(current.values()))


def peer_index(row: PeerRank, full_scale: Decimal = HUNDRED) -> Decimal:
    """A table row's index: as published, else its score ÷ (its maximum or the
    scale) × 100 (as the reading of a file computes it)."""
    if row.index is not None:
        return row.index
    if row.score is not None:
        scale = row.max_score or full_scale
        return (row.score * HUNDRED / scale).quantize(
            Decimal("0.001"), rounding=ROUND_HALF_UP
        )
    return Decimal(0)


def ranking_rows_place(
    *, rows: list[PeerRank], new: list[PeerRank], full_scale: Decimal = HUNDRED
) -> list[PeerRank]:
    """The edited table in its order, positions renumbered 1, 2 …: ``rows`` keep
    their order; each of ``new`` (rows typed without a position) goes before the
    first row of its block with a lower index, else after its block's last row.
    A row without a rank gets the one its index gives among its block (1 + rows with
    a strictly higher index, so equal indices share, as ``ranks_fill``), marked as
    computed: never a tie-break."""
    placed = list(rows)
    for row in sorted(new, key=lambda r: -peer_index(r, full_scale)):
        index = peer_index(row, full_scale)
        block = [i for i, r in enumerate(placed) if r.block == row.block]
        lower = [i for i in block if peer_index(placed[i], full_scale) < index]
        if lower:
            at = lower[0]
        elif block:
            at = block[-1] + 1
        else:
            at = len(placed)
        placed.insert(at, row)
    for position, row in enumerate(placed, start=1):
        row.position = position
    by_block: dict[str, list[PeerRank]] = defaultdict(list)
    for row in placed:
        by_block[row.block].append(row)
    for members in by_block.values():
        ranks = ranks_by_index([peer_index(r, full_scale) for r in members])
        for row, rank in zip(members, ranks, strict=True):
            if row.rank is None or row.rank_computed:
                row.rank = rank
                row.rank_computed = True
    return placed
