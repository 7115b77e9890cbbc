from __future__ import annotations

import io
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from criteria.models import Criterion, Organization, Plan
from reports.plan_workbook import plan_write
from tasks.appendix.load import appendix_import
from tasks.models import Task, TaskUnit, Unit
from tests.factories import plan_build
from tests.helpers import ORG_NAME, client_for
from tests.workbooks import database_empty, plan_snapshot

D = Decimal
HEADER = 6


def exported(plan: Plan) -> bytes:
    buffer = io.BytesIO()
    plan_write(plan=plan, output=buffer)
    return buffer.getvalue()


def round_trip(plan: Plan) -> tuple[dict[str, object], dict[str, object]]:
    """The plan before, and the plan its workbook gives in an empty database."""
    before = plan_snapshot(plan)
    data = exported(plan)
    name, year = plan.organization.name, plan.year
    database_empty()
    organization = Organization.objects.create(name=name)
    report = appendix_import(
        organization=organization, year=year, data=data, filename="ke-hoach.xlsx"
    )
    return before, plan_snapshot(report.plan)


def test_the_header_carries_the_plans_years(seed_plan: Plan) -> None:
    ws = openpyxl.load_workbook(io.BytesIO(exported(seed_plan))).active
    assert [c.value for c in ws[HEADER]] == [
        "STT",
        "Lĩnh vực, tiêu chí",
        "Điểm chuẩn",
        "Điểm 2022 đạt được",
        "Mục tiêu năm 2023",
        "Nhiệm vụ, giải pháp",
        "Đơn vị chủ trì",
        "Đơn vị phối hợp",
        "Thời gian hoàn thành",
        "Sản phẩm",
    ]
    assert ws.print_title_rows == "$6:$6"
    assert ws.page_setup.orientation == "landscape"


def test_each_task_has_a_row_and_the_criterion_is_written_on_the_first(
    seed_plan: Plan, units: dict[str, Unit]
) -> None:
    criterion = Criterion.objects.get(plan=seed_plan, code="2.1.1")
    task = Task.objects.create(criterion=criterion, position=2, text="Báo cáo quý")
    TaskUnit.objects.create(task=task, unit=units["center"])
    TaskUnit.objects.create(task=task, unit=units["office"])
    ws = openpyxl.load_workbook(io.BytesIO(exported(seed_plan))).active
    rows = [[c.value for c in row] for row in ws.iter_rows(min_row=HEADER + 1)]
    at = next(i for i, r in enumerate(rows) if r[0] == "2.1.1")
    assert rows[at] == [
        "2.1.1",
        "Báo cáo theo dõi thi hành pháp luật",
        0.5,
        0,
        0.5,
        "Báo cáo đúng thời gian quy định",
        "Văn phòng Sở",
        None,
        None,
        None,
    ]
    assert rows[at + 1] == [
        None,
        None,
        None,
        None,
        None,
        "Báo cáo quý",
        "Văn phòng Sở; Trung tâm TTKT& UDKHCN",
        "—",  # none: an empty cell would read as the merged cell above
        "—",
        "—",
    ]
    assert rows[at + 2][0] == "2.2"


def test_headings_have_no_scores_as_in_the_appendix(seed_plan: Plan) -> None:
    ws = openpyxl.load_workbook(io.BytesIO(exported(seed_plan))).active
    first = next(r for r in ws.iter_rows(min_row=HEADER + 1, values_only=True))
    assert first == ("1", "CÔNG TÁC CHỈ ĐẠO, ĐIỀU HÀNH CCHC", *[None] * 8)


def test_the_seed_plan_comes_back_the_same_from_its_workbook(seed_plan: Plan) -> None:
    before, after = round_trip(seed_plan)
    assert after == before
    assert len(after["criteria"]) == 24


def test_a_later_task_without_a_lead_unit_round_trips(seed_plan: Plan) -> None:
    criterion = Criterion.objects.get(plan=seed_plan, code="1.2.1")
    Task.objects.create(criterion=criterion, position=2, text="Chưa giao đơn vị")
    ws = openpyxl.load_workbook(io.BytesIO(exported(seed_plan))).active
    row = next(r for r in ws.iter_rows(values_only=True) if r[5] == "Chưa giao đơn vị")
    assert row[6] == "—"  # an empty cell would read as the merged lead cell above
    before, after = round_trip(Plan.objects.get(pk=seed_plan.pk))
    assert after == before


def test_text_excel_would_run_survives_the_round_trip_as_text(
    seed_plan: Plan, units: dict[str, Unit]
) -> None:
    task = Task.objects.get(criterion__plan=seed_plan, criterion__code="1.3")
    task.text = '=HYPERLINK("http://evil.example","Bấm")'
    task.save()
    Criterion.objects.filter(plan=seed_plan, code="2.2.1").update(title="-Rà soát")
    ws = openpyxl.load_workbook(io.BytesIO(exported(seed_plan))).active
    cell = next(
        row[5] for row in ws.iter_rows(min_row=HEADER + 1) if row[0].value == "1.3"
    )
    assert cell.data_type == "s"
    assert cell.quotePrefix
    before, after = round_trip(Plan.objects.get(pk=seed_plan.pk))
    assert after == before


def test_a_large_plan_round_trips(organization: Organization) -> None:
    plan = plan_build(
        organization=organization,
        areas=4,
        criteria_per_area=6,
        subs_per_criterion=4,
        tasks_per_leaf=2,
    )
    before, after = round_trip(plan)
    assert after == before
    assert len(after["criteria"]) == 4 + 24 + 96


@pytest.mark.parametrize("size", [1, 3])
def test_the_export_runs_four_queries_whatever_the_size(
    organization: Organization, size: int, django_assert_num_queries: object
) -> None:
    plan = plan_build(
        organization=organization, areas=size, criteria_per_area=size, tasks_per_leaf=2
    )
    plan = Plan.objects.get(pk=plan.pk)
    # organization, tasks, their lead parts with units, criteria
    with django_assert_num_queries(4):
        plan_write(plan=plan, output=io.BytesIO())


# Generated plans ----------------------------------------------------------------------

LETTERS = (
    "aăâbcdđeêghiklmnoôơpqrstuưvxyAĂÂĐEÊOÔƠUƯ"
    "àáảãạằắẳẵặầấẩẫậèéẻẽẹềếểễệìíỉĩịòóỏõọồốổỗộờớởỡợùúủũụừứửữựỳýỷỹỵ"
)
WORD = st.text(alphabet=LETTERS + "0123456789,.()/%&'\"", min_size=1, max_size=8)
LEADING = st.sampled_from(["", "", "", "=", "+", "-", "@"])
UNIT_NAMES = [
    "Văn phòng Sở",
    "Trung tâm TTKT& UDKHCN",
    "Phòng Quản lý chuyên ngành",
    "Thanh tra Sở",
    "=Phòng Kế hoạch",
    "-Tổ công tác",
]


@st.composite
def texts(draw: st.DrawFn) -> str:
    words = draw(st.lists(WORD, min_size=1, max_size=6))
    text = draw(LEADING) + " ".join(words)
    if not any(ch.isalpha() for ch in text):
        text = "Việc " + text
    return text


@st.composite
def scores(draw: st.DrawFn) -> tuple[Decimal, Decimal, Decimal]:
    maximum = draw(st.decimals(min_value=0, max_value=100, places=2))
    below = st.decimals(min_value=0, max_value=maximum, places=2)
    return maximum, draw(below), draw(below)


@dataclass
class TaskSpec:
    text: str
    all_units: bool
    leads: list[str]


@dataclass
class Node:
    code: str
    title: str
    scores: tuple[Decimal, Decimal, Decimal] | None
    tasks: list[TaskSpec]
    children: list[Node] = field(default_factory=list)


@st.composite
def task_lists(draw: st.DrawFn) -> list[TaskSpec]:
    tasks = []
    for index in range(draw(st.integers(0, 3))):
        all_units = draw(st.booleans()) if index else draw(st.integers(0, 4)) == 0
        leads = (
            []
            if all_units
            else draw(
                st.lists(
                    st.sampled_from(UNIT_NAMES),
                    min_size=0,
                    max_size=3,
                    unique=True,
                )
            )
        )
        tasks.append(TaskSpec(draw(texts()), all_units, leads))
    return tasks


@st.composite
def nodes(draw: st.DrawFn, code: str, depth: int) -> Node:
    count = draw(st.integers(0, 3)) if depth < 3 else 0
    numbers = sorted(draw(st.sets(st.integers(1, 12), min_size=count, max_size=count)))
    children = [draw(nodes(f"{code}.{n}", depth + 1)) for n in numbers]
    return Node(
        code=code,
        title=draw(texts()),
        scores=None if children else draw(scores()),
        tasks=draw(task_lists()) if not children or draw(st.booleans()) else [],
        children=children,
    )


@st.composite
def plan_specs(draw: st.DrawFn) -> list[Node]:
    numbers = sorted(draw(st.sets(st.integers(1, 9), min_size=1, max_size=3)))
    return [draw(nodes(str(n), 1)) for n in numbers]


def plan_from(spec: list[Node], baseline_year: int) -> Plan:
    organization = Organization.objects.create(name=ORG_NAME)
    plan = Plan.objects.create(
        organization=organization,
        year=2023,
        baseline_year=baseline_year,
        title="Kế hoạch sinh ngẫu nhiên",
    )
    units = {
        name: Unit.objects.create(organization=organization, name=name, position=i)
        for i, name in enumerate(UNIT_NAMES)
    }

    def make(node: Node, parent: Criterion | None) -> None:
        criterion = Criterion(
            plan=plan, parent=parent, code=node.code, title=node.title
        )
        if node.scores:
            maximum, baseline, target = node.scores
            criterion.max_score = maximum
            criterion.baseline_score = baseline
            criterion.target_score = target
        criterion.save()
        for position, spec in enumerate(node.tasks, start=1):
            task = Task.objects.create(
                criterion=criterion,
                position=position * 2,  # gaps: positions are renumbered, order kept
                text=spec.text,
                all_units=spec.all_units,
            )
            for name in spec.leads:
                TaskUnit.objects.create(task=task, unit=units[name])
        for child in node.children:
            make(child, criterion)

    for node in spec:
        make(node, None)
    return plan


@pytest.mark.django_db
@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(spec=plan_specs(), baseline_year=st.integers(2015, 2022))
def test_any_plan_comes_back_the_same_from_its_workbook(
    spec: list[Node], baseline_year: int
) -> None:
    database_empty()
    plan = plan_from(spec, baseline_year)
    before, after = round_trip(plan)
    assert after == before


# Command and download -------------------------------------------------------------


def test_the_command_writes_a_workbook_that_imports_back(
    seed_plan: Plan, tmp_path: Path
) -> None:
    out = io.StringIO()
    call_command("export_plan", year=2023, output=str(tmp_path), stdout=out)
    path = tmp_path / "ke-hoach-SKHCN-2023.xlsx"
    assert path.is_file()
    before = plan_snapshot(seed_plan)
    call_command("import_appendix", str(path), year=2023, stdout=io.StringIO())
    assert plan_snapshot(Plan.objects.get(pk=seed_plan.pk)) == before


def test_anyone_with_a_role_downloads_the_plan(
    seed_plan: Plan, viewer: User, head_office: User
) -> None:
    url = reverse("reports-export-plan", args=[seed_plan.pk])
    for user in (viewer, head_office):
        response = client_for(user).get(url)
        assert response.status_code == 200
        assert 'filename="ke-hoach-SKHCN-2023.xlsx"' in response["Content-Disposition"]


def test_an_outsider_cannot_download_the_plan(seed_plan: Plan, outsider: User) -> None:
    url = reverse("reports-export-plan", args=[seed_plan.pk])
    assert client_for(outsider).get(url).status_code == 403


def test_an_unknown_plan_is_not_found(viewer: User) -> None:
    url = reverse("reports-export-plan", args=[999999])
    assert client_for(viewer).get(url).status_code == 404
