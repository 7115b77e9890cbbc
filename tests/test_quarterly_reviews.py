"""Quarterly reviews (giao ban quý): the office records them, the others read them,
and the criterion that asks for them counts them as evidence."""

from __future__ import annotations

from datetime import date

import pytest
from django.contrib.auth.models import User

from criteria.models import Criterion, Organization, Plan
from tasks.models import QuarterlyReview, Task, Unit
from tests.factories import plan_build
from tests.helpers import client_for

pytestmark = pytest.mark.django_db


def _review(plan: Plan, quarter: int, **extra: object) -> QuarterlyReview:
    return QuarterlyReview.objects.create(
        plan=plan,
        held_on=date(plan.year, quarter * 3, 28),
        quarter=quarter,
        notice_number=f"{quarter}/TB-SKHCN",
        conclusions=f"Kết luận quý {quarter}",
        **extra,
    )


def _post_data(plan: Plan, **extra: object) -> dict[str, object]:
    criterion = Criterion.objects.get(plan=plan, code="1.2.2")
    task = Task.objects.filter(criterion__plan=plan).first()
    assert task is not None
    data: dict[str, object] = {
        "held_on": f"{plan.year}-03-30",
        "quarter": "1",
        "notice_number": "15/TB-SKHCN",
        "conclusions": "Giao Văn phòng đôn đốc các đơn vị.",
        "criteria": [criterion.pk],
        "tasks": [task.pk],
    }
    data.update(extra)
    return data


def test_the_office_records_a_review_with_its_criteria_and_tasks(
    office: User, seed_plan: Plan
) -> None:
    response = client_for(office).post(
        f"/giao-ban/ke-hoach/{seed_plan.pk}/moi/", _post_data(seed_plan)
    )
    assert response.status_code == 302
    review = QuarterlyReview.objects.get()
    assert review.plan == seed_plan
    assert review.notice_number == "15/TB-SKHCN"
    assert [c.code for c in review.criteria.all()] == ["1.2.2"]
    assert review.tasks.count() == 1
    page = client_for(office).get(response["Location"])
    assert "15/TB-SKHCN" in page.content.decode()


def test_a_review_without_a_date_is_refused_and_nothing_is_written(
    office: User, seed_plan: Plan
) -> None:
    response = client_for(office).post(
        f"/giao-ban/ke-hoach/{seed_plan.pk}/moi/",
        _post_data(seed_plan, held_on=""),
    )
    assert response.status_code == 400
    assert "Trường này là bắt buộc" in response.content.decode()
    assert not QuarterlyReview.objects.exists()


def test_a_task_of_another_plan_cannot_be_linked(
    office: User, seed_plan: Plan, organization: Organization
) -> None:
    other = plan_build(organization=organization, year=2024, areas=1)
    foreign = Task.objects.filter(criterion__plan=other).first()
    assert foreign is not None
    response = client_for(office).post(
        f"/giao-ban/ke-hoach/{seed_plan.pk}/moi/",
        _post_data(seed_plan, tasks=[foreign.pk]),
    )
    assert response.status_code == 400
    assert not QuarterlyReview.objects.exists()


def test_editing_a_review_is_kept_in_its_history(office: User, seed_plan: Plan) -> None:
    client = client_for(office)
    client.post(f"/giao-ban/ke-hoach/{seed_plan.pk}/moi/", _post_data(seed_plan))
    review = QuarterlyReview.objects.get()
    response = client.post(
        f"/giao-ban/{review.pk}/sua/",
        _post_data(seed_plan, notice_number="16/TB-SKHCN", criteria=[]),
    )
    assert response.status_code == 302
    review.refresh_from_db()
    assert review.notice_number == "16/TB-SKHCN"
    assert not review.criteria.exists()
    page = client.get(f"/giao-ban/{review.pk}/sua/").content.decode()
    assert "Lịch sử thay đổi" in page
    assert "15/TB-SKHCN" in page and "16/TB-SKHCN" in page


def test_the_office_deletes_a_review_after_confirming(
    office: User, seed_plan: Plan
) -> None:
    review = _review(seed_plan, 1)
    client = client_for(office)
    assert "Xóa cuộc giao ban quý?" in client.get(
        f"/giao-ban/{review.pk}/xoa/"
    ).content.decode("utf-8")
    assert QuarterlyReview.objects.exists()
    response = client.post(f"/giao-ban/{review.pk}/xoa/")
    assert response.status_code == 302
    assert not QuarterlyReview.objects.exists()


def test_the_review_criterion_shows_how_many_reviews_exist_and_lists_them(
    viewer: User, seed_plan: Plan
) -> None:
    _review(seed_plan, 1)
    _review(seed_plan, 2)
    criterion = Criterion.objects.get(plan=seed_plan, code="1.2.2")
    body = client_for(viewer).get(criterion.get_absolute_url()).content.decode()
    assert "Đã có 2 / 4 cuộc giao ban quý năm nay." in body
    assert "1/TB-SKHCN" in body and "2/TB-SKHCN" in body


def test_the_number_of_reviews_required_is_a_setting_of_the_plan(
    viewer: User, seed_plan: Plan
) -> None:
    seed_plan.reviews_required = 2
    seed_plan.review_criterion_code = "1.1.1"
    seed_plan.save()
    _review(seed_plan, 1)
    rule = Criterion.objects.get(plan=seed_plan, code="1.1.1")
    body = client_for(viewer).get(rule.get_absolute_url()).content.decode()
    assert "Đã có 1 / 2 cuộc giao ban quý năm nay." in body
    former = Criterion.objects.get(plan=seed_plan, code="1.2.2")
    body = client_for(viewer).get(former.get_absolute_url()).content.decode()
    assert "cuộc giao ban quý năm nay" not in body


def test_another_criterion_lists_only_the_reviews_that_discussed_it(
    viewer: User, seed_plan: Plan
) -> None:
    criterion = Criterion.objects.get(plan=seed_plan, code="1.1.1")
    _review(seed_plan, 1).criteria.add(criterion)
    _review(seed_plan, 2)
    body = client_for(viewer).get(criterion.get_absolute_url()).content.decode()
    assert "1/TB-SKHCN" in body
    assert "2/TB-SKHCN" not in body


def test_the_director_and_unit_heads_read_but_do_not_write(
    director: User, head_center: User, seed_plan: Plan
) -> None:
    review = _review(seed_plan, 1)
    for user in (director, head_center):
        client = client_for(user)
        body = client.get(f"/giao-ban/ke-hoach/{seed_plan.pk}/").content.decode()
        assert "1/TB-SKHCN" in body
        assert "Ghi cuộc giao ban" not in body
        assert client.get(f"/giao-ban/ke-hoach/{seed_plan.pk}/moi/").status_code == 403
        assert (
            client.post(
                f"/giao-ban/ke-hoach/{seed_plan.pk}/moi/", _post_data(seed_plan)
            ).status_code
            == 403
        )
        assert client.post(f"/giao-ban/{review.pk}/sua/").status_code == 403
        assert client.post(f"/giao-ban/{review.pk}/xoa/").status_code == 403
    assert QuarterlyReview.objects.count() == 1


def test_an_outsider_gets_nothing(outsider: User, seed_plan: Plan) -> None:
    review = _review(seed_plan, 1)
    client = client_for(outsider)
    for url in (
        "/giao-ban/",
        f"/giao-ban/ke-hoach/{seed_plan.pk}/",
        f"/giao-ban/ke-hoach/{seed_plan.pk}/moi/",
        f"/giao-ban/{review.pk}/sua/",
        f"/giao-ban/{review.pk}/xoa/",
    ):
        assert client.get(url).status_code == 403, url


def test_the_menu_links_the_reviews_for_the_office(
    office: User, seed_plan: Plan
) -> None:
    body = client_for(office).get("/giao-ban/").content.decode()
    assert 'href="/giao-ban/"' in body
    assert "Tiêu chí 1.2.2 cần 4 cuộc giao ban; đã ghi 0 cuộc." in body


def test_the_review_list_runs_a_fixed_number_of_queries(
    office: User,
    organization: Organization,
    units: dict[str, Unit],
    django_assert_num_queries: object,
) -> None:
    client = client_for(office)
    small = plan_build(organization=organization, year=2023, areas=1)
    small.review_criterion_code = "1.1"
    small.save()
    _review(small, 1)
    big = plan_build(organization=organization, year=2024, areas=3)
    big.review_criterion_code = "1.1"
    big.save()
    for quarter in (1, 2, 3, 4):
        review = _review(big, quarter)
        review.criteria.set(Criterion.objects.filter(plan=big)[:5])
        review.tasks.set(Task.objects.filter(criterion__plan=big)[:3])
    # session, user, groups, plan, reviews with their counts, the review
    # criterion, the other plans for the switcher
    with django_assert_num_queries(7):
        small_body = client.get(f"/giao-ban/ke-hoach/{small.pk}/").content.decode()
    with django_assert_num_queries(7):
        big_body = client.get(f"/giao-ban/ke-hoach/{big.pk}/").content.decode()
    assert big_body.count("/TB-SKHCN") > small_body.count("/TB-SKHCN")
