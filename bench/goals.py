"""Issue 16's goals, each with the ratio measured in this run and "met" or "missed —
why" (or "not measured"), per configuration (database, with or without Redis).

Every figure is read with ``.get()``: a measurement that a build does not make yet
(the figures cache's warm dashboard, the tree's branch …) prints "not measured"
instead of failing. Names read from ``bench.measure``'s result, besides its
``pages``, ``import``, ``ranking``, ``export`` and the load runs:
``dashboard_cold_ms`` / ``dashboard_warm_ms`` (``{"seed": ms, "large": ms}``), else
``dashboard_cache`` as ``bench.dashboard_cache`` writes it, on the backend of the
configuration (Redis or local memory); ``tree_first_page`` and ``unit_head_page``
(``{"seed_ms", "large_ms", "large_kb"}``, else the whole page as the pages table
measured it); ``tree_branch`` (``{"ms", "kb"}``), else the pages table's
"plan tree branch" on the large plan.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

NOT_MEASURED = "not measured"


@dataclass(frozen=True)
class Verdict:
    measured: str  # the ratio or figure, as printed
    met: bool | None  # None: not measured
    why: str = ""  # for a miss: what stands in the way

    @property
    def text(self) -> str:
        if self.met is None:
            return NOT_MEASURED + (f" ({self.why})" if self.why else "")
        if self.met:
            return "met"
        return "missed — " + self.why


def _page(result: dict[str, Any], name: str) -> dict[str, Any] | None:
    for page in result.get("pages") or []:
        if page.get("page") == name:
            return page
    return None


def _cache_backend(result: dict[str, Any]) -> dict[str, Any]:
    """The dashboard's cold and warm figures on this configuration's own cache."""
    measured = result.get("dashboard_cache") or {}
    backend = "redis" if result.get("cache_label") == "Redis" else "locmem"
    return measured.get(backend) or {}


def _seed_large_ms(
    result: dict[str, Any], key: str, page: str | None
) -> tuple[float, float, float | None] | None:
    """(seed ms, large ms, large KB) from a named measurement, else from the
    dashboard's cache measurement, else from the pages table's row ``page``."""
    named = result.get(key)
    cached = _cache_backend(result)
    if named is None and all(key in (cached.get(s) or {}) for s in ("seed", "large")):
        named = {size: cached[size][key] for size in ("seed", "large")}
    if isinstance(named, dict):
        seed = named.get("seed_ms", named.get("seed"))
        large = named.get("large_ms", named.get("large"))
        if seed and large:
            return float(seed), float(large), named.get("large_kb")
    row = _page(result, page) if page else None
    if row:
        return (
            row["seed"]["median_s"] * 1000,
            row["large"]["median_s"] * 1000,
            row["large"]["bytes"] / 1024,
        )
    return None


def _ratio_goal(
    measured: tuple[float, float, float | None] | None,
    *,
    most: float,
    most_kb: float | None = None,
    why: str,
) -> Verdict:
    if measured is None:
        return Verdict("–", None)
    seed, large, kb = measured
    ratio = large / seed if seed else float("inf")
    text = f"{ratio:.1f}× ({large:,.0f} ms vs {seed:,.0f} ms)"
    misses = []
    if ratio > most:
        misses.append(f"{ratio:.1f}× > {most:g}×")
    if most_kb is not None and kb is not None:
        text += f", {kb:,.0f} KB"
        if kb > most_kb:
            misses.append(f"{kb:,.0f} KB > {most_kb:,.0f} KB")
    if misses:
        return Verdict(text, False, "; ".join(misses) + ": " + why)
    return Verdict(text, True)


def dashboard_warm(result: dict[str, Any]) -> Verdict:
    return _ratio_goal(
        _seed_large_ms(result, "dashboard_warm_ms", None),
        most=1.5,
        why=(
            "beyond the cached body the page reads the plans visible and renders "
            "the layout and the year form"
        ),
    )


def dashboard_cold(result: dict[str, Any]) -> Verdict:
    return _ratio_goal(
        _seed_large_ms(result, "dashboard_cold_ms", "dashboard"),
        most=5,
        why=(
            "a cache miss computes every figure: the criteria rows and the "
            "database's sums of 10,000 tasks, then the template"
        ),
    )


def tree_first_page(result: dict[str, Any]) -> Verdict:
    return _ratio_goal(
        _seed_large_ms(result, "tree_first_page", "plan tree"),
        most=3,
        most_kb=300,
        why=(
            "the outline reads every criterion and its sums (the figures, "
            "unpickled from the cache or computed)"
        ),
    )


def tree_branch(result: dict[str, Any]) -> Verdict:
    branch = result.get("tree_branch")
    row = _page(result, "plan tree branch")
    if branch is None and row:
        branch = {
            "ms": row["large"]["median_s"] * 1000,
            "kb": row["large"]["bytes"] / 1024,
        }
    if not isinstance(branch, dict) or branch.get("ms") is None:
        return Verdict("–", None, "no branch loaded on demand in this build")
    ms = float(branch["ms"])
    text = f"{ms:,.1f} ms" + (f", {branch['kb']:,.0f} KB" if "kb" in branch else "")
    if ms > 50:
        return Verdict(text, False, f"{ms:,.0f} ms > 50 ms")
    return Verdict(text, True)


def unit_head_page(result: dict[str, Any]) -> Verdict:
    return _ratio_goal(
        _seed_large_ms(result, "unit_head_page", "unit head page"),
        most=3,
        most_kb=300,
        why="the page reads every part of the unit to group and count them",
    )


def _file_ratio(
    figures: dict[str, Any] | None, *, most: float, slow: str, fast: str, why: str
) -> Verdict:
    if not figures or not figures.get(slow) or not figures.get(fast):
        return Verdict("–", None)
    ratio = figures[slow] / figures[fast]
    rows = f" at {figures['rows']:,} rows" if figures.get("rows") else ""
    text = f"{ratio:.1f}×{rows}"
    if ratio > most:
        return Verdict(text, False, f"{ratio:.1f}× > {most:g}×: {why}")
    return Verdict(text, True)


def appendix_import(result: dict[str, Any]) -> Verdict:
    return _file_ratio(
        result.get("import"),
        most=3,
        slow="import_s",
        fast="bare_read_s",
        why=(
            "beyond openpyxl's read: the header looked for on every row (each cell "
            "folded), the rows checked, the created rows built and inserted"
        ),
    )


def ranking_import(result: dict[str, Any]) -> Verdict:
    return _file_ratio(
        result.get("ranking"),
        most=2,
        slow="import_s",
        fast="bare_read_s",
        why="the archive is checked and each row validated beyond the read",
    )


def export_time(result: dict[str, Any]) -> Verdict:
    return _file_ratio(
        (result.get("export") or {}).get("large"),
        most=2,
        slow="export_s",
        fast="styled_write_s",
        why=(
            "beyond the reference's write: the sums' pass over the criteria, the "
            "row heights, the cached results of the formulas"
        ),
    )


# Flat memory: what a row adds beyond the tree's shape (about 0.2 KiB a row).
FLAT_KIB_PER_ROW = 0.25


def export_memory(result: dict[str, Any]) -> Verdict:
    export = result.get("export") or {}
    seed, large = export.get("seed"), export.get("large")
    if not seed or not large or large.get("rows", 0) <= seed.get("rows", 0):
        return Verdict("–", None)
    added = large["rows"] - seed["rows"]
    per_row = (large["export_peak_bytes"] - seed["export_peak_bytes"]) / added / 1024
    text = f"{per_row:.2f} KiB per added row"
    if per_row > FLAT_KIB_PER_ROW:
        return Verdict(
            text,
            False,
            f"> {FLAT_KIB_PER_ROW} KiB: something is held for every row while written",
        )
    return Verdict(text, True)


def _load_runs(result: dict[str, Any]) -> dict[str, Any]:
    return (result.get("load_figures") or {}).get("runs") or {}


def _load_goal(
    result: dict[str, Any], run: str, reference: str, share: float
) -> Verdict:
    runs = _load_runs(result)
    page, base = runs.get(run), runs.get(reference)
    if not page or not base or not base.get("rps"):
        return Verdict("–", None)
    ratio = page["rps"] / base["rps"]
    text = f"{ratio:.0%} ({page['rps']:,.1f} vs {base['rps']:,.1f} req/s)"
    if ratio < share:
        return Verdict(
            text,
            False,
            f"{ratio:.0%} < {share:.0%}: the page's own work per request beyond "
            "the session and the user: the plans visible (the ORM building their "
            "query), the layout and the year form, the cached body's fetch "
            f"(p99 {page['p99_ms']:,.0f} ms)",
        )
    return Verdict(text, True)


SEED_RUN = "dashboard, seed plan"
LARGE_RUN = "dashboard, large plan"
PING_RUN = "signed-in reference (/ping)"
HEALTHZ_RUN = "trivial view (/healthz)"


def load_errors(result: dict[str, Any]) -> Verdict:
    runs = _load_runs(result)
    if not runs:
        return Verdict("–", None)
    errors = sum(int(run.get("errors", 0)) for run in runs.values())
    worst = max(runs.items(), key=lambda item: item[1].get("p99_ms", 0))
    text = (
        f"{errors} errors; worst p99 {worst[1].get('p99_ms', 0):,.0f} ms ({worst[0]})"
    )
    if errors:
        return Verdict(text, False, f"{errors} requests failed")
    return Verdict(text, True)


Goal = tuple[str, Callable[[dict[str, Any]], Verdict]]

GOALS: list[Goal] = [
    ("Large dashboard warm ≤ 1.5× the seed's", dashboard_warm),
    ("Large dashboard cold ≤ 5× the seed's", dashboard_cold),
    ("Large plan tree's first page ≤ 3× the seed's and ≤ 300 KB", tree_first_page),
    ("A tree branch ≤ 50 ms", tree_branch),
    ("Unit head's page ≤ 3× the seed's and ≤ 300 KB", unit_head_page),
    ("Appendix import ≤ 3× openpyxl's bare read", appendix_import),
    ("Ranking import ≤ 2× its bare read at 20,000 rows", ranking_import),
    ("Export ≤ 2× openpyxl's styled write of the same cells", export_time),
    ("Export memory flat per row", export_memory),
    (
        "Seed dashboard ≥ 50 % of the signed-in reference's req/s",
        lambda r: _load_goal(r, SEED_RUN, PING_RUN, 0.5),
    ),
    (
        "Large dashboard ≥ 50 % of the signed-in reference's req/s",
        lambda r: _load_goal(r, LARGE_RUN, PING_RUN, 0.5),
    ),
    (
        "Seed dashboard ≥ 15 % of /healthz's req/s",
        lambda r: _load_goal(r, SEED_RUN, HEALTHZ_RUN, 0.15),
    ),
    (
        "Large dashboard ≥ 15 % of /healthz's req/s",
        lambda r: _load_goal(r, LARGE_RUN, HEALTHZ_RUN, 0.15),
    ),
    ("Under load: 0 errors", load_errors),
]


def goals_lines(results: dict[str, dict[str, Any]]) -> list[str]:
    """Every goal for every configuration measured, as a Markdown table."""
    lines = [
        "### Against issue 16's goals",
        "",
        "| goal | configuration | measured | verdict |",
        "| --- | --- | --- | --- |",
    ]
    for goal, judge in GOALS:
        for configuration, result in results.items():
            verdict = judge(result)
            lines.append(
                f"| {goal} | {configuration_label(configuration, result)} "
                f"| {verdict.measured} | {verdict.text} |"
            )
    return lines


def configuration_label(key: str, result: dict[str, Any]) -> str:
    name = (result.get("database") or {}).get("name") or key
    cache = result.get("cache_label") or "local memory"
    return f"{name}, {cache}"
