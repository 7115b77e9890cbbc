"""A whole PAR year walked in a real browser: the plan imported, progress and a
quarterly review recorded, a criterion self-scored with evidence and giải trình,
the self-assessment submitted, approved and locked, the appraised scores
imported, an appeal accepted, next year's plan created on a new criteria set
through a crosswalk, and the two years compared."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.contrib.auth.models import User

from criteria.models import Appeal, Criterion, Organization, Plan, SelfAssessment
from reports.models import CriterionCrosswalk
from tasks.models import Evidence, QuarterlyReview, Task, TaskUnit, Unit
from tests.helpers import PDF_BYTES, SEED_FILE, browser_login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

D = Decimal


def _loaded(page: object) -> None:
    page.wait_for_load_state("domcontentloaded")


def _as(browser: object, page: object, username: str) -> object:
    context = browser.new_context(locale="vi-VN", timezone_id="Asia/Ho_Chi_Minh")
    context.set_default_timeout(10_000)
    other = context.new_page()
    other.base_url = page.base_url
    browser_login(other, username)
    return other


def _new_set(plan: Plan) -> bytes:
    """Next year's set: this year's tree with 1.3 renumbered 1.4 and renamed."""
    lines = ["STT,Lĩnh vực/Tiêu chí/Tiêu chí thành phần,Điểm tối đa"]
    for c in Criterion.objects.filter(plan=plan).order_by("sort_key"):
        maximum = "" if c.children.exists() else str(c.max_score).replace(".", ",")
        code, title = (
            ("1.4", "Sáng kiến CCHC (bộ mới)")
            if c.code == "1.3"
            else (
                c.code,
                c.title,
            )
        )
        lines.append(f'{code},"{title.replace(chr(34), "")}","{maximum}"')
    return "\n".join(lines).encode("utf-8")


def test_a_whole_year_from_the_plan_to_next_years_plan_and_the_comparison(
    page: object,
    _browser: object,
    organization: Organization,
    units: dict[str, Unit],
    office: User,
    head_center: User,
    director: User,
    media_root: object,
) -> None:
    base = page.base_url
    # 1. The office imports the plan: upload → preview → confirm.
    browser_login(page, "office")
    page.goto(base + "/ke-hoach/nhap/")
    page.fill("#id_year", "2023")
    page.set_input_files("#id_file", str(SEED_FILE))
    page.get_by_role("button", name="Xem trước").click()
    page.locator("#import-summary").wait_for()
    assert "Tiêu chí tạo mới: 24" in page.locator("#import-summary").inner_text()
    assert not Plan.objects.exists()
    page.get_by_role("button", name="Xác nhận nhập").click()
    page.locator(".message-success").wait_for()
    plan = Plan.objects.get(organization=organization, year=2023)
    assert plan.criteria.count() == 24

    # 2. A unit head records progress on their part.
    task = Task.objects.get(criterion__plan=plan, criterion__code="1.1.1")
    part = TaskUnit.objects.get(task=task, unit=units["center"])
    head = _as(_browser, page, "head_center")
    head.locator(f"#part-{part.pk}").get_by_role("link", name="Cập nhật").click()
    form = head.locator(f"#form-{part.pk} form.quick-update")
    form.wait_for()
    form.locator("select[name$=status]").select_option("in_progress")
    form.locator("input[name$=percent]").fill("60")
    form.locator("textarea[name$=note]").fill("Đã đăng 4 tin bài")
    form.get_by_role("button", name="Cập nhật").click()
    _loaded(head)
    assert "Đã đăng 4 tin bài" in head.locator(f"#part-{part.pk}-more").inner_text()
    assert "60%" in head.locator(f"#part-{part.pk}").inner_text()
    head.context.close()
    part.refresh_from_db()
    assert (part.status, part.percent) == ("in_progress", 60)

    # 3. The office records a quarterly review.
    page.goto(base + f"/giao-ban/ke-hoach/{plan.pk}/moi/")
    page.fill("#id_held_on", "2023-03-30")
    page.select_option("#id_quarter", "1")
    page.fill("#id_notice_number", "15/TB-SKHCN")
    page.fill("#id_conclusions", "Đôn đốc các đơn vị")
    page.locator("main").get_by_role("button", name="Lưu", exact=True).click()
    _loaded(page)
    review = QuarterlyReview.objects.get()
    assert review.notice_number == "15/TB-SKHCN"
    assert "15/TB-SKHCN" in page.content()

    # 4. The office self-scores 1.3 with evidence and giải trình; the rest 0.
    Criterion.objects.filter(plan=plan, children__isnull=True).exclude(
        code="1.3"
    ).update(self_score=0)
    innovation = Criterion.objects.get(plan=plan, code="1.3")
    page.goto(base + f"/ke-hoach/tieu-chi/{innovation.pk}/tai-lieu/them/")
    page.fill("#id_number", "12/QĐ-SKHCN")
    page.fill("#id_summary", "Công nhận sáng kiến CCHC")
    page.set_input_files(
        "#id_file",
        {"name": "sang-kien.pdf", "mimeType": "application/pdf", "buffer": PDF_BYTES},
    )
    page.locator("main").get_by_role("button", name="Lưu", exact=True).click()
    _loaded(page)
    evidence = Evidence.objects.get(criterion=innovation)
    assert evidence.original_name == "sang-kien.pdf"
    page.goto(base + innovation.get_absolute_url())
    assert "12/QĐ-SKHCN" in page.content()
    page.fill(f"#id_c{innovation.pk}-self_score", "1")
    page.fill(f"#id_c{innovation.pk}-explanation", "Một sáng kiến được công nhận")
    page.get_by_role("button", name="Lưu điểm").click()
    page.wait_for_selector(f"#self-score-{innovation.pk} [role=status]")
    assert page.inner_text(f"#self-score-value-{innovation.pk}") == "1"

    # 5. The office submits; the director approves; an edit is then refused.
    state_url = base + f"/ke-hoach/{plan.pk}/tu-danh-gia/phe-duyet/"
    page.goto(state_url)
    page.get_by_role("button", name="Nộp để phê duyệt").click()
    _loaded(page)
    assert "Đã nộp, chờ phê duyệt, phiên bản 1" in page.content()
    boss = _as(_browser, page, "director")
    boss.goto(state_url)
    boss.get_by_role("button", name="Phê duyệt và khóa").click()
    _loaded(boss)
    assert "Đã phê duyệt, phiên bản 1" in boss.content()
    boss.context.close()
    assert SelfAssessment.objects.get(plan=plan).state == "approved"
    page.goto(base + innovation.get_absolute_url())
    assert "đã được phê duyệt (phiên bản 1) và khóa" in page.content()
    assert page.locator(f"#id_c{innovation.pk}-self_score").count() == 0
    # the evidence page says so at once, with no form to fill in vain
    page.goto(base + f"/ke-hoach/tieu-chi/{innovation.pk}/tai-lieu/them/")
    assert "đã được phê duyệt và khóa" in page.locator("main").inner_text()
    assert page.locator("#id_summary").count() == 0
    assert Evidence.objects.filter(criterion=innovation).count() == 1

    # 6. The office imports the appraised scores.
    page.goto(base + "/ke-hoach/tham-dinh/nhap/")
    page.select_option("#id_plan", str(plan.pk))
    page.set_input_files(
        "#id_file",
        {
            "name": "tham-dinh.csv",
            "mimeType": "text/csv",
            "buffer": "STT,Điểm thẩm định,Ghi chú\n1.3,0,Chưa đủ hồ sơ\n".encode(),
        },
    )
    page.get_by_role("button", name="Xem trước").click()
    page.get_by_role("button", name="Xác nhận nhập").click()
    page.locator(".message-success").wait_for()
    innovation.refresh_from_db()
    assert innovation.appraised_score == D(0)

    # 7. The office records an appeal, accepted: the final score.
    page.goto(base + f"/ke-hoach/tieu-chi/{innovation.pk}/giai-trinh/")
    page.select_option("#id_kind", "appeal")
    page.fill("#id_text", "Có quyết định công nhận")
    page.select_option("#id_outcome", "accepted")
    page.fill("#id_final_score", "1")
    page.locator("main").get_by_role("button", name="Lưu", exact=True).click()
    _loaded(page)
    innovation.refresh_from_db()
    assert innovation.final_score == D(1)
    assert Appeal.objects.get(criterion=innovation).outcome == "accepted"

    # 8. Next year's plan on the new set, 1.3 moved to 1.4 through the crosswalk.
    page.goto(base + f"/ke-hoach/{plan.pk}/nam-sau/")
    set_form = page.locator("#next-year-set")
    set_form.locator("input[name=criteria_set]").set_input_files(
        {"name": "bo-2024.csv", "mimeType": "text/csv", "buffer": _new_set(plan)}
    )
    set_form.locator("textarea[name=crosswalk]").fill("1.3 → 1.4")
    set_form.get_by_role("button", name="Xem trước theo bộ tiêu chí mới").click()
    _loaded(page)
    moved = page.locator("#row-1\\.4")
    assert "Từ tiêu chí 1.3 năm trước" in moved.inner_text()
    # baseline: the final score after the appeal; target: the maximum, 2
    assert moved.locator("td").nth(4).inner_text() == "1"
    assert moved.locator("input[name='target-1.4']").input_value() == "2"
    page.get_by_role(
        "button", name="Lập kế hoạch năm 2024 theo bộ tiêu chí mới"
    ).click()
    page.locator(".message-success").wait_for()
    following = Plan.objects.get(organization=organization, year=2024)
    carried = Criterion.objects.get(plan=following, code="1.4")
    assert carried.baseline_score == D(1)  # the final score after the appeal
    assert list(
        CriterionCrosswalk.objects.filter(plan=following).values_list(
            "old_code", "new_code"
        )
    ) == [("1.3", "1.4")]

    # 9. The comparison shows both years, 1.4 followed back to 1.3.
    page.goto(base + "/bao-cao/so-sanh-nam/")
    assert page.locator("#year-2023").count() == 1
    assert page.locator("#year-2024").count() == 1
    row = page.locator("#code-1\\.4")
    assert "(mã 1.3)" in row.inner_text()
    assert page.locator("#code-1\\.3").count() == 0
