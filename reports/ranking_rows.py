"""A ranking table's rows as read from a file, and the rank PAR Plan gives a row the
table does not rank: 1 + the rows of its block with a strictly higher index, so equal
indices share, never a tie-break."""

from __future__ import annotations

import bisect
from collections import defaultdict
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from reports.models import PeerRank
from reports.rules import HUNDRED, INDEX_Q, ZERO

# What the table keeps of a row's texts: a longer one is refused where it is read.
PEER_RANK_LENGTHS = {
    f.name: f.max_length or 0
    for f in PeerRank._meta.concrete_fields
    if f.name in {"name", "band", "block"}
}


@dataclass(slots=True)
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
    key: str = ""  # the name folded (``normalize_name``): one unit per key


def ranks_by_index(indices: list[Decimal]) -> list[int]:
    """Each index's rank among ``indices``: 1 + how many are strictly higher. One
    sort, then a binary search each (n log n, where counting would be n²)."""
    ordered = sorted(indices)
    return [1 + len(ordered) - bisect.bisect_right(ordered, i) for i in indices]


def ranks_fill(rows: list[RankingRow], full_scale: Decimal = HUNDRED) -> None:
    """Give a rank to rows without one, within their block, from the index (or score
    ÷ maximum × 100) of every row of the block."""
    by_block: dict[str, list[RankingRow]] = defaultdict(list)
    for row in rows:
        by_block[row.block].append(row)
    for members in by_block.values():
        ranks = ranks_by_index([row_index(r, full_scale) for r in members])
        for row, rank in zip(members, ranks, strict=True):
            if row.rank is None:
                row.rank = rank
                row.rank_computed = True


def row_index(row: RankingRow, full_scale: Decimal) -> Decimal:
    """A row's index: as read, else its score ÷ (its maximum or the scale) × 100."""
    if row.index is not None:
        return row.index
    if row.score is not None:
        scale = row.max_score or full_scale
        return (row.score * HUNDRED / scale).quantize(INDEX_Q, rounding=ROUND_HALF_UP)
    return ZERO
