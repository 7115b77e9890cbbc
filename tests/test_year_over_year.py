"""The year-over-year page: ``reports.year_over_year`` on two hand-made plans of
consecutive years, its query count and who sees what."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

import pytest
from django.contrib.auth.models import User
from pytest_django import DjangoAssertNumQueries

from criteria.models import Criterion, Organization, Plan
from parplan.roles import Role
from reports.models import PeerRank
from reports.year_over_year import year_over_year
from tasks.models import Task, TaskUnit, Unit
from tests.helpers import client_for, make_user

D = Decimal
URL = "/bao-cao/so-sanh-nam/"


@dataclass
class Years:
    organization: Organization
    first: Plan
    second: Plan
    unit: Unit
    office: User


def _criterion(
    plan: Plan, code: str, parent: Criterion | None = None, **kw: object
) -> Criterion:
    return Criterion.objects.create(
        plan=plan, parent=parent, code=code, title=f"Tiêu chí {code}", **kw
    )


@pytest.fixture
def years(db: None) -> Years:
    organization = Organization.objects.create(name="Sở Xây dựng", short_name="SXD")
    unit = Unit.objects.create(
        organization=organization, name="Văn phòng", is_office=True
    )
    first = Plan.objects.create(
        organization=organization, year=2023, baseline_year=2022, title="Kế hoạch 2023"
    )
    area = _criterion(first, "1")
    _criterion(first, "1.1", area, max_score=D(2), appraised_score=D("1.5"))
    _criterion(first, "1.2", area, max_score=D(1), self_score=D("0.5"))
    area = _criterion(first, "2")
    _criterion(
        first, "2.1", area, max_score=D(3), baseline_score=D(1), target_score=D(3)
    )
    second = Plan.objects.create(
        organization=organization, year=2024, baseline_year=2023, title="Kế hoạch 2024"
    )
    area = _criterion(second, "1")
    _criterion(
        second,
        "1.1",
        area,
        max_score=D(2),
        baseline_score=D("1.5"),
        appraised_score=D(2),
    )
    _criterion(
        second, "1.2", area, max_score=D(1), baseline_score=D("0.5"), self_score=D(1)
    )
    area = _criterion(second, "2")
    _criterion(
        second,
        "2.1",
        area,
        max_score=D(3),
        baseline_score=D(1),
        appraised_score=D(2),
        final_score=D("2.5"),
    )
    _criterion(second, "2.2", area, max_score=D(1), self_score=D(0))
    # The province's table of 2023: the organization fifth at 80,5.
    for position, (name, index) in enumerate(
        [("Sở A", "90"), ("Sở B", "85"), ("Sở C", "84"), ("Sở D", "82")], start=1
    ):
        PeerRank.objects.create(
            year=2023, name=name, index=D(index), rank=position, position=position
        )
    PeerRank.objects.create(
        year=2023,
        name="Sở Xây dựng",
        index=D("80.5"),
        rank=5,
        position=5,
        organization=organization,
    )
    return Years(
        organization=organization,
        first=first,
        second=second,
        unit=unit,
        office=make_user("office_sxd", Role.OFFICE, unit),
    )


def test_each_year_has_its_total_and_the_published_or_projected_index_and_rank(
    years: Years,
) -> None:
    result = year_over_year(plans=[years.second, years.first])
    first, second = result.years
    assert (first.year, first.total, first.index, first.rank, first.published) == (
        2023,
        D("3.000"),
        D("80.5"),
        5,
        True,
    )
    # 2024 has no table yet: 80,5 + (5,5 − 3) ÷ 100 × 100 = 83, above Sở D (82).
    assert (second.year, second.total, second.index, second.rank, second.published) == (
        2024,
        D("5.5"),
        D("83.000"),
        4,
        False,
    )


def test_criteria_and_areas_are_matched_by_code_with_the_change(years: Years) -> None:
    result = year_over_year(plans=[years.first, years.second])
    cells = {row.code: [(c.score, c.change) for c in row.cells] for row in result.rows}
    assert cells["1"] == [(D("2.0"), None), (D("3"), D("1.0"))]
    assert cells["1.1"] == [(D("1.5"), None), (D("2"), D("0.5"))]
    assert cells["2.1"] == [(D("1"), None), (D("2.5"), D("1.5"))]
    assert cells["2.2"] == [(None, None), (D("0"), None)]
    assert [row.code for row in result.areas] == ["1", "2"]
    assert [row.code for row in result.rows] == ["1", "1.1", "1.2", "2", "2.1", "2.2"]


def test_the_page_shows_both_years_side_by_side(years: Years) -> None:
    response = client_for(years.office).get(URL)
    assert response.status_code == 200
    body = response.content.decode()
    assert "So sánh các năm" in body
    assert "80,5" in body
    assert "83" in body
    assert "Bảng xếp hạng tỉnh công bố" in body
    assert "Dự báo" in body
    assert "+1,5" in body


def _grow(plan: Plan, unit: Unit, count: int) -> None:
    area = Criterion.objects.get(plan=plan, code="2")
    for number in range(3, 3 + count):
        criterion = _criterion(
            plan,
            f"2.{number}",
            area,
            max_score=D(1),
            baseline_score=D(0),
            target_score=D(1),
        )
        task = Task.objects.create(criterion=criterion, text=f"Việc {number}")
        TaskUnit.objects.create(task=task, unit=unit, percent=50)


@pytest.mark.parametrize("extra", [0, 12])
def test_the_page_costs_the_same_queries_at_two_sizes(
    years: Years, extra: int, django_assert_num_queries: DjangoAssertNumQueries
) -> None:
    _grow(years.first, years.unit, extra)
    _grow(years.second, years.unit, extra)
    client = client_for(years.office)
    # session, user, roles, the plans; the published tables of both years; per
    # plan the engine's three: criteria (as rows), their tasks summed by the
    # database, the baseline table (one less per plan since the tasks are summed);
    # the crosswalks of the plans
    with django_assert_num_queries(12):
        response = client.get(URL)
    assert response.status_code == 200


def test_another_organizations_office_sees_none_of_it(years: Years) -> None:
    other = Organization.objects.create(name="Sở Tài chính")
    unit = Unit.objects.create(organization=other, name="Văn phòng STC", is_office=True)
    Plan.objects.create(
        organization=other, year=2024, baseline_year=2023, title="KH STC"
    )
    user = make_user("office_stc", Role.OFFICE, unit)
    body = client_for(user).get(URL).content.decode()
    assert "KH STC" not in body  # its own plan shows by year, not title
    assert "Sở Xây dựng" not in body
    assert "Sở Tài chính" in body
    response = client_for(user).get(f"{URL}?organization={years.organization.pk}")
    assert response.status_code == 404


def test_a_role_without_a_unit_chooses_among_the_organizations(years: Years) -> None:
    Organization.objects.create(name="Sở Tài chính")
    other = Organization.objects.get(name="Sở Tài chính")
    Plan.objects.create(
        organization=other, year=2024, baseline_year=2023, title="KH STC"
    )
    director = make_user("director_x", Role.DIRECTOR)
    body = client_for(director).get(URL).content.decode()
    assert 'name="organization"' in body
    chosen = client_for(director).get(f"{URL}?organization={other.pk}")
    assert chosen.status_code == 200
    assert "Sở Xây dựng</option>" in chosen.content.decode()


def test_someone_without_a_role_gets_nothing(years: Years) -> None:
    outsider = make_user("nobody", None)
    assert client_for(outsider).get(URL).status_code == 403
