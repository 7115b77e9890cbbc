"""The index, rank and points-needed arithmetic of the province's ranking: pure
functions of Decimals, tested directly (also with hypothesis)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from decimal import ROUND_CEILING, ROUND_HALF_UP, Decimal

ZERO = Decimal("0")
ONE = Decimal("1")
HUNDRED = Decimal("100")
SCORE_Q = Decimal("0.01")  # the step of points needed
POINT_Q = Decimal("0.001")  # the precision of a score
INDEX_Q = Decimal("0.001")


def index_for(
    *, baseline_index: Decimal, change: Decimal, full_scale: Decimal
) -> Decimal:
    """The index after a score change: baseline index + change ÷ full scale × 100.

    Rounded to the three decimals the province publishes; never below 0 or above 100.
    """
    index = baseline_index + change * HUNDRED / full_scale
    index = index.quantize(INDEX_Q, rounding=ROUND_HALF_UP)
    return min(max(index, ZERO), HUNDRED)


def rank_among(
    index: Decimal,
    peer_indices: Iterable[Decimal],
    tie_winners: Iterable[Decimal] = (),
) -> int:
    """1 + the number of peers with a strictly higher index (equal indices share).

    ``tie_winners`` are the indices of those peers (also in ``peer_indices``) that the
    province ranked above the organization at an equal index: they stay above it while
    their index equals its, so a published tie-break is not read as places gained.
    """
    above = sum(1 for peer in peer_indices if peer > index)
    return 1 + above + sum(1 for peer in tie_winners if peer == index)


def peer_indices_moved(indices: Iterable[Decimal], change: Decimal) -> list[Decimal]:
    """Peers' indices moved by one common assumed change, kept within 0–100."""
    return [min(max(i + change, ZERO), HUNDRED) for i in indices]


def points_needed_for(
    *,
    baseline_index: Decimal,
    baseline_rank: int,
    peer_indices: Sequence[Decimal],
    rank_goal: int,
    full_scale: Decimal,
    tie_winners: Sequence[Decimal] = (),
) -> Decimal | None:
    """The smallest score increase over the baseline total (in steps of 0,01) whose
    index ranks at or above ``baseline_rank − rank_goal``; 0 when the baseline already
    does, None when no score can (the wanted rank is above 1, or needs an index > 100).
    """
    wanted = baseline_rank - rank_goal
    if wanted < 1:
        return None
    ordered = sorted(peer_indices, reverse=True)
    if len(ordered) < wanted:
        return ZERO
    bar = ordered[wanted - 1]  # at this index, at most wanted − 1 peers are above
    if bar > HUNDRED:
        return None
    delta = ((bar - baseline_index) * full_scale / HUNDRED).quantize(
        SCORE_Q, rounding=ROUND_CEILING
    )
    delta = max(delta, ZERO)

    def reaches(change: Decimal) -> bool:
        index = index_for(
            baseline_index=baseline_index, change=change, full_scale=full_scale
        )
        return rank_among(index, ordered, tie_winners) <= wanted

    # The index is rounded to three decimals, so the exact answer may be a step
    # off either way: walk to the smallest step that reaches the rank.
    while not reaches(delta):
        if delta > full_scale:
            return None
        delta += SCORE_Q
    while delta > 0 and reaches(delta - SCORE_Q):
        delta -= SCORE_Q
    return delta


def index_of(
    *, index: Decimal | None, score: Decimal | None, full_scale: Decimal
) -> Decimal | None:
    """A ranking row's index: as published, else its score ÷ full scale × 100."""
    if index is not None:
        return index
    if score is not None:
        return (score * HUNDRED / full_scale).quantize(INDEX_Q, rounding=ROUND_HALF_UP)
    return None
