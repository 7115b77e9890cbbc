"""The plan's version moves with every write the figures read, on every write path,
and the figures cached under it are the figures computed (reports.figures_cache)."""

from __future__ import annotations

import datetime
import logging
from collections.abc import Callable, Iterator
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.cache import cache
from django.db import connection, transaction
from django.db.models import F
from django.test import override_settings
from django.utils import timezone

from criteria.appeals import appeal_save
from criteria.appraisal_import import appraisal_import
from criteria.editing import (
    criterion_delete,
    criterion_layers_set,
    criterion_save,
    criterion_scoring_save,
    criterion_self_score_set,
)
from criteria.models import Criterion, Organization, Plan, ScoringRule
from criteria.plan_settings import plan_settings_save
from criteria.plan_version import plan_version_of
from reports.figures import plan_figures
from reports.figures_cache import figures_cache_key, plan_figures_cached
from reports.ranking import ranking_import
from tasks.editing import task_delete, task_save
from tasks.models import Task, TaskUnit, Unit
from tasks.people import unit_update
from tasks.progress import progress_record
from tests.factories import plan_build
from tests.helpers import REDIS_DOWN, SEED_FILE, client_for
from tests.test_dashboard import URL, peers_for

D = Decimal
FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
APPRAISAL = (
    "KẾT QUẢ THẨM ĐỊNH CHỈ SỐ CCHC NĂM 2023 (bảng thử)\n"
    "STT\tTiêu chí\tĐiểm tối đa\tĐiểm tự đánh giá\tĐiểm thẩm định\t"
    "Điểm sau giải trình\tÝ kiến của Hội đồng\n"
    "1.1.1\tTuyên truyền\t2\t1,5\t1,25\t\tThiếu minh chứng quý IV\n"
)


def _moved(before: str | None, after: str | None) -> bool:
    """Some slot grew and none went back."""
    assert before is not None and after is not None
    old, new = [int(n) for n in before.split(".")], [int(n) for n in after.split(".")]
    return (
        len(old) == len(new)
        and all(b >= a for a, b in zip(old, new, strict=True))
        and new != old
    )


def _leaf(plan: Plan) -> Criterion:
    return (
        Criterion.objects.filter(plan=plan, max_score__isnull=False, children=None)
        .order_by("sort_key")
        .first()
    )  # type: ignore[return-value]


def _part(plan: Plan) -> TaskUnit:
    return TaskUnit.objects.filter(task__criterion__plan=plan).order_by("pk").first()  # type: ignore[return-value]


def _self_score(plan: Plan, user: object) -> None:
    c = _leaf(plan)
    criterion_self_score_set(
        criterion=c,
        user=None,
        self_score=D("0.5"),
        explanation="x",
        expected_version=c.version,
    )


def _layers(plan: Plan, user: object) -> None:
    c = _leaf(plan)
    criterion_layers_set(
        criterion=c,
        user=None,
        method=c.method,
        applicable=True,
        not_applicable_reason="",
        appraised_score=D("0.5"),
        final_score=None,
        appraisal_note="",
        survey_score=None,
        expected_version=c.version,
    )


def _appeal_recorded(plan: Plan, user: object, *, accepted: bool) -> None:
    c = _leaf(plan)
    Criterion.objects.filter(pk=c.pk).update(appraised_score=D("0.25"))
    before = plan_version_of(plan_id=plan.pk)
    c.refresh_from_db()
    appeal_save(
        criterion=c,
        user=user,
        kind="appeal",
        text="Đã bổ sung minh chứng",
        outcome="accepted" if accepted else "pending",
        final_score=c.max_score if accepted else None,
        expected_version=c.version,
    )
    assert _moved(before, plan_version_of(plan_id=plan.pk))


def _appeal(plan: Plan, user: object) -> None:
    _appeal_recorded(plan, user, accepted=True)


def _appeal_pending(plan: Plan, user: object) -> None:
    """An appeal waiting for the council moves no score, but the dashboard lists it."""
    _appeal_recorded(plan, user, accepted=False)


def _criterion_create(plan: Plan, user: object) -> None:
    criterion_save(
        user=None,
        criterion=None,
        plan=plan,
        code="9",
        title="Lĩnh vực mới",
        max_score=None,
        baseline_score=None,
        target_score=None,
    )


def _criterion_edit(plan: Plan, user: object) -> None:
    c = _leaf(plan)
    criterion_save(
        user=None,
        criterion=c,
        plan=plan,
        code=c.code,
        title=c.title,
        max_score=c.max_score,
        baseline_score=c.baseline_score,
        target_score=c.max_score,
        expected_version=c.version,
    )


def _criterion_delete(plan: Plan, user: object) -> None:
    criterion_delete(criterion=_leaf(plan), user=None)


def _scoring_rule(plan: Plan, user: object) -> None:
    c = _leaf(plan)
    rule = ScoringRule(criterion=c, kind="ratio", numerator=D("3"), denominator=D("4"))
    criterion_scoring_save(
        criterion=c, user=None, rule=rule, apply=True, expected_version=c.version
    )


def _appraisal_import(plan: Plan, user: object) -> None:
    appraisal_import(plan=plan, data=APPRAISAL.encode(), filename="kq.tsv")


def _appendix_import(plan: Plan, user: object) -> None:
    text = SEED_FILE.read_text(encoding="utf-8").replace(
        "Tuyên truyền", "Tuyên truyền,"
    )
    from tasks.appendix.load import appendix_import

    appendix_import(
        organization=plan.organization,
        year=plan.year,
        data=text.encode(),
        filename=SEED_FILE.name,
    )


def _task_create(plan: Plan, user: object) -> None:
    task_save(
        user=None,
        task=None,
        criterion=_leaf(plan),
        text="Nhiệm vụ mới",
        due_date=None,
        all_units=False,
        lead_units=[Unit.objects.filter(organization=plan.organization).first()],
        support_units=[],
    )


def _task_edit(plan: Plan, user: object) -> None:
    task = Task.objects.filter(criterion__plan=plan).order_by("pk").first()
    assert task is not None
    leads = [p.unit for p in task.parts.filter(role="lead")]
    task_save(
        user=None,
        task=task,
        criterion=task.criterion,
        text=task.text,
        due_date=datetime.date(2023, 12, 31),
        all_units=task.all_units,
        lead_units=leads,
        support_units=[],
        expected_version=task.version,
    )


def _task_delete(plan: Plan, user: object) -> None:
    task = Task.objects.filter(criterion__plan=plan).order_by("pk").first()
    assert task is not None
    task_delete(task=task, user=None)


def _progress(plan: Plan, user: object) -> None:
    part = _part(plan)
    progress_record(
        part=part,
        user=None,
        status="in_progress",
        percent=40,
        note="",
        expected_version=part.version,
    )


def _unit_rename(plan: Plan, user: object) -> None:
    unit = Unit.objects.filter(organization=plan.organization).first()
    assert unit is not None
    unit_update(unit=unit, name=unit.name + " mới", is_active=True)


def _ranking_import(plan: Plan, user: object) -> None:
    ranking_import(
        year=plan.baseline_year,
        data=(FIXTURES / "ranking_2022_minh_hoa.csv").read_bytes(),
        filename="ranking_2022_minh_hoa.csv",
        organization=plan.organization,
    )


def _plan_settings(plan: Plan, user: object) -> None:
    plan_settings_save(
        plan=plan,
        user=None,
        score_columns="self",
        governing_body="UBND",
        place="Gia Nghĩa",
    )


def _queryset_update(plan: Plan, user: object) -> None:
    TaskUnit.objects.filter(task__criterion__plan=plan).update(percent=F("percent") + 1)


def _bulk_create(plan: Plan, user: object) -> None:
    criterion = _leaf(plan)
    Task.objects.bulk_create([Task(criterion=criterion, position=99, text="Thêm")])


def _bulk_update(plan: Plan, user: object) -> None:
    rows = list(Criterion.objects.filter(plan=plan, max_score__isnull=False)[:3])
    for row in rows:
        row.target_score = row.max_score
    Criterion.objects.bulk_update(rows, ["target_score"])


def _queryset_delete(plan: Plan, user: object) -> None:
    TaskUnit.objects.filter(task__criterion__plan=plan, role="support").delete()
    TaskUnit.objects.filter(pk=_part(plan).pk).delete()


def _raw_sql(plan: Plan, user: object) -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE criteria_criterion SET target_score = max_score WHERE plan_id = %s",
            [plan.pk],
        )


def _admin_save(plan: Plan, user: object) -> None:
    from django.contrib import admin
    from django.contrib.auth.models import User
    from django.forms.models import model_to_dict
    from django.test import RequestFactory

    request = RequestFactory().post("/")
    request.user = User.objects.create_superuser("root", "r@example.com", "pw-42-x")
    model_admin = admin.site.get_model_admin(Plan)
    form_class = model_admin.get_form(request, plan, change=True)
    data = {k: v for k, v in model_to_dict(plan).items() if v is not None}
    data["rank_goal"] = plan.rank_goal + 1
    form = form_class(data=data, instance=plan)
    assert form.is_valid(), form.errors
    model_admin.save_model(request, form.save(commit=False), form, change=True)


def _plan_field(plan: Plan, user: object) -> None:
    Plan.objects.filter(pk=plan.pk).update(rank_goal=F("rank_goal") + 1)


WRITES: list[Callable[[Plan, object], None]] = [
    _self_score,
    _layers,
    _appeal,
    _appeal_pending,
    _criterion_create,
    _criterion_edit,
    _criterion_delete,
    _scoring_rule,
    _appraisal_import,
    _appendix_import,
    _task_create,
    _task_edit,
    _task_delete,
    _progress,
    _unit_rename,
    _ranking_import,
    _plan_settings,
    _plan_field,
    _admin_save,
    _queryset_update,
    _bulk_create,
    _bulk_update,
    _queryset_delete,
    _raw_sql,
]


@pytest.mark.parametrize("write", WRITES, ids=[w.__name__.strip("_") for w in WRITES])
def test_every_write_the_figures_read_moves_the_plans_version(
    seed_plan: Plan, office: object, write: Callable[[Plan, object], None]
) -> None:
    before = plan_version_of(plan_id=seed_plan.pk)
    assert before is not None
    write(seed_plan, office)
    assert _moved(before, plan_version_of(plan_id=seed_plan.pk))


def test_a_write_rolled_back_leaves_the_version_as_it_was(seed_plan: Plan) -> None:
    before = plan_version_of(plan_id=seed_plan.pk)
    with pytest.raises(RuntimeError), transaction.atomic():
        _queryset_update(seed_plan, None)
        raise RuntimeError
    assert plan_version_of(plan_id=seed_plan.pk) == before


def test_a_write_to_another_plan_leaves_this_plans_version(
    seed_plan: Plan, organization: Organization
) -> None:
    other = plan_build(organization=organization, year=2030, areas=1)
    before = plan_version_of(plan_id=seed_plan.pk)
    _queryset_update(other, None)
    assert plan_version_of(plan_id=seed_plan.pk) == before


def test_a_new_plan_has_a_version(organization: Organization) -> None:
    plan = Plan.objects.create(
        organization=organization, year=2040, baseline_year=2039, title="Mới"
    )
    assert plan_version_of(plan_id=plan.pk) is not None


# The cache: these tests need committed rows (nothing is cached inside a
# transaction), hence ``transactional_db``; they run on the configured cache, which
# .ci/run makes Redis for a second pass (``-m redis`` with REDIS_URL set).


@pytest.fixture
def empty_cache(transactional_db: None) -> Iterator[None]:
    cache.clear()
    yield
    cache.clear()


def _seen(figures: object) -> object:
    """What a page can show of the figures, model rows by their values."""
    from reports.figures import PlanFigures
    from reports.summaries import figures_as_dict

    assert isinstance(figures, PlanFigures)
    # a model row unpickled also carries the Django version it was pickled under
    skip = {"criterion", "tasks", "parts", "_state", "_django_version"}
    return (
        figures_as_dict(figures),
        [
            (
                {k: v for k, v in vars(row).items() if k not in skip},
                {k: v for k, v in vars(row.criterion).items() if k not in skip},
            )
            for row in figures.rows
        ],
        [{k: v for k, v in vars(t).items() if k not in skip} for t in figures.tasks],
        [(p.base_index, p.index, p.is_self, p.row.name) for p in figures.ranking],
        [(p.row.code, p.remaining, len(p.open_tasks)) for p in figures.priorities],
    )


pytestmark_redis = pytest.mark.redis


@pytestmark_redis
@pytest.mark.parametrize("with_parts", [False, True])
def test_the_cached_figures_are_the_figures_computed(
    empty_cache: None, seed_plan: Plan, with_parts: bool
) -> None:
    peers_for(seed_plan)
    computed = plan_figures(plan=seed_plan, peer_change=D("1"), with_parts=with_parts)
    first = plan_figures_cached(
        plan=seed_plan, peer_change=D("1"), with_parts=with_parts
    )
    again = plan_figures_cached(
        plan=seed_plan, peer_change=D("1"), with_parts=with_parts
    )
    assert _seen(first) == _seen(computed)
    assert _seen(again) == _seen(computed)
    assert again.plan is seed_plan


@pytestmark_redis
def test_a_cached_read_is_one_query_and_a_write_is_seen_at_once(
    empty_cache: None, seed_plan: Plan, django_assert_num_queries: object
) -> None:
    plan_figures_cached(plan=seed_plan)
    with django_assert_num_queries(1):  # the version
        plan_figures_cached(plan=seed_plan)
    _progress(seed_plan, None)
    after = plan_figures_cached(plan=seed_plan)
    assert _seen(after) == _seen(plan_figures(plan=seed_plan))
    part = _part(seed_plan)
    shown = {t.pk: t.progress for t in after.tasks}
    assert shown[part.task_id] == plan_figures(plan=seed_plan).tasks[0].progress


@pytestmark_redis
def test_the_assumed_change_of_peers_is_part_of_the_key(
    empty_cache: None, seed_plan: Plan
) -> None:
    peers_for(seed_plan)
    plain = plan_figures_cached(plan=seed_plan)
    moved = plan_figures_cached(plan=seed_plan, peer_change=D("5"))
    assert _seen(moved) == _seen(plan_figures(plan=seed_plan, peer_change=D("5")))
    assert _seen(plain) != _seen(moved)


@pytestmark_redis
def test_inside_a_transaction_nothing_is_cached(
    empty_cache: None, seed_plan: Plan
) -> None:
    with transaction.atomic():
        _progress(seed_plan, None)
        plan_figures_cached(plan=seed_plan)
    version = plan_version_of(plan_id=seed_plan.pk)
    assert version is not None
    key = figures_cache_key(
        plan_id=seed_plan.pk,
        version=version,
        peer_change=D(0),
        with_ranking=True,
        with_parts=True,
    )
    assert cache.get(key) is None
    plan_figures_cached(plan=seed_plan)  # outside: kept
    assert cache.get(key) is not None


def test_redis_down_computes_the_figures_and_the_page_shows_them(
    empty_cache: None,
    seed_plan: Plan,
    director: object,
    caplog: pytest.LogCaptureFixture,
) -> None:
    with override_settings(CACHES=REDIS_DOWN), caplog.at_level(logging.WARNING):
        figures = plan_figures_cached(plan=seed_plan)
        response = client_for(director).get(URL)  # type: ignore[arg-type]
    assert _seen(figures) == _seen(plan_figures(plan=seed_plan))
    assert response.status_code == 200
    assert "figures cache unavailable" in caplog.text


def _warm_dashboard_queries(
    organization: Organization,
    director: object,
    django_assert_num_queries: object,
    **size: int,
) -> None:
    plan = plan_build(organization=organization, **size)
    peers_for(plan)
    Task.objects.filter(criterion__plan=plan).update(
        due_date=timezone.localdate() + datetime.timedelta(days=3)
    )
    client = client_for(director)  # type: ignore[arg-type]
    query = {"year": plan.year, "peer_change": "1"}
    # cold: session, user, groups; the plans visible (years and the plan shown);
    # the version; criteria; each criterion's task sums; the ranking table; the
    # tasks listed and their lead parts; each unit's progress; the appeals
    with django_assert_num_queries(12):  # type: ignore[operator]
        cold = client.get(URL, query)
    # warm: session, user, groups, the plans visible, the version; the body
    # (figures, tasks listed, units' progress, appeals, rendered) comes from the
    # cache under the version
    with django_assert_num_queries(5):  # type: ignore[operator]
        warm = client.get(URL, query)
    assert cold.status_code == warm.status_code == 200
    assert (
        cold.content.decode().split('name="csrfmiddlewaretoken"')[0]
        == (warm.content.decode().split('name="csrfmiddlewaretoken"')[0])
    )


@pytestmark_redis
def test_the_warm_dashboard_runs_the_same_few_queries_for_a_small_plan(
    empty_cache: None,
    organization: Organization,
    units: dict[str, Unit],
    director: object,
    django_assert_num_queries: object,
) -> None:
    _warm_dashboard_queries(organization, director, django_assert_num_queries, areas=1)


@pytestmark_redis
def test_the_warm_dashboard_runs_the_same_few_queries_for_thousands_of_tasks(
    empty_cache: None,
    organization: Organization,
    units: dict[str, Unit],
    director: object,
    django_assert_num_queries: object,
) -> None:
    _warm_dashboard_queries(
        organization,
        director,
        django_assert_num_queries,
        areas=4,
        criteria_per_area=5,
        subs_per_criterion=5,
        tasks_per_leaf=20,
    )


@pytest.mark.parametrize(
    "raw",
    ["redis://127.0.0.1:abc/1", "http://127.0.0.1:6379/1", "redis://127.0.0.1/x"],
)
def test_a_bad_cache_url_stops_the_settings_naming_it(raw: str) -> None:
    from django.core.exceptions import ImproperlyConfigured

    from parplan.settings import cache_from_url

    with pytest.raises(ImproperlyConfigured, match="REDIS_URL"):
        cache_from_url("REDIS_URL", raw)


def test_redis_is_the_cache_when_a_url_names_it_else_local_memory() -> None:
    from parplan.settings import cache_from_url

    redis = cache_from_url("REDIS_URL", "redis://127.0.0.1:6379/1")
    assert redis["BACKEND"] == "django.core.cache.backends.redis.RedisCache"
    assert redis["LOCATION"] == "redis://127.0.0.1:6379/1"
    assert cache_from_url("CACHE_URL", "")["BACKEND"].endswith("LocMemCache")
