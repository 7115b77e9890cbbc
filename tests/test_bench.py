"""The benchmark (bench/): its own code still runs, at a tiny size (no timing is
asserted), and finds the same query count for each page at both sizes. The pages'
own query counts are pinned in their modules (test_dashboard.py, test_plan_tree.py,
test_unit_head_progress.py, test_export_self_assessment.py)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from bench import run
from bench.measure import Sizes, bench_data_build, measure_all


def test_the_benchmark_measures_every_page_at_a_tiny_size(
    db: None, tmp_path: Path
) -> None:
    data = bench_data_build(sizes=Sizes(criteria=40, tasks=120, updates=300))
    assert data.large_rows["tasks"] == 120
    assert data.large_rows["updates"] == 300
    result = measure_all(data, reps=1, import_reps=1, folder=tmp_path)

    pages = {page["page"]: page for page in result["pages"]}
    assert set(pages) == {
        "dashboard",
        "plan tree",
        "unit head page",
        "self-assessment export",
    }
    for page in pages.values():
        assert page["seed"]["queries"] == page["large"]["queries"] > 0
    cached = result["dashboard_cache"]["locmem"]
    for size in ("seed", "large"):
        assert cached[size]["dashboard_cold_ms"] > 0
        assert cached[size]["dashboard_warm_ms"] > 0
    # inside the test's transaction nothing is cached: the warm page is the cold one
    assert cached["seed"]["queries_warm"] == cached["large"]["queries_cold"]
    assert result["import"]["rows"] > 120
    assert result["export"]["large"]["rows"] > result["export"]["seed"]["rows"]
    parts = Path(result["load"]["parts_file"]).read_text().split("\n")
    assert len([line for line in parts if line]) == result["load"]["parts"] > 0

    options = run.options_parse(["--quick", "--output", str(tmp_path / "b.md")])
    result["load_figures"] = None
    text = run.report_write(
        options, run.machine_describe(), {"sqlite": result}, 1.0, notes=""
    )
    assert (tmp_path / "b.md").read_text(encoding="utf-8") == text
    for heading in [
        "Pages: seed plan vs large plan",
        "Appendix import vs openpyxl's bare read",
        "Self-assessment export vs openpyxl write-only",
        f"| {result['database']['name']} | unit head page |",
    ]:
        assert heading in text


@pytest.mark.skipif(shutil.which("wrk") is None, reason="wrk is not installed")
@pytest.mark.django_db(transaction=True)
def test_the_load_script_counts_a_live_servers_answers(live_server: object) -> None:
    figures = run._wrk(live_server.url, 1, {}, mode="get", path="/healthz")
    assert figures["requests"] > 0
    assert figures["errors"] == 0
    assert 0 < figures["p50_ms"] <= figures["p99_ms"]
    missing = run._wrk(live_server.url, 1, {}, mode="get", path="/no-such-page/")
    assert missing["errors"] == missing["requests"] > 0
