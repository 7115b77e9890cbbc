"""Giải trình, kiến nghị (criteria.appeals, criteria.appeal_views): the office records
the department's explanation or appeal of an appraised score and its outcome; an
accepted one sets the final score (version-checked, with history); the dashboard
shows the points recovered and the appeals still open."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.contrib.auth.models import User

from criteria.models import Appeal, Criterion, Organization, Plan
from tasks.models import Unit
from tests.factories import plan_build
from tests.helpers import client_for

LIST = "/ke-hoach/giai-trinh/"


@pytest.fixture
def appraised(seed_plan: Plan) -> Criterion:
    c = Criterion.objects.get(plan=seed_plan, code="1.2.2")
    Criterion.objects.filter(pk=c.pk).update(
        self_score=c.max_score, appraised_score=Decimal("0.25")
    )
    c.refresh_from_db()
    return c


def post(client: Any, criterion: Criterion, **data: object) -> Any:
    values = {
        "kind": "appeal",
        "text": "Đã có đủ bốn thông báo kết luận, gửi kèm.",
        "outcome": "pending",
        "final_score": "",
        "version": criterion.version,
    } | data
    return client.post(f"/ke-hoach/tieu-chi/{criterion.pk}/giai-trinh/", values)


def test_the_office_records_an_appeal_and_the_dashboard_lists_it_open(
    appraised: Criterion, office: User, director: User
) -> None:
    assert post(client_for(office), appraised).status_code == 302
    appeal = Appeal.objects.get(criterion=appraised)
    assert (appeal.kind, appeal.outcome, appeal.recorded_by) == (
        "appeal",
        "pending",
        office,
    )
    page = client_for(director).get("/bao-cao/").content.decode()
    assert "Đang chờ kết quả" in page and "1.2.2" in page
    assert 'data-figure="appeals_recovered">0<' in page
    listing = client_for(director).get(LIST).content.decode()
    assert "Kiến nghị: Đã có đủ bốn thông báo" in listing and "Đang chờ" in listing


def test_an_accepted_appeal_sets_the_final_score_and_the_points_recovered(
    appraised: Criterion, office: User, director: User
) -> None:
    client = client_for(office)
    post(client, appraised)
    appraised.refresh_from_db()
    response = post(client, appraised, outcome="accepted", final_score="0,5")
    assert response.status_code == 302
    appraised.refresh_from_db()
    assert appraised.final_score == Decimal("0.5")
    assert appraised.history.filter(final_score=Decimal("0.5")).exists()
    page = client_for(director).get("/bao-cao/").content.decode()
    assert 'data-figure="appeals_recovered">0,25<' in page
    assert "Đang chờ kết quả" not in page


def test_accepted_needs_a_final_score_and_only_accepted_takes_one(
    appraised: Criterion, office: User
) -> None:
    client = client_for(office)
    response = post(client, appraised, outcome="accepted")
    assert response.status_code == 400
    assert "cần điểm sau giải trình" in response.content.decode()
    response = post(client, appraised, outcome="rejected", final_score="0,5")
    assert response.status_code == 400
    assert "Chỉ ghi điểm sau giải trình khi" in response.content.decode()
    assert not Appeal.objects.exists()


def test_a_final_score_above_the_maximum_writes_nothing(
    appraised: Criterion, office: User
) -> None:
    response = post(client_for(office), appraised, outcome="accepted", final_score="9")
    assert response.status_code == 400
    assert "vượt điểm chuẩn" in response.content.decode()
    assert not Appeal.objects.exists()


def test_a_stale_form_is_refused_and_nothing_is_written(
    appraised: Criterion, office: User
) -> None:
    stale = appraised.version
    Criterion.objects.filter(pk=appraised.pk).update(version=stale + 1)
    response = post(
        client_for(office), appraised, outcome="accepted", final_score="0,5"
    )
    assert response.status_code == 409
    appraised.refresh_from_db()
    assert appraised.final_score is None
    assert not Appeal.objects.exists()


def test_a_criterion_without_an_appraised_score_has_no_appeal_page(
    seed_plan: Plan, office: User
) -> None:
    c = Criterion.objects.get(plan=seed_plan, code="1.2.2")
    assert (
        client_for(office).get(f"/ke-hoach/tieu-chi/{c.pk}/giai-trinh/").status_code
        == 404
    )


@pytest.mark.parametrize("who", ["director", "head_office", "viewer", "outsider"])
def test_only_the_office_records_appeals(
    appraised: Criterion, who: str, request: pytest.FixtureRequest
) -> None:
    user = request.getfixturevalue(who)
    assert post(client_for(user), appraised).status_code == 403
    assert not Appeal.objects.exists()


def test_the_list_is_read_by_every_role_and_not_by_an_outsider(
    appraised: Criterion, viewer: User, outsider: User
) -> None:
    assert client_for(viewer).get(LIST).status_code == 200
    assert client_for(outsider).get(LIST).status_code == 403


@pytest.mark.parametrize("areas", [1, 6])
def test_the_list_runs_a_fixed_number_of_queries(
    organization: Organization,
    units: dict[str, Unit],
    viewer: User,
    areas: int,
    django_assert_num_queries: Any,
) -> None:
    plan = plan_build(organization=organization, areas=areas)
    leaves = Criterion.objects.filter(plan=plan, max_score__isnull=False)
    leaves.update(appraised_score=Decimal("0.5"))
    for c in leaves:
        Appeal.objects.create(criterion=c, text="Giải trình", outcome="pending")
    client = client_for(viewer)
    client.get(LIST)
    # session, user, groups; the plan; the appraised criteria with their appeals;
    # the role groups of the navigation
    with django_assert_num_queries(5):
        response = client.get(LIST, {"year": plan.year})
    assert response.content.decode().count('id="appeal-') == leaves.count()
