"""The plan's figures cached under ``(plan, version)``: ``plan_figures_cached``.

The version (``criteria.plan_version``) moves in the same transaction as any write
to a row the engine reads, so an entry can only be read while its plan is as it was
when the entry was computed: no entry is ever invalidated, a write simply makes the
next read miss. The version is read first, the figures after it: figures computed
after a concurrent write are newer than their key, never older.

Nothing is read from or written to the cache inside a transaction (a request in
``atomic()``, a test's transaction): there the figures could include writes that are
not committed, or miss some that are committed under the same number. A cache that
fails (Redis down) is logged and the figures are computed: never an error page.
"""

from __future__ import annotations

import datetime
import hashlib
import logging
from collections.abc import Callable
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import TypeVar

from django.core.cache import cache
from django.db import connection

from criteria.models import Plan
from criteria.plan_version import plan_version_of
from reports.figures import PlanFigures, plan_figures
from reports.plan_rows import UnitProgress, units_progress
from reports.rules import ZERO
from reports.summaries import DashboardTasks, dashboard_tasks

logger = logging.getLogger(__name__)

T = TypeVar("T")

# An entry is never stale (its key names the version); this only frees the memory
# of versions no one asks for any more.
FIGURES_CACHE_SECONDS = 24 * 3600


def figures_cache_key(
    *,
    plan_id: int,
    version: str,
    peer_change: Decimal,
    with_ranking: bool,
    with_parts: bool,
) -> str:
    change = format(Decimal(peer_change).normalize(), "f")
    # the version names 16 numbers: hashed, so that the key stays short
    stamp = hashlib.blake2b(version.encode(), digest_size=12).hexdigest()
    return f"figures:{plan_id}:{stamp}:{change}:{int(with_ranking)}{int(with_parts)}"


def _version_cached(
    *, plan: Plan, key_of: Callable[[str], str], compute: Callable[[], T], kind: type
) -> T:
    """``compute()``, or what the cache holds for it under the plan's version."""
    if connection.in_atomic_block:
        return compute()
    version = plan_version_of(plan_id=plan.pk)
    if version is None:
        return compute()
    key = key_of(version)
    try:
        cached = cache.get(key)
    except Exception:  # any backend's failure: the figures are computed instead
        logger.warning("figures cache unavailable, computing", exc_info=True)
        return compute()
    if isinstance(cached, kind):
        return cached  # type: ignore[return-value]  # checked by isinstance: a T
    value = compute()
    try:
        cache.set(key, value, FIGURES_CACHE_SECONDS)
    except Exception:
        logger.warning("figures cache unavailable, not stored", exc_info=True)
    return value


def plan_figures_cached(
    *,
    plan: Plan,
    peer_change: Decimal = ZERO,
    with_ranking: bool = True,
    with_parts: bool = True,
) -> PlanFigures:
    """``plan_figures`` with the same arguments, from the cache when the plan's
    version has them: one query (the version) when it does."""
    figures = _version_cached(
        plan=plan,
        key_of=lambda version: figures_cache_key(
            plan_id=plan.pk,
            version=version,
            peer_change=peer_change,
            with_ranking=with_ranking,
            with_parts=with_parts,
        ),
        compute=lambda: plan_figures(
            plan=plan,
            peer_change=peer_change,
            with_ranking=with_ranking,
            with_parts=with_parts,
        ),
        kind=PlanFigures,
    )
    # the caller's plan row: its figures are the cached ones (the version moved
    # with any change of the plan's settings)
    return replace(figures, plan=plan)


@dataclass
class DashboardFigures:
    """What the dashboard shows of a plan on a day, all decided by the plan's rows:
    its figures, the tasks it lists and each unit's progress."""

    figures: PlanFigures
    tasks: DashboardTasks
    units: list[UnitProgress]


def dashboard_figures_cached(
    *,
    plan: Plan,
    peer_change: Decimal,
    today: datetime.date,
    priorities_shown: int,
) -> DashboardFigures:
    """The dashboard's figures, from the cache under the plan's version and the day
    (what is late or due soon changes at midnight): one query when it has them."""

    def compute() -> DashboardFigures:
        figures = plan_figures(plan=plan, peer_change=peer_change, with_parts=False)
        return DashboardFigures(
            figures=figures,
            tasks=dashboard_tasks(
                figures=figures, today=today, priorities_shown=priorities_shown
            ),
            units=units_progress(plan, today),
        )

    def key_of(version: str) -> str:
        figures = figures_cache_key(
            plan_id=plan.pk,
            version=version,
            peer_change=peer_change,
            with_ranking=True,
            with_parts=False,
        )
        return f"dashboard:{figures}:{today.isoformat()}:{priorities_shown}"

    shown = _version_cached(
        plan=plan, key_of=key_of, compute=compute, kind=DashboardFigures
    )
    return replace(shown, figures=replace(shown.figures, plan=plan))
