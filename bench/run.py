"""PAR Plan's benchmark: ``python bench/run.py`` (or ``./dev bench``).

For SQLite and PostgreSQL in turn it builds the seed plan and a large synthetic plan
(2,000 criteria, 10,000 tasks, 50,000 progress updates), measures pages and workbooks
in-process (``bench/measure.py``), then serves the application with gunicorn on
127.0.0.1 and loads it with wrk (``bench/load.lua``). It prints a table and rewrites
``docs/benchmarks.md``. Not part of the test suite; needs ``wrk`` (Debian package) and
a PostgreSQL server at ``BENCH_POSTGRES_URL``
(default ``postgres://postgres@127.0.0.1:5432/parplan_bench``, dropped and recreated).

Each database runs twice: with the default local-memory cache and with Redis
(``REDIS_URL``/``CACHE_URL`` set for the measuring process and the server, database
``BENCH_REDIS_URL``, default ``redis://127.0.0.1:6379/2``) — skipped, and said so,
when Redis does not answer or its client is not installed. The tables, and every
goal of issue 16 with "met" or "missed — why" (``bench/goals.py``), are printed and
written (``bench/report.py``).

``--quick`` runs everything at a tiny size on SQLite only, without Redis, and writes
``bench/out/benchmarks-quick.md``: a check that the benchmark still works.

Every run keeps its figures in ``bench/out/<report>-figures.json``;
``--report-from`` that file rewrites the same report with ``bench/notes.md`` as it is
now (the notes are written after reading a run's figures), measuring nothing.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run as a script: python bench/run.py
    sys.path.insert(0, str(ROOT))

# after the path is set: run as a script, bench/ is not a package yet
from bench.goals import goals_lines  # noqa: E402
from bench.report import (  # noqa: E402
    CONNECTIONS,  # Sync workers, two per core: the views are CPU-bound Python,
    WORKERS,  # and the database and the load generator share the same two cores.
    machine_describe,
    report_write,
    tables,
)

__all__ = ["machine_describe", "options_parse", "report_write", "tables"]

LUA = ROOT / "bench" / "load.lua"
POSTGRES_URL = "postgres://postgres@127.0.0.1:5432/parplan_bench"
REDIS_URL = "redis://127.0.0.1:6379/2"


@dataclass
class Options:
    databases: list[str]
    reps: int
    import_reps: int
    load_seconds: int
    criteria: int
    tasks: int
    updates: int
    output: Path
    quick: bool
    caches: list[str]  # "local", "redis"
    report_from: Path | None = None


def options_parse(argv: list[str] | None = None) -> Options:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="tiny sizes, SQLite only")
    parser.add_argument("--databases", default="sqlite,postgresql")
    parser.add_argument("--reps", type=int, default=5)
    parser.add_argument("--import-reps", type=int, default=1)
    parser.add_argument("--load-seconds", type=int, default=12)
    parser.add_argument("--output", type=Path, default=None)
    parser.add_argument("--caches", default="local,redis")
    parser.add_argument(
        "--report-from",
        type=Path,
        default=None,
        help="rewrite the report from a run's saved figures (its FIGURES file) "
        "with bench/notes.md as it is now, measuring nothing",
    )
    args = parser.parse_args(argv)
    report_from = args.report_from
    if args.quick:
        return Options(
            databases=["sqlite"],
            reps=1,
            import_reps=1,
            load_seconds=1,
            criteria=40,
            tasks=120,
            updates=300,
            output=args.output or ROOT / "bench" / "out" / "benchmarks-quick.md",
            quick=True,
            caches=["local"],
            report_from=report_from,
        )
    return Options(
        databases=args.databases.split(","),
        reps=args.reps,
        import_reps=args.import_reps,
        load_seconds=args.load_seconds,
        criteria=2000,
        tasks=10000,
        updates=50000,
        output=args.output or ROOT / "docs" / "benchmarks.md",
        quick=False,
        caches=args.caches.split(","),
        report_from=report_from,
    )


# Environment -----------------------------------------------------------------------


def _base_env(database_url: str, work: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        DATABASE_URL=database_url,
        DEBUG="0",
        SECRET_KEY="benchmark-only-secret-key",
        SECURE_SSL_REDIRECT="0",
        ALLOWED_HOSTS="127.0.0.1,localhost,testserver",
        LOG_LEVEL="WARNING",
        MEDIA_ROOT=str(work / "media"),
        DB_CONN_MAX_AGE="60",
        PYTHONPATH=str(ROOT),
    )
    return env


def _postgres_recreate(url: str) -> None:
    import psycopg2

    parsed = urlparse(url)
    name = parsed.path.lstrip("/")
    try:
        admin = psycopg2.connect(
            host=parsed.hostname,
            port=parsed.port or 5432,
            user=parsed.username,
            password=parsed.password,
            dbname="postgres",
        )
    except psycopg2.OperationalError as exc:
        raise SystemExit(
            f"PostgreSQL is not reachable at {parsed.hostname}:{parsed.port}: {exc}"
            "Start it, set BENCH_POSTGRES_URL, or run with --databases sqlite."
        ) from exc
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}"')
        cursor.execute(f'CREATE DATABASE "{name}"')
    admin.close()


def redis_missing(url: str) -> str:
    """Why Redis cannot be measured ("" when it can): no client, or no answer."""
    try:
        import redis  # type: ignore[import-not-found,unused-ignore]  # optional
    except ImportError:
        return "the redis client is not installed"
    try:
        redis.Redis.from_url(url, socket_timeout=2).ping()
    except Exception as exc:
        return f"Redis does not answer at {url}: {exc}"
    return ""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# Load ------------------------------------------------------------------------------


def _wait_up(url: str, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError(f"gunicorn did not answer {url}")


def _wait_idle(url: str, seconds: float = 60) -> None:
    """Until ``url`` answers within 50 ms: the requests the last run left queued (a
    slow post keeps a worker for seconds) are done, and measure no other run."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        start = time.monotonic()
        with urllib.request.urlopen(url, timeout=30) as response:
            response.read()
        if time.monotonic() - start < 0.05:
            return
        time.sleep(0.5)


def _wrk(
    base: str, seconds: int, env: dict[str, str], **lua_env: str
) -> dict[str, float]:
    env = {**env, **{f"BENCH_{k.upper()}": v for k, v in lua_env.items()}}
    command = [
        "wrk",
        "-t1",
        f"-c{CONNECTIONS}",
        f"-d{seconds}s",
        "--timeout",
        "30s",
        "-s",
        str(LUA),
        base + "/",
    ]
    out = subprocess.run(
        command, env=env, capture_output=True, text=True, check=True
    ).stdout
    line = next(x for x in out.splitlines() if x.startswith("BENCH_JSON "))
    raw = json.loads(line.removeprefix("BENCH_JSON "))
    errors = sum(raw[k] for k in ("connect", "read", "write", "status", "timeout"))
    return {
        "requests": raw["requests"],
        "rps": raw["requests"] / (raw["duration_us"] / 1e6),
        "p50_ms": raw["p50_us"] / 1000,
        "p95_ms": raw["p95_us"] / 1000,
        "p99_ms": raw["p99_us"] / 1000,
        "errors": errors,
    }


def load_measure(
    env: dict[str, str], load: dict[str, Any], seconds: int
) -> dict[str, Any]:
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "parplan.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(WORKERS),
            "--worker-class",
            "sync",
            "--timeout",
            "60",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
        start_new_session=True,
    )
    try:
        _wait_up(base + "/healthz")
        director, poster = load["director_cookie"], load["poster_cookie"]
        runs = {
            "trivial view (/healthz)": {"mode": "get", "path": "/healthz"},
            "signed-in reference (/ping)": {
                "mode": "get",
                "path": "/ping",
                "cookie": director,
            },
            "dashboard, seed plan": {
                "mode": "get",
                "path": f"/bao-cao/?year={load['seed_year']}",
                "cookie": director,
            },
            "progress posts (large plan)": {
                "mode": "post",
                "cookie": poster,
                "csrf": load["csrf_token"],
                "parts": load["parts_file"],
            },
            # last: its queued requests would delay the next run's first ones
            "dashboard, large plan": {
                "mode": "get",
                "path": f"/bao-cao/?year={load['large_year']}",
                "cookie": director,
            },
        }
        first_part = Path(str(load["parts_file"])).read_text().split()[0]
        warm_ups = [
            {"mode": "get", "path": "/healthz"},
            {"mode": "get", "path": "/ping", "cookie": director},
            {
                "mode": "get",
                "path": runs["dashboard, seed plan"]["path"],
                "cookie": director,
            },
            # the progress form of one part: the post's view, form and template
            {
                "mode": "get",
                "path": f"/nhiem-vu/phan-viec/{first_part}/cap-nhat/",
                "cookie": poster,
            },
        ]
        for lua_env in warm_ups:  # every worker loads its code before measuring
            _wrk(base, 2, env, **lua_env)
        figures = {}
        for name, lua_env in runs.items():
            time.sleep(1)
            _wait_idle(base + "/healthz")
            if name.startswith("dashboard"):
                # Warm, as its goal says: the posts before it moved the large plan's
                # version, and each worker's local-memory cache computes a body once
                # (the cold page is measured in-process).
                _wrk(base, 2, env, **lua_env)
            figures[name] = _wrk(base, seconds, env, **lua_env)
            print(f"    {name}: {figures[name]['rps']:.1f} req/s", file=sys.stderr)
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
    trivial = figures["trivial view (/healthz)"]["rps"]
    signed_in = figures["signed-in reference (/ping)"]["rps"]
    for row in figures.values():
        row["of_trivial"] = row["rps"] / trivial if trivial else 0.0
        row["of_signed_in"] = row["rps"] / signed_in if signed_in else 0.0
    return {"workers": WORKERS, "connections": CONNECTIONS, "runs": figures}


# One database ----------------------------------------------------------------------


def database_run(
    name: str, options: Options, work: Path, *, redis_url: str = ""
) -> dict[str, Any]:
    """One database, with the local-memory cache, or Redis at ``redis_url``."""
    folder = work / (name + ("-redis" if redis_url else ""))
    folder.mkdir(parents=True)
    if name == "sqlite":
        url = f"sqlite:///{folder / 'bench.sqlite3'}"
    else:
        url = os.environ.get("BENCH_POSTGRES_URL", POSTGRES_URL)
        _postgres_recreate(url)
    env = _base_env(url, folder)
    if redis_url:  # the settings read either name
        env.update(REDIS_URL=redis_url, CACHE_URL=redis_url)
        subprocess.run(["redis-cli", "-u", redis_url, "flushdb"], check=False)
    else:
        env.pop("REDIS_URL", None)
        env.pop("CACHE_URL", None)
    print(f"== {name}" + (" with Redis" if redis_url else ""), file=sys.stderr)
    subprocess.run(
        [
            sys.executable,
            "-m",
            "bench.measure",
            "--out",
            str(folder / "measure.json"),
            "--criteria",
            str(options.criteria),
            "--tasks",
            str(options.tasks),
            "--updates",
            str(options.updates),
            "--reps",
            str(options.reps),
            "--import-reps",
            str(options.import_reps),
        ],
        cwd=ROOT,
        env=env,
        check=True,
    )
    result = json.loads((folder / "measure.json").read_text(encoding="utf-8"))
    if shutil.which("wrk"):
        result["load_figures"] = load_measure(env, result["load"], options.load_seconds)
    else:
        result["load_figures"] = None
        print("    wrk not installed: load not measured", file=sys.stderr)
    result["cache_label"] = "Redis" if redis_url else "local memory"
    return result


def figures_path(output: Path) -> Path:
    """Where a run keeps its figures (JSON) beside its report's name, under the
    ignored ``bench/out/``: ``--report-from`` rewrites the report from them after
    the notes are edited, without measuring again."""
    return ROOT / "bench" / "out" / (output.stem + "-figures.json")


@dataclass
class RunFigures:
    """What a run measured, as ``report_write`` takes it and ``--report-from``
    reads it back."""

    machine: dict[str, str]
    results: dict[str, dict[str, Any]]
    elapsed: float
    skipped: str  # why Redis was not measured, or ""

    def save(self, path: Path, options: Options) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        kept = {
            "reps": options.reps,
            "import_reps": options.import_reps,
            "load_seconds": options.load_seconds,
            "quick": options.quick,
            "output": str(options.output),
        }
        saved = {"options": kept, **asdict(self)}
        path.write_text(json.dumps(saved, indent=1), encoding="utf-8")

    @classmethod
    def load(cls, path: Path, options: Options) -> RunFigures:
        """The run saved at ``path``; ``options`` take the run's own."""
        saved = json.loads(path.read_text(encoding="utf-8"))
        for name, value in saved.pop("options").items():
            setattr(options, name, Path(value) if name == "output" else value)
        return cls(**saved)


def _report(options: Options, run: RunFigures) -> None:
    notes_file = ROOT / "bench" / "notes.md"
    notes = "" if options.quick else notes_file.read_text(encoding="utf-8")
    if run.skipped:
        notes = f"Redis was not measured in this run: {run.skipped}.\n\n" + notes
    report_write(options, run.machine, run.results, run.elapsed, notes)
    print("\n".join(tables(run.results)))
    print("\n" + "\n".join(goals_lines(run.results)))
    print(f"\nwritten to {options.output} in {run.elapsed:.0f} s")


def main(argv: list[str] | None = None) -> None:
    options = options_parse(argv)
    if options.report_from is not None:
        _report(options, RunFigures.load(options.report_from, options))
        return
    if not options.quick and shutil.which("wrk") is None:
        raise SystemExit("The load test needs wrk: apt-get install wrk")
    started = time.perf_counter()
    machine = machine_describe()
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
        cwd=ROOT,
        env=_base_env("sqlite://:memory:", ROOT),
        check=True,
    )
    results: dict[str, dict[str, Any]] = {}
    redis_url = os.environ.get("BENCH_REDIS_URL", REDIS_URL)
    skipped = ""
    if "redis" in options.caches:
        skipped = redis_missing(redis_url)
        if skipped:
            print(f"Redis not measured: {skipped}", file=sys.stderr)
    with tempfile.TemporaryDirectory(prefix="parplan-bench-") as work:
        for name in options.databases:
            if "local" in options.caches:
                results[name] = database_run(name, options, Path(work))
            if "redis" in options.caches and not skipped:
                results[f"{name}+redis"] = database_run(
                    name, options, Path(work), redis_url=redis_url
                )
    elapsed = time.perf_counter() - started
    run = RunFigures(machine, results, elapsed, skipped)
    saved = figures_path(options.output)
    run.save(saved, options)
    print(f"figures kept in {saved} (--report-from)", file=sys.stderr)
    _report(options, run)


if __name__ == "__main__":
    main()
