"""The in-process half of the benchmark: builds the data and measures pages and files.

Run by ``bench/run.py`` once per database (``DATABASE_URL`` chooses it) as
``python -m bench.measure --out FILE.json``; it writes its figures as JSON, plus what
the load generator needs (session cookies, CSRF token, the parts to post to).
Everything it builds is marked “dữ liệu tổng hợp” (synthetic) except the seed plan.
"""

from __future__ import annotations

import argparse
import gc
import io
import json
import os
import secrets
import statistics
import sys
import time
import tracemalloc
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bench.dashboard_cache import dashboard_cache_measure

if TYPE_CHECKING:
    from django.test import Client

# The large plan gets a year of its own, so that ``?year=`` selects it on the
# dashboard and the tree while the seed plan keeps 2023.
LARGE_YEAR = 2031
SEED_YEAR = 2023
PASSWORD = "bench-only-password-42"


@dataclass
class Sizes:
    criteria: int = 2000
    tasks: int = 10000
    updates: int = 50000


@dataclass
class BenchData:
    seed_plan_id: int
    large_plan_id: int
    large_rows: dict[str, int]
    users: dict[str, int] = field(default_factory=dict)


def median_time(run: Callable[[], object], reps: int, *, warm_up: bool = True) -> float:
    """Median wall time of ``reps`` runs of ``run`` (after one warm-up run)."""
    if warm_up:
        run()
    times = []
    for _ in range(reps):
        gc.collect()
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def _statistics_gather() -> None:
    """ANALYZE after the bulk build, as autovacuum would soon after on a server: a
    freshly loaded PostgreSQL database has no statistics, and its plans (a scan of
    every part for one branch) would not be production's. SQLite plans without."""
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


def bench_data_build(*, sizes: Sizes) -> BenchData:
    """The seed plan with its demo users, a large synthetic plan and the bench users:
    a director, a unit head of a seed unit, a unit head of one synthetic unit and one
    of every synthetic unit (who posts progress under load)."""
    from django.contrib.auth.models import Group, User

    from criteria.models import Plan
    from demo.setup import demo_load
    from demo.synthetic import synthetic_plan_build
    from parplan.roles import GROUP_NAMES, Role
    from tasks.models import Membership, TaskUnit, Unit

    seed = demo_load(with_users=True).plan
    built = synthetic_plan_build(
        criteria=sizes.criteria,
        tasks=sizes.tasks,
        updates=sizes.updates,
        year=LARGE_YEAR,
        seed=LARGE_YEAR,
    )
    large = built.plan

    def user(name: str, role: Role, units: list[Unit]) -> User:
        found = User.objects.filter(username=name).first()
        if found is None:
            found = User.objects.create_user(name, password=PASSWORD)
        found.groups.set([Group.objects.get(name=GROUP_NAMES[role])])
        for unit in units:
            Membership.objects.get_or_create(user=found, unit=unit)
        return found

    # The seed unit with the most parts, and the synthetic unit with the most.
    def busiest(plan: Plan) -> Unit:
        counts: dict[int, int] = {}
        for unit_id in TaskUnit.objects.filter(task__criterion__plan=plan).values_list(
            "unit_id", flat=True
        ):
            counts[unit_id] = counts.get(unit_id, 0) + 1
        return Unit.objects.get(pk=max(counts, key=lambda k: counts[k]))

    large_units = list(Unit.objects.filter(organization=large.organization))
    users = {
        "director": user("bench_director", Role.DIRECTOR, []).pk,
        "head_seed": user("bench_head_seed", Role.UNIT_HEAD, [busiest(seed)]).pk,
        "head_large": user("bench_head_large", Role.UNIT_HEAD, [busiest(large)]).pk,
        "poster": user("bench_poster", Role.UNIT_HEAD, large_units).pk,
    }
    _statistics_gather()
    return BenchData(
        seed_plan_id=seed.pk,
        large_plan_id=large.pk,
        large_rows={
            "criteria": built.criteria,
            "tasks": built.tasks,
            "parts": built.parts,
            "updates": built.updates,
        },
        users=users,
    )


def _client_for(user_id: int) -> Client:
    from django.contrib.auth.models import User
    from django.test import Client

    client = Client()
    client.force_login(User.objects.get(pk=user_id))
    return client


def _fetch(client: Client, url: str) -> tuple[int, int]:
    response = client.get(url)
    body = (
        b"".join(response.streaming_content)  # type: ignore[attr-defined]  # django-stubs: a test response is never streaming
        if response.streaming
        else response.content
    )
    return response.status_code, len(body)


def page_urls(data: BenchData) -> list[tuple[str, str, str, str]]:
    """(page, user, seed URL, large URL) for every page the benchmark measures."""
    from django.urls import reverse

    def export(plan_id: int) -> str:
        return reverse("reports-export-self-assessment", args=[plan_id])

    def branch(plan_id: int) -> str:
        """A criterion's branch of the tree, the first with sub-criteria."""
        from criteria.models import Criterion

        row = (
            Criterion.objects.filter(plan_id=plan_id, depth=2, children__isnull=False)
            .order_by("sort_key")
            .first()
        )
        assert row is not None, "the plan has no criterion with sub-criteria"
        return reverse("reports-tree-branch", args=[row.pk])

    dashboard = reverse("reports-dashboard")
    tree = reverse("reports-tree")
    mine = reverse("tasks-mine")
    return [
        (
            "dashboard",
            "director",
            f"{dashboard}?year={SEED_YEAR}",
            f"{dashboard}?year={LARGE_YEAR}",
        ),
        (
            "plan tree",
            "director",
            f"{tree}?year={SEED_YEAR}",
            f"{tree}?year={LARGE_YEAR}",
        ),
        (
            "plan tree branch",
            "director",
            branch(data.seed_plan_id),
            branch(data.large_plan_id),
        ),
        (
            "unit head page",
            "head",
            f"{mine}?plan={data.seed_plan_id}",
            f"{mine}?plan={data.large_plan_id}",
        ),
        (
            "self-assessment export",
            "director",
            export(data.seed_plan_id),
            export(data.large_plan_id),
        ),
    ]


def pages_measure(data: BenchData, *, reps: int) -> list[dict[str, Any]]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    figures = []
    for page, who, small_url, large_url in page_urls(data):
        row: dict[str, Any] = {"page": page}
        for size, url in [("seed", small_url), ("large", large_url)]:
            user_id = (
                data.users[f"head_{size}"] if who == "head" else data.users["director"]
            )
            client = _client_for(user_id)
            status, length = _fetch(client, url)
            if status != 200:
                raise RuntimeError(f"{url} answered {status}")
            with CaptureQueriesContext(connection) as queries:
                _fetch(client, url)
            row[size] = {
                "url": url,
                "queries": len(queries),
                "bytes": length,
                "median_s": median_time(partial(_fetch, client, url), reps),
            }
        row["ratio"] = row["large"]["median_s"] / row["seed"]["median_s"]
        figures.append(row)
    return figures


# Files ------------------------------------------------------------------------------


def _bare_read(data: bytes) -> int:
    import openpyxl

    workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True)
    rows = 0
    for ws in workbook.worksheets:
        for _row in ws.iter_rows(values_only=True):
            rows += 1
    workbook.close()
    return rows


def import_measure(data: BenchData, *, reps: int) -> dict[str, Any]:
    """The large plan's appendix (its own exporter's workbook) imported as a new
    organization's plan, against openpyxl merely reading the file."""
    from criteria.models import Organization, Plan
    from parplan.text import normalize_name
    from reports.plan_workbook import plan_write
    from tasks.appendix.load import appendix_import
    from tasks.models import Unit

    source = Plan.objects.select_related("organization").get(pk=data.large_plan_id)
    buffer = io.BytesIO()
    plan_write(plan=source, output=buffer)
    workbook = buffer.getvalue()
    rows = _bare_read(workbook)
    unit_names = list(
        Unit.objects.filter(organization=source.organization).values_list(
            "name", flat=True
        )
    )
    made = [0]

    def run_import() -> None:
        made[0] += 1
        organization = Organization.objects.create(
            name=f"Sở nhập thử {made[0]} (dữ liệu tổng hợp)"
        )
        Unit.objects.bulk_create(
            Unit(
                organization=organization,
                name=name,
                key=normalize_name(name),
                position=index,
            )
            for index, name in enumerate(unit_names)
        )
        appendix_import(
            organization=organization,
            year=source.year,
            data=workbook,
            filename="phu-luc.xlsx",
        )

    import_s = median_time(run_import, reps, warm_up=False)
    read_s = median_time(lambda: _bare_read(workbook), reps)
    return {
        "rows": rows,
        "bytes": len(workbook),
        "import_s": import_s,
        "bare_read_s": read_s,
        "ratio": import_s / read_s,
    }


def ranking_measure(*, rows: int, reps: int) -> dict[str, object]:
    """A ranking table of ``rows`` synthetic units in two blocks, percent-formatted
    rates, no rank column (every rank computed), imported as a dry run against
    openpyxl merely reading the file: the import must grow linearly with the rows."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    from reports.ranking import ranking_import

    # Write-only: appending and asking ``max_row`` for each row is itself quadratic.
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet()
    sheet.append(["STT", "Tên đơn vị", "Điểm tối đa", "Điểm thẩm định", "Tỷ lệ đạt"])
    for block in ("I. Khối thử A", "II. Khối thử B"):
        sheet.append([block])
        for i in range(rows // 2):
            score = round(60 + (i * 37 % 4000) / 100, 2)
            rate = WriteOnlyCell(sheet, value=score / 100)
            rate.number_format = "0.00%"
            unit = f"{block} đơn vị {i} (dữ liệu tổng hợp)"
            sheet.append([i + 1, unit, 100, score, rate])
    buffer = io.BytesIO()
    workbook.save(buffer)
    data = buffer.getvalue()

    def run_import() -> None:
        ranking_import(year=1990, data=data, filename="xep-hang.xlsx", dry_run=True)

    import_s = median_time(run_import, reps)
    read_s = median_time(lambda: _bare_read(data), reps)
    return {
        "rows": rows,
        "import_s": import_s,
        "bare_read_s": read_s,
        "ratio": import_s / read_s,
    }


def _peak_bytes(run: Callable[[], object]) -> int:
    gc.collect()
    tracemalloc.start()
    try:
        run()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def _bare_write(values: list[list[Any]]) -> None:
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    ws = workbook.create_sheet("bare")
    for row in values:
        ws.append(row)
    workbook.save(io.BytesIO())


def _styled_write(values: list[list[Any]]) -> None:
    """The same cells, each with one shared style (a thin border): what openpyxl
    itself costs for a styled cell, whatever the application does."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Border, Side

    workbook = Workbook(write_only=True)
    ws = workbook.create_sheet("styled")
    thin = Side(style="thin")
    proto = WriteOnlyCell(ws)
    proto.border = Border(left=thin, right=thin, top=thin, bottom=thin)
    for row in values:
        cells = []
        for value in row:
            cell = WriteOnlyCell(ws, value=value)
            cell._style = proto._style  # type: ignore[attr-defined]  # openpyxl's private style array: not in types-openpyxl
            cells.append(cell)
        ws.append(cells)
    workbook.save(io.BytesIO())


def _styles_read(data: bytes) -> tuple[list[list[tuple[Any, int]]], dict[int, Any]]:
    """The cells of a written workbook's sheet as (value, style id), and each style
    id's font, fill, border, alignment and number format."""
    import openpyxl

    book = openpyxl.load_workbook(io.BytesIO(data), read_only=True)
    sheet = book.active
    assert sheet is not None  # the workbook just written has its sheet
    rows: list[list[tuple[Any, int]]] = []
    styles: dict[int, Any] = {}
    for row in sheet.iter_rows():
        cells = []
        for cell in row:
            style_id = getattr(cell, "_style_id", 0)
            if style_id not in styles and hasattr(cell, "font"):
                styles[style_id] = (
                    cell.font,
                    cell.fill,
                    cell.border,
                    cell.alignment,
                    cell.number_format,
                )
            cells.append((cell.value, style_id))
        rows.append(cells)
    book.close()
    return rows, styles


def _same_styles_write(
    rows: list[list[tuple[Any, int]]], styles: dict[int, Any]
) -> None:
    """The same cells with the same styles, each distinct style registered once:
    the least openpyxl itself takes to write what the export writes."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    workbook = Workbook(write_only=True)
    ws = workbook.create_sheet("styled")
    protos = {}
    for style_id, parts in styles.items():
        proto = WriteOnlyCell(ws)
        names = ("font", "fill", "border", "alignment", "number_format")
        for name, part in zip(names, parts, strict=True):
            if part is not None:  # an empty cell of the read sheet has none
                setattr(proto, name, part)
        protos[style_id] = proto._style  # type: ignore[attr-defined]  # openpyxl's private style array: not in types-openpyxl
    for row in rows:
        cells = []
        for value, style_id in row:
            cell = WriteOnlyCell(ws, value=value)
            if style_id in protos:
                cell._style = protos[style_id]  # type: ignore[attr-defined]  # as above
            cells.append(cell)
        ws.append(cells)
    workbook.save(io.BytesIO())


def export_measure(data: BenchData, *, reps: int) -> dict[str, Any]:
    """The self-assessment workbook against openpyxl write-only writing the same cell
    values with no styles, with one border each, and with the same styles as the
    export's, at the seed's size and the large plan's; peak memory of both by
    tracemalloc, and per row (the export's memory must not grow faster than its
    rows)."""
    from criteria.models import Plan
    from reports.self_assessment import self_assessment_write

    sizes = {}
    for size, plan_id in [("seed", data.seed_plan_id), ("large", data.large_plan_id)]:
        plan = Plan.objects.select_related("organization").get(pk=plan_id)
        buffer = io.BytesIO()
        self_assessment_write(plan=plan, output=buffer)
        cells, styles = _styles_read(buffer.getvalue())
        values = [[value for value, _style in row] for row in cells]

        def export(p: Plan = plan) -> None:
            self_assessment_write(plan=p, output=io.BytesIO())

        export_s = median_time(export, reps)
        bare_s = median_time(partial(_bare_write, values), reps)
        styled_s = median_time(partial(_styled_write, values), reps)
        same_s = median_time(partial(_same_styles_write, cells, styles), reps)
        export_peak = _peak_bytes(export)
        sizes[size] = {
            "rows": len(values),
            "export_s": export_s,
            "bare_write_s": bare_s,
            "styled_write_s": styled_s,
            "same_styles_write_s": same_s,
            "ratio": export_s / bare_s,
            "same_styles_ratio": export_s / same_s,
            "export_peak_bytes": export_peak,
            "export_peak_bytes_per_row": export_peak / max(1, len(values)),
            "bare_peak_bytes": _peak_bytes(partial(_bare_write, values)),
        }
    return sizes


# What the load generator needs ------------------------------------------------------


def load_plan_write(data: BenchData, folder: Path) -> dict[str, Any]:
    """Session cookies of the director and the poster, a CSRF token, and one line per
    part the poster may update (``pk version``): each part is posted once, with its
    current version, so that no post is refused as stale."""
    from django.conf import settings

    from tasks.models import TaskUnit

    token = secrets.token_hex(16)  # 32 characters, as Django's unmasked secret

    def cookie(user_id: int) -> str:
        client = _client_for(user_id)
        session = client.cookies[settings.SESSION_COOKIE_NAME].value
        return (
            f"{settings.SESSION_COOKIE_NAME}={session}; "
            f"{settings.CSRF_COOKIE_NAME}={token}"
        )

    parts = TaskUnit.objects.filter(
        task__criterion__plan_id=data.large_plan_id,
        unit__memberships__user_id=data.users["poster"],
    ).order_by("pk")
    lines = [f"{pk} {version}" for pk, version in parts.values_list("pk", "version")]
    parts_file = folder / "parts.txt"
    parts_file.write_text("\n".join(lines) + "\n", encoding="ascii")
    return {
        "director_cookie": cookie(data.users["director"]),
        "poster_cookie": cookie(data.users["poster"]),
        "csrf_token": token,
        "parts_file": str(parts_file),
        "parts": len(lines),
        "seed_year": SEED_YEAR,
        "large_year": LARGE_YEAR,
    }


def database_describe() -> dict[str, str]:
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SHOW server_version")
            version = cursor.fetchone()[0]
            name = "PostgreSQL"
        else:
            cursor.execute("select sqlite_version()")
            version = cursor.fetchone()[0]
            name = "SQLite"
    return {"vendor": connection.vendor, "name": name, "version": version}


def _dashboard_cache(data: BenchData, *, reps: int) -> dict[str, Any]:
    """Cold and warm (``dashboard_cold_ms``, ``dashboard_warm_ms`` per size)."""
    _, _, seed, large = page_urls(data)[0]
    client = _client_for(data.users["director"])
    return dashboard_cache_measure(
        client=client, urls={"seed": seed, "large": large}, reps=reps
    )


def measure_all(
    data: BenchData, *, reps: int, import_reps: int, folder: Path
) -> dict[str, Any]:
    """Every in-process figure, and what the load generator needs, as one dict."""
    result: dict[str, Any] = {
        "database": database_describe(),
        "data": asdict(data),
    }
    for name, measure in [
        ("pages", lambda: pages_measure(data, reps=reps)),
        ("dashboard_cache", lambda: _dashboard_cache(data, reps=reps)),
        ("export", lambda: export_measure(data, reps=reps)),
        ("import", lambda: import_measure(data, reps=import_reps)),
        (
            "ranking",
            lambda: ranking_measure(rows=data.large_rows["criteria"] * 10, reps=reps),
        ),
    ]:
        started = time.perf_counter()
        result[name] = measure()
        took = time.perf_counter() - started
        print(f"  {name} measured in {took:.0f} s", file=sys.stderr)
    result["load"] = load_plan_write(data, folder)
    return result


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", required=True, type=Path)
    parser.add_argument("--criteria", type=int, default=Sizes.criteria)
    parser.add_argument("--tasks", type=int, default=Sizes.tasks)
    parser.add_argument("--updates", type=int, default=Sizes.updates)
    parser.add_argument("--reps", type=int, default=5)
    parser.add_argument("--import-reps", type=int, default=3)
    args = parser.parse_args(argv)

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "parplan.settings")
    import django

    django.setup()
    from django.core.management import call_command

    started = time.perf_counter()
    call_command("migrate", verbosity=0, interactive=False)
    data = bench_data_build(
        sizes=Sizes(criteria=args.criteria, tasks=args.tasks, updates=args.updates)
    )
    built_s = time.perf_counter() - started
    print(f"  data built in {built_s:.0f} s: {data.large_rows}", file=sys.stderr)
    result = measure_all(
        data, reps=args.reps, import_reps=args.import_reps, folder=args.out.parent
    )
    result["build_s"] = built_s
    args.out.write_text(json.dumps(result, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
