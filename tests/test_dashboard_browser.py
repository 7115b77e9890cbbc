"""The dashboard in a real browser: drawn, printable on A4 for a meeting, its figures
leading to the tasks behind them, and fitting a phone."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth.models import User

from criteria.models import Plan
from demo.setup import demo_load
from tasks.models import Status, Task, TaskUnit
from tests.helpers import browser_login


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_demo_dashboard_draws_its_charts_and_prints_on_three_a4_pages(
    page: object,
) -> None:
    demo_load()
    assert Plan.objects.count() == 1
    User.objects.filter(username="giamdoc").get()
    browser_login(page, "giamdoc", "parplan-demo")
    assert page.url.endswith("/bao-cao/")
    bars = page.locator("svg.chart rect.bar-self")
    assert bars.count() == 1
    assert bars.first.bounding_box()["width"] > 50
    assert page.locator("text=dữ liệu minh họa").count() >= 1

    page.emulate_media(media="print")
    assert not page.locator("form.dash-form").is_visible()
    assert not page.locator("header.topbar").is_visible()
    pdf = page.pdf(format="A4", landscape=True)
    pages = len(re.findall(rb"/Type\s*/Page[^s]", pdf))
    assert 1 <= pages <= 3


NOTE = "Phần mềm quản lý văn bản lỗi, chờ Sở TT&TT khắc phục."


def _blocked_demo_task() -> Task:
    """The demo plan with one task blocked, its lead unit's note saying why."""
    demo_load()
    part = (
        TaskUnit.objects.filter(role=TaskUnit.Role.LEAD, status=Status.NOT_STARTED)
        .select_related("task", "unit")
        .order_by("task__criterion__sort_key", "task__position")
        .first()
    )
    assert part is not None
    TaskUnit.objects.filter(pk=part.pk).update(status=Status.BLOCKED, note=NOTE)
    return part.task


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_director_goes_from_the_dashboard_to_a_blocked_tasks_note_and_back(
    page: object,
) -> None:
    task = _blocked_demo_task()
    page.set_viewport_size({"width": 1366, "height": 900})
    browser_login(page, "giamdoc", "parplan-demo")
    assert page.url.endswith("/bao-cao/")
    row = page.locator(f'tr.attention-task[data-task="{task.pk}"]')
    assert NOTE in row.inner_text()  # the reason, on the dashboard itself
    row.get_by_role("link", name=task.text[:40]).click()
    page.wait_for_load_state("domcontentloaded")
    assert page.url.endswith(f"/nhiem-vu/{task.pk}/")
    reasons = page.locator("#task-reasons")
    assert reasons.is_visible() and NOTE in reasons.inner_text()
    page.go_back()
    page.wait_for_load_state("domcontentloaded")
    assert page.url.endswith("/bao-cao/")

    # the blocked figure opens the list of exactly that task, its note under it
    page.locator('a[data-figure="tasks.blocked"]').click()
    page.wait_for_load_state("domcontentloaded")
    assert "state=blocked" in page.url
    rows = page.locator("tr.task-row")
    assert rows.count() == 1
    assert NOTE in rows.first.inner_text()
    # a number in a table is not underlined; the area's name is a link
    page.go_back()
    page.wait_for_load_state("domcontentloaded")
    decoration = page.locator('td[data-figure="areas.1.forecast"]').evaluate(
        "e => getComputedStyle(e).textDecorationLine"
    )
    assert decoration == "none"


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_dashboard_fits_a_390_px_phone_with_readable_charts(page: object) -> None:
    _blocked_demo_task()
    page.set_viewport_size({"width": 390, "height": 844})
    browser_login(page, "giamdoc", "parplan-demo")
    assert page.url.endswith("/bao-cao/")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, width
    # the area chart's titles are whole and drawn at a readable size
    title = page.locator("svg.area-chart text.area-title").first
    assert title.bounding_box()["height"] >= 10
    assert "…" not in page.locator("svg.area-chart").text_content()
    # the ranking chart marks the goal's rank and the forecast, and scrolls in its box
    goal = page.locator('[data-rank-row="goal"]')
    assert goal.count() == 1
    assert "Mục tiêu: hạng" in goal.text_content()
    assert page.locator('[data-rank-row="forecast"]').count() == 1
    box = page.locator(".rank-chart .chart-scroll")
    assert box.evaluate("e => e.scrollWidth > e.clientWidth")
    assert box.bounding_box()["width"] <= 390
