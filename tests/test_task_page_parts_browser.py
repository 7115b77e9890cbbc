"""The task page's parts in a real Chromium: a unit head opens their unit's part on
“Cập nhật”, the form comes into that row alone (htmx), and after saving the page is
the task page again, at that row, with what they sent."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User

from tasks.models import ProgressUpdate, Task, TaskUnit, Unit
from tests.helpers import browser_login, part_of

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}


def test_a_unit_head_updates_their_part_from_the_task_page(
    page: object, head_center: User, shared_task: Task, units: dict[str, Unit]
) -> None:
    for n in range(6):
        unit = Unit.objects.create(
            organization=units["office"].organization,
            name=f"Phòng {n + 1}",
            position=10 + n,
        )
        TaskUnit.objects.create(task=shared_task, unit=unit, role="support")
    part = part_of(shared_task, units["center"])
    page.set_viewport_size(PHONE)
    browser_login(page, "head_center")
    page.goto(page.base_url + shared_task.get_absolute_url())
    assert page.locator("form.quick-update").count() == 0
    # the other units' parts offer nothing to this unit head
    assert page.locator("table.parts").get_by_role("link", name="Cập nhật").count() == 1
    page.evaluate("window.notReloaded = true")
    page.locator(f"#part-{part.pk}").get_by_role("link", name="Cập nhật").click()
    form = page.locator(f"#form-{part.pk} form.quick-update")
    form.wait_for()
    assert page.evaluate("window.notReloaded") is True
    assert page.locator("form.quick-update").count() == 1
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    form.locator("select[name$=status]").select_option("in_progress")
    form.locator("input[name$=percent]").fill("45")
    form.locator("textarea[name$=note]").fill("Đã gửi báo cáo quý cho Văn phòng")
    form.get_by_role("button", name="Cập nhật").click()
    page.wait_for_load_state("domcontentloaded")

    assert page.url.endswith(f"{shared_task.get_absolute_url()}#part-{part.pk}")
    assert "Đã cập nhật tiến độ" in page.content()
    row = page.locator(f"#part-{part.pk}")
    assert "45" in row.inner_text()
    assert "Đã gửi báo cáo quý cho Văn phòng" in row.inner_text()
    assert page.locator("form.quick-update").count() == 0
    part.refresh_from_db()
    assert (part.status, part.percent) == ("in_progress", 45)
    assert ProgressUpdate.objects.get(part=part).author == head_center
