"""What the dashboard summarises from the engine's figures: tasks needing attention,
the few tasks the dashboard lists, and the figures as the ``projection`` command
prints them. Only ``dashboard_tasks`` queries the database (two queries: the few
tasks the dashboard lists)."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, replace
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext, ngettext

from reports.figures import PlanFigures, Priority
from reports.forecast import Sums
from reports.plan_tasks import DUE_SOON_DAYS, TaskFigures, plan_tasks
from reports.rules import INDEX_Q, SCORE_Q
from tasks.models import Status, TaskUnit
from tasks.task_states import PartNote, TaskState, task_state_matches


def tasks_attention(
    tasks: Iterable[TaskFigures], today: datetime.date | None = None
) -> list[TaskFigures]:
    """Tasks at risk: blocked, overdue or due within 14 days (not done); blocked and
    overdue first, then by due date. The task list's ``?state=at_risk`` lists the
    same tasks (``tasks.task_states``)."""
    today = today or timezone.localdate()
    chosen = [t for t in tasks if _matches(t, TaskState.AT_RISK, today)]
    far = datetime.date.max
    return sorted(
        chosen,
        key=lambda t: (
            not (t.state == Status.BLOCKED or t.is_overdue(today)),
            t.due_date or far,
            t.sort_key,
            t.position,
        ),
    )


def _matches(task: TaskFigures, state: str, today: datetime.date) -> bool:
    return task_state_matches(
        state, status=task.state, due_date=task.due_date, today=today
    )


@dataclass
class AttentionRow:
    """A task of the dashboard's attention list: late or not, and when it is
    blocked or late, its lead units' last notes as the reason."""

    task: TaskFigures
    late: bool
    reasons: list[PartNote]


def attention_rows(
    tasks: Iterable[TaskFigures], today: datetime.date
) -> list[AttentionRow]:
    rows = []
    for task in tasks:
        late = task.is_overdue(today)
        reasons = (
            [
                PartNote(p.unit_name, p.note, p.updated_at)
                for p in task.lead_parts
                if p.note.strip()
            ]
            if late or task.state == Status.BLOCKED
            else []
        )
        rows.append(AttentionRow(task, late, reasons))
    return rows


def state_counts(tasks: Iterable[TaskFigures], today: datetime.date) -> dict[str, int]:
    """How many tasks are in each state the task list filters by."""
    counts = dict.fromkeys(
        (TaskState.BLOCKED, TaskState.LATE, TaskState.DUE_SOON, TaskState.AT_RISK), 0
    )
    for task in tasks:
        for state in counts:
            counts[state] += _matches(task, state, today)
    return counts


def places_phrase(places: int | None) -> str:
    """Places gained as words: ``tăng 2 bậc``, ``giảm 1 bậc`` for a loss,
    ``giữ nguyên thứ hạng``."""
    if places is None:
        return ""
    if places > 0:
        return ngettext("tăng %(n)d bậc", "tăng %(n)d bậc", places) % {"n": places}
    if places < 0:
        return ngettext("giảm %(n)d bậc", "giảm %(n)d bậc", -places) % {"n": -places}
    return gettext("giữ nguyên thứ hạng")


@dataclass
class DashboardTasks:
    attention: list[TaskFigures]  # blocked, overdue or due soon, those first
    states: dict[str, int]  # how many tasks the task list's state filters give
    priorities: list[Priority]  # the first priorities, with their open tasks


def dashboard_tasks(
    *, figures: PlanFigures, today: datetime.date, priorities_shown: int
) -> DashboardTasks:
    """The only tasks the dashboard lists, read in two queries from the rows'
    reading of the figures: those that may be blocked (their own status or a lead
    part's), those due within 14 days (or overdue) and those of the first
    ``priorities_shown`` priorities. Every task in a state of the attention list is
    among them, so the states' counts are the whole plan's."""
    priorities = figures.priorities[:priorities_shown]
    shown = [p.row.pk for p in priorities]
    soon = today + datetime.timedelta(days=DUE_SOON_DAYS)
    blocked_part = TaskUnit.objects.filter(
        task=OuterRef("pk"), role=TaskUnit.Role.LEAD, status=Status.BLOCKED
    )
    tasks = plan_tasks(
        figures.plan,
        with_parts=False,
        where=Q(criterion_id__in=shown)
        | Q(due_date__lte=soon)
        | Q(status=Status.BLOCKED)
        | Q(Exists(blocked_part)),
    )
    by_pk = {row.pk: row.criterion for row in figures.rows}
    open_by_criterion: dict[int, list[TaskFigures]] = {}
    for task in tasks:
        task.criterion = by_pk.get(task.criterion_id)
        if task.state != Status.DONE:
            open_by_criterion.setdefault(task.criterion_id, []).append(task)
    return DashboardTasks(
        attention=tasks_attention(tasks, today),
        states=state_counts(tasks, today),
        priorities=[
            replace(p, open_tasks=open_by_criterion.get(p.row.pk, []))
            for p in priorities
        ],
    )


def figures_as_dict(figures: PlanFigures) -> dict[str, object]:
    """The figures the ``projection`` command prints as JSON: scores and indices as
    strings with two places or the third they have (``80.00``, ``0.375``,
    ``89.729``), ranks as integers, None as null; each scored criterion's forecast
    and the layer it came from (appraised, survey, self, progress)."""

    def dec(value: Decimal | None) -> str | None:
        """Two places, or the third a score or index has (``1.65``, ``0.375``)."""
        if value is None:
            return None
        three = Decimal(value).quantize(INDEX_Q, rounding=ROUND_HALF_UP)
        if three == three.quantize(SCORE_Q):
            return str(three.quantize(SCORE_Q))
        return str(three)

    def sums(s: Sums) -> dict[str, str | None]:
        return {
            "standard": dec(s.max_score),
            "baseline": dec(s.baseline),
            "target": dec(s.target),
            "forecast": dec(s.forecast),
            "expected": dec(s.expected),
            "gap": dec(s.gap),
            "points_to_recover": dec(s.to_recover),
        }

    def layers(s: Sums) -> dict[str, str | None]:
        return {
            "self": dec(s.self_total),
            "appraised": dec(s.appraised_total),
            "survey": dec(s.survey_total),
            "self_minus_appraised": dec(s.over_claim),
        }

    return {
        "plan": {
            "organization": figures.plan.organization.name,
            "year": figures.plan.year,
            "baseline_year": figures.plan.baseline_year,
            "full_scale": dec(figures.plan.full_scale),
            "rank_goal": figures.plan.rank_goal,
        },
        "peer_change": dec(figures.peer_change),
        "totals": sums(figures.totals) | layers(figures.totals),
        "areas": {row.code: sums(row) for row in figures.areas},
        "criteria": {
            row.code: {
                "forecast": dec(row.forecast),
                "source": row.forecast_source,
            }
            for row in figures.rows
            if not row.is_heading and row.applicable
        },
        "not_applicable": [
            row.code for row in figures.rows if not row.criterion.applicable
        ],
        "scenarios": {
            key: {
                "total": dec(s.total),
                "index": dec(s.index),
                "rank": s.rank,
                "places_gained": s.places_gained,
            }
            for key, s in figures.scenarios.items()
        },
        "baseline_index": dec(figures.baseline_index),
        "baseline_rank": figures.baseline_rank,
        "places_gained": figures.places_gained,
        "goal_met": figures.goal_met,
        "points_needed": dec(figures.points_needed),
        "peers": figures.peer_count,
        "block": figures.block,
        "scale": dec(figures.scale),
    }
