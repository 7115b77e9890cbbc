"""The self-assessment's sums read before its rows (``reports.self_assessment_sums``):
the engine's totals and index, each heading's cells from the children it counts, each
scored criterion's forecast, in a fixed number of queries."""

from __future__ import annotations

from decimal import Decimal

import pytest
from pytest_django import DjangoAssertNumQueries

from criteria.models import Criterion, Organization, Plan
from reports.figures import index_basis, plan_figures
from reports.models import PeerRank
from reports.self_assessment_sums import heading_unpacked, sheet_sums
from tests.factories import plan_build

D = Decimal
FIRST = 8  # the sheet row of the first criterion


def scored(plan: Plan) -> None:
    PeerRank.objects.create(
        year=2022, name="Sở", index=D("80"), organization=plan.organization
    )
    PeerRank.objects.create(year=2022, name="Sở khác", index=D("85"), position=1)
    updates: dict[str, dict[str, object]] = {
        "1.1.1": {"self_score": D("1.5")},
        "1.2.1": {"self_score": D("0.25"), "appraised_score": D("0.125")},
        "4.2.1": {"method": Criterion.Method.SURVEY, "survey_score": D("0.75")},
        "4.2.2": {"final_score": D("1"), "appraised_score": D("0.5")},
        "2": {"applicable": False},
        "4.3": {"applicable": False},
    }
    for code, fields in updates.items():
        Criterion.objects.filter(plan=plan, code=code).update(**fields)


def test_the_totals_and_the_index_are_the_engines(seed_plan: Plan) -> None:
    scored(seed_plan)
    figures = plan_figures(plan=seed_plan)
    sums = sheet_sums(plan=seed_plan, first_row=FIRST)
    assert sums.totals == figures.totals
    assert sums.basis.baseline_index == figures.baseline_index == D("80")
    assert sums.basis.scale == figures.scale
    change = figures.totals.forecast - figures.totals.baseline
    assert sums.basis.index(change) == figures.projected.index


def test_each_leaf_achieves_its_forecast_and_each_heading_sums_its_children(
    seed_plan: Plan,
) -> None:
    scored(seed_plan)
    figures = plan_figures(plan=seed_plan)
    sums = sheet_sums(plan=seed_plan, first_row=FIRST)
    parents = {r.parent_id for r in figures.rows}
    leaves = [r for r in figures.rows if r.pk not in parents]
    assert list(sums.achieved_in_order()) == [
        r.forecast if r.applicable else None for r in leaves
    ]
    headings = [r for r in figures.rows if r.pk in parents]
    unpacked = list(zip(headings, map(heading_unpacked, sums.headings), strict=True))
    for row, (values, _counted) in unpacked:
        if row.applicable:
            assert values[0] == row.max_score
            assert values[4] == row.forecast
    number = {r.code: FIRST + i for i, r in enumerate(figures.rows)}
    by_code = {r.code: cells for r, cells in unpacked}
    # Area 2 does not apply: area 1's sums leave it, it keeps only its maximum.
    values, counted = by_code["2"]
    assert values == [D("1.5"), None, None, None, None]
    assert counted == [number["2.1"], number["2.2"]]
    # 4.2's self column leaves the survey criterion out; 4.2.2 is appraised 1.
    values, counted = by_code["4.2"]
    assert values[2] == D("0.75")
    assert values[3] == D("1")
    assert counted == [number[f"4.2.{i}"] for i in range(1, 5)]
    # 4.3 does not apply: area 4 counts 4.1 and 4.2 only.
    assert by_code["4"][1] == [number["4.1"], number["4.2"]]


@pytest.mark.parametrize("size", [1, 3])
def test_the_sums_take_three_queries_whatever_the_size(
    organization: Organization,
    size: int,
    django_assert_num_queries: DjangoAssertNumQueries,
) -> None:
    plan = plan_build(
        organization=organization, areas=size, criteria_per_area=size, tasks_per_leaf=2
    )
    plan = Plan.objects.get(pk=plan.pk)
    # the criteria, their tasks summed, the ranking table
    with django_assert_num_queries(3):
        sums = sheet_sums(plan=plan, first_row=FIRST)
    assert len(sums.headings) == size + size * size


def test_the_index_basis_without_a_ranking_row_is_the_applicable_scale(
    seed_plan: Plan,
) -> None:
    basis = index_basis(plan=seed_plan, not_applicable=D("2"))
    assert basis.baseline_index is None
    assert basis.scale == seed_plan.full_scale - 2
    assert basis.index(D("5")) is None
