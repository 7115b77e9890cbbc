"""Synthetic plans for measuring PAR Plan at province scale.

Everything built here is marked as synthetic: the organization's name says
“dữ liệu tổng hợp”, units and peers too. Shapes follow the seed: areas → criteria →
sub-criteria (some criteria scored at depth 2), one to three lead units per task, a
progress history per part.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from criteria.codes import code_sort_key
from criteria.models import Criterion, Organization, Plan
from parplan.text import normalize_name
from reports.models import PeerRank
from tasks.models import ProgressUpdate, Status, Task, TaskUnit, Unit

SYNTHETIC = "dữ liệu tổng hợp"
STEPS = [
    Decimal("0.25"),
    Decimal("0.5"),
    Decimal("0.75"),
    Decimal("1"),
    Decimal("1.5"),
    Decimal("2"),
]


class SyntheticExists(Exception):
    def __init__(self, organization: Organization) -> None:
        super().__init__(organization.name)
        self.organization = organization


def synthetic_organization_delete(organization: Organization) -> None:
    """Delete a synthetic organization with everything it has (never a real one)."""
    if not organization.is_synthetic:
        raise ValueError(f"{organization} is not synthetic")
    with transaction.atomic():
        Plan.objects.filter(organization=organization).delete()
        organization.delete()


@dataclass
class SyntheticPlan:
    plan: Plan
    criteria: int
    tasks: int
    parts: int
    updates: int


def synthetic_plan_build(
    *,
    criteria: int = 2000,
    tasks: int = 10000,
    updates: int = 50000,
    units: int = 12,
    peers: int = 30,
    year: int = 2023,
    seed: int = 2023,
    name: str | None = None,
    replace: bool = False,
) -> SyntheticPlan:
    """Build one synthetic organization with a plan of exactly ``criteria`` rows and
    its own ranking table of ``peers`` rows (itself included). The same seed builds
    the same data; an organization of that name already there raises SyntheticExists
    unless ``replace`` (and it is synthetic), which deletes it first."""
    rng = random.Random(seed)
    name = name or f"Sở mẫu {seed} ({SYNTHETIC})"
    with transaction.atomic():
        existing = Organization.objects.filter(name=name).first()
        if existing is not None:
            if not (replace and existing.is_synthetic):
                raise SyntheticExists(existing)
            synthetic_organization_delete(existing)
        organization = Organization.objects.create(
            name=name, short_name=f"MAU{seed}", is_synthetic=True
        )
        plan = Plan.objects.create(
            organization=organization,
            year=year,
            baseline_year=year - 1,
            title=f"Kế hoạch cải thiện Chỉ số CCHC năm {year} ({SYNTHETIC})",
        )
        unit_objs = Unit.objects.bulk_create(
            Unit(
                organization=organization,
                name=f"Phòng {i} ({SYNTHETIC})",
                key=f"phòng {i} ({SYNTHETIC})",
                position=i,
                is_office=i == 1,
            )
            for i in range(1, units + 1)
        )
        leaves = _criteria_build(plan, criteria, rng)
        task_objs = _tasks_build(leaves, tasks, rng)
        part_objs = _parts_build(task_objs, unit_objs, rng)
        update_count = _updates_build(part_objs, updates, rng)
        _peers_build(organization, year - 1, peers, rng)
    count = Criterion.objects.filter(plan=plan).count()
    return SyntheticPlan(plan, count, len(task_objs), len(part_objs), update_count)


def _criteria_build(plan: Plan, total: int, rng: random.Random) -> list[Criterion]:
    """Exactly ``total`` rows: about 8 areas, each with criteria, most of them with
    2–3 sub-criteria."""
    areas = max(1, min(8, total // 12))
    rows: list[Criterion] = []
    leaves: list[Criterion] = []

    def add(code: str, leaf: bool) -> Criterion:
        c = Criterion(
            plan=plan,
            code=code,
            title=f"Tiêu chí {code} ({SYNTHETIC})",
            depth=code.count(".") + 1,
            sort_key=code_sort_key(code),
        )
        if leaf:
            c.max_score = rng.choice(STEPS)
            c.baseline_score = (c.max_score * Decimal(rng.randint(0, 4)) / 4).quantize(
                Decimal("0.01")
            )
            c.target_score = c.max_score
            leaves.append(c)
        rows.append(c)
        return c

    base, extra = divmod(total - areas, areas)
    for a in range(1, areas + 1):
        add(str(a), False)
        per_area = base + (1 if a <= extra else 0)  # exactly ``total`` rows in all
        made, c = 0, 0
        while made < per_area:
            c += 1
            subs = rng.choice([0, 2, 3, 3])
            if made + 1 + subs > per_area:
                subs = 0
            add(f"{a}.{c}", subs == 0)
            made += 1
            for s in range(1, subs + 1):
                add(f"{a}.{c}.{s}", True)
                made += 1
    Criterion.objects.bulk_create(rows, batch_size=1000)
    by_code = {c.code: c for c in Criterion.objects.filter(plan=plan)}
    for criterion in by_code.values():
        head, sep, _tail = criterion.code.rpartition(".")
        criterion.parent = by_code[head] if sep else None
    Criterion.objects.bulk_update(by_code.values(), ["parent"], batch_size=1000)
    return [by_code[c.code] for c in leaves]


def _tasks_build(leaves: list[Criterion], total: int, rng: random.Random) -> list[Task]:
    start = date(leaves[0].plan.year, 3, 1)
    tasks = []
    for i in range(total):
        leaf = leaves[i % len(leaves)]
        tasks.append(
            Task(
                criterion=leaf,
                position=i // len(leaves) + 1,
                text=f"Nhiệm vụ {i + 1} của tiêu chí {leaf.code} ({SYNTHETIC})",
                due_date=start + timedelta(days=rng.randint(0, 300)),
            )
        )
    return Task.objects.bulk_create(tasks, batch_size=2000)


def _parts_build(
    tasks: list[Task], units: list[Unit], rng: random.Random
) -> list[TaskUnit]:
    parts = []
    for task in tasks:
        for unit in rng.sample(units, rng.choice([1, 1, 2, 3])):
            percent = rng.choice([0, 0, 25, 50, 75, 100])
            status = (
                Status.DONE
                if percent == 100
                else Status.NOT_STARTED
                if percent == 0
                else Status.IN_PROGRESS
            )
            parts.append(TaskUnit(task=task, unit=unit, percent=percent, status=status))
    return TaskUnit.objects.bulk_create(parts, batch_size=2000)


def _updates_build(parts: list[TaskUnit], total: int, rng: random.Random) -> int:
    now = timezone.now()
    batch: list[ProgressUpdate] = []
    for i in range(total):
        part = parts[i % len(parts)]
        batch.append(
            ProgressUpdate(
                part=part,
                created_at=now - timedelta(hours=rng.randint(1, 24 * 200)),
                status=part.status,
                percent=part.percent,
                old_percent=max(0, part.percent - 25),
                note=f"Cập nhật {i + 1} ({SYNTHETIC})",
            )
        )
        if len(batch) == 5000:
            ProgressUpdate.objects.bulk_create(batch)
            batch = []
    ProgressUpdate.objects.bulk_create(batch)
    return total


def _peers_build(
    organization: Organization, year: int, peers: int, rng: random.Random
) -> None:
    """The organization's own table: ``peers`` rows, its own row last."""
    rows = [
        PeerRank(
            year=year,
            name=f"Đơn vị so sánh {i} ({SYNTHETIC})",
            key=f"đơn vị so sánh {i} ({SYNTHETIC})",
            index=Decimal(rng.randint(70000, 95000)) / 1000,
            source=SYNTHETIC,
            position=i,
            table_of=organization,
        )
        for i in range(1, peers)
    ]
    rows.append(
        PeerRank(
            year=year,
            name=organization.name,
            key=normalize_name(organization.name),
            index=Decimal("80.125"),
            organization=organization,
            source=SYNTHETIC,
            position=peers,
            table_of=organization,
        )
    )
    PeerRank.objects.bulk_create(rows)
