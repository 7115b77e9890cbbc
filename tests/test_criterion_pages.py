"""A criterion's pages: creating, editing and deleting a criterion and entering its
self-assessed score (criteria/views.py), and the criterion's page with its
sub-criteria, tasks and evidence (reports/views.py)."""

from __future__ import annotations

from decimal import Decimal

from django.contrib.auth.models import User

from criteria.models import Criterion, Plan
from tasks.models import Task, Unit
from tests.factories import plan_build
from tests.helpers import client_for


def test_the_office_enters_a_self_score_with_a_decimal_comma(
    office: User, seed_plan: Plan
) -> None:
    criterion = Criterion.objects.get(plan=seed_plan, code="1.1.1")
    response = client_for(office).post(
        f"/ke-hoach/tieu-chi/{criterion.pk}/tu-cham/",
        {
            f"c{criterion.pk}-self_score": "1,75",
            f"c{criterion.pk}-explanation": "Đã đăng 7/8 tin",
            f"c{criterion.pk}-version": criterion.version,
            "next": "/nhiem-vu/",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == "/nhiem-vu/"
    criterion.refresh_from_db()
    assert criterion.self_score == Decimal("1.75")
    assert criterion.explanation == "Đã đăng 7/8 tin"


def test_a_self_score_above_the_maximum_is_refused_with_the_reason(
    office: User, seed_plan: Plan
) -> None:
    criterion = Criterion.objects.get(plan=seed_plan, code="1.1.1")
    response = client_for(office).post(
        f"/ke-hoach/tieu-chi/{criterion.pk}/tu-cham/",
        {
            f"c{criterion.pk}-self_score": "2,5",
            f"c{criterion.pk}-version": criterion.version,
        },
    )
    assert response.status_code == 400
    assert "Điểm tự đánh giá 2,5 vượt điểm chuẩn 2." in response.content.decode()
    criterion.refresh_from_db()
    assert criterion.self_score is None
    assert criterion.version == 1


def test_an_htmx_self_score_post_answers_the_row_partial(
    office: User, seed_plan: Plan
) -> None:
    criterion = Criterion.objects.get(plan=seed_plan, code="1.2.1")
    response = client_for(office).post(
        f"/ke-hoach/tieu-chi/{criterion.pk}/tu-cham/",
        {
            f"c{criterion.pk}-self_score": "0,5",
            f"c{criterion.pk}-version": criterion.version,
        },
        headers={"HX-Request": "true"},
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert body.lstrip().startswith("<form")
    assert "<html" not in body
    assert "Đã lưu." in body
    assert f'name="c{criterion.pk}-version" value="2"' in body


def test_the_office_creates_edits_and_deletes_a_criterion(
    office: User, seed_plan: Plan
) -> None:
    client = client_for(office)
    parent = Criterion.objects.get(plan=seed_plan, code="1.2")
    form = client.get(f"/ke-hoach/tieu-chi/moi/?parent={parent.pk}").content.decode()
    assert 'value="1.2.3"' in form
    response = client.post(
        "/ke-hoach/tieu-chi/moi/",
        {
            "plan": seed_plan.pk,
            "code": "1.2.3",
            "title": "Công khai kết quả giải quyết TTHC",
            "max_score": "0,5",
            "baseline_score": "0",
            "target_score": "0,5",
        },
    )
    assert response.status_code == 302
    created = Criterion.objects.get(plan=seed_plan, code="1.2.3")
    assert created.parent == parent
    assert created.max_score == Decimal("0.5")

    response = client.post(
        f"/ke-hoach/tieu-chi/{created.pk}/sua/",
        {
            "code": "1.2.3",
            "title": "Công khai kết quả giải quyết thủ tục hành chính",
            "max_score": "0,5",
            "baseline_score": "0,25",
            "target_score": "0,5",
            "version": created.version,
        },
    )
    assert response.status_code == 302
    created.refresh_from_db()
    assert created.baseline_score == Decimal("0.25")
    assert created.title.endswith("thủ tục hành chính")

    response = client.post(f"/ke-hoach/tieu-chi/{created.pk}/xoa/")
    assert response["Location"] == parent.get_absolute_url()
    assert not Criterion.objects.filter(pk=created.pk).exists()


def test_a_criterion_without_its_parent_is_refused(
    office: User, seed_plan: Plan
) -> None:
    response = client_for(office).post(
        "/ke-hoach/tieu-chi/moi/",
        {"plan": seed_plan.pk, "code": "7.1", "title": "Mồ côi"},
    )
    assert response.status_code == 400
    assert "Chưa có tiêu chí 7 để tiêu chí 7.1 thuộc vào" in response.content.decode()


def test_a_heading_criterion_takes_no_scores_of_its_own(
    office: User, seed_plan: Plan
) -> None:
    heading = Criterion.objects.get(plan=seed_plan, code="1.2")
    response = client_for(office).post(
        f"/ke-hoach/tieu-chi/{heading.pk}/sua/",
        {
            "code": "1.2",
            "title": heading.title,
            "max_score": "1",
            "version": heading.version,
        },
    )
    assert response.status_code == 400
    assert "có tiêu chí con" in response.content.decode()
    heading.refresh_from_db()
    assert heading.max_score is None


def test_a_duplicate_criterion_code_is_refused(office: User, seed_plan: Plan) -> None:
    response = client_for(office).post(
        "/ke-hoach/tieu-chi/moi/",
        {"plan": seed_plan.pk, "code": "1.2.1", "title": "Trùng mã"},
    )
    assert response.status_code == 400
    assert Criterion.objects.filter(plan=seed_plan, code="1.2.1").count() == 1
    assert "STT" in response.content.decode()


def test_a_code_with_leading_zeros_is_the_code_without_them(
    office: User, seed_plan: Plan
) -> None:
    client = client_for(office)
    response = client.post(
        "/ke-hoach/tieu-chi/moi/",
        {"plan": seed_plan.pk, "code": "01.02.3", "title": "Công khai kết quả"},
    )
    assert response.status_code == 302
    created = Criterion.objects.get(plan=seed_plan, code="1.2.3")
    assert created.parent == Criterion.objects.get(plan=seed_plan, code="1.2")
    response = client.post(
        "/ke-hoach/tieu-chi/moi/",
        {"plan": seed_plan.pk, "code": "1.2.03", "title": "Trùng mã"},
    )
    assert response.status_code == 400
    assert (
        Criterion.objects.filter(plan=seed_plan, sort_key=created.sort_key).count() == 1
    )


def test_the_criterion_page_shows_tasks_evidence_and_subcriteria(
    viewer: User, seed_plan: Plan
) -> None:
    area = Criterion.objects.get(plan=seed_plan, code="1")
    body = client_for(viewer).get(area.get_absolute_url()).content.decode()
    assert "1.1" in body
    assert "Tiêu chí thành phần" in body
    for task in Task.objects.filter(criterion__code__startswith="1."):
        assert f'href="/nhiem-vu/{task.pk}/"' in body
    assert "Tài liệu kiểm chứng" in body


# Query counts: fixed whatever the size of the plan -----------------------------------


def test_the_criterion_page_runs_a_fixed_number_of_queries(
    office: User,
    organization: object,
    units: dict[str, Unit],
    django_assert_num_queries: object,
) -> None:
    client = client_for(office)
    small = plan_build(organization=organization, year=2023, areas=1)
    big = plan_build(
        organization=organization,
        year=2024,
        areas=2,
        criteria_per_area=4,
        subs_per_criterion=4,
        tasks_per_leaf=3,
    )
    small_area = Criterion.objects.get(plan=small, code="1")
    big_area = Criterion.objects.get(plan=big, code="1")
    # session, user, groups, criterion, ancestors, children, tasks, parts with
    # units, evidence, progress evidence, the self-assessment's state, quarterly
    # reviews, history
    with django_assert_num_queries(13):
        small_body = client.get(small_area.get_absolute_url()).content.decode()
    with django_assert_num_queries(13):
        big_body = client.get(big_area.get_absolute_url()).content.decode()
    assert big_body.count('href="/nhiem-vu/') > small_body.count('href="/nhiem-vu/')
