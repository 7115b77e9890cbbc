from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from criteria.models import Criterion, Organization, Plan
from demo.setup import demo_load
from reports.models import PeerRank
from tasks.models import ProgressUpdate, Task


def test_generate_demo_data_builds_a_marked_plan_of_the_asked_size(db: None) -> None:
    out = StringIO()
    call_command(
        "generate_demo_data",
        "--criteria",
        "120",
        "--tasks",
        "300",
        "--updates",
        "900",
        stdout=out,
    )
    plan = Plan.objects.get()
    criteria = Criterion.objects.filter(plan=plan)
    assert criteria.count() == 120
    assert Task.objects.filter(criterion__plan=plan).count() == 300
    assert ProgressUpdate.objects.count() == 900
    assert (
        "dữ liệu tổng hợp" in plan.organization.name
        and "dữ liệu tổng hợp" in plan.title
    )
    assert all("dữ liệu tổng hợp" in p.name for p in PeerRank.objects.all())
    assert PeerRank.objects.filter(table_of=plan.organization).count() == 30
    assert plan.organization.is_synthetic
    assert PeerRank.objects.filter(organization=plan.organization).count() == 1


def test_the_synthetic_tree_is_valid_with_parents_and_scored_leaves(db: None) -> None:
    call_command(
        "generate_demo_data",
        "--criteria",
        "60",
        "--tasks",
        "60",
        "--updates",
        "0",
        stdout=StringIO(),
    )
    criteria = list(Criterion.objects.select_related("parent"))
    for c in criteria:
        c.full_clean()
        has_children = any(other.parent_id == c.pk for other in criteria)
        assert c.is_scored != has_children, c.code


@pytest.mark.parametrize("size", [2, 13, 50, 97, 2000])
def test_the_synthetic_plan_has_exactly_the_criteria_asked(db: None, size: int) -> None:
    generate("--criteria", str(size), "--tasks", "5", "--updates", "5", "--seed", "7")
    assert Criterion.objects.count() == size


def generate(*args: str) -> str:
    out = StringIO()
    call_command("generate_demo_data", *args, stdout=out)
    return out.getvalue()


def projection_of(organization: str) -> dict[str, object]:
    out = StringIO()
    call_command("projection", "--organization", organization, "--json", stdout=out)
    return json.loads(out.getvalue())


SMALL = ("--criteria", "40", "--tasks", "50", "--updates", "60", "--peers", "30")


def test_generating_twice_next_to_a_real_plan_leaves_its_projection_alone(
    db: None,
) -> None:
    demo_load(with_users=False)
    real = projection_of("SKHCN")
    assert real["peers"] == 19
    generate(*SMALL)
    with pytest.raises(CommandError, match=r"Đã có .*--replace"):
        generate(*SMALL)
    generate(*SMALL, "--seed", "99")
    assert projection_of("SKHCN") == real
    assert PeerRank.objects.filter(table_of=None).count() == 19
    # the dashboard's plan is still the real one
    assert Plan.objects.current() == Plan.objects.get(organization__is_synthetic=False)
    synthetic = projection_of("MAU2023")
    assert synthetic["peers"] == 30


def test_the_same_seed_builds_the_same_data_and_replace_rebuilds_it(
    db: None,
) -> None:
    def state() -> list[tuple[object, ...]]:
        return sorted(
            Criterion.objects.values_list("code", "max_score", "baseline_score")
        )

    generate(*SMALL)
    first = state()
    generate(*SMALL, "--replace")
    assert state() == first
    assert Organization.objects.count() == 1 and Plan.objects.count() == 1


def test_a_synthetic_plan_never_replaces_a_real_organization(db: None) -> None:
    Organization.objects.create(name="Sở mẫu 2023 (dữ liệu tổng hợp)")
    with pytest.raises(CommandError, match="cơ quan thật"):
        generate(*SMALL, "--replace")
