"""What the self-assessment still lacks (tasks/self_assessment_missing.py), its page,
and the self-assessment settings page (criteria/plan_views.py)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.contrib.auth.models import User
from django.urls import reverse

from criteria.models import Criterion, Organization, Plan
from tasks.models import Evidence
from tasks.self_assessment_missing import MissingKind, self_assessment_missing
from tests.factories import plan_build
from tests.helpers import client_for

D = Decimal


def scored(plan: Plan, code: str, score: str, explanation: str = "") -> Criterion:
    Criterion.objects.filter(plan=plan, code=code).update(
        self_score=D(score), explanation=explanation
    )
    return Criterion.objects.get(plan=plan, code=code)


def kinds(plan: Plan) -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for item in self_assessment_missing(plan=plan):
        found.setdefault(item.code, set()).add(item.kind)
    return found


def test_a_score_above_zero_without_evidence_or_explanation_is_missing(
    seed_plan: Plan,
) -> None:
    scored(seed_plan, "1.1.1", "1.5")
    assert kinds(seed_plan)["1.1.1"] == {MissingKind.NO_EVIDENCE}


def test_an_explanation_or_evidence_settles_it(seed_plan: Plan) -> None:
    scored(seed_plan, "1.1.1", "1.5", explanation="Văn bản đang trình ký")
    criterion = scored(seed_plan, "1.2.1", "0.25")
    Evidence.objects.create(plan=seed_plan, criterion=criterion, number="5/KH-SKHCN")
    found = kinds(seed_plan)
    assert "1.1.1" not in found
    assert "1.2.1" not in found


def test_a_zero_score_needs_no_evidence(seed_plan: Plan) -> None:
    scored(seed_plan, "1.1.1", "0")
    assert "1.1.1" not in kinds(seed_plan)


def test_criteria_not_yet_scored_are_listed_and_headings_are_not(
    seed_plan: Plan,
) -> None:
    found = kinds(seed_plan)
    assert found["1.1.1"] == {MissingKind.NO_SELF_SCORE}
    assert "1" not in found and "1.1" not in found  # headings are not self-scored


def test_a_criterion_that_does_not_apply_needs_only_its_reason(seed_plan: Plan) -> None:
    Criterion.objects.filter(plan=seed_plan, code="1.1").update(applicable=False)
    found = kinds(seed_plan)
    assert found["1.1"] == {MissingKind.NO_REASON}
    assert "1.1.1" not in found  # below a heading that does not apply


def test_every_item_links_to_where_it_is_fixed(seed_plan: Plan) -> None:
    scored(seed_plan, "1.1.1", "1.5")
    item = next(i for i in self_assessment_missing(plan=seed_plan) if i.code == "1.1.1")
    criterion = Criterion.objects.get(plan=seed_plan, code="1.1.1")
    assert item.fix_url == reverse("tasks-evidence-add", args=[criterion.pk])
    assert item.criterion_id == criterion.pk


def test_the_page_lists_what_is_missing_with_links(
    seed_plan: Plan, office: User, viewer: User
) -> None:
    scored(seed_plan, "1.1.1", "1.5")
    url = reverse("reports-self-assessment", args=[seed_plan.pk])
    response = client_for(office).get(url)
    body = response.content.decode()
    assert response.status_code == 200
    assert "Tự chấm 1,5 điểm nhưng chưa có tài liệu kiểm chứng" in body
    criterion = Criterion.objects.get(plan=seed_plan, code="1.1.1")
    assert reverse("tasks-evidence-add", args=[criterion.pk]) in body
    assert reverse("reports-export-self-assessment", args=[seed_plan.pk]) in body
    # A viewer sees the list but no fix buttons.
    body = client_for(viewer).get(url).content.decode()
    assert "Tự chấm 1,5 điểm" in body
    assert reverse("tasks-evidence-add", args=[criterion.pk]) not in body


def test_an_outsider_gets_nothing(seed_plan: Plan, outsider: User) -> None:
    url = reverse("reports-self-assessment", args=[seed_plan.pk])
    assert client_for(outsider).get(url).status_code == 403


@pytest.mark.parametrize("size", [1, 3])
def test_the_page_runs_a_fixed_number_of_queries(
    organization: Organization,
    office: User,
    size: int,
    django_assert_num_queries: object,
) -> None:
    plan = plan_build(organization=organization, areas=size, criteria_per_area=size)
    client = client_for(office)
    # session, user, groups (role), the plan with its organization, the criteria,
    # the evidence with the progress reports they belong to
    with django_assert_num_queries(6):
        response = client.get(reverse("reports-self-assessment", args=[plan.pk]))
    assert response.status_code == 200


def test_the_office_sets_the_score_columns_governing_body_and_place(
    seed_plan: Plan, office: User
) -> None:
    url = reverse("criteria-plan-settings", args=[seed_plan.pk])
    client = client_for(office)
    assert client.get(url).status_code == 200
    response = client.post(
        url,
        {
            "score_columns": Plan.ScoreColumns.SELF_SURVEY,
            "governing_body": "UBND TỈNH ĐẮK NÔNG",
            "place": "Gia Nghĩa",
        },
    )
    assert response.status_code == 302
    plan = Plan.objects.select_related("organization").get(pk=seed_plan.pk)
    assert plan.score_columns == Plan.ScoreColumns.SELF_SURVEY
    assert plan.shows_survey_column and not plan.shows_appraised_column
    assert plan.organization.place_label == "Gia Nghĩa"


def test_a_bad_setting_is_refused_and_changes_nothing(
    seed_plan: Plan, office: User
) -> None:
    url = reverse("criteria-plan-settings", args=[seed_plan.pk])
    response = client_for(office).post(url, {"score_columns": "khac"})
    assert response.status_code == 400
    assert Plan.objects.get(pk=seed_plan.pk).score_columns == Plan.ScoreColumns.SELF


def test_only_the_office_edits_the_settings(
    seed_plan: Plan, viewer: User, head_center: User, director: User
) -> None:
    url = reverse("criteria-plan-settings", args=[seed_plan.pk])
    for user in (viewer, head_center, director):
        assert client_for(user).get(url).status_code == 403
