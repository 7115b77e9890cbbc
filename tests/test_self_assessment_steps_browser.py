"""Submit → approve in a real browser, then the tree's inline self-score, loaded
before the approval, is refused with the lock's message."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User

from criteria.models import Criterion, Plan, SelfAssessment
from tests.helpers import browser_login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_submit_approve_and_the_tree_refuses_an_inline_self_score(
    page: object, _browser: object, seed_plan: Plan, office: User, director: User
) -> None:
    # Every criterion self-scored (0: nothing claimed, so no evidence is missing).
    Criterion.objects.filter(plan=seed_plan, children__isnull=True).update(self_score=0)
    criterion = Criterion.objects.get(plan=seed_plan, code="1.2.2")
    state_url = f"{page.base_url}/ke-hoach/{seed_plan.pk}/tu-danh-gia/phe-duyet/"
    browser_login(page, "office")
    page.goto(state_url)
    page.get_by_role("button", name="Nộp để phê duyệt").click()
    page.wait_for_load_state("domcontentloaded")
    assert "Đã nộp, chờ phê duyệt, phiên bản 1" in page.content()
    page.goto(page.base_url + "/ke-hoach/?expand=all")  # the whole tree
    form = page.locator(f"#self-score-{criterion.pk}")
    assert form.count() == 1

    context = _browser.new_context(locale="vi-VN", timezone_id="Asia/Ho_Chi_Minh")
    other = context.new_page()
    other.base_url = page.base_url
    browser_login(other, "director")
    other.goto(state_url)
    other.get_by_role("button", name="Phê duyệt và khóa").click()
    other.wait_for_load_state("domcontentloaded")
    assert "Đã phê duyệt, phiên bản 1" in other.content()
    context.close()
    assert SelfAssessment.objects.get(plan=seed_plan).state == "approved"

    page.locator("details.inline-edit", has=form).locator("summary").click()
    page.fill(f"#id_c{criterion.pk}-self_score", "0,5")
    form.get_by_role("button", name="Lưu điểm").click()
    page.wait_for_selector(f"#self-score-{criterion.pk} .errorlist")
    assert "đã được phê duyệt và khóa" in form.inner_text()
    criterion.refresh_from_db()
    assert criterion.self_score == 0  # the approved score, not the 0,5 typed
    page.reload()
    assert "đã được phê duyệt (phiên bản 1) và khóa" in page.content()
    assert page.locator(f"#self-score-{criterion.pk}").count() == 0
