from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from criteria.models import Criterion, Organization, Plan
from tasks.models import Status, Task, TaskUnit, Unit

D = Decimal


@pytest.fixture
def plan(organization: Organization) -> Plan:
    return Plan.objects.create(
        organization=organization, year=2023, baseline_year=2022, title="Kế hoạch"
    )


def make(
    plan: Plan, code: str, parent: Criterion | None = None, **scores: Decimal
) -> Criterion:
    criterion = Criterion(
        plan=plan, code=code, parent=parent, title=f"Tiêu chí {code}", **scores
    )
    criterion.full_clean()
    criterion.save()
    return criterion


def test_a_plan_holds_many_years_side_by_side(organization: Organization) -> None:
    for year in (2023, 2024):
        Plan.objects.create(
            organization=organization, year=year, baseline_year=year - 1, title="KH"
        )
    assert Plan.objects.filter(organization=organization).count() == 2


def test_a_plan_defaults_to_a_100_point_scale_and_a_goal_of_two_places(
    plan: Plan,
) -> None:
    assert plan.full_scale == D("100") and plan.rank_goal == 2


def test_depth_and_code_order_follow_the_code(plan: Plan) -> None:
    area = make(plan, "1")
    crit = make(plan, "1.10", area)
    make(plan, "1.2", area)
    sub = make(
        plan,
        "1.10.1",
        crit,
        max_score=D("1"),
        baseline_score=D("0"),
        target_score=D("1"),
    )
    assert (area.depth, crit.depth, sub.depth) == (1, 2, 3)
    assert [c.code for c in Criterion.objects.filter(plan=plan)] == [
        "1",
        "1.2",
        "1.10",
        "1.10.1",
    ]


@pytest.mark.parametrize(
    ("scores", "field", "message"),
    [
        ({"max_score": D("-1")}, "max_score", "không được âm"),
        (
            {"max_score": D("1"), "baseline_score": D("1.5")},
            "baseline_score",
            "vượt điểm chuẩn 1",
        ),
        (
            {"max_score": D("1"), "target_score": D("2")},
            "target_score",
            "vượt điểm chuẩn",
        ),
        (
            {"max_score": D("0.5"), "self_score": D("0.75")},
            "self_score",
            "0,75 vượt điểm chuẩn 0,5",
        ),
        ({"baseline_score": D("1")}, "baseline_score", "cần có điểm chuẩn"),
    ],
)
def test_validation_refuses_impossible_scores(
    plan: Plan, scores: dict, field: str, message: str
) -> None:
    area = make(plan, "1")
    with pytest.raises(ValidationError) as caught:
        make(plan, "1.1", area, **scores)
    assert message in " ".join(caught.value.message_dict[field])


def test_validation_refuses_a_code_whose_parent_is_missing(plan: Plan) -> None:
    with pytest.raises(ValidationError) as caught:
        make(plan, "2.1")
    assert "phải thuộc tiêu chí 2" in str(caught.value)


def test_validation_refuses_a_malformed_code(plan: Plan) -> None:
    with pytest.raises(ValidationError) as caught:
        make(plan, "II")
    assert "không đúng dạng" in str(caught.value)


def test_the_database_itself_refuses_a_score_above_the_standard(plan: Plan) -> None:
    area = make(plan, "1")
    with pytest.raises(IntegrityError), transaction.atomic():
        Criterion.objects.create(
            plan=plan,
            parent=area,
            code="1.1",
            title="x",
            max_score=D("1"),
            target_score=D("2"),
        )


def test_the_appraised_score_is_the_final_one_once_the_council_scored_again(
    plan: Plan,
) -> None:
    area = make(plan, "1")
    c = make(
        plan,
        "1.1",
        area,
        max_score=D("2"),
        baseline_score=D("0.5"),
        target_score=D("2"),
    )
    assert c.appraised is None and c.self_minus_appraised is None
    c.self_score, c.appraised_score = D("1.75"), D("1.25")
    assert (c.appraised, c.self_minus_appraised) == (D("1.25"), D("0.5"))
    c.final_score = D("1.5")
    assert (c.appraised, c.self_minus_appraised) == (D("1.5"), D("0.25"))


@pytest.fixture
def task(plan: Plan, units: dict[str, Unit]) -> Task:
    area = make(plan, "1", max_score=D("1"), baseline_score=D("0"), target_score=D("1"))
    task = Task.objects.create(criterion=area, text="Việc")
    TaskUnit.objects.create(task=task, unit=units["office"])
    TaskUnit.objects.create(task=task, unit=units["center"])
    return task


def test_a_task_led_by_two_units_progresses_as_the_mean_of_their_parts(
    task: Task,
) -> None:
    office, center = task.parts.order_by("unit__position")
    office.percent, office.status = 100, Status.DONE
    office.save()
    center.percent, center.status = 50, Status.IN_PROGRESS
    center.save()
    task = Task.objects.prefetch_related("parts__unit").get(pk=task.pk)
    assert task.progress == D("75")
    assert task.overall_status == Status.IN_PROGRESS
    assert task.lead_label() == "Văn phòng Sở; Trung tâm TTKT& UDKHCN"


def test_a_task_is_done_only_when_every_lead_unit_is_done(task: Task) -> None:
    task.parts.update(percent=100, status=Status.DONE)
    assert Task.objects.get(pk=task.pk).overall_status == Status.DONE


def test_a_supporting_unit_does_not_count_toward_progress(task: Task) -> None:
    task.parts.filter(unit__position=2).update(role=TaskUnit.Role.SUPPORT, percent=0)
    task.parts.filter(unit__position=1).update(percent=60)
    assert Task.objects.get(pk=task.pk).progress == D("60")


def test_a_task_without_a_lead_unit_is_tracked_on_itself(plan: Plan) -> None:
    area = make(plan, "1", max_score=D("1"), baseline_score=D("0"), target_score=D("1"))
    task = Task.objects.create(criterion=area, text="Chưa giao", percent=30)
    assert task.progress == D("30") and task.lead_label() == ""


def test_a_unit_name_is_unique_whatever_its_case_and_spacing(
    organization: Organization,
) -> None:
    Unit.objects.create(organization=organization, name="Văn phòng Sở")
    with pytest.raises(IntegrityError), transaction.atomic():
        Unit.objects.create(organization=organization, name="văn  phòng sở")
