"""Plans of any size, shaped like the seed: areas → criteria → sub-criteria, tasks
led by one to several units. Used where a test needs two data sizes."""

from __future__ import annotations

from decimal import Decimal

from criteria.models import Criterion, Organization, Plan
from tasks.models import Task, TaskUnit, Unit


def plan_build(
    *,
    organization: Organization,
    year: int = 2023,
    areas: int = 2,
    criteria_per_area: int = 2,
    subs_per_criterion: int = 2,
    tasks_per_leaf: int = 1,
    units: list[Unit] | None = None,
) -> Plan:
    """Build a plan with bulk inserts; every leaf has max 1, baseline 0,25, target 1."""
    plan = Plan.objects.create(
        organization=organization,
        year=year,
        baseline_year=year - 1,
        title=f"Kế hoạch {year}",
    )
    units = units or list(Unit.objects.filter(organization=organization))
    if not units:
        units = [Unit.objects.create(organization=organization, name="Văn phòng Sở")]

    def make(code: str, parent: Criterion | None, leaf: bool) -> Criterion:
        c = Criterion(plan=plan, parent=parent, code=code, title=f"Tiêu chí {code}")
        if leaf:
            c.max_score, c.baseline_score, c.target_score = (
                Decimal("1"),
                Decimal("0.25"),
                Decimal("1"),
            )
        c.save()
        return c

    leaves = []
    for a in range(1, areas + 1):
        area = make(str(a), None, False)
        for c in range(1, criteria_per_area + 1):
            crit = make(f"{a}.{c}", area, subs_per_criterion == 0)
            if subs_per_criterion == 0:
                leaves.append(crit)
            for s in range(1, subs_per_criterion + 1):
                leaves.append(make(f"{a}.{c}.{s}", crit, True))
    tasks = [
        Task(criterion=leaf, position=p, text=f"Nhiệm vụ {leaf.code}/{p}")
        for leaf in leaves
        for p in range(1, tasks_per_leaf + 1)
    ]
    Task.objects.bulk_create(tasks)
    tasks = list(Task.objects.filter(criterion__plan=plan).order_by("pk"))
    parts = []
    for i, task in enumerate(tasks):
        for k in range(1 + i % min(3, len(units))):
            parts.append(TaskUnit(task=task, unit=units[(i + k) % len(units)]))
    TaskUnit.objects.bulk_create(parts, ignore_conflicts=True)
    return plan
