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

A key also names the language (the figures hold the scenarios' labels) and the
code's edition (``code_edition``): a shared cache outlives a deployment.
"""

from __future__ import annotations

import functools
import hashlib
import logging
from collections.abc import Callable
from dataclasses import replace
from decimal import Decimal
from pathlib import Path
from typing import TypeVar

import django
from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.utils.translation import get_language

from criteria.models import Plan
from criteria.plan_version import plan_version_of
from reports.figures import PlanFigures, plan_figures
from reports.rules import ZERO

logger = logging.getLogger(__name__)

T = TypeVar("T")

# An entry is never stale (its key names the version); this only frees the memory
# of versions no one asks for any more.
FIGURES_CACHE_SECONDS = 24 * 3600


# What renders or computes a cached entry: the apps' code, the templates and the
# translations. Part of every key, so that a deployment that changes any of them
# never reads what the code before it stored in a shared cache (Redis outlives a
# restart), whether a pickled row whose class has changed or a page's markup.
EDITION_SOURCES = (
    ("parplan", "**/*.py"),
    ("criteria", "**/*.py"),
    ("tasks", "**/*.py"),
    ("reports", "**/*.py"),
    ("templates", "**/*.html"),
    ("templates", "**/*.txt"),
    ("locale", "**/*.mo"),
)


@functools.cache
def code_edition() -> str:
    """A digest of the files that render or compute what is cached, read once per
    process."""
    digest = hashlib.blake2b(django.get_version().encode(), digest_size=8)
    base = Path(settings.BASE_DIR)
    for folder, pattern in EDITION_SOURCES:
        for path in sorted((base / folder).glob(pattern)):
            digest.update(str(path.relative_to(base)).encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


def version_stamp(version: str) -> str:
    """The version (16 numbers) and the code's edition, hashed: a short key part."""
    text = f"{version}:{code_edition()}"
    return hashlib.blake2b(text.encode(), digest_size=12).hexdigest()


def figures_cache_key(
    *,
    plan_id: int,
    version: str,
    peer_change: Decimal,
    with_ranking: bool,
    with_parts: bool,
) -> str:
    change = format(Decimal(peer_change).normalize(), "f")
    stamp = version_stamp(version)
    # the figures hold words in the language they were computed in (the scenarios'
    # labels)
    kind = f"{int(with_ranking)}{int(with_parts)}"
    return f"figures:{plan_id}:{stamp}:{change}:{kind}:{get_language()}"


def cache_version(plan: Plan) -> str | None:
    """The plan's version, or ``None`` where nothing may be cached: inside a
    transaction, or for a plan without version rows."""
    if connection.in_atomic_block:
        return None
    return plan_version_of(plan_id=plan.pk)


def cached_or_computed(*, key: str | None, compute: Callable[[], T], kind: type) -> T:
    """What the cache holds under ``key`` if it is a ``kind``, else ``compute()``
    (stored under ``key``); ``compute()`` alone when ``key`` is None or the cache
    fails."""
    if key is None:
        return compute()
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
    version = cache_version(plan)
    figures = cached_or_computed(
        key=None
        if version is None
        else figures_cache_key(
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
