"""PAR Plan's benchmark: ``python bench/run.py`` (or ``./dev bench``).

For SQLite and PostgreSQL in turn it builds the seed plan and a large synthetic plan
(2,000 criteria, 10,000 tasks, 50,000 progress updates), measures pages and workbooks
in-process (``bench/measure.py``), then serves the application with gunicorn on
127.0.0.1 and loads it with wrk (``bench/load.lua``). It prints a table and rewrites
``docs/benchmarks.md``. Not part of the test suite; needs ``wrk`` (Debian package) and
a PostgreSQL server at ``BENCH_POSTGRES_URL``
(default ``postgres://postgres@127.0.0.1:5432/parplan_bench``, dropped and recreated).

``--quick`` runs everything at a tiny size on SQLite only and writes
``bench/out/benchmarks-quick.md``: a check that the benchmark still works.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parent.parent
LUA = ROOT / "bench" / "load.lua"
POSTGRES_URL = "postgres://postgres@127.0.0.1:5432/parplan_bench"
# Sync workers, two per core: the views are CPU-bound Python, and the database and
# the load generator share the same two cores.
WORKERS = 2 * (os.cpu_count() or 1)
CONNECTIONS = 8


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


def options_parse(argv: list[str] | None = None) -> Options:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="tiny sizes, SQLite only")
    parser.add_argument("--databases", default="sqlite,postgresql")
    parser.add_argument("--reps", type=int, default=5)
    parser.add_argument("--import-reps", type=int, default=1)
    parser.add_argument("--load-seconds", type=int, default=12)
    parser.add_argument("--output", type=Path, default=None)
    args = parser.parse_args(argv)
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
            time.sleep(1)  # let the workers finish what the last run left queued
            figures[name] = _wrk(base, seconds, env, **lua_env)
            print(f"    {name}: {figures[name]['rps']:.1f} req/s", file=sys.stderr)
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
    trivial = figures["trivial view (/healthz)"]["rps"]
    for row in figures.values():
        row["of_trivial"] = row["rps"] / trivial if trivial else 0.0
    return {"workers": WORKERS, "connections": CONNECTIONS, "runs": figures}


# One database ----------------------------------------------------------------------


def database_run(name: str, options: Options, work: Path) -> dict[str, Any]:
    folder = work / name
    folder.mkdir(parents=True)
    if name == "sqlite":
        url = f"sqlite:///{folder / 'bench.sqlite3'}"
    else:
        url = os.environ.get("BENCH_POSTGRES_URL", POSTGRES_URL)
        _postgres_recreate(url)
    env = _base_env(url, folder)
    print(f"== {name}", file=sys.stderr)
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
    return result


# Report ----------------------------------------------------------------------------


def machine_describe() -> dict[str, str]:
    import django
    import gunicorn
    import openpyxl

    memory = "?"
    meminfo = Path("/proc/meminfo")
    if meminfo.exists():
        kib = int(meminfo.read_text().split("\n")[0].split()[1])
        memory = f"{kib / 1024 / 1024:.1f} GiB"
    wrk = "not installed"
    if shutil.which("wrk"):
        wrk = subprocess.run(
            ["wrk", "-v"], capture_output=True, text=True, check=False
        ).stdout.split(" [")[0]
    return {
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "cores": str(os.cpu_count()),
        "memory": memory,
        "cpu": _cpu_name(),
        "python": platform.python_version(),
        "django": django.__version__,
        "openpyxl": openpyxl.__version__,
        "gunicorn": gunicorn.__version__,
        "wrk": wrk,
    }


def _cpu_name() -> str:
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    return platform.processor() or "?"


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:,.1f} ms"


def _kib(size: float) -> str:
    return f"{size / 1024:,.0f} KiB"


def _table(header: list[str], rows: list[list[str]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |"]
    lines.append("|" + "|".join(" --- " for _ in header) + "|")
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return lines


def tables(results: dict[str, dict[str, Any]]) -> list[str]:
    """The figures of every database, as Markdown tables (printed and written)."""
    lines: list[str] = []
    rows = []
    for db, result in results.items():
        for page in result["pages"]:
            seed, large = page["seed"], page["large"]
            rows.append(
                [
                    result["database"]["name"],
                    page["page"],
                    f"{seed['queries']} / {large['queries']}",
                    _ms(seed["median_s"]),
                    _ms(large["median_s"]),
                    f"{page['ratio']:.1f}×",
                    f"{large['bytes'] / 1024:,.0f} KiB",
                ]
            )
        del db
    lines.append("### Pages: seed plan vs large plan")
    lines.append("")
    lines += _table(
        [
            "database",
            "page",
            "queries (seed / large)",
            "seed, median",
            "large, median",
            "large ÷ seed",
            "large page size",
        ],
        rows,
    )
    lines += ["", "### Appendix import vs openpyxl's bare read (read-only)", ""]
    rows = []
    for result in results.values():
        imp = result["import"]
        rows.append(
            [
                result["database"]["name"],
                f"{imp['rows']:,}",
                _ms(imp["import_s"]),
                _ms(imp["bare_read_s"]),
                f"{imp['ratio']:.1f}×",
            ]
        )
    lines += _table(["database", "rows", "import", "openpyxl read-only", "ratio"], rows)
    lines += [
        "",
        "### Ranking import (dry run, every rank computed) vs openpyxl's bare read",
        "",
    ]
    rows = []
    for result in results.values():
        ranking = result.get("ranking")
        if ranking:
            rows.append(
                [
                    result["database"]["name"],
                    f"{ranking['rows']:,}",
                    _ms(ranking["import_s"]),
                    _ms(ranking["bare_read_s"]),
                    f"{ranking['ratio']:.1f}×",
                ]
            )
    lines += _table(["database", "rows", "import", "openpyxl read-only", "ratio"], rows)
    lines += [
        "",
        "### Self-assessment export vs openpyxl write-only writing the same cells bare",
        "",
    ]
    rows = []
    for result in results.values():
        export = result["export"]
        for size, exp in export.items():
            rows.append(
                [
                    result["database"]["name"],
                    f"{size} ({exp['rows']:,} rows)",
                    _ms(exp["export_s"]),
                    _ms(exp["bare_write_s"]),
                    f"{exp['ratio']:.1f}×",
                    _ms(exp["styled_write_s"]),
                    _kib(exp["export_peak_bytes"]),
                    _kib(exp["bare_peak_bytes"]),
                ]
            )
        seed, large = export["seed"], export["large"]
        added = max(1, large["rows"] - seed["rows"])
        growth = (large["export_peak_bytes"] - seed["export_peak_bytes"]) / added
        bare_growth = (large["bare_peak_bytes"] - seed["bare_peak_bytes"]) / added
        rows.append(
            [
                result["database"]["name"],
                "peak memory per added row",
                "",
                "",
                "",
                "",
                f"{growth / 1024:.2f} KiB",
                f"{bare_growth / 1024:.2f} KiB",
            ]
        )
    lines += _table(
        [
            "database",
            "plan",
            "export",
            "bare write",
            "export ÷ bare",
            "same cells, one style each",
            "export peak memory",
            "bare peak memory",
        ],
        rows,
    )
    lines += ["", "### Under load (gunicorn on 127.0.0.1, wrk)", ""]
    rows = []
    for result in results.values():
        load = result.get("load_figures")
        if not load:
            continue
        for name, run in load["runs"].items():
            rows.append(
                [
                    result["database"]["name"],
                    name,
                    f"{run['rps']:,.1f}",
                    f"{run['p50_ms']:,.1f}",
                    f"{run['p95_ms']:,.1f}",
                    f"{run['p99_ms']:,.1f}",
                    str(run["errors"]),
                    f"{run['requests']:,}",
                    f"{run['of_trivial']:.1%}",
                ]
            )
    lines += _table(
        [
            "database",
            "requests",
            "req/s",
            "p50 ms",
            "p95 ms",
            "p99 ms",
            "errors",
            "requests done",
            "of trivial view's req/s",
        ],
        rows,
    )
    return lines


def report_write(
    options: Options,
    machine: dict[str, str],
    results: dict[str, dict[str, Any]],
    elapsed: float,
    notes: str,
) -> str:
    first = next(iter(results.values()))
    sizes = first["data"]["large_rows"]
    load = first.get("load_figures") or {}
    versions = ", ".join(
        f"{r['database']['name']} {r['database']['version']}" for r in results.values()
    )
    text = [
        "# Benchmarks",
        "",
        "Written by `python bench/run.py` (also `./dev bench`); do not edit the figures "
        "by hand, run it again. The notes at the end are kept from "
        "`bench/notes.md`.",
        "",
        f"- Date: {machine['date']}; whole run {elapsed:.0f} s"
        + (" (quick mode: tiny sizes, not figures to quote)" if options.quick else ""),
        f"- Machine: {machine['cores']} cores ({machine['cpu']}), "
        f"{machine['memory']} memory",
        f"- Python {machine['python']}, Django {machine['django']}, openpyxl "
        f"{machine['openpyxl']}, gunicorn {machine['gunicorn']}, {machine['wrk']}; "
        f"{versions}",
        f"- Seed plan: the department's 2023 plan (fixtures). Large plan (synthetic, "
        f"“dữ liệu tổng hợp”): {sizes['criteria']:,} criteria, {sizes['tasks']:,} "
        f"tasks, {sizes['parts']:,} unit parts, {sizes['updates']:,} progress updates, "
        f"12 units.",
        f"- Times are medians of {options.reps} repetitions after a warm-up "
        f"(import: {options.import_reps} run, each into a new organization), "
        "measured in-process with Django's test client; DEBUG off.",
        f"- Load: gunicorn `--workers {load.get('workers', WORKERS)} --worker-class "
        f"sync` on 127.0.0.1 (two sync workers per core), wrk `-t1 "
        f"-c{load.get('connections', CONNECTIONS)} -d{options.load_seconds}s` with "
        "a signed-in user's session cookie; posts carry the CSRF token and each "
        "part's current version, each part posted once. The server, the database and "
        "wrk share the same cores.",
        "",
        *tables(results),
        "",
    ]
    if notes:
        text += [notes.rstrip(), ""]
    body = "\n".join(text)
    options.output.parent.mkdir(parents=True, exist_ok=True)
    options.output.write_text(body, encoding="utf-8")
    return body


def main(argv: list[str] | None = None) -> None:
    options = options_parse(argv)
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
    results = {}
    with tempfile.TemporaryDirectory(prefix="parplan-bench-") as work:
        for name in options.databases:
            results[name] = database_run(name, options, Path(work))
    notes_file = ROOT / "bench" / "notes.md"
    notes = "" if options.quick else notes_file.read_text(encoding="utf-8")
    elapsed = time.perf_counter() - started
    report_write(options, machine, results, elapsed, notes)
    print("\n".join(tables(results)))
    print(f"\nwritten to {options.output} in {elapsed:.0f} s")


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    main()
