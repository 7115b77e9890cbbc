"""The province's ranking table of a year (e.g. QĐ 251/QĐ-UBND): replacing the year's
table with a file's, all or nothing, finding the organization's own row, and comparing
a file with the table it would replace (the import's preview). Reading the file is
``reports.ranking_read``."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import transaction
from django.utils.translation import gettext as _

from criteria.models import Organization
from parplan.preview_db import preview_alias
from parplan.tables import Problem, TableImportError
from parplan.text import normalize_name
from reports.models import PeerRank
from reports.ranking_read import (
    RankingColumn,
    RankingRow,
    ranking_labels,
    ranking_parse,
    row_index,
)
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

    @property
    def block_sizes(self) -> dict[str, int]:
        sizes: dict[str, int] = {}
        for row in self.rows:
            sizes[row.block] = sizes.get(row.block, 0) + 1
        return sizes


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
    roles: dict[int, str] | None = None,
    dry_run: bool = False,
) -> RankingReport:
    """Replace the ranking table of ``year`` with the one in the file.

    All or nothing: any problem raises TableImportError and the table is left as
    it was. The organization's own row is the row named ``self_name``, else the row
    matching ``organization``'s name.
    """
    table = ranking_parse(
        data=data, filename=filename, full_scale=full_scale, roles=roles
    )
    rows, notices = table.rows, table.notices
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
    with transaction.atomic(using=preview_alias()):
        replaced, _detail = PeerRank.objects.filter(year=year, table_of=None).delete()
        PeerRank.objects.bulk_create(
            [
                PeerRank(
                    year=year,
                    name=row.name,
                    key=normalize_name(row.name),
                    score=row.score,
                    index=row.index,
                    rank=row.rank,
                    rank_computed=row.rank_computed,
                    band=row.band,
                    max_score=row.max_score,
                    direct_score=row.direct,
                    survey_score=row.survey,
                    block=row.block,
                    organization=organization if row.is_self else None,
                    source=source or filename,
                    position=position,
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
        old = current.pop(normalize_name(row.name), None)
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
