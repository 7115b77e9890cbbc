"""The director's dashboard: figures, charts, tasks needing attention, priorities."""

from __future__ import annotations

import datetime
import html as html_lib
import io
import json
import re
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.models import User
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from criteria.models import Organization, Plan
from parplan.scores import format_decimal
from reports.figures import plan_figures
from reports.models import PeerRank
from reports.summaries import dashboard_tasks
from tasks.models import Status, Task, TaskUnit, Unit
from tests.factories import plan_build
from tests.helpers import client_for

D = Decimal
URL = "/bao-cao/"


def peers_for(plan: Plan, *, source: str = "QĐ thử nghiệm") -> None:
    rows = [
        ("Đơn vị thử A", "90.125"),
        ("Đơn vị thử B", "85"),
        ("Đơn vị thử C", "82.5"),
        (plan.organization.name, "80"),
        ("Đơn vị thử D", "78"),
        ("Đơn vị thử E", "70"),
    ]
    for position, (name, index) in enumerate(rows, start=1):
        own = name == plan.organization.name
        PeerRank.objects.create(
            year=plan.baseline_year,
            name=name,
            index=D(index),
            organization=plan.organization if own else None,
            position=position,
            source=source,
        )


def progress_some(plan: Plan, units: dict[str, Unit]) -> None:
    TaskUnit.objects.filter(
        task__criterion__plan=plan, task__criterion__code="1.3"
    ).update(percent=100, status=Status.DONE)
    TaskUnit.objects.filter(
        task__criterion__plan=plan, task__criterion__code="4.1.1", unit=units["office"]
    ).update(percent=50, status=Status.IN_PROGRESS)


def test_the_dashboard_is_routed_at_bao_cao() -> None:
    assert reverse("reports-dashboard") == URL


@pytest.mark.parametrize("who", ["office", "head_center", "director", "viewer"])
def test_every_role_sees_the_dashboard(
    request: pytest.FixtureRequest, seed_plan: Plan, who: str
) -> None:
    response = client_for(request.getfixturevalue(who)).get(URL)
    assert response.status_code == 200
    assert "Tổng quan kế hoạch năm 2023" in response.content.decode()


def test_an_outsider_is_refused(seed_plan: Plan, outsider: User) -> None:
    assert client_for(outsider).get(URL).status_code == 403


def test_an_anonymous_visitor_is_sent_to_sign_in(seed_plan: Plan, client) -> None:
    assert client.get(URL).status_code == 302


def test_the_director_lands_on_the_dashboard(seed_plan: Plan, director: User) -> None:
    response = client_for(director).get("/")
    assert response.status_code == 302
    assert response.url == URL


def test_cards_show_the_seed_totals_the_vietnamese_way(
    seed_plan: Plan, director: User
) -> None:
    html = client_for(director).get(URL).content.decode()
    assert 'data-figure="totals.baseline">1,65<' in html
    assert 'data-figure="totals.gap">13,35<' in html
    assert 'data-figure="areas.4.baseline">0,4<' in html
    assert 'data-figure="areas.1.gap">3,75<' in html
    # without a ranking table it says why there is no index
    assert "Chưa có bảng xếp hạng năm 2022" in html


def test_every_figure_links_to_the_rows_behind_it(
    seed_plan: Plan, director: User
) -> None:
    html = client_for(director).get(URL).content.decode()
    tasks = f"/nhiem-vu/?plan={seed_plan.pk}"
    area = seed_plan.criteria.get(code="4")
    # an area: the tree at that area
    assert f'href="/ke-hoach/?year=2023#criterion-{area.pk}" data-area="4"' in html
    # a status count, the total: the task list filtered to those tasks
    assert f'href="{tasks}&amp;status=not_started" data-status="not_started"' in html
    assert f'href="{tasks}" data-figure="tasks.total"' in html
    # tasks at risk, blocked, late, due soon: the task list in that state
    for state in ("blocked", "late", "due_soon", "at_risk"):
        assert f'href="{tasks}&amp;state={state}" data-figure="tasks.{state}"' in html
    # a unit's progress: its task list
    center = Unit.objects.get(name__startswith="Trung tâm")
    assert f'href="{tasks}&amp;unit={center.pk}">' in html
    # a priority: its criterion's page, its open tasks, each open task's page
    criterion = seed_plan.criteria.get(code="4.1.1")
    assert f'href="/ke-hoach/tieu-chi/{criterion.pk}/">4.1.1 ' in html
    assert f'href="{tasks}&amp;criterion={criterion.pk}&amp;state=open">' in html
    task = Task.objects.filter(criterion=criterion).first()
    assert f'href="/nhiem-vu/{task.pk}/"' in html
    # the self-assessed total: the self-assessment's page
    self_page = f"/ke-hoach/xuat/{seed_plan.pk}/tu-danh-gia/"
    assert f'href="{self_page}" data-figure="totals.self"' in html
    links = re.findall(r'<a href="([^"]*)"', html)
    figures = re.findall(r'<a href="([^"]*)"[^>]*data-figure=', html)
    assert figures and all(
        href.startswith(("/ke-hoach/", "/bao-cao/", "/nhiem-vu/", "#"))
        for href in figures
    )
    # the tree is one destination among many, not the answer to every figure
    to_tree = [h for h in links if h.startswith("/ke-hoach/?year=")]
    assert len(to_tree) < len(links) / 3
    # numbers in the tables are plain text, not links
    assert 'data-figure="areas.4.forecast">' in html
    assert not re.search(r'<a [^>]*data-figure="areas\.', html)
    assert not re.search(r'<a [^>]*data-figure="scenarios\.', html)


def test_a_figure_and_the_list_behind_it_count_the_same_tasks(
    seed_plan: Plan, units: dict[str, Unit], director: User
) -> None:
    today = timezone.localdate()
    Task.objects.filter(criterion__code="2.1.1").update(
        due_date=today - datetime.timedelta(days=3)
    )
    Task.objects.filter(criterion__code="3.1.1").update(
        due_date=today + datetime.timedelta(days=5)
    )
    TaskUnit.objects.filter(task__criterion__code="1.1.1", role="lead").update(
        status=Status.BLOCKED, note="Phần mềm lỗi, chờ Sở TT&TT khắc phục."
    )
    client = client_for(director)
    html = client.get(URL).content.decode()
    for state, count in (("blocked", 1), ("late", 1), ("due_soon", 1), ("at_risk", 3)):
        assert f'data-figure="tasks.{state}">{count}<' in html, state
        listed = client.get(
            "/nhiem-vu/", {"plan": seed_plan.pk, "state": state}
        ).content.decode()
        assert listed.count('class="task-row"') == count, state
    assert 'data-figure="attention_total">3<' in html
    for status in Status.values:
        count = re.search(rf'data-status="{status}">(\d+)<', html)[1]
        listed = client.get(
            "/nhiem-vu/", {"plan": seed_plan.pk, "status": status}
        ).content.decode()
        assert listed.count('class="task-row"') == int(count), status
    center = Unit.objects.get(name__startswith="Trung tâm")
    listed = client.get("/nhiem-vu/", {"plan": seed_plan.pk, "unit": center.pk})
    assert listed.content.decode().count('class="task-row"') == (
        Task.objects.filter(parts__unit=center).distinct().count()
    )


def test_a_blocked_task_due_far_ahead_is_listed_and_counted_outside_the_priorities(
    seed_plan: Plan,
) -> None:
    """The dashboard reads only the tasks it may list; a blocked one is among them
    whatever its due date or its criterion's place among the priorities."""
    today = timezone.localdate()
    task = Task.objects.filter(criterion__code="1.1.1").first()
    Task.objects.filter(pk=task.pk).update(
        due_date=today + datetime.timedelta(days=200)
    )
    TaskUnit.objects.filter(task=task, role="lead").update(status=Status.BLOCKED)
    figures = plan_figures(plan=seed_plan, with_parts=False)
    listed = dashboard_tasks(figures=figures, today=today, priorities_shown=0)
    assert [t.pk for t in listed.attention] == [task.pk]
    assert listed.states["blocked"] == listed.states["at_risk"] == 1


def test_charts_are_svg_drawn_on_the_server_without_any_cdn(
    seed_plan: Plan, director: User
) -> None:
    peers_for(seed_plan)
    html = client_for(director).get(URL).content.decode()
    assert html.count('<svg class="chart') == 2
    assert 'class="bar-self"' in html
    forecast = html[html.index('data-rank-row="forecast"') :]
    forecast = forecast[: forecast.index("</g>")]
    assert "→ Dự báo<" in forecast and ">80 – hạng 4<" in forecast
    # The only script is the site's own (the print button's handler); none draws.
    assert re.findall(r"<script[^>]*>", html) == [
        '<script src="/static/js/parplan.js" defer>'
    ]
    assert "https://" not in html
    # SVG coordinates keep a decimal point whatever the language
    assert not re.search(r'(width|x|y)="\d+,\d', html)


def _svg(html: str, heading_id: str) -> str:
    start = html.index(f'aria-labelledby="{heading_id}"')
    return html[start : html.index("</svg>", start)]


def test_the_ranking_chart_marks_the_goal_rank_the_forecast_and_the_targets(
    seed_plan: Plan, director: User
) -> None:
    peers_for(seed_plan)  # the organization is 4th of 6 at 80; the goal is 2 places
    svg = _svg(client_for(director).get(URL).content.decode(), "h-rank-chart")
    # all targets met (93,35) ranks 1st, above the goal; the forecast (80) below it
    rows = re.findall(r'data-rank-row="(\w+)"', svg)
    assert rows == ["target", "goal", "forecast"]
    assert "Mục tiêu: hạng 2 (tăng 2 bậc) trở lên ↑" in svg
    # the goal line sits below the second unit and above the third (82,5)
    names = re.findall(r">(\d\. Đơn vị thử \w|→ [^<]+|Mục tiêu: hạng \d)", svg)
    assert names.index("Mục tiêu: hạng 2") == names.index("2. Đơn vị thử B") + 1
    assert "→ Dự báo" in names and "→ Đạt toàn bộ mục tiêu" in names
    # every label has a line of its own: no two texts share a baseline at the left
    left = re.findall(r'<text[^>]* x="324" y="([\d.]+)"', svg)
    assert len(left) == len(set(left)) == 6 + 3
    # no line crosses the bars: the only lines are the grid and the goal
    assert set(re.findall(r'<line class="([\w-]+)"', svg)) == {"grid-line", "mark-goal"}


def test_a_goal_beyond_the_first_place_marks_rank_1(
    seed_plan: Plan, director: User
) -> None:
    peers_for(seed_plan)
    Plan.objects.filter(pk=seed_plan.pk).update(rank_goal=10)
    svg = _svg(client_for(director).get(URL).content.decode(), "h-rank-chart")
    names = re.findall(r">(\d\. Đơn vị thử \w|Mục tiêu: hạng \d)", svg)
    assert names[:2] == ["1. Đơn vị thử A", "Mục tiêu: hạng 1"]


def test_the_ranking_chart_shows_the_self_assessed_scenario_once_entered(
    seed_plan: Plan, director: User
) -> None:
    peers_for(seed_plan)
    seed_plan.criteria.filter(code="1.3").update(self_score=D("1"))
    svg = _svg(client_for(director).get(URL).content.decode(), "h-rank-chart")
    assert 'data-rank-row="self_assessed"' in svg
    assert "→ Tự đánh giá" in svg


def test_a_loss_of_places_reads_giam(seed_plan: Plan, director: User) -> None:
    peers_for(seed_plan)
    html = client_for(director).get(URL, {"peer_change": "5"}).content.decode()
    # peers 5 points higher: the forecast (80) falls behind Đơn vị thử D (83)
    assert 'data-places="-1">giảm 1 bậc<' in html
    assert "tăng -" not in html


def test_the_area_chart_shows_each_areas_whole_title(
    seed_plan: Plan, director: User
) -> None:
    html = client_for(director).get(URL).content.decode()
    svg = _svg(html, "h-area-chart")
    area = seed_plan.criteria.get(code="1")
    lines = re.findall(r'<text class="area-title" x="0" y="[\d.]+">([^<]+)</text>', svg)
    words = " ".join(html_lib.unescape(line) for line in lines)
    assert f"1. {' '.join(area.title.split())}" in words
    assert "…" not in words
    # drawn 400 units wide: on a 390 px phone its 12-unit text stays about 11 px
    assert re.search(r'<svg class="chart area-chart" viewBox="0 0 400 \d+"', html)


def test_scenarios_show_index_and_rank_with_places_gained(
    seed_plan: Plan, units: dict[str, Unit], director: User
) -> None:
    peers_for(seed_plan)
    progress_some(seed_plan, units)
    html = client_for(director).get(URL).content.decode()
    assert 'data-figure="baseline_index">80<' in html
    assert 'data-figure="baseline_rank">4<' in html
    # 1.3 done (+ 2), 4.1.1 a quarter done (+ 0,5): 82,5 ties with the third peer
    assert 'data-figure="scenarios.forecast.index">82,5<' in html
    assert 'data-figure="scenarios.forecast.rank">3<' in html
    assert 'data-figure="scenarios.target.rank">1<' in html
    assert 'data-figure="goal_met" data-value="false"' in html
    assert 'data-figure="points_needed">5<' in html
    assert "còn thiếu so với dự báo" in html


def test_the_assumed_change_of_peers_is_a_form_field(
    seed_plan: Plan, director: User
) -> None:
    peers_for(seed_plan)
    html = client_for(director).get(URL, {"peer_change": "2,5"}).content.decode()
    # 78 + 2,5 passes 80: four peers above
    assert 'data-figure="scenarios.baseline.rank">5<' in html
    assert "Giả định các đơn vị khác thay đổi 2,5 điểm chỉ số." in html
    assert 'value="2,5"' in html


def test_a_bad_assumed_change_is_explained_and_ignored(
    seed_plan: Plan, director: User
) -> None:
    peers_for(seed_plan)
    html = client_for(director).get(URL, {"peer_change": "nhiều"}).content.decode()
    assert "“nhiều” không phải là số" in html
    assert 'data-figure="scenarios.baseline.rank">4<' in html


def test_an_unknown_year_is_not_found(seed_plan: Plan, director: User) -> None:
    assert client_for(director).get(URL, {"year": 1999}).status_code == 404


def test_an_illustrative_ranking_table_is_labelled_as_such(
    seed_plan: Plan, director: User
) -> None:
    peers_for(seed_plan, source="Bảng minh họa")
    html = client_for(director).get(URL).content.decode()
    assert "dữ liệu minh họa, không phải số liệu công bố" in html


def test_tasks_by_status_overdue_and_due_soon_with_their_units(
    seed_plan: Plan, units: dict[str, Unit], director: User
) -> None:
    progress_some(seed_plan, units)
    today = timezone.localdate()
    Task.objects.filter(criterion__code="2.1.1").update(
        due_date=today - datetime.timedelta(days=3)
    )
    Task.objects.filter(criterion__code="3.1.1").update(
        due_date=today + datetime.timedelta(days=14)
    )
    Task.objects.filter(criterion__code="2.2.1").update(
        due_date=today + datetime.timedelta(days=15)
    )
    Task.objects.filter(criterion__code="1.3").update(
        due_date=today - datetime.timedelta(days=3)  # done: not listed
    )
    html = client_for(director).get(URL).content.decode()
    assert 'data-status="done">1<' in html
    assert 'data-status="in_progress">1<' in html
    assert 'data-status="not_started">11<' in html
    section = html[html.index('id="h-attention"') : html.index('id="priorities"')]
    assert section.count('class="attention-task"') == 2
    assert "Báo cáo đúng thời gian quy định" in section  # 2.1.1, overdue
    assert "(quá hạn)" in section
    assert "Tham mưu UBND tỉnh kịp thời công bố TTHC" in section  # 3.1.1
    assert "Rà soát đầy đủ" not in section  # 2.2.1, in 15 days
    assert "Văn phòng Sở" in section


def test_each_units_progress_is_shown(
    seed_plan: Plan, units: dict[str, Unit], director: User
) -> None:
    progress_some(seed_plan, units)
    html = client_for(director).get(URL).content.decode()
    row = html[html.index(f'data-unit="{units["center"].pk}"') :]
    row = row[: row.index("</tr>")]
    # the center leads 1.1.1, 1.3, 4.1.1, 4.2.1–4.2.4: 7 parts, 1 done (1.3)
    assert ">7<" in row and ">1<" in row
    assert "14,3 %" in row


def test_the_priority_list_starts_with_the_most_points_still_recoverable(
    seed_plan: Plan, units: dict[str, Unit], director: User
) -> None:
    progress_some(seed_plan, units)
    html = client_for(director).get(URL).content.decode()
    section = html[html.index('id="priorities"') :]
    codes = re.findall(
        r'<td data-label="Tiêu chí"><a href="/ke-hoach/tieu-chi/\d+/">([\d.]+) ',
        section,
    )
    # 4.1.1 (a quarter done) and 4.2.4 have 1,5 left; 4.2.2 has 1,3; 1.3 is done.
    assert codes[:3] == ["4.1.1", "4.2.4", "4.2.2"]
    assert "1.3" not in codes


def test_the_page_has_a_print_button_for_a4(seed_plan: Plan, director: User) -> None:
    html = client_for(director).get(URL).content.decode()
    # Bound in the site's script: the Content-Security-Policy refuses inline handlers.
    assert '<button type="button" class="button" data-print>' in html
    assert "In (A4)" in html
    script = Path(settings.BASE_DIR, "static", "js", "parplan.js").read_text()
    assert '"[data-print]"' in script and "window.print()" in script


def test_the_dashboard_and_projection_json_show_the_same_figures(
    seed_plan: Plan, units: dict[str, Unit], director: User
) -> None:
    peers_for(seed_plan)
    progress_some(seed_plan, units)
    out = io.StringIO()
    call_command("projection", "--json", "--peer-change", "0,75", stdout=out)
    data = json.loads(out.getvalue())
    html = client_for(director).get(URL, {"peer_change": "0,75"}).content.decode()

    shown = {
        key: html_lib.unescape(text)
        for key, text in re.findall(r'data-figure="([^"]+)">([^<]*)<', html)
    }
    shown["goal_met"] = re.search(r'data-figure="goal_met" data-value="(\w+)"', html)[1]
    shown["places_gained"] = re.search(r'data-places="(-?\d+)"', html)[1]

    def lookup(path: str) -> object:
        value: object = data
        for part in path.split("."):
            value = value[part]
        return value

    expected_keys = (
        [f"totals.{k}" for k in data["totals"]]
        + [f"areas.{a}.{k}" for a in data["areas"] for k in data["areas"][a]]
        + [f"scenarios.{s}.{k}" for s in data["scenarios"] for k in ("index", "rank")]
        + ["baseline_index", "baseline_rank", "places_gained", "points_needed"]
    )
    assert set(expected_keys) <= set(shown)
    for key in expected_keys:
        value = lookup(key)
        if isinstance(value, int):
            assert shown[key] == str(value), key
        else:
            assert shown[key] == format_decimal(D(value)), key
    assert shown["goal_met"] == json.dumps(data["goal_met"])


def _dashboard_queries(
    organization: Organization,
    director: User,
    django_assert_num_queries: object,
    **size: int,
) -> None:
    plan = plan_build(organization=organization, **size)
    peers_for(plan)
    today = timezone.localdate()
    Task.objects.filter(criterion__plan=plan).update(
        due_date=today + datetime.timedelta(days=3)
    )
    client = client_for(director)
    client.get(URL)
    # session, user, user's groups; the plans visible (the years and the plan
    # shown); criteria (as rows); each criterion's tasks summed by the database; the
    # ranking table; the tasks listed (due soon, the first priorities') and their
    # lead parts; each unit's lead parts counted; the appeals. None of them grows
    # with the plan.
    with django_assert_num_queries(11):
        response = client.get(URL, {"year": plan.year, "peer_change": "1"})
    assert response.status_code == 200


def test_the_dashboard_runs_the_same_queries_for_a_small_plan(
    organization: Organization,
    units: dict[str, Unit],
    director: User,
    django_assert_num_queries: object,
) -> None:
    _dashboard_queries(organization, director, django_assert_num_queries, areas=1)


def test_the_dashboard_runs_the_same_queries_for_thousands_of_tasks(
    organization: Organization,
    units: dict[str, Unit],
    director: User,
    django_assert_num_queries: object,
) -> None:
    _dashboard_queries(
        organization,
        director,
        django_assert_num_queries,
        areas=8,
        criteria_per_area=10,
        subs_per_criterion=4,
        tasks_per_leaf=4,
    )
    assert Task.objects.count() == 1280


def test_a_large_plans_dashboard_shows_the_first_rows_of_its_lists_and_links_to_the_rest(
    organization: Organization, units: dict[str, Unit], director: User
) -> None:
    plan = plan_build(organization=organization, areas=3, criteria_per_area=4)
    Task.objects.filter(criterion__plan=plan).update(
        due_date=timezone.localdate() - datetime.timedelta(days=1)
    )
    html = client_for(director).get(f"/bao-cao/?year={plan.year}").content.decode()
    assert html.count('class="priority"') == 20
    assert "Đang hiện 20 trên 24 tiêu chí còn điểm chưa lấy lại" in html
    assert (
        html.count('class="attention-task"') == 24
    )  # all 24 fit under the bound of 30
    assert "Đang hiện" in html and "nhiệm vụ; xem tất cả" not in html
