"""The scoring engine (reports/figures.py): gap, expected score, index and rank, fixed
on the seed plan, on hand-made progress states and on peer tables built for the tests.
The index, rank and points-needed arithmetic alone is in test_rules.py."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from criteria.models import Criterion, Organization, Plan
from reports.figures import plan_figures
from reports.models import PeerRank
from tasks.models import Status, Task, TaskUnit, Unit
from tests.factories import plan_build
from tests.helpers import indices

D = Decimal


def criterion(plan: Plan, code: str) -> Criterion:
    return Criterion.objects.get(plan=plan, code=code)


def row_of(figures: object, code: str) -> object:
    return next(r for r in figures.rows if r.code == code)


def part_set(plan: Plan, code: str, unit: Unit, percent: int, status: str) -> None:
    TaskUnit.objects.filter(
        task__criterion=criterion(plan, code), unit=unit, role=TaskUnit.Role.LEAD
    ).update(percent=percent, status=status)


def peers_make(
    organization: Organization,
    own: Decimal | None,
    others: list[Decimal],
    *,
    year: int = 2022,
    own_rank: int | None = None,
    by_score: bool = False,
) -> None:
    """A ranking table: the organization's row (index ``own``) and peers named P1…"""
    rows = []
    field = "score" if by_score else "index"
    for n, value in enumerate(others, start=1):
        rows.append(PeerRank(year=year, name=f"Đơn vị thử {n}", **{field: value}))
    if own is not None:
        rows.append(
            PeerRank(
                year=year,
                name=organization.name,
                organization=organization,
                rank=own_rank,
                **{field: own},
            )
        )
    for position, row in enumerate(rows, start=1):
        row.position = position
        row.save()


# --- the seed plan ----------------------------------------------------------------


def test_the_seed_totals_are_15_then_1_65_then_15_with_13_35_to_recover(
    seed_plan: Plan,
) -> None:
    totals = plan_figures(plan=seed_plan).totals
    assert (totals.max_score, totals.baseline, totals.target) == (
        D("15"),
        D("1.65"),
        D("15"),
    )
    assert totals.forecast == D("1.65")
    assert totals.gap == D("13.35")
    assert totals.to_recover == D("13.35")
    assert totals.expected == D("1.65")
    assert totals.scored == 13


@pytest.mark.parametrize(
    ("area", "expected"),
    [
        ("1", (D("5"), D("1.25"), D("5"), D("3.75"))),
        ("2", (D("1.5"), D("0"), D("1.5"), D("1.5"))),
        ("3", (D("1"), D("0"), D("1"), D("1"))),
        ("4", (D("7.5"), D("0.4"), D("7.5"), D("7.1"))),
    ],
)
def test_each_seed_area_rolls_up_as_the_domain_notes_say(
    seed_plan: Plan, area: str, expected: tuple[Decimal, ...]
) -> None:
    figures = plan_figures(plan=seed_plan)
    row = next(a for a in figures.areas if a.code == area)
    assert (row.max_score, row.baseline, row.target, row.gap) == expected


def test_rows_come_in_code_order_with_headings_marked(seed_plan: Plan) -> None:
    figures = plan_figures(plan=seed_plan)
    codes = [r.code for r in figures.rows]
    assert codes[:6] == ["1", "1.1", "1.1.1", "1.2", "1.2.1", "1.2.2"]
    assert len(codes) == 24
    headings = {r.code for r in figures.rows if r.is_heading}
    assert "1.3" not in headings and "4.3" not in headings
    assert {"1", "1.1", "4.2"} <= headings
    assert row_of(figures, "4.2").max_score == D("5")


def test_the_engine_reads_a_plan_in_four_queries(
    seed_plan: Plan, django_assert_num_queries: object
) -> None:
    # criteria; tasks; their parts with units; the ranking table
    with django_assert_num_queries(4):
        plan_figures(plan=seed_plan)


# --- progress -----------------------------------------------------------------------


def test_expected_score_follows_the_progress_of_each_units_part(
    seed_plan: Plan, units: dict[str, Unit]
) -> None:
    part_set(seed_plan, "1.1.1", units["office"], 100, Status.DONE)
    part_set(seed_plan, "1.1.1", units["center"], 50, Status.IN_PROGRESS)
    part_set(seed_plan, "1.2.2", units["office"], 100, Status.DONE)
    # 4.3 has no lead unit: the task's own percent counts.
    Task.objects.filter(criterion=criterion(seed_plan, "4.3")).update(percent=40)

    figures = plan_figures(plan=seed_plan)

    assert row_of(figures, "1.1.1").completion == D("0.75")
    assert row_of(figures, "1.1.1").expected == D("1.75")
    assert row_of(figures, "1.2.2").expected == D("0.5")
    assert row_of(figures, "4.3").expected == D("0.2")
    assert figures.totals.expected == D("3.10")
    area_1 = next(a for a in figures.areas if a.code == "1")
    assert area_1.expected == D("2.5")
    # Heading completion: the share of its points to recover already earned.
    assert area_1.completion == (D("2.5") - D("1.25")) / D("3.75")
    # Nothing is scored yet, so the forecast is the expected score: the gap to the
    # target counts from it, the points to recover from the baseline.
    assert figures.totals.forecast == D("3.10")
    assert figures.totals.gap == D("15") - D("3.10")
    assert figures.totals.to_recover == D("13.35")


def test_a_task_for_all_units_is_as_done_as_the_mean_of_their_parts(
    seed_plan: Plan, units: dict[str, Unit]
) -> None:
    part_set(seed_plan, "1.3", units["office"], 100, Status.DONE)
    part_set(seed_plan, "1.3", units["center"], 0, Status.NOT_STARTED)
    row = row_of(plan_figures(plan=seed_plan), "1.3")
    assert row.completion == D("0.5")
    assert row.expected == D("1")


def test_expected_scores_keep_three_places_rounded_half_up(
    seed_plan: Plan, units: dict[str, Unit]
) -> None:
    # 0,25 + (0,5 − 0,25) × 50 % = 0,375, a score provinces write as is
    part_set(seed_plan, "1.2.1", units["office"], 50, Status.IN_PROGRESS)
    assert row_of(plan_figures(plan=seed_plan), "1.2.1").expected == D("0.375")
    # 0,25 + 0,25 × 33 % = 0,3325 → 0,333
    part_set(seed_plan, "1.2.1", units["office"], 33, Status.IN_PROGRESS)
    assert row_of(plan_figures(plan=seed_plan), "1.2.1").expected == D("0.333")


def test_a_criterion_without_tasks_expects_nothing_beyond_its_baseline(
    seed_plan: Plan,
) -> None:
    Task.objects.filter(criterion=criterion(seed_plan, "2.1.1")).delete()
    row = row_of(plan_figures(plan=seed_plan), "2.1.1")
    assert row.completion == 0
    assert row.expected == row.baseline == 0


def test_a_criterion_with_nothing_to_recover_and_no_tasks_is_complete(
    seed_plan: Plan,
) -> None:
    c = criterion(seed_plan, "2.1.1")
    Task.objects.filter(criterion=c).delete()
    Criterion.objects.filter(pk=c.pk).update(target_score=0)
    row = row_of(plan_figures(plan=seed_plan), "2.1.1")
    assert row.completion == 1
    assert row.expected == 0


def test_a_self_assessed_score_is_the_forecast_but_not_progress(
    seed_plan: Plan,
) -> None:
    Criterion.objects.filter(pk=criterion(seed_plan, "1.3").pk).update(
        self_score=D("1.5")
    )
    figures = plan_figures(plan=seed_plan)
    row = row_of(figures, "1.3")
    assert (row.forecast, row.gap, row.expected) == (D("1.5"), D("0.5"), D("0"))
    assert row.forecast_source == "self"
    assert figures.totals.forecast == D("3.15")
    assert figures.totals.gap == D("11.85")
    assert figures.totals.self_entered == 1
    assert figures.totals.self_total == D("1.5")
    assert row_of(figures, "1").self_score == D("1.5")
    assert figures.scenarios["self"].total == D("3.15")
    # The headline's scenario is the forecast: it counts the self-assessment too.
    assert figures.scenarios["forecast"].total == D("3.15")
    assert figures.projected is figures.scenarios["forecast"]


def test_the_priority_list_puts_the_most_points_still_recoverable_first(
    seed_plan: Plan, units: dict[str, Unit]
) -> None:
    part_set(seed_plan, "4.1.1", units["office"], 100, Status.DONE)
    part_set(seed_plan, "4.1.1", units["center"], 100, Status.DONE)
    figures = plan_figures(plan=seed_plan)
    codes = [p.row.code for p in figures.priorities]
    # 1.3 and 4.1.1 both have 2 to recover; 4.1.1 is done so it leaves the list.
    assert "4.1.1" not in codes
    assert codes[0] == "1.3"
    assert [p.remaining for p in figures.priorities] == sorted(
        (p.remaining for p in figures.priorities), reverse=True
    )
    first = figures.priorities[0]
    assert first.remaining == D("2")
    assert len(first.open_tasks) == 1
    assert first.per_open_task == D("2")


# --- ranking ------------------------------------------------------------------------

PEERS = [D("90"), D("85"), D("82.5"), D("80"), D("78"), D("70")]


def test_rank_is_one_plus_peers_strictly_above_and_ties_share(
    seed_plan: Plan, units: dict[str, Unit]
) -> None:
    peers_make(seed_plan.organization, D("80"), PEERS, own_rank=4)
    part_set(seed_plan, "1.1.1", units["office"], 100, Status.DONE)
    part_set(seed_plan, "1.1.1", units["center"], 50, Status.IN_PROGRESS)
    part_set(seed_plan, "1.2.2", units["office"], 100, Status.DONE)
    Task.objects.filter(criterion=criterion(seed_plan, "4.3")).update(percent=40)

    figures = plan_figures(plan=seed_plan)

    assert figures.baseline_index == D("80")
    assert figures.baseline_rank == 4
    s = figures.scenarios
    assert (s["baseline"].index, s["baseline"].rank) == (D("80"), 4)  # ties with 80
    assert (s["forecast"].index, s["forecast"].rank) == (D("81.45"), 4)
    assert (s["target"].index, s["target"].rank) == (D("93.35"), 1)
    assert s["target"].places_gained == 3
    assert figures.places_gained == 0
    assert figures.goal_met is False
    # rank 2 needs the second peer's 85: 5 points over the baseline total.
    assert figures.points_needed == D("5.00")
    assert figures.points_short == D("5.00") - D("1.45")


def test_the_goal_is_met_when_expected_progress_gains_two_places(
    seed_plan: Plan,
) -> None:
    peers_make(seed_plan.organization, D("80"), PEERS, own_rank=4)
    Task.objects.filter(criterion__plan=seed_plan).update(percent=100)
    TaskUnit.objects.filter(task__criterion__plan=seed_plan).update(percent=100)
    figures = plan_figures(plan=seed_plan)
    assert figures.scenarios["forecast"].rank == 1
    assert figures.places_gained == 3
    assert figures.goal_met is True


def test_an_organization_ranked_first_cannot_gain_places(seed_plan: Plan) -> None:
    peers_make(seed_plan.organization, D("95"), PEERS)
    figures = plan_figures(plan=seed_plan)
    assert figures.baseline_rank == 1
    assert figures.scenarios["target"].rank == 1
    assert figures.places_gained == 0
    assert figures.goal_met is False
    assert figures.points_needed is None


def test_an_organization_ranked_last_climbs_by_the_peers_it_passes(
    seed_plan: Plan,
) -> None:
    peers_make(seed_plan.organization, D("60"), PEERS)
    figures = plan_figures(plan=seed_plan)
    assert figures.baseline_rank == 7
    assert figures.peer_count == 7
    # 60 + 13,35 = 73,35 passes only the peer at 70.
    assert figures.scenarios["target"].rank == 6
    assert figures.scenarios["target"].places_gained == 1
    # rank 5 needs 78: 18 points, more than the plan recovers.
    assert figures.points_needed == D("18.00")


def test_a_missing_published_rank_is_computed_from_the_indices(
    seed_plan: Plan,
) -> None:
    peers_make(seed_plan.organization, D("82.5"), PEERS)  # ties with a peer
    figures = plan_figures(plan=seed_plan)
    assert figures.baseline_rank == 3


def test_peers_moved_by_a_common_change_rank_against_the_moved_indices(
    seed_plan: Plan,
) -> None:
    peers_make(seed_plan.organization, D("80"), PEERS, own_rank=4)
    # Peers at 94, 89, 86,5, 84, 82, 74.
    figures = plan_figures(plan=seed_plan, peer_change=D("4"))
    assert figures.baseline_rank == 4  # the published rank does not move
    assert figures.scenarios["baseline"].rank == 6
    assert figures.scenarios["target"].rank == 2  # 93,35: only 94 above
    assert figures.points_needed == D("9.00")  # the second peer now at 89
    peer_indices = [p.index for p in figures.ranking if not p.is_self]
    assert peer_indices == [D("94"), D("89"), D("86.5"), D("84"), D("82"), D("74")]


def test_a_table_of_scores_gives_indices_over_the_plans_full_scale(
    seed_plan: Plan,
) -> None:
    Plan.objects.filter(pk=seed_plan.pk).update(full_scale=D("50"))
    seed_plan.refresh_from_db()
    peers_make(
        seed_plan.organization, D("40"), [D("45"), D("41")], by_score=True
    )  # 80 %, 90 %, 82 %
    figures = plan_figures(plan=seed_plan)
    assert figures.baseline_index == D("80")
    assert figures.baseline_rank == 3
    # + 13,35 points on a 50-point scale = + 26,7 index points.
    assert figures.scenarios["target"].index == D("100")  # capped at 100
    # Rank 1 needs the leader's 90 %: 10 index points = 5 of 50 points.
    assert figures.points_needed == D("5.00")


def test_without_a_ranking_table_the_scenarios_have_no_index(seed_plan: Plan) -> None:
    figures = plan_figures(plan=seed_plan)
    assert figures.has_ranking is False
    assert figures.scenarios["forecast"].index is None
    assert figures.scenarios["forecast"].rank is None
    assert figures.goal_met is False
    assert figures.points_needed is None
    assert figures.scenarios["target"].total == D("15")


# --- invariants ---------------------------------------------------------------------


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    percents=st.lists(st.integers(min_value=0, max_value=100), min_size=1, max_size=8),
    selfs=st.lists(
        st.one_of(st.none(), st.decimals(min_value=0, max_value=1, places=2)),
        min_size=1,
        max_size=8,
    ),
    appraised=st.lists(
        st.one_of(st.none(), st.decimals(min_value=0, max_value=1, places=3)),
        min_size=1,
        max_size=8,
    ),
    own=indices,
    peers=st.lists(indices, max_size=12),
    peer_change=st.decimals(min_value=-5, max_value=5, places=2),
)
def test_figures_keep_their_invariants_for_any_progress_and_peer_table(
    organization: Organization,
    percents: list[int],
    selfs: list[Decimal | None],
    appraised: list[Decimal | None],
    own: Decimal,
    peers: list[Decimal],
    peer_change: Decimal,
) -> None:
    with transaction.atomic():
        plan = plan_build(
            organization=organization, areas=2, criteria_per_area=2, tasks_per_leaf=2
        )
        parts = list(TaskUnit.objects.filter(task__criterion__plan=plan).order_by("pk"))
        for i, part in enumerate(parts):
            part.percent = percents[i % len(percents)]
            part.save()
        leaves = list(
            Criterion.objects.filter(plan=plan, max_score__isnull=False).order_by("pk")
        )
        for i, leaf in enumerate(leaves):
            leaf.self_score = selfs[i % len(selfs)]
            leaf.appraised_score = appraised[i % len(appraised)]
            leaf.save()
        peers_make(organization, own, peers)

        figures = plan_figures(plan=plan, peer_change=peer_change)

        leaf_rows = [r for r in figures.rows if not r.is_heading]
        names = ("max_score", "baseline", "target", "forecast", "expected", "gap")
        for name in names:
            assert getattr(figures.totals, name) == sum(
                (getattr(r, name) for r in leaf_rows), D(0)
            )
            for area in figures.areas:
                assert getattr(area, name) == sum(
                    (getattr(r, name) for r in leaf_rows if r.area_code == area.code),
                    D(0),
                )
        units = len(peers) + 1
        scenarios = list(figures.scenarios.values())
        for scenario in scenarios:
            assert 1 <= scenario.rank <= units
            assert scenario.places_gained == figures.baseline_rank - scenario.rank
        for a in scenarios:  # more points never lower the index nor the rank
            for b in scenarios:
                if a.total <= b.total:
                    assert a.index <= b.index and a.rank >= b.rank
        assert ("self" in figures.scenarios) == any(s is not None for s in selfs)
        # Each criterion's forecast is its best known layer.
        for row in leaf_rows:
            c = row.criterion
            best = next(
                v
                for v in (c.appraised_score, c.self_score, row.expected)
                if v is not None
            )
            assert row.forecast == best
        # The headline is the forecast scenario's, whatever the layers entered.
        forecast = figures.scenarios["forecast"]
        assert forecast.total == figures.totals.forecast
        assert figures.places_gained == forecast.places_gained
        assert figures.goal_met == (forecast.places_gained >= plan.rank_goal)
        if figures.points_needed is not None:
            assert figures.points_short == max(
                figures.points_needed - forecast.change, D(0)
            )
        transaction.set_rollback(True)


def test_a_tie_broken_by_the_province_is_not_read_as_places_gained(
    seed_plan: Plan,
) -> None:
    rows = [("Đơn vị thử A", D("85"), 1), ("Đơn vị thử B", D("82.15"), 2)]
    for position, (name, index, rank) in enumerate(rows, start=1):
        PeerRank.objects.create(
            year=2022, name=name, index=index, rank=rank, position=position
        )
    PeerRank.objects.create(
        year=2022,
        name=seed_plan.organization.name,
        organization=seed_plan.organization,
        index=D("82.15"),
        rank=3,
        position=3,
    )
    figures = plan_figures(plan=seed_plan)
    assert figures.baseline_rank == 3
    assert figures.scenarios["baseline"].rank == 3
    assert figures.scenarios["baseline"].places_gained == 0
    assert figures.places_gained == 0
    # The goal (2 places) is rank 1. B's tie-break holds between B and the
    # department only; A was above at a higher index, so reaching exactly 85 shares
    # rank 1 with A: 85 − 82,15 = 2,85 points, not a step more.
    assert figures.points_needed == D("2.85")
