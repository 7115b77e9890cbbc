"""The plan tree in a real Chromium: the office walks tree → criterion → task and
self-scores inline, the figures following without a reload; the director reads it
on a phone."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User

from criteria.models import Criterion, Plan
from tasks.models import Task, TaskUnit, Unit
from tests.helpers import browser_login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

FITS = "document.documentElement.scrollWidth <= window.innerWidth"
# the table shows every column in its box, nothing scrolled out of sight
TABLE_FITS = "(box => box.scrollWidth <= box.clientWidth)(document.querySelector('.table-scroll'))"


def _open_branch(page: object, criterion: Criterion) -> None:
    page.click(f"#toggle-{criterion.pk}")
    page.wait_for_selector(
        f"#branch-{criterion.pk} tr.criterion-row, #branch-{criterion.pk} tr.task-row"
    )


def test_the_office_walks_from_the_tree_to_a_criterion_and_its_task(
    page: object, seed_plan: Plan, office: User
) -> None:
    page.set_viewport_size({"width": 1366, "height": 900})
    browser_login(page, "office")
    page.goto(page.base_url + "/ke-hoach/")
    branch = Criterion.objects.get(plan=seed_plan, code="1.1")
    _open_branch(page, branch)
    leaf = Criterion.objects.get(plan=seed_plan, code="1.1.1")
    page.locator(f"#criterion-{leaf.pk} a.row-link", has_text="1.1.1").click()
    page.wait_for_load_state("domcontentloaded")
    assert page.locator("h1").inner_text().startswith("1.1.1.")
    task = Task.objects.filter(criterion=leaf).first()
    assert task is not None
    page.get_by_role("link", name=task.text[:40]).first.click()
    page.wait_for_load_state("domcontentloaded")
    assert page.url.endswith(f"/nhiem-vu/{task.pk}/")
    assert task.text in page.content()


def test_an_inline_self_score_updates_the_gap_and_the_sums_without_reload(
    page: object, seed_plan: Plan, office: User
) -> None:
    page.set_viewport_size({"width": 1366, "height": 900})
    browser_login(page, "office")
    page.goto(page.base_url + "/ke-hoach/")
    branch = Criterion.objects.get(plan=seed_plan, code="1.2")
    area = Criterion.objects.get(plan=seed_plan, code="1")
    leaf = Criterion.objects.get(plan=seed_plan, code="1.2.1")
    _open_branch(page, branch)
    assert page.inner_text(f"#gap-{leaf.pk}") == "0,25"
    assert page.inner_text(f"#gap-{area.pk}") == "3,75"
    assert page.inner_text("#total-gap") == "13,35"
    page.evaluate("window.notReloaded = true")
    page.locator(f"#criterion-{leaf.pk} details.inline-edit summary").click()
    assert page.evaluate(FITS), "opening ▸ Sửa widened the page"
    assert page.evaluate(TABLE_FITS), "opening ▸ Sửa pushed columns out of view"
    page.fill(f"#id_c{leaf.pk}-self_score", "0,5")
    page.get_by_role("button", name="Lưu điểm").click()
    page.wait_for_selector(f"#self-score-{leaf.pk} [role=status]")
    assert page.evaluate("window.notReloaded") is True
    assert page.inner_text(f"#self-score-value-{leaf.pk}") == "0,5"
    assert page.inner_text(f"#gap-{leaf.pk}") == "0"
    assert page.inner_text(f"#gap-{area.pk}") == "3,5"
    assert page.inner_text(f"#forecast-{area.pk}") == "1,5"
    assert page.inner_text("#total-gap") == "13,1"
    assert page.evaluate(FITS)


def test_the_director_reads_the_tree_on_a_phone_and_opens_a_branch(
    page: object, seed_plan: Plan, director: User
) -> None:
    # A unit's long name in the unit filter must not widen the page.
    unit = Unit.objects.create(
        organization=seed_plan.organization,
        name="Trung tâm Thông tin, Thống kê, Kiểm định và Ứng dụng tiến bộ khoa học",
    )
    task = Task.objects.filter(criterion__plan=seed_plan).first()
    TaskUnit.objects.create(task=task, unit=unit, role=TaskUnit.Role.SUPPORT)
    page.set_viewport_size({"width": 390, "height": 844})
    browser_login(page, "director")
    page.goto(page.base_url + "/ke-hoach/")
    assert page.evaluate(FITS)
    branch = Criterion.objects.get(plan=seed_plan, code="1.1")
    _open_branch(page, branch)
    assert page.locator(f"#branch-{branch.pk} tr.task-row").first.is_visible()
    assert "Thực hiện hoàn thành 100% nhiệm vụ tuyên truyền CCHC." in page.content()
    assert page.evaluate(FITS)
