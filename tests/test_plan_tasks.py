"""The plan's tasks with their unit parts, as the engine and the tree read them
(reports/plan_tasks.py)."""

from __future__ import annotations

from django.db.models import Prefetch

from criteria.models import Plan
from reports.plan_tasks import plan_tasks
from tasks.models import Task, TaskUnit


# Called for by the benchmark's figures (docs/benchmarks.md): the parts are selected
# by a join on the plan, and read as the prefetch gave them.
def test_the_plans_tasks_come_with_their_parts_as_the_prefetch_gave_them(
    seed_plan: Plan, django_assert_num_queries: object
) -> None:
    parts = TaskUnit.objects.select_related("unit").order_by(
        "role", "unit__position", "unit__name"
    )
    prefetched = (
        Task.objects.filter(criterion__plan=seed_plan)
        .order_by("criterion_id", "position")
        .prefetch_related(Prefetch("parts", queryset=parts))
    )
    expected = [
        (t.pk, [(p.pk, p.role, p.unit.name) for p in t.parts.all()]) for t in prefetched
    ]
    # the tasks, their parts with their units
    with django_assert_num_queries(2):
        got = [
            (t.pk, [(p.pk, p.role, p.unit.name) for p in t.parts])
            for t in plan_tasks(seed_plan)
        ]
    assert got == expected
    assert any(len(parts) > 1 for _pk, parts in got)
