"""The province's scoring rule of a criterion, and the score it gives for the figures
the office enters (domain.md: “compute the score from the figures entered”)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError

from criteria.models import Criterion, Plan, ScoringRule
from tests.helpers import client_for

D = Decimal
Kind = ScoringRule.Kind


def rule_for(plan: Plan, code: str = "4.1.1", **fields: object) -> ScoringRule:
    """4.1.1 (Tỷ lệ sử dụng văn bản điện tử) has a maximum of 2 points."""
    return ScoringRule(criterion=Criterion.objects.get(plan=plan, code=code), **fields)


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ({"kind": Kind.PASS_FAIL, "passed": True}, D("2")),
        ({"kind": Kind.PASS_FAIL, "passed": False}, D("0")),
        ({"kind": Kind.RATIO, "numerator": D("45"), "denominator": D("50")}, D("1.8")),
        # full points once 90 % is reached
        (
            {
                "kind": Kind.RATIO,
                "numerator": D("45"),
                "denominator": D("50"),
                "full_at": D("90"),
            },
            D("2"),
        ),
        # scores keep three decimals: 1/3 × 2 = 0,667
        ({"kind": Kind.RATIO, "numerator": D("1"), "denominator": D("3")}, D("0.667")),
        (
            {
                "kind": Kind.STEPS,
                "levels": "90: 2; 70: 1",
                "numerator": D("45"),
                "denominator": D("50"),
            },
            D("2"),
        ),
        (
            {
                "kind": Kind.STEPS,
                "levels": "90: 2; 70: 1",
                "numerator": D("40"),
                "denominator": D("50"),
            },
            D("1"),
        ),
        (
            {
                "kind": Kind.STEPS,
                "levels": "90%: 2; 70%: 1",
                "numerator": D("3"),
                "denominator": D("5"),
            },
            D("0"),
        ),
        ({"kind": Kind.LADDER, "levels": "4: 2; 3: 1,5; 2: 1", "count": 3}, D("1.5")),
        ({"kind": Kind.LADDER, "levels": "4: 2; 3: 1,5; 2: 1", "count": 9}, D("2")),
        (
            {
                "kind": Kind.OPTIONS,
                "levels": "Đúng hạn: 2; Trễ hạn: 1; Không báo cáo: 0",
                "option": "trễ  hạn",
            },
            D("1"),
        ),
        ({"kind": Kind.DEDUCTION, "per_failure": D("0.25"), "count": 3}, D("1.25")),
        (
            {"kind": Kind.DEDUCTION, "per_failure": D("0.5"), "count": 10},
            D("0"),
        ),  # floored
    ],
)
def test_each_kind_of_rule_gives_the_provinces_score(
    seed_plan: Plan, fields: dict, expected: Decimal
) -> None:
    assert rule_for(seed_plan, **fields).score() == expected


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        (
            {"kind": Kind.RATIO, "numerator": D("5")},
            "denominator",
            "Cần số đạt và tổng số",
        ),
        (
            {"kind": Kind.RATIO, "numerator": D("60"), "denominator": D("50")},
            "numerator",
            "từ 0 đến tổng số",
        ),
        (
            {
                "kind": Kind.STEPS,
                "levels": "chín mươi: 2",
                "numerator": D("1"),
                "denominator": D("2"),
            },
            "levels",
            "phải là một số",
        ),
        (
            {"kind": Kind.LADDER, "levels": "4 2", "count": 1},
            "levels",
            "cần dạng “mức: điểm”",
        ),
        (
            {"kind": Kind.OPTIONS, "levels": "Đúng hạn: 2", "option": "Muộn"},
            "option",
            "Chọn một trong các lựa chọn",
        ),
        ({"kind": Kind.PASS_FAIL}, "passed", "Chọn đạt hay không đạt"),
    ],
)
def test_a_missing_or_impossible_figure_is_named(
    seed_plan: Plan, fields: dict, field: str, message: str
) -> None:
    with pytest.raises(ValidationError) as caught:
        rule_for(seed_plan, **fields).score()
    assert message in " ".join(caught.value.message_dict[field])


URL = "/ke-hoach/tieu-chi/{pk}/cach-cham/"


def post(client: object, criterion: Criterion, action: str, **fields: str) -> object:
    data = {"rule-version": str(criterion.version), "action": action}
    data.update({f"rule-{k}": v for k, v in fields.items()})
    return client.post(URL.format(pk=criterion.pk), data)


def test_the_office_computes_a_score_without_changing_the_self_assessment(
    seed_plan: Plan, office: User
) -> None:
    criterion = Criterion.objects.get(plan=seed_plan, code="4.1.1")
    response = post(
        client_for(office),
        criterion,
        "compute",
        kind="ratio",
        numerator="45",
        denominator="50",
    )
    assert response.status_code == 200
    assert "Theo cách chấm này: 1,8 / 2 điểm." in response.content.decode()
    criterion.refresh_from_db()
    assert criterion.self_score is None
    assert criterion.scoring_rule.numerator == D("45")


def test_the_office_takes_the_computed_score_as_the_self_assessed_score(
    seed_plan: Plan, office: User
) -> None:
    criterion = Criterion.objects.get(plan=seed_plan, code="4.2.1")
    response = post(
        client_for(office),
        criterion,
        "apply",
        kind="steps",
        levels="50: 1; 30: 0,5",
        numerator="12,5",
        denominator="25",
    )
    assert response.status_code == 302
    criterion.refresh_from_db()
    assert criterion.self_score == D("1")
    page = client_for(office).get(criterion.get_absolute_url()).content.decode()
    assert "Theo mức tỷ lệ (%)" in page and "12,5/25" in page


def test_bad_figures_are_refused_with_the_field_and_nothing_is_written(
    seed_plan: Plan, office: User
) -> None:
    criterion = Criterion.objects.get(plan=seed_plan, code="4.1.1")
    response = post(
        client_for(office),
        criterion,
        "apply",
        kind="ratio",
        numerator="60",
        denominator="50",
    )
    assert response.status_code == 400
    assert "Số đạt phải từ 0 đến tổng số." in response.content.decode()
    criterion.refresh_from_db()
    assert criterion.self_score is None
    assert not ScoringRule.objects.exists()


def test_a_stale_form_cannot_apply_its_score(seed_plan: Plan, office: User) -> None:
    criterion = Criterion.objects.get(plan=seed_plan, code="4.1.1")
    Criterion.objects.filter(pk=criterion.pk).update(
        version=criterion.version + 1, self_score=D("0.5")
    )
    response = post(
        client_for(office), criterion, "apply", kind="pass_fail", passed="true"
    )
    assert response.status_code == 409
    criterion.refresh_from_db()
    assert criterion.self_score == D("0.5")
    assert not ScoringRule.objects.exists()


@pytest.mark.parametrize(
    "who", ["head_office", "head_center", "director", "viewer", "outsider"]
)
def test_only_the_office_enters_scoring_rules(
    request: pytest.FixtureRequest, seed_plan: Plan, who: str
) -> None:
    criterion = Criterion.objects.get(plan=seed_plan, code="4.1.1")
    client = client_for(request.getfixturevalue(who))
    assert client.get(URL.format(pk=criterion.pk)).status_code == 403
    response = post(client, criterion, "apply", kind="pass_fail", passed="true")
    assert response.status_code == 403
    criterion.refresh_from_db()
    assert criterion.self_score is None and not ScoringRule.objects.exists()


def test_a_heading_has_no_scoring_rule(seed_plan: Plan, office: User) -> None:
    heading = Criterion.objects.get(plan=seed_plan, code="4.2")
    assert client_for(office).get(URL.format(pk=heading.pk)).status_code == 404
