from __future__ import annotations

from decimal import Decimal

import pytest
from django.db.models import Sum

from criteria.models import Criterion, Plan

D = Decimal


def leaf_sums(plan: Plan, prefix: str = "") -> tuple[Decimal, Decimal, Decimal]:
    qs = Criterion.objects.filter(plan=plan, max_score__isnull=False)
    if prefix:
        qs = qs.filter(code__startswith=prefix + ".")
    s = qs.aggregate(m=Sum("max_score"), b=Sum("baseline_score"), t=Sum("target_score"))
    return s["m"], s["b"], s["t"]


def test_the_seed_gives_24_rows_of_which_13_are_scored(seed_plan: Plan) -> None:
    assert Criterion.objects.filter(plan=seed_plan).count() == 24
    assert (
        Criterion.objects.filter(plan=seed_plan, max_score__isnull=False).count() == 13
    )


def test_the_seed_totals_are_15_then_1_65_then_15(seed_plan: Plan) -> None:
    assert leaf_sums(seed_plan) == (D("15"), D("1.65"), D("15"))
    _maximum, baseline, target = leaf_sums(seed_plan)
    assert target - baseline == D("13.35")


@pytest.mark.parametrize(
    ("area", "expected"),
    [
        ("1", (D("5"), D("1.25"), D("5"))),
        ("2", (D("1.5"), D("0"), D("1.5"))),
        ("3", (D("1"), D("0"), D("1"))),
        ("4", (D("7.5"), D("0.4"), D("7.5"))),
    ],
)
def test_each_area_sums_as_the_domain_notes_say(
    seed_plan: Plan, area: str, expected: tuple[Decimal, Decimal, Decimal]
) -> None:
    assert leaf_sums(seed_plan, area) == expected
