"""Each role's main path, driven through a real headless Chromium."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.contrib.auth.models import User
from django.urls import NoReverseMatch, reverse

from criteria.editing import criterion_self_score_set
from criteria.models import Criterion, Plan
from parplan.roles import Role
from parplan.views import LANDING
from tasks.models import Evidence, Task, Unit
from tests.helpers import PDF_BYTES, browser_login, part_of

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def landing_of(role: Role) -> str:
    for landing_role, url_name in LANDING:
        if landing_role == role:
            try:
                return reverse(url_name)
            except NoReverseMatch:
                continue
    raise AssertionError(f"no landing page for {role}")


def test_the_office_edits_a_task_and_a_self_assessed_score(
    page: object, office: User, shared_task: Task
) -> None:
    browser_login(page, "office")
    page.goto(page.base_url + shared_task.get_absolute_url())
    page.get_by_role("link", name="Sửa nhiệm vụ").click()
    page.fill(
        "#id_text", "Tuyên truyền CCHC trên Cổng thông tin (sửa trên trình duyệt)"
    )
    page.fill("#id_due_date", "2023-11-30")
    page.get_by_role("button", name="Lưu").click()
    page.wait_for_load_state("domcontentloaded")
    assert "Đã lưu nhiệm vụ." in page.content()
    assert "30/11/2023" in page.content()
    shared_task.refresh_from_db()
    assert shared_task.text.endswith("(sửa trên trình duyệt)")

    criterion = shared_task.criterion
    page.goto(page.base_url + criterion.get_absolute_url())
    page.fill(f"#id_c{criterion.pk}-self_score", "1,5")
    page.fill(f"#id_c{criterion.pk}-explanation", "Có 6/8 tin bài")
    url_before = page.url
    page.get_by_role("button", name="Lưu điểm").click()
    # htmx swaps the form in place and updates the score shown above it.
    page.wait_for_selector(f"#self-score-{criterion.pk} [role=status]")
    assert page.url == url_before
    assert page.inner_text(f"#self-score-value-{criterion.pk}") == "1,5"
    criterion.refresh_from_db()
    assert criterion.self_score == Decimal("1.5")


def test_a_unit_head_reports_progress_with_an_evidence_file_and_sees_the_percent(
    page: object,
    head_center: User,
    shared_task: Task,
    units: dict[str, Unit],
    media_root: object,
) -> None:
    part = part_of(shared_task, units["center"])
    browser_login(page, "head_center")
    assert page.url.endswith("/nhiem-vu/cua-don-vi/")
    # The row's form opens under it on “Cập nhật” (one form at a time).
    page.locator(f"#part-{part.pk}").get_by_role("link", name="Cập nhật").click()
    row = page.locator(f"#form-{part.pk}")
    row.locator("form").wait_for()
    row.locator(f"#id_p{part.pk}-status").select_option("in_progress")
    row.locator(f"#id_p{part.pk}-percent").fill("65")
    row.locator(f"#id_p{part.pk}-note").fill("Đã đăng 5 tin bài")
    row.locator("summary").click()
    row.locator(f"#id_p{part.pk}-evidence_file").set_input_files(
        {"name": "tin-bai.pdf", "mimeType": "application/pdf", "buffer": PDF_BYTES}
    )
    row.get_by_role("button", name="Cập nhật").click()
    page.wait_for_load_state("domcontentloaded")
    assert "Đã cập nhật tiến độ" in page.content()
    assert "65%" in page.locator(f"#part-{part.pk}").inner_text()
    evidence = Evidence.objects.get()
    assert evidence.progress_update.part_id == part.pk
    page.goto(page.base_url + shared_task.get_absolute_url())
    with page.expect_download() as download:
        page.evaluate(
            "url => { const a = document.createElement('a'); a.href = url;"
            " a.download = ''; document.body.appendChild(a); a.click(); }",
            f"/ke-hoach/tai-lieu/{evidence.pk}/tep/",
        )
    assert download.value.suggested_filename.endswith(".pdf")


def test_the_director_signs_in_lands_on_their_page_and_cannot_edit(
    page: object, director: User, shared_task: Task
) -> None:
    browser_login(page, "director")
    # The dashboard (reports-dashboard) once installed; the task list until then.
    assert page.url == page.base_url + landing_of(Role.DIRECTOR)
    page.goto(page.base_url + shared_task.get_absolute_url())
    assert page.get_by_role("link", name="Sửa nhiệm vụ").count() == 0
    assert page.get_by_role("button", name="Cập nhật").count() == 0
    response = page.goto(page.base_url + f"/nhiem-vu/{shared_task.pk}/sua/")
    assert response.status == 403


def test_a_stale_form_is_refused_in_the_browser(
    page: object, office: User, seed_plan: Plan
) -> None:
    criterion = Criterion.objects.get(plan=seed_plan, code="1.2.1")
    browser_login(page, "office")
    page.goto(page.base_url + criterion.get_absolute_url())
    # Someone else saves while the form is open.
    criterion_self_score_set(
        criterion=criterion,
        user=office,
        self_score=Decimal("0.25"),
        explanation="Lưu từ máy khác",
        expected_version=criterion.version,
    )
    page.fill(f"#id_c{criterion.pk}-self_score", "0,5")
    page.get_by_role("button", name="Lưu điểm").click()
    alert = page.wait_for_selector("[role=alert]").inner_text()
    assert "người khác đã lưu thay đổi" in alert
    assert "Lưu từ máy khác" in alert
    criterion.refresh_from_db()
    assert criterion.self_score == Decimal("0.25")
    assert page.input_value(f"#id_c{criterion.pk}-self_score") == "0,5"


def test_the_unit_heads_page_reads_on_a_phone(
    page: object, head_center: User, seed_plan: Plan
) -> None:
    page.set_viewport_size({"width": 375, "height": 740})
    browser_login(page, "head_center")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 375 + 1
    assert page.get_by_role("link", name="Cập nhật").first.is_visible()
