"""The refusal page as a person sees it in Chromium."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.urls import reverse

from criteria.models import Plan
from tests.helpers import browser_login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_unit_head_refused_a_page_sees_why_in_the_sites_layout_and_goes_back(
    page: object, head_center: User, seed_plan: Plan
) -> None:
    browser_login(page, head_center.username)
    page.set_viewport_size({"width": 390, "height": 800})
    response = page.goto(page.base_url + reverse("tasks-import"))
    assert response.status == 403
    assert page.inner_text("h1") == "Không có quyền truy cập"
    assert "Chỉ Văn phòng Sở được nhập" in page.inner_text("#missing-right")
    assert page.locator("nav .nav a").count() >= 2
    assert "403 Forbidden" not in page.content()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390
    page.click("#back-link")
    page.wait_for_load_state("domcontentloaded")
    assert page.url.endswith(reverse("tasks-mine"))


def test_an_inline_edit_refused_says_why_above_its_form(
    page: object, office: User, seed_plan: Plan
) -> None:
    criterion = seed_plan.criteria.filter(children__isnull=True).first()
    browser_login(page, office.username)
    page.goto(page.base_url + criterion.get_absolute_url())
    page.fill(f"#id_c{criterion.pk}-self_score", "0,5")
    office.groups.clear()  # the office loses its role while the form is open
    office.is_superuser = False
    office.save()
    page.get_by_role("button", name="Lưu điểm").click()
    alert = page.locator(".htmx-error")
    alert.wait_for()
    assert "Không có quyền truy cập" in alert.inner_text()
    assert "Văn phòng Sở" in alert.inner_text()  # the missing right
    criterion.refresh_from_db()
    assert criterion.self_score is None
