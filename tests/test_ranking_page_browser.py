"""The ranking editor in Chromium at 1,366 px: it fits, and a new row typed with its
index only is saved in its place with its rank computed."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.contrib.auth.models import User

from criteria.models import Plan
from reports.models import PeerRank
from tests.helpers import browser_login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_office_adds_a_row_by_its_index_in_an_editor_that_fits_the_screen(
    page: object, office: User, seed_plan: Plan
) -> None:
    for n in range(1, 16):
        PeerRank.objects.create(
            year=2022,
            name=f"Ủy ban nhân dân huyện thử nghiệm số {n:02d}",
            index=Decimal(95 - n),
            rank=n,
            position=n,
        )
    page.set_viewport_size({"width": 1366, "height": 900})
    browser_login(page, office.username)
    page.goto(page.base_url + "/bao-cao/xep-hang/?year=2022")
    assert page.evaluate("document.documentElement.scrollWidth") <= 1366
    editor = page.locator("table.ranking-edit")
    card = page.locator("section[aria-labelledby=h-edit]")
    assert editor.bounding_box()["width"] <= card.bounding_box()["width"]
    name = page.locator("[name=rows-0-name]").bounding_box()["width"]
    score = page.locator("[name=rows-0-score]").bounding_box()["width"]
    assert name > 2 * score
    # The blank rows are blank.
    assert page.input_value("[name=rows-15-position]") == ""
    page.fill("[name=rows-15-name]", "Đơn vị mới thêm")
    page.fill("[name=rows-15-index]", "88,5")
    page.get_by_role("button", name="Lưu bảng xếp hạng").click()
    page.wait_for_load_state("domcontentloaded")
    assert "Đã lưu bảng xếp hạng năm 2022." in page.content()
    new = PeerRank.objects.get(name="Đơn vị mới thêm")
    # Above 88 % (the 7th), below 89 % (the 6th).
    assert (new.position, new.rank, new.rank_computed) == (7, 7, True)
    rows = page.locator("#ranking-table tbody tr")
    assert "Đơn vị mới thêm" in rows.nth(6).inner_text()


def test_a_refused_save_is_summarised_at_the_top_of_the_page(
    page: object, office: User, seed_plan: Plan
) -> None:
    PeerRank.objects.create(year=2022, name="Đơn vị A", index=90, rank=1, position=1)
    browser_login(page, office.username)
    page.goto(page.base_url + "/bao-cao/xep-hang/?year=2022")
    page.fill("[name=rows-1-name]", "Đơn vị không có điểm")
    page.get_by_role("button", name="Lưu bảng xếp hạng").click()
    page.wait_for_load_state("domcontentloaded")
    summary = page.locator("#ranking-errors")
    assert "1 dòng có lỗi" in summary.inner_text()
    assert "Cần có điểm hoặc chỉ số." in summary.inner_text()
    summary.get_by_role("link", name="Dòng 2").click()
    assert page.url.endswith("#edit-row-2")
