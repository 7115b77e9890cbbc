"""``manage.py projection``: the engine's figures as JSON or as a readable table."""

from __future__ import annotations

import io
import json
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from criteria.models import Plan
from reports.models import PeerRank
from tasks.models import Status, TaskUnit, Unit

D = Decimal


def projection(*args: str) -> str:
    out = io.StringIO()
    call_command("projection", *args, stdout=out)
    return out.getvalue()


def peers_for(plan: Plan) -> None:
    for position, (name, index, org) in enumerate(
        [
            ("Đơn vị thử A", "90", None),
            ("Đơn vị thử B", "85", None),
            ("Đơn vị thử C", "82.5", None),
            (plan.organization.name, "80", plan.organization),
            ("Đơn vị thử D", "78", None),
        ],
        start=1,
    ):
        PeerRank.objects.create(
            year=2022, name=name, index=D(index), organization=org, position=position
        )


def test_json_gives_the_seed_figures_with_two_places(seed_plan: Plan) -> None:
    data = json.loads(projection("--year", "2023", "--json"))
    assert data["totals"] == {
        "standard": "15.00",
        "baseline": "1.65",
        "target": "15.00",
        "forecast": "1.65",
        "expected": "1.65",
        "gap": "13.35",
        "points_to_recover": "13.35",
        "self": "0.00",
        "appraised": "0.00",
        "survey": "0.00",
        "self_minus_appraised": "0.00",
    }
    assert set(data["scenarios"]) == {"baseline", "forecast", "target"}
    assert data["criteria"]["1.1.1"] == {"forecast": "1.00", "source": "progress"}
    assert set(data["areas"]) == {"1", "2", "3", "4"}
    assert data["areas"]["4"]["baseline"] == "0.40"
    assert data["areas"]["1"]["gap"] == "3.75"
    assert data["scenarios"]["target"] == {
        "total": "15.00",
        "index": None,
        "rank": None,
        "places_gained": None,
    }
    assert data["baseline_rank"] is None
    assert data["goal_met"] is False
    assert data["points_needed"] is None


def test_json_gives_index_rank_places_and_points_needed(
    seed_plan: Plan, units: dict[str, Unit]
) -> None:
    peers_for(seed_plan)
    TaskUnit.objects.filter(
        task__criterion__plan=seed_plan, task__criterion__code="1.3"
    ).update(percent=100, status=Status.DONE)
    data = json.loads(projection("--json"))
    assert data["baseline_index"] == "80.00"
    assert data["baseline_rank"] == 4
    assert data["scenarios"]["baseline"] == {
        "total": "1.65",
        "index": "80.00",
        "rank": 4,
        "places_gained": 0,
    }
    assert data["scenarios"]["forecast"]["index"] == "82.00"
    assert data["scenarios"]["forecast"]["rank"] == 4
    assert data["scenarios"]["target"]["rank"] == 1
    assert data["places_gained"] == 0
    assert data["goal_met"] is False
    assert data["points_needed"] == "5.00"
    assert isinstance(data["baseline_rank"], int)


def test_the_assumed_change_of_peers_is_an_option(seed_plan: Plan) -> None:
    peers_for(seed_plan)
    data = json.loads(projection("--json", "--peer-change", "2,5"))
    assert data["peer_change"] == "2.50"
    assert data["scenarios"]["baseline"]["rank"] == 5  # 78 + 2,5 passes 80
    assert data["points_needed"] == "7.50"  # second peer at 87,5


def test_without_json_it_prints_a_readable_table(seed_plan: Plan) -> None:
    peers_for(seed_plan)
    text = projection("--year", "2023")
    assert "Tổng" in text and "13,35" in text and "1,65" in text
    assert "Đạt toàn bộ mục tiêu" in text
    assert "hạng 4/5" in text
    assert "chưa đạt" in text


def test_an_unknown_year_is_a_clear_error(seed_plan: Plan) -> None:
    with pytest.raises(CommandError, match="Không có kế hoạch năm 2030"):
        projection("--year", "2030")


def test_a_bad_peer_change_is_a_clear_error(seed_plan: Plan) -> None:
    with pytest.raises(CommandError, match="--peer-change"):
        projection("--peer-change", "nhiều")
