"""Submit → approve → lock of the year's self-assessment (reports.self_assessment_steps,
criteria.assessment_lock).

Every path that edits a self-score, an explanation or evidence is refused once the
self-assessment is approved; this module proves each of them:

1. ``criterion_self_score_set`` (every page's write of a self-score);
2. the self-score page (full page post);
3. the htmx partial of the inline self-score in the tree;
4. the scoring rule's "apply as self-score" (``criterion_scoring_save``);
5. evidence added to a criterion (page);
6. evidence deleted (page), and its metadata corrected (page);
7. a progress report that carries evidence (a unit head's page);
8. a criterion deleted (its self-score and evidence would go with it);
9. the admin: a criterion's self-score and explanation are read-only, its evidence
   inline read-only, locked criteria and evidence cannot be deleted (nor cascaded),
   evidence cannot be added to a locked plan.
No import on main writes self-scores (the appendix writes the plan's columns, the
appraisal import the council's): an import that does must call
``self_assessment_lock_check`` as the writes above do.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from criteria import editing
from criteria.models import Criterion, Plan, ScoringRule, SelfAssessment
from reports import self_assessment_steps as steps
from tasks.evidence import evidence_add, evidence_delete
from tasks.models import Evidence, Task, Unit
from tasks.self_assessment_missing import MissingItem, self_assessment_missing
from tests.factories import plan_build
from tests.helpers import PDF_BYTES, client_for, part_of

LOCKED = "đã được phê duyệt và khóa"


@pytest.fixture
def criterion(seed_plan: Plan) -> Criterion:
    """1.2.2 self-scored in full with its explanation, every other criterion scored 0,
    so that nothing is missing before submission."""
    Criterion.objects.filter(plan=seed_plan, children__isnull=True).update(
        self_score=Decimal(0)
    )
    c = Criterion.objects.get(plan=seed_plan, code="1.2.2")
    Criterion.objects.filter(pk=c.pk).update(
        self_score=c.max_score, explanation="Đủ bốn thông báo kết luận."
    )
    c.refresh_from_db()
    return c


def state_url(plan: Plan) -> str:
    return f"/ke-hoach/{plan.pk}/tu-danh-gia/phe-duyet/"


def approve(plan: Plan, office: User, director: User) -> None:
    steps.self_assessment_submit(plan=plan, user=office, missing=[])
    steps.self_assessment_approve(plan=plan, user=director)


def state_of(plan: Plan) -> str:
    return SelfAssessment.objects.get(plan=plan).state


# The state machine and who may move it ----------------------------------------------


def test_the_office_submits_and_the_director_approves_through_the_page(
    seed_plan: Plan, criterion: Criterion, office: User, director: User
) -> None:
    response = client_for(office).post(state_url(seed_plan), {"action": "submit"})
    assert response.status_code == 302
    assert state_of(seed_plan) == "submitted"
    page = client_for(director).get(state_url(seed_plan)).content.decode()
    assert "Đã nộp, chờ phê duyệt, phiên bản 1" in page
    assert "Phê duyệt và khóa" in page
    client_for(director).post(state_url(seed_plan), {"action": "approve"})
    assert state_of(seed_plan) == "approved"
    page = client_for(office).get(state_url(seed_plan)).content.decode()
    assert "Đã phê duyệt, phiên bản 1" in page and "Director" in page


@pytest.mark.parametrize("who", ["head_office", "head_center", "office", "viewer"])
def test_only_the_director_approves(
    seed_plan: Plan, office: User, who: str, request: pytest.FixtureRequest
) -> None:
    steps.self_assessment_submit(plan=seed_plan, user=office, missing=[])
    user = request.getfixturevalue(who)
    with pytest.raises(PermissionDenied):
        steps.self_assessment_approve(plan=seed_plan, user=user)
    client_for(user).post(state_url(seed_plan), {"action": "approve"})
    assert state_of(seed_plan) == "submitted"


@pytest.mark.parametrize("who", ["director", "head_office", "viewer"])
def test_only_the_office_submits(
    seed_plan: Plan, who: str, request: pytest.FixtureRequest
) -> None:
    user = request.getfixturevalue(who)
    with pytest.raises(PermissionDenied):
        steps.self_assessment_submit(plan=seed_plan, user=user, missing=[])
    assert not SelfAssessment.objects.filter(plan=seed_plan).exists()


def test_an_outsider_sees_nothing_of_the_state_page(
    seed_plan: Plan, outsider: User
) -> None:
    assert client_for(outsider).get(state_url(seed_plan)).status_code == 403
    assert (
        client_for(outsider)
        .post(state_url(seed_plan), {"action": "submit"})
        .status_code
        == 403
    )


def test_the_director_cannot_edit_scores(
    seed_plan: Plan, criterion: Criterion, director: User
) -> None:
    client = client_for(director)
    url = f"/ke-hoach/tieu-chi/{criterion.pk}/tu-cham/"
    assert client.get(url).status_code == 403
    response = client.post(
        url,
        {
            f"c{criterion.pk}-self_score": "0",
            f"c{criterion.pk}-explanation": "",
            f"c{criterion.pk}-version": criterion.version,
        },
    )
    assert response.status_code == 403
    criterion.refresh_from_db()
    assert criterion.self_score == criterion.max_score


def test_a_step_out_of_order_is_refused_with_the_states_named(
    seed_plan: Plan, office: User, director: User
) -> None:
    with pytest.raises(ValidationError, match=r"“Dự thảo”.*“Đã nộp, chờ phê duyệt”"):
        steps.self_assessment_approve(plan=seed_plan, user=director)
    approve(seed_plan, office, director)
    with pytest.raises(ValidationError):
        steps.self_assessment_submit(plan=seed_plan, user=office, missing=[])
    with pytest.raises(ValidationError):
        steps.self_assessment_approve(plan=seed_plan, user=director)


def test_submitting_is_refused_while_something_is_missing(
    seed_plan: Plan, criterion: Criterion, office: User
) -> None:
    Criterion.objects.filter(pk=criterion.pk).update(explanation="")
    missing = self_assessment_missing(plan=seed_plan)
    assert [m.code for m in missing] == ["1.2.2"]
    response = client_for(office).post(state_url(seed_plan), {"action": "submit"})
    assert response.status_code == 400
    page = response.content.decode()
    assert "Chưa nộp được: còn 1 mục thiếu" in page and "1.2.2" in page
    assert not SelfAssessment.objects.filter(plan=seed_plan, edition=1).exists()


def test_rows_the_caller_computed_block_a_submission_too(
    seed_plan: Plan, office: User
) -> None:
    row = MissingItem(
        criterion_id=0,
        code="4.3",
        title="",
        kind="no_self_score",
        message="Chưa tự chấm điểm.",
        fix_url="",
    )
    with pytest.raises(ValidationError, match=r"4\.3: Chưa tự chấm điểm"):
        steps.self_assessment_submit(plan=seed_plan, user=office, missing=[row])


def test_evidence_or_an_explanation_answers_the_built_in_check(
    seed_plan: Plan, criterion: Criterion, office: User
) -> None:
    Criterion.objects.filter(pk=criterion.pk).update(explanation="")
    Evidence.objects.create(plan=seed_plan, criterion=criterion, number="01/TB")
    assert self_assessment_missing(plan=seed_plan) == []


# Reopening, editions, snapshots -------------------------------------------------------


def test_reopening_needs_a_reason_and_unlocks(
    seed_plan: Plan, criterion: Criterion, office: User, director: User
) -> None:
    approve(seed_plan, office, director)
    response = client_for(director).post(
        state_url(seed_plan), {"action": "reopen", "reason": "  "}
    )
    assert response.status_code == 400
    assert "Hãy ghi lý do mở lại." in response.content.decode()
    assert state_of(seed_plan) == "approved"
    with pytest.raises(PermissionDenied):
        steps.self_assessment_reopen(plan=seed_plan, user=office, reason="Sửa")
    client_for(director).post(
        state_url(seed_plan), {"action": "reopen", "reason": "Thiếu tài liệu 1.2.2"}
    )
    assert state_of(seed_plan) == "draft"
    saved = editing.criterion_self_score_set(
        criterion=criterion,
        user=office,
        self_score=Decimal("0.25"),
        explanation="Mới có ba thông báo.",
        expected_version=criterion.version,
    )
    assert saved.self_score == Decimal("0.25")
    step = steps.self_assessment_submit(plan=seed_plan, user=office, missing=[])
    assert step.edition == 2
    page = client_for(office).get(state_url(seed_plan)).content.decode()
    assert "Thiếu tài liệu 1.2.2" in page and "Mở lại" in page


def test_each_step_keeps_who_when_why_and_the_figures_of_that_moment(
    seed_plan: Plan, criterion: Criterion, office: User, director: User
) -> None:
    approve(seed_plan, office, director)
    steps.self_assessment_reopen(plan=seed_plan, user=director, reason="Sửa 1.2.2")
    kept = list(SelfAssessment.objects.get(plan=seed_plan).steps.order_by("at", "pk"))
    assert [(s.kind, s.edition, s.user, s.reason) for s in kept] == [
        ("submit", 1, office, ""),
        ("approve", 1, director, ""),
        ("reopen", 1, director, "Sửa 1.2.2"),
    ]
    figures = kept[1].figures
    assert figures["totals"]["standard"] == "15.00"
    assert figures["totals"]["self"] == str(
        criterion.max_score.quantize(Decimal("0.01"))
    )
    assert figures["self_assessment"]["1.2.2"] == {
        "self_score": str(criterion.max_score),
        "explanation": "Đủ bốn thông báo kết luận.",
    }
    assert figures["plan"]["year"] == 2023


def test_the_status_line_names_state_edition_date_and_person(
    seed_plan: Plan, office: User, director: User
) -> None:
    assert steps.self_assessment_status_line(plan=seed_plan) == "Dự thảo, chưa nộp"
    approve(seed_plan, office, director)
    line = steps.self_assessment_status_line(plan=seed_plan)
    assert line.startswith("Đã phê duyệt, phiên bản 1, ")
    assert line.endswith(" bởi Director")


# The lock refuses every edit path -------------------------------------------------------


@pytest.fixture
def locked(
    seed_plan: Plan, criterion: Criterion, office: User, director: User
) -> Criterion:
    approve(seed_plan, office, director)
    return criterion


def _unchanged(criterion: Criterion) -> None:
    before = (criterion.self_score, criterion.explanation)
    criterion.refresh_from_db()
    assert (criterion.self_score, criterion.explanation) == before


def test_1_the_write_function_refuses(locked: Criterion, office: User) -> None:
    with pytest.raises(ValidationError, match=LOCKED):
        editing.criterion_self_score_set(
            criterion=locked,
            user=office,
            self_score=Decimal(0),
            explanation="",
            expected_version=locked.version,
        )
    _unchanged(locked)


@pytest.mark.parametrize("htmx", [False, True])
def test_2_3_the_page_and_the_trees_partial_refuse(
    locked: Criterion, office: User, htmx: bool
) -> None:
    headers = {"HX-Request": "true"} if htmx else {}
    response = client_for(office).post(
        f"/ke-hoach/tieu-chi/{locked.pk}/tu-cham/",
        {
            f"c{locked.pk}-self_score": "0",
            f"c{locked.pk}-explanation": "",
            f"c{locked.pk}-version": locked.version,
        },
        headers=headers,
    )
    assert LOCKED in response.content.decode()
    assert response.status_code == (200 if htmx else 400)
    _unchanged(locked)


def test_4_applying_a_scoring_rule_refuses(locked: Criterion, office: User) -> None:
    rule = ScoringRule(kind=ScoringRule.Kind.PASS_FAIL, passed=False)
    with pytest.raises(ValidationError, match=LOCKED):
        editing.criterion_scoring_save(
            criterion=locked,
            user=office,
            rule=rule,
            apply=True,
            expected_version=locked.version,
        )
    _unchanged(locked)
    assert not ScoringRule.objects.filter(criterion=locked).exists()


def test_5_adding_evidence_refuses(
    locked: Criterion, office: User, media_root: Path
) -> None:
    response = client_for(office).post(
        f"/ke-hoach/tieu-chi/{locked.pk}/tai-lieu/them/",
        {"number": "07/TB", "file": SimpleUploadedFile("tb.pdf", PDF_BYTES)},
    )
    assert response.status_code == 400
    assert LOCKED in response.content.decode()
    assert not Evidence.objects.filter(criterion=locked).exists()


def test_5b_the_evidence_page_says_it_is_locked_instead_of_offering_a_form(
    locked: Criterion, office: User
) -> None:
    response = client_for(office).get(f"/ke-hoach/tieu-chi/{locked.pk}/tai-lieu/them/")
    body = response.content.decode()
    assert response.status_code == 200
    assert LOCKED in body
    assert 'enctype="multipart/form-data"' not in body


def test_6_deleting_evidence_refuses(
    seed_plan: Plan, criterion: Criterion, office: User, director: User
) -> None:
    item = Evidence.objects.create(plan=seed_plan, criterion=criterion, number="01")
    approve(seed_plan, office, director)
    response = client_for(office).post(
        f"/ke-hoach/tai-lieu/{item.pk}/xoa/", follow=True
    )
    assert LOCKED in response.content.decode()
    assert Evidence.objects.filter(pk=item.pk).exists()


def test_6b_correcting_evidence_metadata_refuses(
    seed_plan: Plan, criterion: Criterion, office: User, director: User
) -> None:
    item = Evidence.objects.create(plan=seed_plan, criterion=criterion, number="01")
    approve(seed_plan, office, director)
    response = client_for(office).post(
        f"/ke-hoach/tai-lieu/{item.pk}/sua/", {"number": "02/TB", "summary": "Khác"}
    )
    assert response.status_code == 400
    assert LOCKED in response.content.decode()
    item.refresh_from_db()
    assert item.number == "01"


def test_7_a_progress_report_with_evidence_refuses_whole(
    locked: Criterion,
    head_center: User,
    units: dict[str, Unit],
    shared_task: Task,
    media_root: Path,
) -> None:
    part = part_of(shared_task, units["center"])
    response = client_for(head_center).post(
        f"/nhiem-vu/phan-viec/{part.pk}/cap-nhat/",
        {
            f"p{part.pk}-status": "in_progress",
            f"p{part.pk}-percent": "50",
            f"p{part.pk}-note": "",
            f"p{part.pk}-version": part.version,
            f"p{part.pk}-evidence_number": "02/BC",
            f"p{part.pk}-evidence_file": SimpleUploadedFile("bc.pdf", PDF_BYTES),
        },
    )
    part.refresh_from_db()
    assert response.status_code == 400
    assert LOCKED in response.content.decode()
    assert part.percent == 0
    assert not Evidence.objects.filter(plan=locked.plan).exists()


def test_8_deleting_a_criterion_refuses(locked: Criterion, office: User) -> None:
    response = client_for(office).post(
        f"/ke-hoach/tieu-chi/{locked.pk}/xoa/", follow=True
    )
    assert LOCKED in response.content.decode()
    assert Criterion.objects.filter(pk=locked.pk).exists()


@pytest.fixture
def staff(office: User) -> User:
    office.is_staff = True
    office.save()
    return office


def test_9_the_admin_shows_the_self_score_read_only_and_says_why(
    locked: Criterion, staff: User
) -> None:
    page = client_for(staff).get(f"/admin/criteria/criterion/{locked.pk}/change/")
    body = page.content.decode()
    assert LOCKED in body
    assert 'name="self_score"' not in body and 'name="explanation"' not in body
    assert 'name="title"' in body


def test_9_the_admin_refuses_deleting_locked_criteria_and_evidence(
    seed_plan: Plan, criterion: Criterion, staff: User, director: User
) -> None:
    item = Evidence.objects.create(plan=seed_plan, criterion=criterion, number="01")
    approve(seed_plan, staff, director)
    client = client_for(staff)
    assert (
        client.post(
            f"/admin/criteria/criterion/{criterion.pk}/delete/", {"post": "yes"}
        ).status_code
        == 403
    )
    assert (
        client.post(
            f"/admin/tasks/evidence/{item.pk}/delete/", {"post": "yes"}
        ).status_code
        == 403
    )
    # A cascade through an unlocked row is refused too: the task's evidence would go.
    response = client.post(
        "/admin/criteria/plan/",
        {
            "action": "delete_selected",
            "_selected_action": [seed_plan.pk],
            "post": "yes",
        },
    )
    assert response.status_code in (200, 403)
    assert Evidence.objects.filter(pk=item.pk).exists()
    assert Criterion.objects.filter(pk=criterion.pk).exists()


def test_9_the_admin_refuses_new_evidence_in_a_locked_plan(
    locked: Criterion, staff: User
) -> None:
    """Evidence is read-only in the admin in every state (its file is checked on the
    criterion's page), so a locked plan's evidence cannot be added there either."""
    response = client_for(staff).post(
        "/admin/tasks/evidence/add/",
        {"plan": locked.plan_id, "criterion": locked.pk, "number": "09/TB"},
    )
    assert response.status_code == 403
    assert not Evidence.objects.filter(number="09/TB").exists()


def test_writes_below_the_pages_refuse_too(locked: Criterion, office: User) -> None:
    with pytest.raises(ValidationError, match=LOCKED):
        evidence_add(plan=locked.plan, user=office, criterion=locked, number="1")
    Evidence.objects.bulk_create(
        [Evidence(plan=locked.plan, criterion=locked, number="2")]
    )
    with pytest.raises(ValidationError, match=LOCKED):
        evidence_delete(evidence=Evidence.objects.get(number="2"), user=office)
    assert Evidence.objects.filter(number="2").exists()


# Pages show the state ---------------------------------------------------------------


def test_the_tree_and_the_criterion_page_show_the_lock_and_drop_the_forms(
    locked: Criterion, office: User
) -> None:
    client = client_for(office)
    tree = client.get("/ke-hoach/?expand=all").content.decode()
    assert "đã được phê duyệt (phiên bản 1) và khóa" in tree
    assert 'class="self-score-form"' not in tree
    page = client.get(locked.get_absolute_url()).content.decode()
    assert "đã được phê duyệt (phiên bản 1) và khóa" in page
    assert 'class="self-score-form"' not in page


def test_a_submitted_self_assessment_is_announced_but_not_locked(
    seed_plan: Plan, criterion: Criterion, office: User
) -> None:
    steps.self_assessment_submit(plan=seed_plan, user=office, missing=[])
    tree = client_for(office).get("/ke-hoach/?expand=all").content.decode()
    assert "đang chờ Lãnh đạo Sở phê duyệt" in tree
    assert 'class="self-score-form"' in tree


# Query counts of the state page (its list of steps) ------------------------------------


@pytest.mark.parametrize("rounds", [1, 4])
def test_the_state_page_runs_a_fixed_number_of_queries(
    organization: Any,
    units: dict[str, Unit],
    office: User,
    director: User,
    rounds: int,
    django_assert_num_queries: Any,
) -> None:
    plan = plan_build(organization=organization, areas=rounds)
    for _ in range(rounds):
        approve(plan, office, director)
        steps.self_assessment_reopen(plan=plan, user=director, reason="Sửa")
    client = client_for(director)
    client.get(state_url(plan))
    # session, user, groups; the plan; the state; the status line's state and last
    # step; the steps with their users
    with django_assert_num_queries(8):
        response = client.get(state_url(plan))
    assert response.content.decode().count('<td class="num">') >= 3 * rounds
