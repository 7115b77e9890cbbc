"""The dashboard's reading, aggregated by the database (criteria as rows, each
criterion's tasks summed: ``plan_figures(with_parts=False)``; the tasks themselves:
``plan_tasks(plan, with_parts=False)``), gives the same figures as a plain Python
reference (exact fractions, rounded once) and as the reading with every part, on
random plans: scores, layers (self-assessed, appraised), criteria that do not apply,
tasks with any mix of lead and supporting parts."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from criteria.models import Criterion, Organization
from reports.figures import plan_figures
from reports.plan_rows import plan_task_sums, task_sums_in_order
from reports.plan_tasks import plan_tasks
from tasks.models import Status, Task, TaskUnit, Unit
from tests.factories import plan_build

STATUSES = st.sampled_from(Status.values)
PART = st.tuples(st.sampled_from(TaskUnit.Role.values), st.integers(0, 100), STATUSES)
TASK = st.tuples(
    st.integers(0, 100), STATUSES, st.lists(PART, max_size=3)
)  # own percent, own status, parts (one per unit at most)
SCORE = st.none() | st.decimals(min_value=0, max_value=1, places=2)
LEAF = st.tuples(
    st.decimals(min_value=0, max_value=1, places=2),  # baseline
    st.decimals(min_value=0, max_value=1, places=2),  # target
    st.lists(TASK, max_size=4),
    st.tuples(SCORE, SCORE, st.booleans()),  # self-assessed, appraised, applies
)


def reference_task(
    percent: int, status: str, parts: list[tuple[str, int, str]]
) -> tuple[str, Fraction]:
    """A task's state and progress by the rules in plain Python."""
    leads = [(p, s) for role, p, s in parts if role == TaskUnit.Role.LEAD]
    if not leads:
        return status, Fraction(percent)
    progress = Fraction(sum(p for p, _ in leads), len(leads))
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
    baseline: Decimal, target: Decimal, progresses: list[Fraction]
) -> Decimal:
    """Exact: each progress a fraction, rounded once at the end."""
    if progresses:
        completion = sum(progresses, Fraction(0)) / (100 * len(progresses))
    else:
        completion = Fraction(0) if target > baseline else Fraction(1)
    completion = min(max(completion, Fraction(0)), Fraction(1))
    value = Fraction(baseline) + Fraction(target - baseline) * completion
    thousandths = int(value * 1000 + Fraction(1, 2))  # half up: value ≥ 0 here
    return (Decimal(thousandths) / 1000).quantize(Decimal("0.001"))


@settings(
    max_examples=25,
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
        expected_tasks: dict[int, tuple[str, Fraction]] = {}
        expected_scores: dict[int, Decimal] = {}
        expected_forecasts: dict[int, Decimal] = {}
        expected_open: dict[int, int] = {}
        expected_states = dict.fromkeys(Status.values, 0)
        for criterion, (baseline, target, tasks, layers) in zip(
            rows, leaves, strict=True
        ):
            self_score, appraised, applies = layers
            criterion.baseline_score, criterion.target_score = baseline, target
            criterion.self_score, criterion.appraised_score = self_score, appraised
            criterion.applicable = applies
            criterion.save()
            expected_open[criterion.pk] = 0
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
                expected_states[state] += 1
                expected_open[criterion.pk] += state != Status.DONE
                progresses.append(progress)
            if not applies:
                continue
            expected = reference_expected(baseline, target, progresses)
            expected_scores[criterion.pk] = expected
            expected_forecasts[criterion.pk] = next(
                s for s in (appraised, self_score, expected) if s is not None
            )

        aggregated = plan_tasks(plan, with_parts=False)
        assert {t.pk: (t.state, t.progress_exact) for t in aggregated} == expected_tasks
        assert all(
            t.progress
            == Decimal(t.progress_exact.numerator)
            / Decimal(t.progress_exact.denominator)
            for t in aggregated
        )
        with_parts = plan_tasks(plan)
        assert [(t.pk, t.state, t.progress, t.lead_parts) for t in aggregated] == [
            (t.pk, t.state, t.progress, t.lead_parts) for t in with_parts
        ]
        figures = plan_figures(plan=plan, with_parts=False)
        leaves_shown = [r for r in figures.rows if not r.is_heading]
        assert {r.pk: r.expected for r in leaves_shown if r.applicable} == (
            expected_scores
        )
        assert {r.pk: r.forecast for r in leaves_shown if r.applicable} == (
            expected_forecasts
        )
        assert figures.totals.forecast == sum(expected_forecasts.values(), Decimal(0))
        assert {r.pk: r.open_count for r in leaves_shown} == expected_open
        assert figures.status_counts == expected_states
        assert figures.task_count == len(expected_tasks)
        # the rows' reading and the full reading (every task a row, every part a
        # model instance) agree on every figure
        full = plan_figures(plan=plan)
        assert figures.totals == full.totals
        assert figures.status_counts == full.status_counts
        assert [
            (r.pk, r.completion, r.forecast, r.open_count) for r in figures.rows
        ] == [(r.pk, r.completion, r.forecast, r.open_count) for r in full.rows]
        assert figures.scenarios == full.scenarios
        assert [(p.row.pk, p.remaining) for p in figures.priorities] == [
            (p.row.pk, p.remaining) for p in full.priorities
        ]
        # one criterion at a time in code order, as the self-assessment export reads
        # them: the same sums
        in_order = list(task_sums_in_order(plan))
        assert dict(in_order) == plan_task_sums(plan).by_criterion
        order = [c.pk for c in rows]
        assert [pk for pk, _sums in in_order] == [
            pk for pk in order if pk in dict(in_order)
        ]
        transaction.set_rollback(True)


def test_an_expected_score_exactly_at_a_half_rounds_up_on_both_readings(
    organization: Organization, units: dict[str, Unit]
) -> None:
    """25 % over three lead parts is 8⅓ % done; with a target 0,03 above the
    baseline the expected score is exactly 0,0025: half up, 0,003."""
    pool = [*units.values()]
    pool.append(Unit.objects.create(organization=organization, name="Phòng 3"))
    plan = plan_build(
        organization=organization,
        areas=1,
        criteria_per_area=1,
        subs_per_criterion=0,
        tasks_per_leaf=0,
        units=pool,
    )
    leaf = Criterion.objects.get(plan=plan, max_score__isnull=False)
    leaf.baseline_score, leaf.target_score = Decimal(0), Decimal("0.03")
    leaf.save()
    task = Task.objects.create(criterion=leaf, position=1, text="Nhiệm vụ")
    for unit, percent in zip(pool, [25, 0, 0], strict=True):
        TaskUnit.objects.create(
            task=task, unit=unit, role=TaskUnit.Role.LEAD, percent=percent
        )
    for with_parts in (True, False):
        figures = plan_figures(plan=plan, with_parts=with_parts)
        row = next(r for r in figures.rows if r.pk == leaf.pk)
        assert row.expected == Decimal("0.003")
