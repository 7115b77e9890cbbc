"""What a session engine costs a signed-in request: /ping and the warm dashboard of
each size, served through Django's WSGI handler (no test client, no server) with the
database's sessions, the cache's (``cached_db``, on the cache configured) and signed
cookies. CPU time of this process, the requests interleaved, so that the other
processes on the machine move every engine's figures alike. Called by
``bench.dashboard_cache.dashboard_cache_measure``; its result is
``{"db": {"ping_cpu_ms": …, "seed_cpu_ms": …, "large_cpu_ms": …}, "cached_db": …,
"signed_cookies": …}``."""

from __future__ import annotations

import io
import statistics
import sys
import time
from typing import Any

ENGINES = ("db", "cached_db", "signed_cookies")


def session_engines_measure(
    *, user_id: int, urls: dict[str, str], reps: int
) -> dict[str, dict[str, float]]:
    """``urls``: the dashboard's URL per size; ``reps`` rounds of every request."""
    from django.conf import settings
    from django.contrib.auth.models import User
    from django.core.handlers.wsgi import WSGIHandler
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections
    from django.test import Client, override_settings
    from django.urls import reverse

    user = User.objects.get(pk=user_id)
    paths = {"ping": reverse("parplan-ping"), **urls}
    servers: dict[str, tuple[WSGIHandler, str]] = {}
    for engine in ENGINES:
        with override_settings(
            SESSION_ENGINE=f"django.contrib.sessions.backends.{engine}"
        ):
            handler = WSGIHandler()  # its session middleware reads the engine now
            client = Client()
            client.force_login(user)
            cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
            token = "b" * 32  # a CSRF cookie, as a browser sends: none is made
            servers[engine] = (
                handler,
                f"{settings.SESSION_COOKIE_NAME}={cookie}; "
                f"{settings.CSRF_COOKIE_NAME}={token}",
            )

    def served(engine: str, path: str) -> float:
        handler, cookie = servers[engine]
        route, _, query = path.partition("?")
        environ: dict[str, Any] = {
            "REQUEST_METHOD": "GET",
            "PATH_INFO": route,
            "QUERY_STRING": query,
            "SERVER_NAME": "127.0.0.1",
            "SERVER_PORT": "80",
            "HTTP_HOST": "127.0.0.1",
            "HTTP_COOKIE": cookie,
            "wsgi.input": io.BytesIO(b""),
            "wsgi.url_scheme": "http",
            "wsgi.errors": sys.stderr,
        }
        status: list[str] = []

        def start_response(line: str, headers: Any, info: Any = None) -> Any:
            status.append(line)

        start = time.process_time()
        b"".join(handler(environ, start_response))
        took = time.process_time() - start
        if not status[0].startswith("200"):
            raise RuntimeError(f"{path} with {engine} sessions answered {status[0]}")
        return took

    runs = [(engine, name) for engine in ENGINES for name in paths]
    times: dict[tuple[str, str], list[float]] = {run: [] for run in runs}
    # As Django's test client does: the connection stays open between requests
    # (a test's transaction lives on it)
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        for engine, name in runs:  # warm: code paths, the figures' cache, the bodies
            for _ in range(3):
                served(engine, paths[name])
        for _ in range(reps):
            for engine, name in runs:
                times[(engine, name)].append(served(engine, paths[name]))
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)
    return {
        engine: {
            f"{name}_cpu_ms": round(statistics.median(times[(engine, name)]) * 1000, 3)
            for name in paths
        }
        for engine in ENGINES
    }
