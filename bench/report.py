"""The benchmark's report: the machine, the tables of every configuration, the goals
(``bench/goals.py``), written to ``docs/benchmarks.md`` by ``bench/run.py``."""

from __future__ import annotations

import os
import platform
import shutil
import subprocess
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bench.goals import configuration_label, goals_lines

if TYPE_CHECKING:
    from bench.run import Options

WORKERS = 2 * (os.cpu_count() or 1)
CONNECTIONS = 8


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


def _sessions_table(results: dict[str, dict[str, Any]]) -> list[str]:
    """CPU per request of /ping and the warm dashboards under each session engine."""
    rows = []
    for result in results.values():
        engines = (result.get("dashboard_cache") or {}).get("sessions") or {}
        for engine, cpu in engines.items():
            rows.append(
                [
                    configuration_label("", result),
                    engine,
                    *(
                        f"{cpu[f'{n}_cpu_ms']:,.2f} ms"
                        for n in ("ping", "seed", "large")
                    ),
                ]
            )
    if not rows:
        return []
    header = ["configuration", "session engine", "/ping", "seed dashboard, warm"]
    return [
        "",
        "### Session engines: CPU per request (in-process, interleaved)",
        "",
        *_table([*header, "large dashboard, warm"], rows),
    ]


def dashboard_cache_table(results: dict[str, dict[str, Any]]) -> list[str]:
    """The dashboard with its figures' cache emptied before each request (cold) and
    filled (warm), on each cache backend the measuring process had."""
    rows = []
    for result in results.values():
        for backend, sizes in (result.get("dashboard_cache") or {}).items():
            if backend not in ("locmem", "redis"):
                continue  # the sessions' costs: their own table
            if result.get("cache_label") == "Redis" and backend != "redis":
                continue  # the local-memory cache is its own configuration's row
            for size, figures in sizes.items():
                rows.append(
                    [
                        configuration_label("", result),
                        "Redis" if backend == "redis" else "local memory",
                        size,
                        f"{figures['dashboard_cold_ms']:,.1f} ms",
                        f"{figures['dashboard_warm_ms']:,.1f} ms",
                        f"{figures['queries_cold']} / {figures['queries_warm']}",
                    ]
                )
    if not rows:
        return []
    return [
        *_sessions_table(results),
        "",
        "### The dashboard cold (cache emptied) and warm (cached under the plan's "
        "version)",
        "",
        *_table(
            [
                "configuration",
                "cache",
                "plan",
                "cold, median",
                "warm, median",
                "queries (cold / warm)",
            ],
            rows,
        ),
    ]


def tables(results: dict[str, dict[str, Any]]) -> list[str]:
    """The figures of every database, as Markdown tables (printed and written)."""
    lines: list[str] = []
    rows = []
    for db, result in results.items():
        for page in result["pages"]:
            seed, large = page["seed"], page["large"]
            rows.append(
                [
                    configuration_label("", result),
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
    lines += dashboard_cache_table(results)
    lines += ["", "### Appendix import vs openpyxl's bare read (read-only)", ""]
    rows = []
    for result in results.values():
        imp = result["import"]
        rows.append(
            [
                configuration_label("", result),
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
                    configuration_label("", result),
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
                    configuration_label("", result),
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
                configuration_label("", result),
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
                    configuration_label("", result),
                    name,
                    f"{run['rps']:,.1f}",
                    f"{run['p50_ms']:,.1f}",
                    f"{run['p95_ms']:,.1f}",
                    f"{run['p99_ms']:,.1f}",
                    str(run["errors"]),
                    f"{run['requests']:,}",
                    f"{run['of_trivial']:.1%}",
                    f"{run.get('of_signed_in', 0):.1%}",
                ]
            )
    lines += _table(
        [
            "configuration",
            "requests",
            "req/s",
            "p50 ms",
            "p95 ms",
            "p99 ms",
            "errors",
            "requests done",
            "of /healthz's req/s",
            "of the signed-in reference's",
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
        "a signed-in user's session cookie (the two references: `/healthz`, no "
        "sign-in, and `/ping`, a signed-in user's two bytes); posts carry the CSRF token and each "
        "part's current version, each part posted once. The server, the database and "
        "wrk share the same cores.",
        "",
        *tables(results),
        "",
        *goals_lines(results),
        "",
    ]
    if notes:
        text += [notes.rstrip(), ""]
    body = "\n".join(text)
    options.output.parent.mkdir(parents=True, exist_ok=True)
    options.output.write_text(body, encoding="utf-8")
    return body
