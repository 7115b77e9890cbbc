"""A unit head on a phone (390 px) updates a part in Chromium: the form opens in the
row, takes 33 % and a link typed without https://, and after saving the page is back
at that row with “Đã lưu”, the note and the link; nothing is wider than the screen."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User

from criteria.models import Plan
from tasks.models import Evidence, ProgressUpdate, TaskUnit, Unit
from tests.helpers import browser_login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}


def _fits(page: object) -> bool:
    width = page.evaluate("document.documentElement.scrollWidth")
    return width <= PHONE["width"]


def test_a_unit_head_on_a_phone_updates_a_part_and_lands_on_its_row(
    page: object, seed_plan: Plan, head_center: User, units: dict[str, Unit]
) -> None:
    page.set_viewport_size(PHONE)
    browser_login(page, "head_center")
    assert page.url.endswith("/nhiem-vu/cua-don-vi/")
    assert _fits(page)
    part = (
        TaskUnit.objects.filter(unit=units["center"])
        .order_by("task__criterion__sort_key", "task__position")
        .last()
    )
    row = page.locator(f"#part-{part.pk}")
    row.get_by_role("link", name="Cập nhật").click()
    # htmx puts the form under the row, and focuses it; the page stays in place.
    form = page.locator(f"#form-{part.pk} form.quick-update")
    form.wait_for()
    assert page.url.endswith("/nhiem-vu/cua-don-vi/")
    assert page.locator("form.quick-update").count() == 1
    assert _fits(page)
    form.locator("select[name$=status]").select_option("in_progress")
    form.locator("input[name$=percent]").fill("33")
    form.locator("textarea[name$=note]").fill("Đã gửi dự thảo quy chế cho các phòng")
    form.get_by_text("Đính kèm tài liệu kiểm chứng").click()
    form.locator("input[name$=evidence_link]").fill("vanban.daknong.gov.vn/abc")
    assert _fits(page)
    form.get_by_role("button", name="Cập nhật").click()
    page.wait_for_load_state("domcontentloaded")

    assert page.url.endswith(f"#part-{part.pk}")
    more = page.locator(f"#part-{part.pk}-more")
    assert more.get_by_text("Đã lưu", exact=True).is_visible()
    assert "Đã gửi dự thảo quy chế cho các phòng" in more.inner_text()
    link = more.locator('a[href="https://vanban.daknong.gov.vn/abc"]')
    assert link.count() == 1
    assert "33%" in page.locator(f"#part-{part.pk}").inner_text()
    # The row is on the screen, not at the top of a long page.
    box = page.locator(f"#part-{part.pk}").bounding_box()
    assert 0 <= box["y"] < PHONE["height"]
    assert _fits(page)

    part.refresh_from_db()
    assert (part.status, part.percent) == ("in_progress", 33)
    assert part.note == "Đã gửi dự thảo quy chế cho các phòng"
    update = ProgressUpdate.objects.get(part=part)
    assert update.author == head_center
    assert Evidence.objects.get(progress_update=update).link == (
        "https://vanban.daknong.gov.vn/abc"
    )


def test_without_javascript_the_link_opens_the_parts_own_page(
    _browser: object, live_server: object, seed_plan: Plan, head_center: User
) -> None:
    context = _browser.new_context(
        java_script_enabled=False, viewport=PHONE, locale="vi-VN"
    )
    page = context.new_page()
    page.base_url = live_server.url
    browser_login(page, "head_center")
    part = TaskUnit.objects.filter(unit__memberships__user=head_center).first()
    page.locator(f"#part-{part.pk}").get_by_role("link", name="Cập nhật").click()
    page.wait_for_load_state("domcontentloaded")
    assert page.url.endswith(f"/nhiem-vu/phan-viec/{part.pk}/cap-nhat/")
    assert _fits(page)
    page.locator("input[name$=percent]").fill("33")
    page.get_by_role("button", name="Cập nhật").click()
    page.wait_for_load_state("domcontentloaded")
    assert page.url.endswith(f"#part-{part.pk}")
    assert page.locator(f"#part-{part.pk}-more").get_by_text("Đã lưu").is_visible()
    part.refresh_from_db()
    assert part.percent == 33
    context.close()


def test_another_units_part_is_refused(
    page: object, seed_plan: Plan, head_office: User, units: dict[str, Unit]
) -> None:
    part = TaskUnit.objects.filter(unit=units["center"]).first()
    browser_login(page, "head_office")
    assert page.locator(f"#part-{part.pk}").count() == 0
    response = page.goto(f"{page.base_url}/nhiem-vu/phan-viec/{part.pk}/cap-nhat/")
    assert response.status == 403
    assert page.locator("form.quick-update").count() == 0
    part.refresh_from_db()
    assert (part.percent, part.version) == (0, 1)
