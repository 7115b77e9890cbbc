"""What the dashboard and the plan tree summarise from the engine's figures: tasks
needing attention, tasks by status, each unit's progress, and the
figures as the ``projection`` command prints them. Nothing here queries the
database."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.utils import timezone

from reports.figures import PlanFigures
from reports.forecast import Sums
from reports.plan_tasks import TaskFigures
from reports.rules import INDEX_Q, SCORE_Q, ZERO
from tasks.models import Status


@dataclass
class UnitProgress:
    unit_id: int
    name: str
    parts: int = 0
    done: int = 0
    overdue: int = 0
    percent_sum: int = 0
    position: int = 0

    @property
    def percent(self) -> Decimal:
        if not self.parts:
            return ZERO
        return (Decimal(self.percent_sum) / self.parts).quantize(Decimal("0.1"))


def tasks_attention(
    tasks: Iterable[TaskFigures], today: datetime.date | None = None
) -> list[TaskFigures]:
    """Tasks not done that are overdue or due within 14 days, soonest first."""
    today = today or timezone.localdate()
    chosen = [t for t in tasks if t.is_overdue(today) or t.is_due_soon(today)]
    return sorted(chosen, key=lambda t: (t.due_date, t.sort_key, t.position))


def status_counts(tasks: Iterable[TaskFigures]) -> dict[str, int]:
    counts = dict.fromkeys(Status.values, 0)
    for task in tasks:
        counts[task.state] += 1
    return counts


def unit_progress(
    tasks: Iterable[TaskFigures], today: datetime.date | None = None
) -> list[UnitProgress]:
    """Each unit's lead parts: how many, how many done or overdue, mean percent."""
    today = today or timezone.localdate()
    units: dict[int, UnitProgress] = {}
    for task in tasks:
        overdue = bool(task.due_date and task.due_date < today)
        for part in task.lead_parts:
            item = units.get(part.unit_id)
            if item is None:
                item = units[part.unit_id] = UnitProgress(
                    part.unit_id, part.unit_name, position=part.unit_position
                )
            item.parts += 1
            item.percent_sum += part.percent
            if part.status == Status.DONE:
                item.done += 1
            elif overdue:
                item.overdue += 1
    return sorted(units.values(), key=lambda u: (u.position, u.name))


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
