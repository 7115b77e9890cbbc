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

import hashlib
import logging
from dataclasses import replace
from decimal import Decimal

from django.core.cache import cache
from django.db import connection

from criteria.models import Plan
from criteria.plan_version import plan_version_of
from reports.figures import PlanFigures, plan_figures
from reports.rules import ZERO

logger = logging.getLogger(__name__)

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


def plan_figures_cached(
    *,
    plan: Plan,
    peer_change: Decimal = ZERO,
    with_ranking: bool = True,
    with_parts: bool = True,
) -> PlanFigures:
    """``plan_figures`` with the same arguments, from the cache when the plan's
    version has them: one query (the version) when it does."""

    def compute() -> PlanFigures:
        return plan_figures(
            plan=plan,
            peer_change=peer_change,
            with_ranking=with_ranking,
            with_parts=with_parts,
        )

    if connection.in_atomic_block:
        return compute()
    version = plan_version_of(plan_id=plan.pk)
    if version is None:
        return compute()
    key = figures_cache_key(
        plan_id=plan.pk,
        version=version,
        peer_change=peer_change,
        with_ranking=with_ranking,
        with_parts=with_parts,
    )
    try:
        cached = cache.get(key)
    except Exception:  # any backend's failure: the figures are computed instead
        logger.warning("figures cache unavailable, computing", exc_info=True)
        return compute()
    if isinstance(cached, PlanFigures):
        # the caller's plan row: its figures are the cached ones (the version moved
        # with any change of the plan's settings)
        return replace(cached, plan=plan)
    figures = compute()
    try:
        cache.set(key, figures, FIGURES_CACHE_SECONDS)
    except Exception:
        logger.warning("figures cache unavailable, not stored", exc_info=True)
    return figures
