"""The benchmark (bench/): the pages it measures keep their query counts at any size,
and its own code still runs, at a tiny size (no timing is asserted)."""

from __future__ import annotations

import io
import shutil
from pathlib import Path

import openpyxl
import pytest
from django.contrib.auth.models import User
from django.db.models import Prefetch
from django.urls import reverse

from bench import run
from bench.measure import Sizes, bench_data_build, measure_all
from criteria.models import Organization, Plan
from reports.plan_tasks import plan_tasks
from tasks.models import Task, TaskUnit
from tests.factories import plan_build
from tests.helpers import client_for
from tests.test_import_appendix_browser import edited_seed, token_of, upload


def _download_queries(
    client: object, plan_id: int, django_assert_num_queries: object
) -> int:
    url = reverse("reports-export-self-assessment", args=[plan_id])
    # session, user, the user's groups (role), the plan with its organization, its
    # criteria, its evidence with the progress reports they belong to
    with django_assert_num_queries(6):
        response = client.get(url)
        body = b"".join(response.streaming_content)
    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(body), read_only=True).active
    return sum(1 for _row in sheet.iter_rows(values_only=True))


def test_the_self_assessment_download_runs_the_same_queries_for_a_large_plan(
    organization: Organization, director: User, django_assert_num_queries: object
) -> None:
    small = plan_build(organization=organization, year=2023, areas=1)
    large = plan_build(
        organization=organization,
        year=2024,
        areas=6,
        criteria_per_area=5,
        subs_per_criterion=3,
        tasks_per_leaf=3,
    )
    client = client_for(director)
    small_rows = _download_queries(client, small.pk, django_assert_num_queries)
    large_rows = _download_queries(client, large.pk, django_assert_num_queries)
    assert large_rows > 3 * small_rows


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


# What the figures called for ---------------------------------------------------------


def test_the_plans_tasks_come_with_their_parts_as_the_prefetch_gave_them(
    seed_plan: Plan, django_assert_num_queries: object
) -> None:
    parts = TaskUnit.objects.select_related("unit").order_by(
        "role", "unit__position", "unit__name"
    )
    prefetched = (
        Task.objects.filter(criterion__plan=seed_plan)
        .order_by("criterion_id", "position")
        .prefetch_related(Prefetch("parts", queryset=parts))
    )
    expected = [
        (t.pk, [(p.pk, p.role, p.unit.name) for p in t.parts.all()]) for t in prefetched
    ]
    # the tasks, their parts with their units
    with django_assert_num_queries(2):
        got = [
            (t.pk, [(p.pk, p.role, p.unit.name) for p in t.parts])
            for t in plan_tasks(seed_plan)
        ]
    assert got == expected
    assert any(len(parts) > 1 for _pk, parts in got)


def test_an_imported_criterions_new_tasks_have_history_naming_the_office_user(
    seed_plan: Plan, office: User, settings: object, tmp_path: Path
) -> None:
    settings.IMPORT_STAGING_DIR = str(tmp_path / "staging")
    client = client_for(office)
    upload(client, seed_plan.organization, edited_seed(seed_plan))
    client.post(reverse("tasks-import-confirm"), {"token": token_of(client)})
    task = Task.objects.get(criterion__plan=seed_plan, criterion__code="4.4")
    assert task.text == "Việc mới"
    assert [p.unit.name for p in task.parts.all()] == ["Văn phòng Sở"]
    created = task.history.get()
    assert created.history_type == "+"
    assert created.history_user == office
