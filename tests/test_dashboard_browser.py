"""The dashboard in a real browser: drawn, and printable on A4 for a meeting."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth.models import User

from criteria.models import Plan
from demo.setup import demo_load
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
