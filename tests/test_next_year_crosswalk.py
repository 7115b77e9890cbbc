"""Next year's plan on a new criteria set, criteria matched by code and through the
office's crosswalk: ``reports.next_year_crosswalk``, the page “Lập kế hoạch năm
N+1” in its set mode, ``plan_next_year --criteria-set --crosswalk`` and the
year-over-year comparison through the crosswalk kept on the new plan."""

from __future__ import annotations

import csv
import io
from decimal import Decimal
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from pytest_django import DjangoAssertNumQueries

from criteria.criteria_set.parse import criteria_set_parse
from criteria.models import Criterion, Plan
from reports.models import CriterionCrosswalk
from reports.next_year import next_year_plan_create, next_year_preview
from reports.next_year_crosswalk import (
    BY_CODE,
    BY_CROSSWALK,
    NEW,
    CrosswalkEntry,
    CrosswalkMatch,
    crosswalk_match,
    crosswalk_parse_text,
    crosswalk_read,
)
from reports.year_over_year import year_over_year
from tasks.models import Status, Task, TaskUnit, Unit
from tests.helpers import client_for

D = Decimal
MOVED_TITLE = "Sáng kiến, giải pháp mới trong công tác CCHC (bộ mới)"


def _set_file(plan: Plan, *, extra: int = 0) -> bytes:
    """The plan's tree as next year's set: 1.3 becomes 1.4 with a new title, 2.2
    and 2.2.1 are gone, area 5 with 5.1 (and ``extra`` more) is new."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["STT", "Lĩnh vực/Tiêu chí/Tiêu chí thành phần", "Điểm tối đa"])
    for c in Criterion.objects.filter(plan=plan).order_by("sort_key"):
        if c.code in ("2.2", "2.2.1"):
            continue
        heading = c.children.exists()
        maximum = "" if heading else str(c.max_score).replace(".", ",")
        if c.code == "1.3":
            writer.writerow(["1.4", MOVED_TITLE, maximum])
        else:
            writer.writerow([c.code, c.title, maximum])
    writer.writerow(["5", "Lĩnh vực mới năm 2024", ""])
    for number in range(1, 2 + extra):
        writer.writerow([f"5.{number}", f"Tiêu chí mới 5.{number}", "1"])
    return out.getvalue().encode("utf-8")


def _walk(*pairs: tuple[str, str]) -> list[CrosswalkEntry]:
    return [CrosswalkEntry(n, old, new) for n, (old, new) in enumerate(pairs, 1)]


@pytest.fixture
def results(seed_plan: Plan, shared_task: Task) -> Plan:
    Criterion.objects.filter(plan=seed_plan, code="1.3").update(appraised_score=D(0))
    Criterion.objects.filter(plan=seed_plan, code="1.1.1").update(
        appraised_score=D("1.5")
    )
    return Plan.objects.get(pk=seed_plan.pk)


def _match(plan: Plan, entries: list[CrosswalkEntry]) -> CrosswalkMatch:
    return crosswalk_match(
        old_rows=list(next_year_preview(plan=plan).rows),
        table=criteria_set_parse(data=_set_file(plan), filename="bo-2024.csv"),
        entries=entries,
        year=plan.year,
    )


def _row(match: CrosswalkMatch, code: str) -> object:
    return next(r for r in match.rows if r.code == code)


def test_criteria_with_the_same_code_are_matched_and_keep_their_baseline(
    results: Plan,
) -> None:
    match = _match(results, _walk(("1.3", "1.4")))
    row = _row(match, "1.1.1")
    assert (row.kind, row.baseline, row.title_changed) == (BY_CODE, D("1.5"), False)


def test_a_moved_criterion_follows_the_crosswalk_with_its_baseline_target_and_tasks(
    results: Plan,
) -> None:
    match = _match(results, _walk(("1.3", "1.4")))
    row = _row(match, "1.4")
    assert row.kind == BY_CROSSWALK and row.old_code == "1.3"
    assert row.title_changed
    assert (row.baseline, row.target) == (D(0), row.new.max_score)
    assert row.open_tasks == [
        t
        for r in next_year_preview(plan=results).rows
        if r.code == "1.3"
        for t in r.open_tasks
    ]
    assert match.pairs == {"1.3": "1.4"}


def test_a_criterion_new_in_the_set_has_no_baseline(results: Plan) -> None:
    row = _row(_match(results, _walk(("1.3", "1.4"))), "5.1")
    assert (row.kind, row.baseline, row.target) == (NEW, None, None)


def test_a_criterion_the_set_no_longer_has_is_dropped_with_its_points_and_tasks(
    results: Plan,
) -> None:
    match = _match(results, _walk(("1.3", "1.4")))
    dropped = {r.old_code: r for r in match.dropped}
    assert set(dropped) == {"2.2", "2.2.1"}
    assert dropped["2.2.1"].old.max_score == D(1)
    assert [t.text for t in dropped["2.2.1"].open_tasks]


def test_without_the_crosswalk_the_renamed_criterion_is_dropped_and_new(
    results: Plan,
) -> None:
    match = _match(results, [])
    assert _row(match, "1.4").kind == NEW
    assert "1.3" in {r.old_code for r in match.dropped}


@pytest.mark.parametrize(
    ("pairs", "message"),
    [
        (
            [("9.9", "1.4")],
            "Bảng đối chiếu, dòng 1: mã năm N “9.9” không có trong kế hoạch năm 2023.",
        ),
        (
            [("1.3", "7.7")],
            "Bảng đối chiếu, dòng 1: mã năm N+1 “7.7” không có trong bộ tiêu chí mới.",
        ),
        (
            [("1.3", "1.4"), ("1.3", "5.1")],
            "Bảng đối chiếu, dòng 2: mã năm N “1.3” đã được đối chiếu ở dòng 1; mỗi "
            "tiêu chí chỉ chuyển về một mã.",
        ),
        (
            [("1.3", "1.4"), ("2.2.1", "1.4")],
            "Bảng đối chiếu, dòng 2: hai mã năm N (1.3 ở dòng 1 và 2.2.1) cùng chuyển "
            "về 1.4. PAR Plan không gộp tiêu chí: hãy giữ một dòng, tiêu chí kia để "
            "trống mã năm N+1 (bỏ).",
        ),
        (
            [("1.3", "5")],
            "Bảng đối chiếu, dòng 1: 1.3 là tiêu chí được chấm điểm còn 5 là tiêu đề "
            "có tiêu chí con; chỉ đối chiếu tiêu chí với tiêu chí, tiêu đề với tiêu đề.",
        ),
        (
            [("2.2.1", "1.2.1")],
            "Bảng đối chiếu, dòng 1: 2.2.1 chuyển về 1.2.1, nhưng năm N cũng có tiêu "
            "chí 1.2.1. PAR Plan không gộp tiêu chí: hãy đối chiếu 1.2.1 của năm N "
            "sang mã mới của nó, hoặc để trống mã năm N+1 (bỏ).",
        ),
    ],
)
def test_a_wrong_crosswalk_is_refused_naming_the_line_and_reason(
    results: Plan, pairs: list[tuple[str, str]], message: str
) -> None:
    with pytest.raises(ValidationError) as caught:
        _match(results, _walk(*pairs))
    assert message in caught.value.messages


def test_a_criterion_can_be_dropped_on_purpose_to_free_its_code(results: Plan) -> None:
    match = _match(results, _walk(("2.2.1", "1.2.1"), ("1.2.1", "")))
    assert _row(match, "1.2.1").old_code == "2.2.1"
    assert "1.2.1" in {r.old_code for r in match.dropped}


def test_the_crosswalk_is_read_from_a_file_with_its_two_columns() -> None:
    data = "Mã năm N,Mã năm N+1\n1.3,1.4\n2.2.1,\n".encode()
    entries = crosswalk_read(data=data, filename="doi-chieu.csv")
    assert [(e.line, e.old_code, e.new_code) for e in entries] == [
        (2, "1.3", "1.4"),
        (3, "2.2.1", ""),
    ]


def test_a_crosswalk_file_without_its_columns_is_refused() -> None:
    with pytest.raises(ValidationError) as caught:
        crosswalk_read(data=b"A,B\n1,2\n", filename="x.csv")
    assert caught.value.messages == [
        "Tệp “x.csv” thiếu cột “Mã năm N” và “Mã năm N+1”."
    ]


def test_a_typed_line_that_is_not_a_pair_is_refused() -> None:
    assert [(e.old_code, e.new_code) for e in crosswalk_parse_text(text="1.3 → 1.4")]
    with pytest.raises(ValidationError) as caught:
        crosswalk_parse_text(text="1.3 → 1.4\nmột hai ba")
    assert caught.value.messages == [
        "Bảng đối chiếu, dòng 2: “một hai ba” không có dạng “mã năm N → mã năm N+1”."
    ]


def _create(plan: Plan, user: User | None, **extra: object) -> Plan:
    return next_year_plan_create(
        plan=plan,
        user=user,
        carried_task_ids=extra.pop("carried", []),  # type: ignore[arg-type]
        criteria_set=criteria_set_parse(data=_set_file(plan), filename="bo-2024.csv"),
        criteria_set_name="bo-2024.csv",
        crosswalk=_walk(("1.3", "1.4")),
        **extra,  # type: ignore[arg-type]
    )


def test_the_new_plan_has_the_sets_tree_the_baselines_and_the_carried_task(
    results: Plan, office: User
) -> None:
    task = Task.objects.get(criterion__plan=results, criterion__code="1.3")
    created = _create(results, office, carried=[task.pk])
    codes = set(Criterion.objects.filter(plan=created).values_list("code", flat=True))
    assert "1.4" in codes and "5.1" in codes
    assert not codes & {"1.3", "2.2", "2.2.1"}
    moved = Criterion.objects.get(plan=created, code="1.4")
    assert (moved.title, moved.baseline_score) == (MOVED_TITLE, D(0))
    assert moved.parent.code == "1"
    assert Criterion.objects.get(plan=created, code="5.1").baseline_score is None
    carried = Task.objects.get(criterion__plan=created)
    assert (carried.criterion.code, carried.text) == ("1.4", task.text)
    assert created.criteria_set_name == "bo-2024.csv"
    assert list(
        CriterionCrosswalk.objects.filter(plan=created).values_list(
            "old_code", "new_code"
        )
    ) == [("1.3", "1.4")]


def test_a_task_of_a_dropped_criterion_is_not_carried_and_nothing_is_written(
    results: Plan, office: User
) -> None:
    task = Task.objects.get(criterion__plan=results, criterion__code="2.2.1")
    with pytest.raises(ValidationError) as caught:
        _create(results, office, carried=[task.pk])
    assert caught.value.messages == [
        f"Nhiệm vụ {task.pk} thuộc tiêu chí 2.2.1, tiêu chí này không còn trong bộ "
        "tiêu chí mới nên nhiệm vụ không chuyển sang được (nó ở lại kế hoạch năm "
        "2023)."
    ]
    assert not Plan.objects.filter(year=2024).exists()


def test_a_plan_changed_since_the_preview_is_refused(
    results: Plan, office: User
) -> None:
    from criteria.plan_mark import plan_mark

    mark = plan_mark(organization_id=results.organization_id, year=2023)
    Criterion.objects.filter(plan=results, code="1.3").update(version=99)
    with pytest.raises(ValidationError) as caught:
        _create(results, office, previewed=mark)
    assert "Tiêu chí 1.3 đã được sửa, thêm hoặc xóa sau khi bạn xem trước." in (
        caught.value.messages
    )
    assert not Plan.objects.filter(year=2024).exists()


def test_the_years_compare_through_the_crosswalk(results: Plan, office: User) -> None:
    created = _create(results, office)
    Criterion.objects.filter(plan=created, code="1.4").update(appraised_score=D("1"))
    comparison = year_over_year(plans=[results, created])
    row = next(r for r in comparison.rows if r.code == "1.4")
    assert [c.score for c in row.cells] == [D(0), D(1)]
    assert row.cells[1].change == D(1)
    assert [c.code for c in row.cells] == ["1.3", ""]
    assert "1.3" not in {r.code for r in comparison.rows}
    body = client_for(office).get("/bao-cao/so-sanh-nam/").content.decode()
    assert "(mã 1.3)" in body


def _url(plan: Plan) -> str:
    return f"/ke-hoach/{plan.pk}/nam-sau/"


def _upload(plan: Plan, extra: int = 0) -> dict[str, object]:
    return {
        "mode": "set",
        "step": "upload",
        "criteria_set": SimpleUploadedFile("bo-2024.csv", _set_file(plan, extra=extra)),
        "crosswalk_file": SimpleUploadedFile(
            "doi-chieu.csv", "Mã năm N,Mã năm N+1\n1.3,1.4\n".encode()
        ),
    }


def test_the_office_uploads_the_set_sees_every_criterion_and_confirms(
    results: Plan, office: User
) -> None:
    client = client_for(office)
    response = client.post(_url(results), _upload(results))
    assert response.status_code == 200
    body = response.content.decode()
    assert 'id="row-1.4" data-match="crosswalk"' in body
    assert "Từ tiêu chí 1.3 năm trước" in body
    assert "Mới năm nay (chưa có điểm năm cơ sở)" in body
    assert 'id="dropped-2.2.1"' in body
    assert "1.3 → 1.4" in body
    token = response.context["token"]
    response = client.post(
        _url(results),
        {
            "mode": "set",
            "step": "confirm",
            "token": token,
            "crosswalk": "1.3 → 1.4",
            "target-1.4": "1",
        },
    )
    assert response.status_code == 302
    created = Plan.objects.get(year=2024)
    assert Criterion.objects.get(plan=created, code="1.4").target_score == D(1)
    assert CriterionCrosswalk.objects.filter(plan=created).count() == 1


def test_the_crosswalk_edited_on_the_page_is_checked_again(
    results: Plan, office: User
) -> None:
    client = client_for(office)
    token = client.post(_url(results), _upload(results)).context["token"]
    response = client.post(
        _url(results),
        {"mode": "set", "step": "review", "token": token, "crosswalk": "1.3 → 7.7"},
    )
    assert response.status_code == 400
    assert "mã năm N+1 “7.7” không có trong bộ tiêu chí mới" in (
        response.content.decode()
    )
    response = client.post(
        _url(results),
        {"mode": "set", "step": "confirm", "token": token, "crosswalk": "1.3 → 7.7"},
    )
    assert response.status_code == 400
    assert not Plan.objects.filter(year=2024).exists()


@pytest.mark.parametrize("who", ["director", "head_center"])
def test_no_one_but_the_office_uploads_a_set(
    results: Plan, who: str, request: pytest.FixtureRequest
) -> None:
    client = client_for(request.getfixturevalue(who))
    assert client.post(_url(results), _upload(results)).status_code == 403
    assert not Plan.objects.filter(year=2024).exists()


def _grow(plan: Plan, unit: Unit, count: int) -> None:
    area = Criterion.objects.get(plan=plan, code="1")
    for number in range(5, 5 + count):
        criterion = Criterion.objects.create(
            plan=plan,
            parent=area,
            code=f"1.{number}",
            title=f"Tiêu chí 1.{number}",
            max_score=D(1),
        )
        task = Task.objects.create(criterion=criterion, text=f"Việc {number}")
        TaskUnit.objects.create(task=task, unit=unit, status=Status.IN_PROGRESS)


@pytest.mark.parametrize("extra", [0, 12])
def test_the_set_preview_costs_the_same_queries_at_two_sizes(
    results: Plan,
    office: User,
    units: dict[str, Unit],
    extra: int,
    django_assert_num_queries: DjangoAssertNumQueries,
) -> None:
    _grow(results, units["center"], extra)
    client = client_for(office)
    data = _upload(results, extra=extra)
    # session, user, roles, the plan; the engine's criteria, tasks and parts; whether
    # the next plan exists; the mark of the plan (its row, its criteria); the staged
    # file kept in the session (savepoint, update, release)
    with django_assert_num_queries(13):
        response = client.post(_url(results), data)
    assert response.status_code == 200


def test_the_command_builds_the_plan_on_the_set_through_the_crosswalk(
    results: Plan, tmp_path: Path
) -> None:
    set_path = tmp_path / "bo-2024.csv"
    set_path.write_bytes(_set_file(results))
    walk_path = tmp_path / "doi-chieu.csv"
    walk_path.write_text("Mã năm N,Mã năm N+1\n1.3,1.4\n", encoding="utf-8")
    out = io.StringIO()
    call_command(
        "plan_next_year",
        "--year",
        "2023",
        "--criteria-set",
        str(set_path),
        "--crosswalk",
        str(walk_path),
        stdout=out,
    )
    assert "1.3 → 1.4" in out.getvalue()
    assert "1 đối chiếu sang mã mới" in out.getvalue()
    created = Plan.objects.get(year=2024)
    assert Criterion.objects.filter(plan=created, code="1.4").exists()


def test_the_command_refuses_a_wrong_crosswalk_and_writes_nothing(
    results: Plan, tmp_path: Path
) -> None:
    set_path = tmp_path / "bo-2024.csv"
    set_path.write_bytes(_set_file(results))
    walk_path = tmp_path / "doi-chieu.csv"
    walk_path.write_text("Mã năm N,Mã năm N+1\n9.9,1.4\n", encoding="utf-8")
    with pytest.raises(CommandError, match=r"mã năm N “9\.9” không có"):
        call_command(
            "plan_next_year",
            "--year",
            "2023",
            "--criteria-set",
            str(set_path),
            "--crosswalk",
            str(walk_path),
        )
    assert not Plan.objects.filter(year=2024).exists()


def test_a_code_taken_over_by_a_moved_criterion_keeps_the_dropped_ones_row_apart(
    results: Plan, office: User
) -> None:
    created = next_year_plan_create(
        plan=results,
        user=office,
        carried_task_ids=[],
        criteria_set=criteria_set_parse(data=_set_file(results), filename="b.csv"),
        crosswalk=_walk(("1.3", "1.4"), ("2.2.1", "1.2.1"), ("1.2.1", "")),
    )
    comparison = year_over_year(plans=[results, created])
    rows = [r for r in comparison.rows if r.code == "1.2.1"]
    assert len(rows) == 2
    followed = next(r for r in rows if r.cells[1].score is not None)
    assert followed.cells[0].code == "2.2.1"
    ended = next(r for r in rows if r.cells[1].score is None)
    assert ended.cells[0].score is not None and ended.cells[0].code == ""


def test_the_page_refuses_a_confirmation_when_the_plan_changed_since_its_preview(
    results: Plan, office: User
) -> None:
    client = client_for(office)
    token = client.post(_url(results), _upload(results)).context["token"]
    Criterion.objects.filter(plan=results, code="1.1.1").update(version=7)
    response = client.post(
        _url(results),
        {"mode": "set", "step": "confirm", "token": token, "crosswalk": "1.3 → 1.4"},
    )
    assert response.status_code == 400
    assert "Tiêu chí 1.1.1 đã được sửa, thêm hoặc xóa sau khi bạn xem trước." in (
        response.content.decode()
    )
    assert not Plan.objects.filter(year=2024).exists()
