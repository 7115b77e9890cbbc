"""The index, rank and points-needed arithmetic (reports/rules.py): pure functions of
Decimals, checked with hypothesis. The engine that uses them is in test_figures.py."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import example, given
from hypothesis import strategies as st

from reports.rules import index_for, points_needed_for, rank_among
from tests.helpers import indices

D = Decimal

changes = st.decimals(min_value=-100, max_value=100, places=2)


@given(baseline=indices, a=changes, b=changes)
def test_a_larger_score_change_never_gives_a_lower_index(
    baseline: Decimal, a: Decimal, b: Decimal
) -> None:
    low, high = sorted((a, b))
    assert index_for(
        baseline_index=baseline, change=low, full_scale=D("100")
    ) <= index_for(baseline_index=baseline, change=high, full_scale=D("100"))


@given(index=indices, peers=st.lists(indices, max_size=40))
def test_a_rank_is_between_1_and_the_number_of_units(
    index: Decimal, peers: list[Decimal]
) -> None:
    assert 1 <= rank_among(index, peers) <= len(peers) + 1


@given(
    baseline=indices,
    peers=st.lists(indices, min_size=1, max_size=30),
    goal=st.integers(min_value=1, max_value=4),
    scale=st.sampled_from([D("100"), D("50"), D("90")]),
)
# Found by hypothesis: the index is rounded to three places, so 27,96 points
# already reach 37,447 although the exact figure is 27,9603.
@example(baseline=D("6.380"), peers=[D("6.381"), D("37.447")], goal=2, scale=D("90"))
def test_points_needed_is_the_smallest_increase_that_reaches_the_goal(
    baseline: Decimal, peers: list[Decimal], goal: int, scale: Decimal
) -> None:
    rank = rank_among(baseline, peers)
    needed = points_needed_for(
        baseline_index=baseline,
        baseline_rank=rank,
        peer_indices=peers,
        rank_goal=goal,
        full_scale=scale,
    )
    if rank - goal < 1:
        assert needed is None
        return
    if needed is None:  # only when the goal needs an index above 100
        reach = index_for(baseline_index=baseline, change=scale, full_scale=scale)
        assert rank_among(reach, peers) > rank - goal
        return
    reached = index_for(baseline_index=baseline, change=needed, full_scale=scale)
    assert rank_among(reached, peers) <= rank - goal
    if needed > 0:
        short = index_for(
            baseline_index=baseline, change=needed - D("0.01"), full_scale=scale
        )
        assert rank_among(short, peers) > rank - goal
