"""Next year's plan from this year's results: ``reports.next_year``, the office's
page “Lập kế hoạch năm N+1” and the ``plan_next_year`` command."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from pytest_django import DjangoAssertNumQueries

from criteria.models import Criterion, Plan, ScoringRule
from reports.next_year import NextYearRow, next_year_plan_create, next_year_preview
from tasks.models import Status, Task, TaskUnit, Unit
from tests.helpers import client_for

D = Decimal


def _set(plan: Plan, code: str, **values: object) -> None:
    Criterion.objects.filter(plan=plan, code=code).update(**values)


@pytest.fixture
def results(seed_plan: Plan, shared_task: Task, units: dict[str, Unit]) -> Plan:
    """The year 2023 with a score in each layer, settings, a rule and tasks in
    progress and done."""
    _set(
        seed_plan,
        "1.1.1",
        self_score=D("2"),
        appraised_score=D("1"),
        final_score=D("1.5"),
    )
    _set(seed_plan, "1.2.1", self_score=D("0.25"), appraised_score=D("0.5"))
    _set(seed_plan, "1.2.2", self_score=D("0.25"), explanation="Có 3 biên bản")
    _set(seed_plan, "2.1.1", method=Criterion.Method.SURVEY, survey_score=D("0.25"))
    _set(seed_plan, "4.3", applicable=False, not_applicable_reason="Không có hệ thống")
    Plan.objects.filter(pk=seed_plan.pk).update(
        rank_goal=3,
        score_columns=Plan.ScoreColumns.ALL,
        reviews_required=2,
        self_assessment_due=datetime.date(2023, 11, 30),
    )
    ScoringRule.objects.create(
        criterion=Criterion.objects.get(plan=seed_plan, code="1.2.2"),
        kind=ScoringRule.Kind.LADDER,
        levels="4: 0,5; 3: 0,375",
        count=3,
    )
    Task.objects.filter(pk=shared_task.pk).update(
        due_date=datetime.date(2023, 6, 30), due_text="Quý II", output="Báo cáo"
    )
    TaskUnit.objects.filter(task=shared_task, unit=units["center"]).update(
        status=Status.IN_PROGRESS, percent=60, note="Đang làm"
    )
    done = Task.objects.get(criterion__plan=seed_plan, criterion__code="1.3")
    done.parts.update(status=Status.DONE, percent=100)
    Task.objects.filter(pk=done.pk).update(status=Status.DONE, percent=100)
    return Plan.objects.get(pk=seed_plan.pk)


def _row(plan: Plan, code: str) -> NextYearRow:
    return next(r for r in next_year_preview(plan=plan).rows if r.code == code)


def test_the_baseline_is_the_final_score_after_an_appeal_first(results: Plan) -> None:
    row = _row(results, "1.1.1")
    assert (row.baseline, row.layer, row.target) == (D("1.5"), "final", D("2"))
    assert row.layer_label == "Điểm sau giải trình, phúc khảo"


def test_then_the_appraised_score_and_no_higher_target_where_nothing_was_lost(
    results: Plan,
) -> None:
    row = _row(results, "1.2.1")
    assert (row.baseline, row.layer, row.target) == (D("0.5"), "appraised", D("0.5"))


def test_then_the_self_assessed_then_the_survey_score(results: Plan) -> None:
    assert (_row(results, "1.2.2").baseline, _row(results, "1.2.2").layer) == (
        D("0.25"),
        "self",
    )
    assert (_row(results, "2.1.1").baseline, _row(results, "2.1.1").layer) == (
        D("0.25"),
        "survey",
    )


def test_else_the_forecast_from_progress(results: Plan) -> None:
    row = _row(results, "3.1.1")
    assert (row.baseline, row.layer, row.target) == (D("0"), "progress", D("1"))
    assert row.layer_label == "Dự báo theo tiến độ nhiệm vụ"


def test_headings_and_criteria_that_do_not_apply_have_no_baseline(
    results: Plan,
) -> None:
    assert _row(results, "1").baseline is None
    assert _row(results, "4.3").baseline is None
    assert _row(results, "4.3").target is None


def test_only_unfinished_tasks_are_offered(results: Plan, shared_task: Task) -> None:
    offered = {t.pk for t in next_year_preview(plan=results).open_tasks}
    assert shared_task.pk in offered
    assert Task.objects.get(criterion__plan=results, criterion__code="1.3").pk not in (
        offered
    )


def test_the_next_plan_copies_the_tree_settings_and_scores(
    results: Plan, office: User
) -> None:
    created = next_year_plan_create(
        plan=results,
        user=office,
        carried_task_ids=[],
        targets={"1.1.1": D("1.75")},
    )
    assert (created.year, created.baseline_year) == (2024, 2023)
    assert (
        created.title
        == "Kế hoạch cải thiện, nâng cao Chỉ số cải cách hành chính năm 2024"
    )
    assert (created.rank_goal, created.score_columns, created.reviews_required) == (
        3,
        Plan.ScoreColumns.ALL,
        2,
    )
    assert created.self_assessment_due is None
    old = list(Criterion.objects.filter(plan=results).order_by("sort_key"))
    new = list(Criterion.objects.filter(plan=created).order_by("sort_key"))
    assert [(c.code, c.title, c.max_score, c.method, c.applicable) for c in new] == [
        (c.code, c.title, c.max_score, c.method, c.applicable) for c in old
    ]
    by_code = {c.code: c for c in new}
    assert by_code["1.1.1"].parent == by_code["1.1"]
    assert (by_code["1.1.1"].baseline_score, by_code["1.1.1"].target_score) == (
        D("1.5"),
        D("1.75"),
    )
    assert by_code["1.2.2"].target_score == D("0.5")
    assert by_code["4.3"].not_applicable_reason == "Không có hệ thống"
    for c in new:
        assert (c.self_score, c.appraised_score, c.final_score, c.survey_score) == (
            None,
            None,
            None,
            None,
        )
    rule = ScoringRule.objects.get(criterion=by_code["1.2.2"])
    assert (rule.kind, rule.levels, rule.count) == ("ladder", "4: 0,5; 3: 0,375", None)
    assert not Task.objects.filter(criterion__plan=created).exists()


def test_a_carried_task_keeps_its_text_units_and_output_and_starts_again(
    results: Plan, shared_task: Task, office: User
) -> None:
    created = next_year_plan_create(
        plan=results, user=office, carried_task_ids=[shared_task.pk]
    )
    task = Task.objects.get(criterion__plan=created)
    assert task.criterion.code == "1.1.1"
    assert (task.text, task.output, task.due_text, task.due_date) == (
        shared_task.text,
        "Báo cáo",
        "Quý II",
        None,
    )
    assert (task.status, task.percent) == (Status.NOT_STARTED, 0)
    old_parts = sorted(shared_task.parts.values_list("unit_id", "role"))
    assert sorted(task.parts.values_list("unit_id", "role")) == old_parts
    assert set(task.parts.values_list("status", "percent", "note")) == {
        (Status.NOT_STARTED, 0, "")
    }
    assert TaskUnit.objects.filter(task=shared_task, percent=60).exists()


def test_a_finished_task_is_not_carried(results: Plan, office: User) -> None:
    done = Task.objects.get(criterion__plan=results, criterion__code="1.3")
    with pytest.raises(ValidationError, match="không chuyển sang được"):
        next_year_plan_create(plan=results, user=office, carried_task_ids=[done.pk])
    assert not Plan.objects.filter(year=2024).exists()


def test_a_target_above_the_maximum_is_refused_and_nothing_written(
    results: Plan, office: User
) -> None:
    with pytest.raises(ValidationError, match=r"1\.2\.1, mục tiêu: 0,75"):
        next_year_plan_create(
            plan=results,
            user=office,
            carried_task_ids=[],
            targets={"1.2.1": D("0.75")},
        )
    assert not Plan.objects.filter(year=2024).exists()


def test_it_refuses_when_the_next_plan_exists_naming_it(
    results: Plan, office: User
) -> None:
    next_year_plan_create(plan=results, user=office, carried_task_ids=[])
    count = Criterion.objects.count()
    with pytest.raises(ValidationError) as caught:
        next_year_plan_create(plan=results, user=office, carried_task_ids=[])
    message = " ".join(caught.value.messages)
    assert "Kế hoạch năm 2024" in message
    assert "Chỉ số cải cách hành chính năm 2024" in message
    assert "xóa nó trong trang quản trị" in message
    assert Criterion.objects.count() == count


def test_only_the_office_may_create_it(results: Plan, director: User) -> None:
    with pytest.raises(PermissionDenied):
        next_year_plan_create(plan=results, user=director, carried_task_ids=[])
    assert not Plan.objects.filter(year=2024).exists()


# The page ------------------------------------------------------------------------


def _url(plan: Plan) -> str:
    return f"/ke-hoach/{plan.pk}/nam-sau/"


def test_the_office_sees_each_criterion_its_layer_and_the_tasks_to_carry(
    results: Plan, office: User, shared_task: Task
) -> None:
    response = client_for(office).get(_url(results))
    assert response.status_code == 200
    body = response.content.decode()
    assert "Lập kế hoạch năm 2024" in body
    assert "Điểm sau giải trình, phúc khảo" in body
    assert "Dự báo theo tiến độ nhiệm vụ" in body
    assert 'name="target-1.1.1" value="2"' in body
    assert f'name="carry" value="{shared_task.pk}" checked' in body


def test_confirming_creates_the_plan_with_the_ticked_tasks_and_targets(
    results: Plan, office: User, shared_task: Task
) -> None:
    response = client_for(office).post(
        _url(results), {"carry": [shared_task.pk], "target-1.1.1": "1,75"}
    )
    assert response.status_code == 302
    assert response["Location"] == "/ke-hoach/?year=2024"
    created = Plan.objects.get(year=2024)
    assert Criterion.objects.get(plan=created, code="1.1.1").target_score == D("1.75")
    assert Task.objects.filter(criterion__plan=created).count() == 1


def test_a_bad_target_is_named_and_nothing_written(results: Plan, office: User) -> None:
    response = client_for(office).post(_url(results), {"target-1.1.1": "hai"})
    assert response.status_code == 400
    assert "Tiêu chí 1.1.1, mục tiêu: “hai” không phải là số." in (
        response.content.decode()
    )
    assert not Plan.objects.filter(year=2024).exists()


def test_the_page_says_the_next_plan_exists_and_links_to_it(
    results: Plan, office: User
) -> None:
    next_year_plan_create(plan=results, user=office, carried_task_ids=[])
    body = client_for(office).get(_url(results)).content.decode()
    assert "Kế hoạch năm 2024 đã có" in body
    assert "/ke-hoach/?year=2024" in body
    response = client_for(office).post(_url(results), {})
    assert response.status_code == 400
    assert Plan.objects.filter(year=2024).count() == 1


@pytest.mark.parametrize("who", ["director", "viewer", "head_center", "outsider"])
def test_no_one_but_the_office_opens_or_posts_it(
    results: Plan, who: str, request: pytest.FixtureRequest
) -> None:
    client = client_for(request.getfixturevalue(who))
    assert client.get(_url(results)).status_code == 403
    assert client.post(_url(results), {}).status_code == 403
    assert not Plan.objects.filter(year=2024).exists()


def test_the_anonymous_are_sent_to_sign_in(results: Plan) -> None:
    response = Client().get(_url(results))
    assert response.status_code == 302
    assert response["Location"].startswith("/dang-nhap/")


def test_the_tree_and_exports_pages_link_to_it_for_the_office_only(
    results: Plan, office: User, director: User
) -> None:
    for page in ("/ke-hoach/", "/ke-hoach/xuat/"):
        assert _url(results) in client_for(office).get(page).content.decode()
        assert _url(results) not in client_for(director).get(page).content.decode()


# The command ---------------------------------------------------------------------


def test_the_dry_run_tells_and_writes_nothing(
    results: Plan, capsys: pytest.CaptureFixture[str]
) -> None:
    call_command("plan_next_year", "--year", "2023", "--carry-all-tasks", "--dry-run")
    out = capsys.readouterr().out
    assert "1.1.1: 1,5 (Điểm sau giải trình, phúc khảo) → mục tiêu 2" in out
    assert "Chạy thử, không ghi gì." in out
    assert not Plan.objects.filter(year=2024).exists()


def test_the_command_creates_the_plan_carrying_every_unfinished_task(
    results: Plan, capsys: pytest.CaptureFixture[str]
) -> None:
    open_count = len(next_year_preview(plan=results).open_tasks)
    call_command(
        "plan_next_year",
        "--organization",
        "SKHCN",
        "--year",
        "2023",
        "--carry-all-tasks",
    )
    created = Plan.objects.get(year=2024)
    assert Task.objects.filter(criterion__plan=created).count() == open_count
    assert "Đã lập kế hoạch" in capsys.readouterr().out
    with pytest.raises(CommandError, match=r"Kế hoạch năm 2024 .* đã có"):
        call_command("plan_next_year", "--year", "2023")


def test_the_command_without_carrying_leaves_the_tasks(results: Plan) -> None:
    call_command("plan_next_year", "--year", "2023")
    assert not Task.objects.filter(criterion__plan__year=2024).exists()


def _grow(plan: Plan, unit: Unit, count: int) -> None:
    area = Criterion.objects.get(plan=plan, code="1")
    for number in range(4, 4 + count):
        criterion = Criterion.objects.create(
            plan=plan,
            parent=area,
            code=f"1.{number}",
            title=f"Tiêu chí 1.{number}",
            max_score=D(1),
            baseline_score=D(0),
            target_score=D(1),
        )
        task = Task.objects.create(criterion=criterion, text=f"Việc {number}")
        TaskUnit.objects.create(task=task, unit=unit, percent=40)


@pytest.mark.parametrize("extra", [0, 15])
def test_the_page_costs_the_same_queries_at_two_sizes(
    results: Plan,
    office: User,
    units: dict[str, Unit],
    extra: int,
    django_assert_num_queries: DjangoAssertNumQueries,
) -> None:
    _grow(results, units["center"], extra)
    client = client_for(office)
    # session, user, roles, the plan; the engine's criteria, tasks and parts with
    # their units; whether the next plan exists
    with django_assert_num_queries(8):
        response = client.get(_url(results))
    assert response.status_code == 200
