"""One forecast the whole product agrees on (reports/forecast.py, reports/figures.py):
the score layers of a criterion, the forecast that picks the best one known, and the
headline, scenarios, JSON and dashboard that all come from it."""

from __future__ import annotations

import dataclasses
import io
import json
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from criteria.models import Criterion, Plan
from reports.figures import plan_figures
from reports.forecast import SUMMED, Sums, expected_score
from reports.models import PeerRank
from tests.helpers import client_for

D = Decimal
SELF_SCORES = {"1.1.1": D("1.5"), "1.2.1": D("0.25"), "4.1.1": D("1.81")}
PEERS = [("A", "90"), ("B", "84"), ("C", "82.5"), ("D", "81"), ("E", "75")]


def set_scores(plan: Plan, code: str, **values: object) -> None:
    Criterion.objects.filter(plan=plan, code=code).update(**values)


def ranked(plan: Plan) -> None:
    PeerRank.objects.create(
        year=2022,
        name=plan.organization.name,
        index=D("80"),
        organization=plan.organization,
    )
    for position, (name, index) in enumerate(PEERS, start=1):
        PeerRank.objects.create(
            year=2022, name=f"Đơn vị thử {name}", index=D(index), position=position
        )


HUNDRED = D(100)


def index_after(change: Decimal, scale: Decimal = HUNDRED) -> Decimal:
    return (D(80) + change * 100 / scale).quantize(D("0.001"), ROUND_HALF_UP)


def rank_of(index: Decimal) -> int:
    return 1 + sum(D(i) > index for _n, i in PEERS)


def test_the_self_assessment_is_the_forecast_and_the_headline_follows_it(
    seed_plan: Plan,
) -> None:
    ranked(seed_plan)
    for code, score in SELF_SCORES.items():
        set_scores(seed_plan, code, self_score=score)
    figures = plan_figures(plan=seed_plan)
    # 1.1.1 +0,5 over its baseline 1; 1.2.1 ±0; 4.1.1 +1,81: 2,31 on 1,65.
    assert figures.totals.forecast == D("3.96")
    forecast = figures.scenarios["forecast"]
    assert forecast.change == D("2.31")
    assert forecast.index == index_after(D("2.31")) == D("82.31")
    assert forecast.rank == rank_of(D("82.31")) == 4  # D (81) passed: +1 place
    assert figures.places_gained == forecast.places_gained == 1
    assert figures.goal_met is False
    # Rank 3 (+2) needs C's 82,5: 2,5 points; the self-assessment already adds 2,31.
    assert figures.points_needed == D("2.50")
    assert figures.points_short == D("0.19")
    # The priority list counts what is still to earn on the forecast.
    priority = next(p for p in figures.priorities if p.row.code == "4.1.1")
    assert priority.remaining == D("2") - D("1.81")


def test_the_dashboard_json_and_headline_say_the_same(
    seed_plan: Plan, director: User
) -> None:
    ranked(seed_plan)
    for code, score in SELF_SCORES.items():
        set_scores(seed_plan, code, self_score=score)
    out = io.StringIO()
    call_command("projection", "--json", stdout=out)
    data = json.loads(out.getvalue())
    assert data["scenarios"]["forecast"]["index"] == "82.31"
    assert data["scenarios"]["forecast"]["places_gained"] == data["places_gained"] == 1
    assert data["criteria"]["4.1.1"] == {"forecast": "1.81", "source": "self"}
    assert data["criteria"]["1.3"]["source"] == "progress"
    html = client_for(director).get(reverse("reports-dashboard")).content.decode()
    assert 'data-figure="scenarios.forecast.index">82,31<' in html
    assert 'data-places="1">tăng 1 bậc<' in html
    assert 'data-figure="goal_met" data-value="false"' in html
    assert 'data-figure="totals.forecast">3,96<' in html
    assert 'data-figure="totals.gap">11,04<' in html  # 15 − 3,96
    assert 'data-figure="totals.points_to_recover">13,35<' in html  # 15 − 1,65
    assert 'id="forecast-rule"' in html


def test_an_appraised_score_overrides_the_self_assessment_and_shows_the_over_claim(
    seed_plan: Plan,
) -> None:
    set_scores(seed_plan, "1.1.1", self_score=D("1.5"), appraised_score=D("1.25"))
    figures = plan_figures(plan=seed_plan)
    row = next(r for r in figures.rows if r.code == "1.1.1")
    assert (row.forecast, row.forecast_source) == (D("1.25"), "appraised")
    assert figures.totals.over_claim == D("0.25")
    assert figures.totals.self_total == D("1.5")
    assert figures.scenarios["self"].total == D("1.65") + D("0.5")
    assert figures.scenarios["forecast"].total == D("1.65") + D("0.25")
    # After an explanation the council's final score is the one that counts.
    set_scores(seed_plan, "1.1.1", final_score=D("1.5"))
    row = next(r for r in plan_figures(plan=seed_plan).rows if r.code == "1.1.1")
    assert (row.forecast, row.forecast_source) == (D("1.5"), "appraised")


def test_a_survey_criterion_is_forecast_by_its_survey_score(seed_plan: Plan) -> None:
    set_scores(
        seed_plan, "4.1.1", method=Criterion.Method.SURVEY, survey_score=D("1.375")
    )
    figures = plan_figures(plan=seed_plan)
    row = next(r for r in figures.rows if r.code == "4.1.1")
    assert (row.forecast, row.forecast_source) == (D("1.375"), "survey")
    assert figures.totals.survey_total == D("1.375")


def test_a_criterion_that_does_not_apply_leaves_the_maximum_and_every_sum(
    seed_plan: Plan,
) -> None:
    ranked(seed_plan)
    na = Criterion.objects.get(plan=seed_plan, code="1.3")
    set_scores(seed_plan, "1.3", applicable=False, not_applicable_reason="Không có")
    figures = plan_figures(plan=seed_plan)
    assert figures.totals.max_score == D("15") - na.max_score
    assert figures.totals.target == D("15") - na.target_score
    assert figures.scale == D("100") - na.max_score
    change = figures.totals.target - figures.totals.baseline
    assert figures.scenarios["target"].index == min(
        index_after(change, figures.scale), D(100)
    )
    out = io.StringIO()
    call_command("projection", "--json", stdout=out)
    data = json.loads(out.getvalue())
    assert data["not_applicable"] == ["1.3"]
    assert "1.3" not in data["criteria"]


# The office enters the layers in the browser -----------------------------------------


def test_the_office_enters_the_appraised_score_and_the_councils_note(
    seed_plan: Plan, office: User
) -> None:
    c = Criterion.objects.get(plan=seed_plan, code="1.1.1")
    url = reverse("criteria-layers", args=[c.pk])
    client = client_for(office)
    assert client.get(url).status_code == 200
    response = client.post(
        url,
        {
            "method": "appraised",
            "applicable": "on",
            "appraised_score": "1,375",
            "final_score": "",
            "appraisal_note": "Thiếu thông báo kết luận quý IV.",
            "survey_score": "",
            "version": c.version,
        },
    )
    assert response.status_code == 302
    c.refresh_from_db()
    assert (c.appraised_score, c.appraisal_note) == (
        D("1.375"),
        "Thiếu thông báo kết luận quý IV.",
    )
    page = client.get(c.get_absolute_url()).content.decode()
    assert "1,375" in page and "Thiếu thông báo kết luận quý IV." in page


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"appraised_score": "3"}, "vượt điểm chuẩn"),
        ({"applicable": ""}, "lý do"),
        ({"method": "survey", "survey_score": "1"}, "không tự chấm"),
    ],
)
def test_a_wrong_layer_is_refused_with_its_reason_and_nothing_changes(
    seed_plan: Plan, office: User, fields: dict[str, str], message: str
) -> None:
    c = Criterion.objects.get(plan=seed_plan, code="1.1.1")
    Criterion.objects.filter(pk=c.pk).update(self_score=D("1"))
    c.refresh_from_db()
    data = {
        "method": "appraised",
        "applicable": "on",
        "appraised_score": "",
        "final_score": "",
        "appraisal_note": "",
        "survey_score": "",
        "version": c.version,
    } | fields
    if not data["applicable"]:
        del data["applicable"]
    response = client_for(office).post(reverse("criteria-layers", args=[c.pk]), data)
    assert response.status_code == 400
    assert message in response.content.decode()
    fresh = Criterion.objects.get(pk=c.pk)
    assert (fresh.appraised_score, fresh.applicable, fresh.method) == (
        None,
        True,
        "appraised",
    )


def test_a_stale_layers_form_is_refused(seed_plan: Plan, office: User) -> None:
    c = Criterion.objects.get(plan=seed_plan, code="1.1.1")
    data = {
        "method": "appraised",
        "applicable": "on",
        "appraised_score": "1",
        "final_score": "",
        "appraisal_note": "",
        "survey_score": "",
        "version": c.version - 1 if c.version > 1 else c.version + 5,
    }
    response = client_for(office).post(reverse("criteria-layers", args=[c.pk]), data)
    assert response.status_code == 409
    assert Criterion.objects.get(pk=c.pk).appraised_score is None


@pytest.mark.parametrize("role", ["director", "viewer", "head_office", "outsider"])
def test_only_the_office_enters_the_layers(
    seed_plan: Plan, role: str, request: pytest.FixtureRequest
) -> None:
    user = request.getfixturevalue(role)
    c = Criterion.objects.get(plan=seed_plan, code="1.1.1")
    url = reverse("criteria-layers", args=[c.pk])
    assert client_for(user).get(url).status_code == 403
    response = client_for(user).post(url, {"appraised_score": "1", "version": 1})
    assert response.status_code == 403
    assert Criterion.objects.get(pk=c.pk).appraised_score is None


_SCORES = st.decimals(min_value=0, max_value=100, places=3, allow_nan=False)


def _half_up_reference(value: Fraction) -> Decimal:
    """``value`` to 0,001, half away from zero, in exact fractions."""
    steps = value * 1000
    whole = int(abs(steps) + Fraction(1, 2))
    return (Decimal(whole if steps >= 0 else -whole) / 1000).quantize(Decimal("0.001"))


@pytest.mark.parametrize(
    ("baseline", "target", "done", "whole", "expected"),
    [
        ("0", "1", 1, 3, "0.333"),
        ("0", "1", 2, 3, "0.667"),
        ("0", "0.001", 1, 2, "0.001"),  # half a step: away from zero
        ("1", "0", 1, 2, "0.5"),  # a target below the baseline
        ("0.25", "2", 0, 1, "0.25"),
        ("0.25", "2", 1, 1, "2"),
    ],
)
def test_the_expected_score_is_exact_before_it_is_rounded(
    baseline: str, target: str, done: int, whole: int, expected: str
) -> None:
    assert expected_score(D(baseline), D(target), done, whole) == D(expected)


@given(
    baseline=_SCORES,
    target=_SCORES,
    whole=st.integers(min_value=1, max_value=10**6),
    share=st.fractions(min_value=0, max_value=1),
)
def test_the_expected_score_in_whole_numbers_is_the_fractions_one(
    baseline: Decimal, target: Decimal, whole: int, share: Fraction
) -> None:
    done = int(share * whole)
    exact = Fraction(baseline) + Fraction(target - baseline) * Fraction(done, whole)
    assert expected_score(baseline, target, done, whole) == _half_up_reference(exact)


def test_adding_sums_adds_every_summed_figure() -> None:
    one = Sums(**dict.fromkeys(SUMMED, 1))  # type: ignore[arg-type]
    total = Sums(**dict.fromkeys(SUMMED, 2))  # type: ignore[arg-type]
    total.add(one)
    assert {name: getattr(total, name) for name in SUMMED} == dict.fromkeys(SUMMED, 3)
    assert set(SUMMED) == {f.name for f in dataclasses.fields(Sums)}
