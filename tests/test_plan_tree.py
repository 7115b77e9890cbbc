"""The plan tree page: every role reads the criteria, their figures and tasks; the
office lands on it."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.contrib.auth.models import User
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from criteria.models import Criterion, Organization, Plan
from tasks.models import Status, Task, TaskUnit, Unit
from tests.factories import plan_build
from tests.helpers import client_for

URL = "/ke-hoach/"
WHOLE = {"expand": "all"}  # the whole tree, as printed


def test_the_tree_is_routed_at_ke_hoach() -> None:
    assert reverse("reports-tree") == URL


@pytest.mark.parametrize("who", ["office", "head_office", "director", "viewer"])
def test_every_role_reads_the_tree(
    request: pytest.FixtureRequest, seed_plan: Plan, who: str
) -> None:
    response = client_for(request.getfixturevalue(who)).get(URL)
    assert response.status_code == 200
    assert "Công tác tuyên truyền CCHC" in response.content.decode()


def test_an_outsider_is_refused(seed_plan: Plan, outsider: User) -> None:
    assert client_for(outsider).get(URL).status_code == 403


def test_an_anonymous_visitor_is_sent_to_sign_in(seed_plan: Plan, client) -> None:
    response = client.get(URL)
    assert response.status_code == 302
    assert response.url.startswith("/dang-nhap/")


def test_the_office_lands_on_the_plan(office: User) -> None:
    response = client_for(office).get("/")
    assert response.status_code == 302
    # The plan tree (reports-tree) once installed; the task list until then.
    from django.urls import NoReverseMatch, reverse

    try:
        expected = reverse("reports-tree")
    except NoReverseMatch:
        expected = reverse("tasks-list")
    assert response["Location"] == expected


def test_rows_show_scores_the_vietnamese_way_in_code_order(
    seed_plan: Plan, viewer: User
) -> None:
    html = client_for(viewer).get(URL, WHOLE).content.decode()
    c = Criterion.objects.get(plan=seed_plan, code="1.2.1")
    row = html[html.index(f'id="criterion-{c.pk}"') :]
    row = row[: row.index("</tr>")]
    # max 0,5 · baseline 0,25 · target 0,5 · self (0,25) · gap 0,25 · expected 0,25
    assert ">0,5<" in row and ">0,25<" in row and "(0,25)" in row
    assert html.index('data-code="1.1.1"') < html.index('data-code="1.2"')
    assert html.index('data-code="3.1.1"') < html.index('data-code="4"')
    total = html[html.index('id="tree-total"') :]
    assert ">15<" in total and ">1,65<" in total and ">13,35<" in total


def test_tasks_are_listed_under_their_criterion_with_units_status_and_percent(
    seed_plan: Plan, units: dict[str, Unit], viewer: User
) -> None:
    part = TaskUnit.objects.get(
        task__criterion__plan=seed_plan,
        task__criterion__code="1.1.1",
        unit=units["center"],
    )
    part.percent, part.status = 60, Status.IN_PROGRESS
    part.save()
    html = client_for(viewer).get(URL, WHOLE).content.decode()
    task = part.task
    block = html[html.index(f'id="task-{task.pk}"') :]
    block = block[: block.index("</tr>")]
    assert "Thực hiện hoàn thành 100% nhiệm vụ tuyên truyền CCHC." in block
    assert "Văn phòng Sở" in block and "Trung tâm TTKT&amp; UDKHCN" in block
    assert "Đang thực hiện" in block
    assert "60 %" in block
    assert "30 %" in block  # the task's progress: mean of 0 and 60


def test_a_self_assessed_score_is_shown_instead_of_the_baseline(
    seed_plan: Plan, viewer: User
) -> None:
    c = Criterion.objects.get(plan=seed_plan, code="1.3")
    c.self_score = 1.5
    c.save()
    html = client_for(viewer).get(URL, WHOLE).content.decode()
    row = html[html.index(f'id="criterion-{c.pk}"') :]
    assert f'<span id="self-score-value-{c.pk}">1,5</span>' in row[:2000]


def test_a_filter_by_status_keeps_matching_tasks_and_their_headings(
    seed_plan: Plan, units: dict[str, Unit], viewer: User
) -> None:
    TaskUnit.objects.filter(task__criterion__code="2.2.1").update(status=Status.BLOCKED)
    html = client_for(viewer).get(URL, {"status": "blocked"}).content.decode()
    assert 'data-code="2.2.1"' in html
    assert 'data-code="2.2"' in html and 'data-code="2"' in html
    assert 'data-code="1.1.1"' not in html
    assert "Đang lọc: 1 nhiệm vụ khớp." in html


def test_a_filter_by_unit_and_by_due_date(
    seed_plan: Plan, units: dict[str, Unit], viewer: User
) -> None:
    today = timezone.localdate()
    Task.objects.filter(criterion__code="2.1.1").update(
        due_date=today - datetime.timedelta(days=1)
    )
    client = client_for(viewer)
    html = client.get(URL, {"unit": units["center"].pk}).content.decode()
    assert 'data-code="1.1.1"' in html and 'data-code="1.2.1"' not in html
    html = client.get(URL, {"due": "overdue"}).content.decode()
    assert 'data-code="2.1.1"' in html and 'data-code="1.1.1"' not in html
    assert "due-overdue" in html


def test_an_unknown_year_is_not_found(seed_plan: Plan, viewer: User) -> None:
    assert client_for(viewer).get(URL, {"year": 1999}).status_code == 404


def test_a_filter_value_it_cannot_be_is_ignored_with_a_notice(
    seed_plan: Plan, viewer: User
) -> None:
    response = client_for(viewer).get(URL, {"status": "xyz", "unit": "abc"})
    assert response.status_code == 200
    html = response.content.decode()
    # the task list's sentence, one per value left out
    assert "Bộ lọc “Trạng thái” không có giá trị “xyz”" in html
    assert "Bộ lọc “Đơn vị” không có giá trị “abc”" in html
    assert 'data-code="1.2"' in html  # the whole outline, unfiltered
    assert "Đang lọc" not in html


def test_without_a_plan_the_page_says_so(viewer: User) -> None:
    response = client_for(viewer).get(URL)
    assert "Chưa có kế hoạch nào" in response.content.decode()


def _tree_queries(
    organization: Organization, viewer: User, django_assert_num_queries: object, **size
) -> None:
    plan = plan_build(organization=organization, **size)
    client = client_for(viewer)
    client.get(URL)  # warm the session
    # session, user, user's groups; the plan; criteria; tasks aggregated; their lead
    # parts; the self-assessment's state (its banner); the units of the unit filter
    with django_assert_num_queries(9):
        response = client.get(URL, {"year": plan.year})
    assert response.status_code == 200
    # the whole tree (to print) adds the branches: criteria, tasks, parts with units
    with django_assert_num_queries(12):
        response = client.get(URL, {"year": plan.year, **WHOLE})
    assert response.status_code == 200
    branch = Criterion.objects.get(plan=plan, code="1.1")
    # session, user, user's groups; the criterion with its plan; the branch's
    # criteria; its tasks; their parts (no self-assessment's state: a viewer has no
    # inline form for it to lock)
    with django_assert_num_queries(7):
        response = client.get(reverse("reports-tree-branch", args=[branch.pk]))
    assert response.status_code == 200
    assert 'data-code="1.1.1"' in response.content.decode()


def test_the_tree_runs_the_same_queries_for_a_small_plan(
    organization: Organization,
    units: dict[str, Unit],
    viewer: User,
    django_assert_num_queries: object,
) -> None:
    _tree_queries(organization, viewer, django_assert_num_queries, areas=1)


def test_the_tree_runs_the_same_queries_for_a_plan_of_thousands_of_tasks(
    organization: Organization,
    units: dict[str, Unit],
    viewer: User,
    django_assert_num_queries: object,
) -> None:
    _tree_queries(
        organization,
        viewer,
        django_assert_num_queries,
        areas=8,
        criteria_per_area=10,
        subs_per_criterion=4,
        tasks_per_leaf=4,
    )


def test_the_offices_branch_also_reads_the_self_assessments_state(
    seed_plan: Plan, office: User, django_assert_num_queries: object
) -> None:
    client = client_for(office)
    client.get(URL)
    branch = Criterion.objects.get(plan=seed_plan, code="1.2")
    # the viewer's seven, and the state: a locked self-assessment has no form
    with django_assert_num_queries(8):
        response = client.get(reverse("reports-tree-branch", args=[branch.pk]))
    assert "inline-edit" in response.content.decode()


def test_the_office_edits_a_self_assessed_score_inline_in_the_tree(
    seed_plan: Plan, office: User
) -> None:

    client = client_for(office)
    page = client.get("/ke-hoach/", WHOLE).content.decode()
    criterion = Criterion.objects.get(plan=seed_plan, code="1.2.1")
    assert f'id="self-score-{criterion.pk}"' in page
    assert "js/htmx.min.js" in page
    response = client.post(
        f"/ke-hoach/tieu-chi/{criterion.pk}/tu-cham/",
        {
            f"c{criterion.pk}-self_score": "0,5",
            f"c{criterion.pk}-explanation": "Đã ban hành đủ văn bản",
            f"c{criterion.pk}-version": criterion.version,
            "next": "/ke-hoach/",
        },
    )
    assert response.status_code == 302
    criterion.refresh_from_db()
    assert criterion.self_score == Decimal("0.5")


def test_the_director_sees_no_inline_form_in_the_tree(
    seed_plan: Plan, director: User
) -> None:
    page = client_for(director).get("/ke-hoach/").content.decode()
    assert 'class="self-score-form"' not in page
    assert "▸ Sửa" not in page and "Sửa<span" not in page


def test_the_tree_opens_as_its_outline_of_areas_and_criteria(
    seed_plan: Plan, viewer: User
) -> None:
    html = client_for(viewer).get(URL).content.decode()
    assert 'data-code="1"' in html and 'data-code="1.2"' in html
    assert 'data-code="1.2.1"' not in html  # a sub-criterion waits in its branch
    assert 'class="task-row' not in html
    branch = Criterion.objects.get(plan=seed_plan, code="1.2")
    assert f'hx-get="/ke-hoach/cay/{branch.pk}/?"' in html
    assert html.count("Tổng cộng") == 1 and "<tfoot" not in html


def test_a_branch_loads_its_sub_criteria_and_tasks_with_their_figures(
    seed_plan: Plan, viewer: User
) -> None:
    branch = Criterion.objects.get(plan=seed_plan, code="1.2")
    html = client_for(viewer).get(f"/ke-hoach/cay/{branch.pk}/").content.decode()
    leaf = Criterion.objects.get(plan=seed_plan, code="1.2.1")
    row = html[html.index(f'id="criterion-{leaf.pk}"') :]
    row = row[: row.index("</tr>")]
    assert ">0,5<" in row and "(0,25)" in row
    assert f'id="gap-{leaf.pk}">0,25<' in row
    assert 'class="task-row' in html
    # the toggle turns to fold the branch again
    assert f'id="toggle-{branch.pk}"' in html and 'hx-swap-oob="true"' in html
    assert "close=1" in html
    folded = client_for(viewer).get(f"/ke-hoach/cay/{branch.pk}/", {"close": "1"})
    assert "criterion-row" not in folded.content.decode()


def test_the_printed_tree_has_every_row_and_one_total_at_the_end(
    seed_plan: Plan, viewer: User
) -> None:
    html = client_for(viewer).get(URL, WHOLE).content.decode()
    assert html.count('class="criterion-row') == 24
    assert html.count("Tổng cộng") == 1 and "<tfoot" not in html
    assert html.index("Tổng cộng") > html.index('data-code="4.3"')


def test_a_search_opens_the_branches_holding_matches(
    seed_plan: Plan, viewer: User
) -> None:
    html = client_for(viewer).get(URL, {"q": "tuyên truyền"}).content.decode()
    assert "Thực hiện hoàn thành 100% nhiệm vụ tuyên truyền CCHC." in html
    assert 'data-code="1.1.1"' in html and 'data-code="4"' not in html
    html = client_for(viewer).get(URL, {"q": "1.2.1"}).content.decode()
    assert 'data-code="1.2.1"' in html and 'data-code="1.1.1"' not in html


def test_a_filtered_branch_keeps_only_the_matching_tasks(
    seed_plan: Plan, viewer: User
) -> None:
    TaskUnit.objects.filter(task__criterion__code="2.2.1").update(status=Status.BLOCKED)
    branch = Criterion.objects.get(plan=seed_plan, code="2.2")
    html = client_for(viewer).get(f"/ke-hoach/cay/{branch.pk}/", {"status": "blocked"})
    text = html.content.decode()
    assert 'data-code="2.2.1"' in text and "status=blocked" in text
    other = Criterion.objects.get(plan=seed_plan, code="1.2")
    empty = client_for(viewer).get(f"/ke-hoach/cay/{other.pk}/", {"status": "blocked"})
    assert "Không có dòng nào khớp bộ lọc." in empty.content.decode()


def test_codes_titles_and_tasks_link_to_their_pages(
    seed_plan: Plan, viewer: User
) -> None:
    html = client_for(viewer).get(URL, WHOLE).content.decode()
    leaf = Criterion.objects.get(plan=seed_plan, code="1.2.1")
    assert f'<a class="row-link" href="/ke-hoach/tieu-chi/{leaf.pk}/">1.2.1</a>' in html
    task = Task.objects.filter(criterion=leaf).first()
    assert task is not None
    assert f'href="/nhiem-vu/{task.pk}/">{task.text}</a>' in html


def test_a_blocked_or_late_task_shows_its_parts_last_notes(
    seed_plan: Plan, units: dict[str, Unit], viewer: User
) -> None:
    note = "Phần mềm quản lý văn bản lỗi, chờ Sở TT&TT khắc phục."
    part = TaskUnit.objects.filter(task__criterion__code="2.2.1").first()
    assert part is not None
    TaskUnit.objects.filter(pk=part.pk).update(status=Status.BLOCKED, note=note)
    branch = Criterion.objects.get(plan=seed_plan, code="2.2")
    html = client_for(viewer).get(f"/ke-hoach/cay/{branch.pk}/").content.decode()
    block = html[html.index(f'id="task-{part.task_id}"') :]
    assert "Phần mềm quản lý văn bản lỗi, chờ Sở TT&amp;TT khắc phục." in block
    assert part.unit.name in block[: block.index("</tr>")]
    Task.objects.filter(criterion__code="1.1.1").update(
        due_date=timezone.localdate() - datetime.timedelta(days=3)
    )
    area = Criterion.objects.get(plan=seed_plan, code="1.1")
    late = client_for(viewer).get(f"/ke-hoach/cay/{area.pk}/").content.decode()
    assert 'class="icon icon-overdue"' in late and "Quá hạn" in late
    assert "⏰" not in late
    assert "Chưa có ghi chú của đơn vị." in late


def test_the_overdue_mark_is_not_the_late_clock() -> None:
    late = render_to_string("parplan/_icon_late.html")
    overdue = render_to_string("parplan/_icon_overdue.html")
    assert 'class="icon icon-late"' in late and 'class="icon icon-overdue"' in overdue

    # the clock's face, which the overdue mark drew too until it got its own sign
    face = '<circle cx="8" cy="8" r="6.5"'
    assert face in late and face not in overdue


def test_the_inline_self_score_answers_with_the_figures_it_changed(
    seed_plan: Plan, office: User
) -> None:
    leaf = Criterion.objects.get(plan=seed_plan, code="1.2.1")
    area = Criterion.objects.get(plan=seed_plan, code="1")
    response = client_for(office).post(
        f"/ke-hoach/cay/{leaf.pk}/tu-cham/",
        {
            f"c{leaf.pk}-self_score": "0,5",
            f"c{leaf.pk}-explanation": "Đã ban hành đủ văn bản",
            f"c{leaf.pk}-version": leaf.version,
        },
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "Đã lưu." in html
    assert f'hx-post="/ke-hoach/cay/{leaf.pk}/tu-cham/"' in html  # stays the tree's
    assert f'<span id="gap-{leaf.pk}" hx-swap-oob="true">0</span>' in html
    # area 1: target 5 − forecast (1,25 + 0,25 more) = 3,5; the plan: 13,35 − 0,25
    assert f'<span id="gap-{area.pk}" hx-swap-oob="true">3,5</span>' in html
    assert '<span id="total-gap" hx-swap-oob="true">13,1</span>' in html
    assert f'id="self-sum-{area.pk}" hx-swap-oob="true"' in html
    leaf.refresh_from_db()
    assert leaf.self_score == Decimal("0.5")


def test_a_refused_inline_self_score_changes_no_figure(
    seed_plan: Plan, office: User
) -> None:
    leaf = Criterion.objects.get(plan=seed_plan, code="1.2.1")
    response = client_for(office).post(
        f"/ke-hoach/cay/{leaf.pk}/tu-cham/",
        {f"c{leaf.pk}-self_score": "9", f"c{leaf.pk}-version": leaf.version},
        headers={"HX-Request": "true"},
    )
    html = response.content.decode()
    assert "hx-swap-oob" not in html and "Đã lưu." not in html
    leaf.refresh_from_db()
    assert leaf.self_score is None


def test_a_plan_of_many_criteria_opens_as_its_areas_and_an_area_brings_its_rows(
    seed_plan: Plan,
    viewer: User,
    monkeypatch: pytest.MonkeyPatch,
    django_assert_num_queries: object,
) -> None:
    monkeypatch.setattr("reports.tree_views.OUTLINE_ROWS_MAX", 5)
    client = client_for(viewer)
    html = client.get(URL).content.decode()
    assert 'data-code="1"' in html and 'data-code="1.2"' not in html
    assert "rows=1" in html
    area = Criterion.objects.get(plan=seed_plan, code="1")
    # session, user, user's groups; the area with its plan; the branch's criteria,
    # tasks, parts; the engine's criteria, tasks aggregated and lead parts (the
    # criteria's sums)
    with django_assert_num_queries(10):
        answer = client.get(f"/ke-hoach/cay/{area.pk}/", {"rows": "1"})
    text = answer.content.decode()
    criterion = Criterion.objects.get(plan=seed_plan, code="1.2")
    assert f'<tbody id="row-{criterion.pk}" class="outline">' in text
    assert f'<tbody id="branch-{criterion.pk}" class="branch">' in text
    assert 'data-code="1.2.1"' not in text  # it opens in turn
    folded = client.get(f"/ke-hoach/cay/{area.pk}/", {"rows": "1", "close": "1"})
    assert (
        f'<tbody id="row-{criterion.pk}" hx-swap-oob="delete">'
        in folded.content.decode()
    )
