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


STEPS_90_70 = "trên 90%: 2; từ 70% đến 90%: 1; dưới 70%: 0"


@pytest.mark.parametrize(
    ("numerator", "expected"),
    [
        (D("100"), D("2")),
        (D("90.01"), D("2")),
        (D("90"), D("1")),  # “trên 90%” is strictly above: exactly 90 % gives 1
        (D("70"), D("1")),  # “từ 70%” includes 70 %
        (D("69.99"), D("0")),  # “dưới 70%”
        (D("0"), D("0")),
    ],
)
def test_strict_and_inclusive_bands_follow_the_decisions_wording(
    seed_plan: Plan, numerator: Decimal, expected: Decimal
) -> None:
    rule = rule_for(
        seed_plan,
        kind=Kind.STEPS,
        levels=STEPS_90_70,
        numerator=numerator,
        denominator=D("100"),
    )
    assert rule.score() == expected


@pytest.mark.parametrize(
    ("levels", "numerator", "expected"),
    [
        ("> 90: 2; >= 70: 1", D("90"), D("1")),
        ("≥ 90%: 2; ≥ 70%: 1", D("90"), D("2")),
        ("từ 90% trở lên: 2; từ 70% đến dưới 90%: 1", D("89.99"), D("1")),
        ("từ 90% trở lên: 2; từ 70% đến dưới 90%: 1", D("69.99"), D("0")),
        ("90: 2; 70: 1", D("90"), D("2")),  # a bare number is “from”, as before
    ],
)
def test_bands_may_be_written_with_signs_or_words(
    seed_plan: Plan, levels: str, numerator: Decimal, expected: Decimal
) -> None:
    rule = rule_for(
        seed_plan,
        kind=Kind.STEPS,
        levels=levels,
        numerator=numerator,
        denominator=D("100"),
    )
    assert rule.score() == expected


@pytest.mark.parametrize(
    ("option", "expected"),
    [("Kịp thời", D("1")), ("không kịp thời", D("0.5")), ("Không ban hành", D("0"))],
)
def test_steps_named_as_options_give_their_points(
    seed_plan: Plan, option: str, expected: Decimal
) -> None:
    rule = rule_for(
        seed_plan,
        kind=Kind.OPTIONS,
        levels="kịp thời: 1; không kịp thời: 0,5; không ban hành: 0",
        option=option,
    )
    assert rule.score() == expected


@pytest.mark.parametrize(
    ("option", "expected"),
    [
        ("Hoàn thành tốt", D("1.5")),  # 75 % of 2
        ("Hoàn thành", D("1")),
        ("Hoàn thành một phần", D("0.125")),  # 6,25 % of 2
        ("Không hoàn thành", D("0")),
    ],
)
def test_options_written_as_a_share_of_the_maximum(
    seed_plan: Plan, option: str, expected: Decimal
) -> None:
    rule = rule_for(
        seed_plan,
        kind=Kind.OPTIONS,
        levels=(
            "Hoàn thành tốt: 75% số điểm; Hoàn thành: 50 % điểm; "
            "Hoàn thành một phần: 6,25%; Không hoàn thành: 0"
        ),
        option=option,
    )
    assert rule.score() == expected


@pytest.mark.parametrize(
    ("count", "expected"),
    [(5, D("0.5")), (4, D("0.5")), (3, D("0.375")), (2, D("0"))],
)
def test_a_count_ladder_keeps_three_decimals(
    seed_plan: Plan, count: int, expected: Decimal
) -> None:
    rule = rule_for(seed_plan, kind=Kind.LADDER, levels="4: 0,5; 3: 0,375", count=count)
    assert rule.score() == expected


@pytest.mark.parametrize(
    ("count", "cap", "expected"),
    [
        (1, D("2"), D("0.5")),
        (3, D("2"), D("1.5")),
        (4, D("2"), D("2")),
        (7, D("2"), D("2")),  # “tối đa 2”
        (7, D("1.5"), D("1.5")),
        (7, None, D("2")),  # no cap of its own: the maximum
        (0, D("2"), D("0")),
    ],
)
def test_points_per_item_up_to_a_cap(
    seed_plan: Plan, count: int, cap: Decimal | None, expected: Decimal
) -> None:
    """“0,5 điểm mỗi quy chế, tối đa 2”."""
    rule = rule_for(
        seed_plan, kind=Kind.PER_ITEM, per_item=D("0.5"), cap=cap, count=count
    )
    assert rule.score() == expected


@pytest.mark.parametrize(
    ("numerator", "expected"),
    [
        (D("49.99"), D("0")),  # “dưới 50% không có điểm”
        (D("50"), D("1")),  # exactly 50 % is not below: 50 % × 2
        (D("80"), D("1.6")),
        (D("95"), D("2")),  # full points from 90 %
    ],
)
def test_a_ratio_with_a_floor_scores_nothing_below_it(
    seed_plan: Plan, numerator: Decimal, expected: Decimal
) -> None:
    rule = rule_for(
        seed_plan,
        kind=Kind.RATIO,
        numerator=numerator,
        denominator=D("100"),
        zero_below=D("50"),
        full_at=D("100"),
    )
    if numerator == D("95"):
        rule.full_at = D("90")
    assert rule.score() == expected


FAILURES = "Chậm báo cáo: 0,25; Sai số liệu: 0,5; Không báo cáo: 1"


@pytest.mark.parametrize(
    ("items", "expected"),
    [
        ("", D("2")),
        ("Chậm báo cáo: 2; Sai số liệu: 1", D("1")),  # 2 − 2 × 0,25 − 0,5
        ("chậm báo cáo: 1\nKhông báo cáo: 1", D("0.75")),
        ("Sai số liệu: 3; Không báo cáo: 1", D("0")),  # floored at 0
    ],
)
def test_several_failure_types_each_deduct_their_points_floored_at_zero(
    seed_plan: Plan, items: str, expected: Decimal
) -> None:
    rule = rule_for(seed_plan, kind=Kind.DEDUCTIONS, levels=FAILURES, items=items)
    assert rule.score() == expected


BONUS_PENALTY = "Sáng kiến được công nhận: +0,5; Bị phê bình: -0,25"


@pytest.mark.parametrize(
    ("base", "items", "expected"),
    [
        (None, "Sáng kiến được công nhận: 1", D("0.5")),
        (None, "Sáng kiến được công nhận: 3", D("1")),  # bonus capped at 1
        (D("1"), "Bị phê bình: 1", D("0.75")),
        (D("1"), "Bị phê bình: 3", D("0.5")),  # penalty capped at 0,5
        (D("1"), "Sáng kiến được công nhận: 2; Bị phê bình: 1", D("1.75")),
        (D("1.5"), "Sáng kiến được công nhận: 4", D("2")),  # never above the maximum
        (None, "Bị phê bình: 4", D("0")),  # never below 0
    ],
)
def test_bonus_and_penalty_sections_have_their_own_caps(
    seed_plan: Plan, base: Decimal | None, items: str, expected: Decimal
) -> None:
    rule = rule_for(
        seed_plan,
        kind=Kind.BONUS_PENALTY,
        levels=BONUS_PENALTY,
        bonus_cap=D("1"),
        penalty_cap=D("0.5"),
        base_score=base,
        items=items,
    )
    assert rule.score() == expected


SUB_ITEMS = "Ban hành kế hoạch: 0,5; Tổ chức thực hiện: 1; Báo cáo kết quả: 1"


@pytest.mark.parametrize(
    ("items", "expected"),
    [
        ("Ban hành kế hoạch: 0,5; Tổ chức thực hiện: 0,75", D("1.25")),
        ("Ban hành kế hoạch: 0,125", D("0.125")),
        (
            "Ban hành kế hoạch: 0,5; Tổ chức thực hiện: 1; Báo cáo kết quả: 1",
            D("2"),  # 2,5 capped at the maximum
        ),
    ],
)
def test_sub_items_are_summed_and_capped_at_the_maximum(
    seed_plan: Plan, items: str, expected: Decimal
) -> None:
    rule = rule_for(seed_plan, kind=Kind.SUM, levels=SUB_ITEMS, items=items)
    assert rule.score() == expected


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        (
            {"kind": Kind.STEPS, "levels": "khoảng 90%: 2"},
            "levels",
            "Mức “khoảng 90%” phải là một số hoặc một khoảng như “trên 90%”",
        ),
        (
            {"kind": Kind.STEPS, "levels": "từ 90% đến 70%: 1"},
            "levels",
            "Mức “từ 90% đến 70%”: cận dưới lớn hơn cận trên.",
        ),
        (
            {"kind": Kind.OPTIONS, "levels": "Tốt: 120% số điểm", "option": "Tốt"},
            "levels",
            "Mức “Tốt: 120% số điểm”: phần điểm không quá 100 %.",
        ),
        (
            {"kind": Kind.OPTIONS, "levels": "Tốt: -1", "option": "Tốt"},
            "levels",
            "Mức “Tốt: -1”: điểm không được âm.",
        ),
        (
            {"kind": Kind.LADDER, "levels": "4: 0,0625", "count": 4},
            "levels",
            "có quá 3 chữ số thập phân",
        ),
        (
            {"kind": Kind.DEDUCTIONS, "levels": "Chậm: 0,25; chậm: 0,5"},
            "levels",
            "Mức “chậm” khai báo hai lần.",
        ),
        (
            {"kind": Kind.DEDUCTIONS, "levels": FAILURES, "items": "Trễ hạn: 1"},
            "items",
            "Số liệu “Trễ hạn” không có trong các mức đã khai báo.",
        ),
        (
            {"kind": Kind.DEDUCTIONS, "levels": FAILURES, "items": "Sai số liệu: 1,5"},
            "items",
            "Số liệu “Sai số liệu”: “1,5” có quá 0 chữ số thập phân.",
        ),
        (
            {"kind": Kind.SUM, "levels": SUB_ITEMS, "items": "Ban hành kế hoạch: 0,75"},
            "items",
            "Số liệu “Ban hành kế hoạch”: điểm đạt vượt điểm tối đa của nội dung.",
        ),
        (
            {"kind": Kind.SUM, "levels": SUB_ITEMS, "items": "Báo cáo kết quả 1"},
            "items",
            "cần dạng “mức: điểm”",
        ),
        ({"kind": Kind.PER_ITEM, "count": 3}, "per_item", "Nhập điểm mỗi mục."),
        ({"kind": Kind.PER_ITEM, "per_item": D("0.5")}, "count", "Nhập số lượng."),
    ],
)
def test_unreadable_levels_and_figures_are_named_with_their_reason(
    seed_plan: Plan, fields: dict, field: str, message: str
) -> None:
    with pytest.raises(ValidationError) as caught:
        rule_for(seed_plan, **fields).score()
    assert message in " ".join(caught.value.message_dict[field])


def test_the_admin_refuses_levels_the_kind_cannot_read(seed_plan: Plan) -> None:
    rule = rule_for(seed_plan, kind=Kind.STEPS, levels="trên chín mươi: 2")
    with pytest.raises(ValidationError) as caught:
        rule.full_clean()
    assert "phải là một số" in " ".join(caught.value.message_dict["levels"])
    rule_for(seed_plan, kind=Kind.STEPS, levels=STEPS_90_70).full_clean()


def test_the_office_applies_a_three_decimal_ladder_level(
    seed_plan: Plan, office: User
) -> None:
    criterion = Criterion.objects.get(plan=seed_plan, code="4.1.1")
    response = post(
        client_for(office),
        criterion,
        "apply",
        kind="ladder",
        levels="4: 0,5; 3: 0,375",
        count="3",
    )
    assert response.status_code == 302
    criterion.refresh_from_db()
    assert criterion.self_score == D("0.375")


def test_the_office_applies_failure_types_and_sees_the_figures(
    seed_plan: Plan, office: User
) -> None:
    criterion = Criterion.objects.get(plan=seed_plan, code="4.1.1")
    response = post(
        client_for(office),
        criterion,
        "apply",
        kind="deductions",
        levels=FAILURES,
        items="Chậm báo cáo: 2\r\nSai số liệu: 1",
    )
    assert response.status_code == 302
    criterion.refresh_from_db()
    assert criterion.self_score == D("1")
    page = client_for(office).get(criterion.get_absolute_url()).content.decode()
    assert "Trừ điểm theo từng loại lỗi" in page
    assert "Chậm báo cáo: 2; Sai số liệu: 1" in page


@pytest.mark.parametrize(
    ("fields", "shown"),
    [
        (
            {"kind": "steps", "levels": "từ 90% đến 70%: 1", "numerator": "1"},
            "Mức “từ 90% đến 70%”: cận dưới lớn hơn cận trên.",
        ),
        (
            {"kind": "sum", "levels": SUB_ITEMS, "items": "Kiểm tra: 1"},
            "Số liệu “Kiểm tra” không có trong các mức đã khai báo.",
        ),
        (
            {"kind": "per_item", "per_item": "0,5", "cap": "hai", "count": "1"},
            "Tối đa: “hai” không phải là số.",
        ),
    ],
)
def test_the_page_refuses_bad_levels_or_figures_and_saves_nothing(
    seed_plan: Plan, office: User, fields: dict, shown: str
) -> None:
    criterion = Criterion.objects.get(plan=seed_plan, code="4.1.1")
    response = post(client_for(office), criterion, "apply", **fields)
    assert response.status_code == 400
    assert shown in response.content.decode()
    criterion.refresh_from_db()
    assert criterion.self_score is None
    assert not ScoringRule.objects.exists()


FIELDS_SHOWN = {
    "pass_fail": {"passed"},
    "ratio": {"full_at", "zero_below", "numerator", "denominator"},
    "steps": {"levels", "numerator", "denominator"},
    "ladder": {"levels", "count"},
    "options": {"levels", "option"},
    "deduction": {"per_failure", "count"},
    "deductions": {"levels", "items"},
    "per_item": {"per_item", "cap", "count"},
    "bonus_penalty": {"levels", "bonus_cap", "penalty_cap", "base_score", "items"},
    "sum": {"levels", "items"},
}
ALL_FIGURES = set().union(*FIELDS_SHOWN.values())


@pytest.mark.parametrize(("kind", "shown"), FIELDS_SHOWN.items())
def test_the_page_shows_only_the_fields_the_chosen_kind_needs(
    seed_plan: Plan, office: User, kind: str, shown: set[str]
) -> None:
    criterion = Criterion.objects.get(plan=seed_plan, code="4.1.1")
    response = client_for(office).get(URL.format(pk=criterion.pk), {"kind": kind})
    page = response.content.decode()
    assert response.status_code == 200
    assert f'name="rule-kind" value="{kind}"' in page
    for name in shown:
        assert f'name="rule-{name}"' in page
    for name in ALL_FIGURES - shown:
        assert f'name="rule-{name}"' not in page


def test_the_page_gives_an_example_of_each_kind_without_inline_script(
    seed_plan: Plan, office: User
) -> None:
    criterion = Criterion.objects.get(plan=seed_plan, code="4.1.1")
    page = client_for(office).get(URL.format(pk=criterion.pk)).content.decode()
    assert "Hãy chọn cách chấm trước" in page and 'id="scoring-form"' not in page
    for example in [
        "trên 90%: 2; từ 70% đến 90%: 1; dưới 70%: 0",
        "4: 0,5; 3: 0,375; 2: 0,25",
        "kịp thời: 1; không kịp thời: 0,5; không ban hành: 0",
        "Hoàn thành tốt: 75% số điểm",
        "dưới 50 % không có điểm",
        "Chậm báo cáo: 0,25; Sai số liệu: 0,5",
        "0,5 điểm mỗi quy chế, tối đa 2",
        "Sáng kiến được công nhận: +0,5; Bị phê bình: -0,25",
        "Ban hành kế hoạch: 0,5; Tổ chức thực hiện: 1; Báo cáo kết quả: 0,5",
    ]:
        assert example in page
    assert "js/scoring.js" in page
    assert "<script>" not in page and "onchange" not in page


def test_the_page_opens_on_the_saved_rules_kind_with_its_example(
    seed_plan: Plan, office: User
) -> None:
    rule = rule_for(seed_plan, kind=Kind.PER_ITEM, per_item=D("0.5"), count=2)
    rule.save()
    criterion = rule.criterion
    response = client_for(office).get(URL.format(pk=criterion.pk), {"kind": "nope"})
    page = response.content.decode()
    assert response.status_code == 200
    assert "<h2>Điểm mỗi mục, có mức tối đa</h2>" in page
    assert "Ví dụ: 0,5 điểm mỗi quy chế, tối đa 2" in page
    assert 'name="rule-per_item"' in page and 'value="0,5"' in page
    assert 'name="rule-levels"' not in page
