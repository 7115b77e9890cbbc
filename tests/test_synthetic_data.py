from __future__ import annotations

from io import StringIO

from django.core.management import call_command

from criteria.models import Criterion, Plan
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
    assert 110 <= criteria.count() <= 120
    assert Task.objects.filter(criterion__plan=plan).count() == 300
    assert ProgressUpdate.objects.count() == 900
    assert (
        "dữ liệu tổng hợp" in plan.organization.name
        and "dữ liệu tổng hợp" in plan.title
    )
    assert all("dữ liệu tổng hợp" in p.name for p in PeerRank.objects.all())
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
