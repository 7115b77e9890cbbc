"""The dashboard's body rendered once per plan version: ``dashboard_body_cached``.

What the dashboard shows of the plan's figures (the totals, charts, tasks, units and
priorities) is rendered without the request: no context processor runs, so no user,
role, CSRF token or message can enter it, and one rendering serves everyone who may
see the plan. The appeals are part of it (a write to an appeal moves the version
too). The page around it, the layout and the year form, is rendered per request.

Its key names the plan's version (so a write makes the next read miss, never a stale
body), the code's edition, the assumed change of peers and the language (through the
figures' key) and the day (what is late or due soon changes at midnight). Like the
figures, nothing is cached inside a transaction, and a failing cache renders the
body instead.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.safestring import SafeString

from criteria.appeals import appeals_summary
from criteria.models import Plan
from reports.charts import area_chart, ranking_chart
from reports.figures import SCENARIO_KEYS, PlanFigures, plan_figures
from reports.figures_cache import cache_version, cached_or_computed, figures_cache_key
from reports.plan_rows import UnitProgress, units_progress
from reports.ranking import ranking_is_illustrative
from reports.summaries import DashboardTasks, attention_rows, dashboard_tasks
from tasks.models import Status

# A dashboard is read at a glance: its lists show the first rows and link to the
# plan tree for the rest (at province scale they would run to thousands of rows).
ATTENTION_SHOWN = 30
PRIORITIES_SHOWN = 20

BODY_TEMPLATES = (
    "reports/_dashboard_figures.html",
    "reports/_dashboard_appeals.html",
    "reports/_dashboard_priorities.html",
)


@dataclass(frozen=True)
class DashboardBody:
    """The body's parts, in the page's order."""

    figures: SafeString  # the totals to the tasks needing attention
    appeals: SafeString
    priorities: SafeString


@dataclass
class DashboardFigures:
    """What the dashboard shows of a plan on a day, all decided by the plan's rows:
    its figures, the tasks it lists and each unit's progress."""

    figures: PlanFigures
    tasks: DashboardTasks
    units: list[UnitProgress]


def dashboard_figures(
    *, plan: Plan, peer_change: Decimal, today: datetime.date, priorities_shown: int
) -> DashboardFigures:
    """Computed each time: only the body rendered from them is cached (storing
    them too would pickle every criterion's figures on each cold page, for no read
    that the body's entry does not already answer)."""
    figures = plan_figures(plan=plan, peer_change=peer_change, with_parts=False)
    return DashboardFigures(
        figures=figures,
        tasks=dashboard_tasks(
            figures=figures, today=today, priorities_shown=priorities_shown
        ),
        units=units_progress(plan, today),
    )


def dashboard_body_key(
    *, plan_id: int, version: str, peer_change: Decimal, today: datetime.date
) -> str:
    figures = figures_cache_key(
        plan_id=plan_id,
        version=version,
        peer_change=peer_change,
        with_ranking=True,
        with_parts=False,
    )
    return f"dashboard-body:{figures}:{today.isoformat()}"


def dashboard_body_render(
    *, plan: Plan, peer_change: Decimal, today: datetime.date
) -> DashboardBody:
    """The body from the figures."""
    shown = dashboard_figures(
        plan=plan,
        peer_change=peer_change,
        today=today,
        priorities_shown=PRIORITIES_SHOWN,
    )
    figures, listed = shown.figures, shown.tasks
    tasks_url = f"{reverse('tasks-list')}?plan={plan.pk}"
    ctx = {
        "plan": plan,
        "figures": figures,
        "scenarios": [
            figures.scenarios[key] for key in SCENARIO_KEYS if key in figures.scenarios
        ],
        "area_chart": area_chart(figures.areas),
        "ranking_chart": ranking_chart(figures),
        "illustrative": ranking_is_illustrative(p.row for p in figures.ranking),
        "statuses": [
            (Status(value), count) for value, count in figures.status_counts.items()
        ],
        "task_count": figures.task_count,
        "attention": attention_rows(listed.attention[:ATTENTION_SHOWN], today),
        "attention_total": len(listed.attention),
        "states": listed.states,
        "tasks_url": tasks_url,
        "priorities": listed.priorities,
        "today": today,
        "units": shown.units,
        "tree_url": f"{reverse('reports-tree')}?year={plan.year}",
        "ranking_url": f"{reverse('reports-ranking')}?year={plan.baseline_year}",
        "appeals": appeals_summary(plan=plan),
    }
    figures_part, appeals, priorities = (
        SafeString(render_to_string(name, ctx)) for name in BODY_TEMPLATES
    )
    return DashboardBody(figures=figures_part, appeals=appeals, priorities=priorities)


def dashboard_body_cached(
    *, plan: Plan, peer_change: Decimal, today: datetime.date
) -> DashboardBody:
    """The body of ``plan``'s dashboard: one query (the version) when the cache has
    it."""
    version = cache_version(plan)
    key = None
    if version is not None:
        key = dashboard_body_key(
            plan_id=plan.pk, version=version, peer_change=peer_change, today=today
        )
    return cached_or_computed(
        key=key,
        compute=lambda: dashboard_body_render(
            plan=plan, peer_change=peer_change, today=today
        ),
        kind=DashboardBody,
    )
