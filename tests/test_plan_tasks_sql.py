"""The dashboard's reading of the tasks, aggregated by the database
(``plan_tasks(plan, with_parts=False)``), gives the same figures as a plain Python
reference and as the reading with every part, on random plans."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from criteria.models import Criterion, Organization
from reports.figures import plan_figures
from reports.plan_tasks import plan_tasks
from tasks.models import Status, Task, TaskUnit, Unit
from tests.factories import plan_build

STATUSES = st.sampled_from(Status.values)
PART = st.tuples(st.sampled_from(TaskUnit.Role.values), st.integers(0, 100), STATUSES)
TASK = st.tuples(
    st.integers(0, 100), STATUSES, st.lists(PART, max_size=3)
)  # own percent, own status, parts (one per unit at most)
LEAF = st.tuples(
    st.decimals(min_value=0, max_value=1, places=2),  # baseline
    st.decimals(min_value=0, max_value=1, places=2),  # target
    st.lists(TASK, max_size=4),
)


def reference_task(
    percent: int, status: str, parts: list[tuple[str, int, str]]
) -> tuple[str, Decimal]:
    """A task's state and progress by the rules in plain Python."""
    leads = [(p, s) for role, p, s in parts if role == TaskUnit.Role.LEAD]
    if not leads:
        return status, Decimal(percent)
    progress = Decimal(sum(p for p, _ in leads)) / len(leads)
    statuses = {s for _, s in leads}
    if statuses == {Status.DONE}:
        state = Status.DONE
    elif Status.BLOCKED in statuses:
        state = Status.BLOCKED
    elif statuses == {Status.NOT_STARTED} and not any(p for p, _ in leads):
        state = Status.NOT_STARTED
    else:
        state = Status.IN_PROGRESS
    return state, progress


def reference_expected(
    baseline: Decimal, target: Decimal, progresses: list[Decimal]
) -> Decimal:
    if progresses:
        completion = sum(progresses, Decimal(0)) / (100 * len(progresses))
    else:
        completion = Decimal(0) if target > baseline else Decimal(1)
    completion = min(max(completion, Decimal(0)), Decimal(1))
    return (baseline + (target - baseline) * completion).quantize(
        Decimal("0.001"), rounding=ROUND_HALF_UP
    )


@settings(
    max_examples=20,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(leaves=st.lists(LEAF, min_size=4, max_size=4))
def test_the_database_aggregates_give_the_python_references_figures(
    organization: Organization,
    units: dict[str, Unit],
    leaves: list[tuple[Decimal, Decimal, list[tuple[int, str, list]]]],  # type: ignore[type-arg]
) -> None:
    with transaction.atomic():
        pool = [*units.values()]
        pool.append(Unit.objects.create(organization=organization, name="Phòng 3"))
        plan = plan_build(
            organization=organization,
            areas=2,
            criteria_per_area=2,
            subs_per_criterion=0,
            tasks_per_leaf=0,
            units=pool,
        )
        rows = list(Criterion.objects.filter(plan=plan, max_score__isnull=False))
        rows.sort(key=lambda c: c.sort_key)
        expected_tasks: dict[int, tuple[str, Decimal]] = {}
        expected_scores: dict[int, Decimal] = {}
        for criterion, (baseline, target, tasks) in zip(rows, leaves, strict=True):
            criterion.baseline_score, criterion.target_score = baseline, target
            criterion.save()
            progresses = []
            for position, (percent, status, parts) in enumerate(tasks, start=1):
                task = Task.objects.create(
                    criterion=criterion,
                    position=position,
                    text="Nhiệm vụ",
                    percent=percent,
                    status=status,
                )
                for unit, (role, part_percent, part_status) in zip(
                    pool, parts, strict=False
                ):
                    TaskUnit.objects.create(
                        task=task,
                        unit=unit,
                        role=role,
                        percent=part_percent,
                        status=part_status,
                    )
                state, progress = reference_task(percent, status, parts[: len(pool)])
                expected_tasks[task.pk] = (state, progress)
                progresses.append(progress)
            expected_scores[criterion.pk] = reference_expected(
                baseline, target, progresses
            )

        aggregated = plan_tasks(plan, with_parts=False)
        assert {t.pk: (t.state, t.progress) for t in aggregated} == expected_tasks
        with_parts = plan_tasks(plan)
        assert [(t.pk, t.state, t.progress, t.lead_parts) for t in aggregated] == [
            (t.pk, t.state, t.progress, t.lead_parts) for t in with_parts
        ]
        figures = plan_figures(plan=plan, with_parts=False)
        assert {
            r.pk: r.expected for r in figures.rows if not r.is_heading
        } == expected_scores
        full = plan_figures(plan=plan)
        assert figures.totals == full.totals
        assert [(r.pk, r.completion, r.forecast) for r in figures.rows] == [
            (r.pk, r.completion, r.forecast) for r in full.rows
        ]
        transaction.set_rollback(True)
