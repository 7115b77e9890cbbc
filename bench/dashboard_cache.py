"""The dashboard cold (the figures' cache empty) and warm (the figures cached under
the plan's version), on the local-memory cache and, when ``REDIS_URL`` (or
``CACHE_URL``) names one, on Redis. Called by ``bench.measure.measure_all``; its
result is ``{"locmem": {"seed": {"dashboard_cold_ms": …, "dashboard_warm_ms": …,
"queries_cold": …, "queries_warm": …}, "large": {…}}, "redis": {…}}`` (``redis``
only when there is one), and ``"sessions"``: what each session engine costs /ping and
the warm dashboards (``bench.session_engines``), on the cache configured. The Redis
database named is emptied between runs."""

from __future__ import annotations

import gc
import os
import statistics
import sys
import time
from typing import TYPE_CHECKING, Any

from bench.session_engines import session_engines_measure

if TYPE_CHECKING:
    from django.test import Client


def _cache_settings() -> dict[str, dict[str, Any]]:
    from parplan.settings import cache_from_url

    backends = {"locmem": cache_from_url("CACHE_URL", "")}
    url = os.environ.get("CACHE_URL") or os.environ.get("REDIS_URL") or ""
    if url.startswith("redis"):
        backends["redis"] = cache_from_url("REDIS_URL", url)
    return backends


def _one_size(client: Client, url: str, reps: int) -> dict[str, float | int]:
    from django.core.cache import cache
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def timed(clear: bool) -> float:
        if clear:
            cache.clear()
        gc.collect()
        start = time.perf_counter()
        response = client.get(url)
        took = time.perf_counter() - start
        if response.status_code != 200:
            raise RuntimeError(f"{url} answered {response.status_code}")
        return took

    timed(True)  # warm-up of the code paths, not of the cache
    cold = [timed(True) for _ in range(reps)]
    timed(False)
    warm = [timed(False) for _ in range(reps)]
    cache.clear()
    with CaptureQueriesContext(connection) as cold_queries:
        client.get(url)
    with CaptureQueriesContext(connection) as warm_queries:
        client.get(url)
    return {
        "dashboard_cold_ms": round(statistics.median(cold) * 1000, 2),
        "dashboard_warm_ms": round(statistics.median(warm) * 1000, 2),
        "queries_cold": len(cold_queries),
        "queries_warm": len(warm_queries),
    }


def dashboard_cache_measure(
    *, client: Client, urls: dict[str, str], reps: int
) -> dict[str, Any]:
    """``urls``: the dashboard's URL per size (``seed``, ``large``)."""
    from django.test import override_settings

    result: dict[str, Any] = {}
    for name, backend in _cache_settings().items():
        with override_settings(CACHES={"default": {**backend, "KEY_PREFIX": "bench"}}):
            result[name] = {
                size: _one_size(client, url, reps) for size, url in urls.items()
            }
    for name, sizes in result.items():
        line = ", ".join(
            f"{size} cold {row['dashboard_cold_ms']} ms ({row['queries_cold']} q), "
            f"warm {row['dashboard_warm_ms']} ms ({row['queries_warm']} q)"
            for size, row in sizes.items()
        )
        print(f"    dashboard, {name}: {line}", file=sys.stderr)
    user_id = int(client.session["_auth_user_id"])
    result["sessions"] = session_engines_measure(
        user_id=user_id, urls=urls, reps=reps * 20
    )
    for engine, row in result["sessions"].items():
        print(f"    sessions {engine}: {row} (CPU ms)", file=sys.stderr)
    return result
