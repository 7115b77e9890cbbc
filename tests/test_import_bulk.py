"""The rows of an import that create criteria, tasks and parts go in bulk
(tasks/appendix/load.py ``criteria_created_write``, criteria/criteria_set/load.py):
each created row keeps its history, naming who imported, and the import runs the
same number of queries whatever the number of rows it creates."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from criteria.models import Criterion, Organization, Plan
from parplan.tables import TableImportError
from parplan.uploads import SESSION_PREFIX
from tasks.appendix.load import appendix_import
from tasks.models import Task, TaskUnit, Unit
from tests.helpers import SEED_FILE, client_for

HEADER = "\t".join(
    [
        "STT",
        "Lĩnh vực, tiêu chí",
        "Điểm chuẩn",
        "Điểm 2022 đạt được",
        "Mục tiêu năm 2023",
        "Nhiệm vụ, giải pháp",
        "Đơn vị chủ trì",
    ]
)


def appendix_of(areas: int, criteria: int) -> bytes:
    """``areas`` areas of ``criteria`` scored criteria, each with one task led by
    one unit and one by every unit."""
    lines = [HEADER]
    for a in range(1, areas + 1):
        lines.append(f"{a}\tLĩnh vực {a}\t\t\t\t\t")
        for c in range(1, criteria + 1):
            lines.append(
                f"{a}.{c}\tTiêu chí {a}.{c}\t1\t0,5\t1\tViệc {a}.{c}\tVăn phòng Sở"
            )
            lines.append(f"\t\t\t\t\tViệc chung {a}.{c}\tCác phòng, đơn vị trực thuộc")
    return "\n".join(lines).encode()


@pytest.fixture
def new_organization(db: None) -> Organization:
    organization = Organization.objects.create(name="Sở Thử nghiệm")
    for position, name in enumerate(["Văn phòng Sở", "Phòng Kế hoạch"], start=1):
        Unit.objects.create(organization=organization, name=name, position=position)
    return organization


def import_queries(organization: Organization, data: bytes) -> int:
    with CaptureQueriesContext(connection) as queries:
        appendix_import(
            organization=organization, year=2023, data=data, filename="pl.tsv"
        )
    return len(queries)


def test_an_import_of_created_rows_runs_as_many_queries_for_few_rows_as_for_many(
    new_organization: Organization, db: None
) -> None:
    other = Organization.objects.create(name="Sở Thử nghiệm khác")
    for position, name in enumerate(["Văn phòng Sở", "Phòng Kế hoạch"], start=1):
        Unit.objects.create(organization=other, name=name, position=position)
    few = import_queries(new_organization, appendix_of(1, 3))
    many = import_queries(other, appendix_of(2, 8))
    # Its plan looked up, the organization locked, the plan looked up again and
    # created, its criteria and units read; per tree level one insert and its
    # history; the tasks, the parts and their history once each; the savepoint. (A
    # province's appendix adds one insert per batch of rows: SQLite takes 32,766
    # parameters a statement, 999 before 3.32; a history row is copied by one
    # INSERT … SELECT whatever the number.)
    assert few == many == 16
    plan = Plan.objects.get(organization=other)
    assert Criterion.objects.filter(plan=plan).count() == 2 + 2 * 8
    assert Task.objects.filter(criterion__plan=plan).count() == 2 * 2 * 8
    assert TaskUnit.objects.filter(task__criterion__plan=plan).count() == 3 * 2 * 8


def test_created_rows_have_their_history_naming_who_imported(
    new_organization: Organization, office: User
) -> None:
    office_unit = Unit.objects.filter(organization=new_organization).first()
    assert office_unit is not None
    office.memberships.create(unit=office_unit)  # type: ignore[attr-defined]  # reverse relation
    client = client_for(office)
    client.post(
        reverse("tasks-import"),
        {
            "organization": new_organization.pk,
            "year": 2023,
            "file": SimpleUploadedFile("pl.txt", SEED_FILE.read_bytes()),
        },
    )
    token = client.session[SESSION_PREFIX + "appendix"]["token"]
    response = client.post(reverse("tasks-import-confirm"), {"token": token})
    assert response.status_code == 302
    plan = Plan.objects.get(organization=new_organization, year=2023)
    models: list[Any] = [Criterion, Task, TaskUnit]
    filters = [
        {"plan": plan},
        {"criterion__plan": plan},
        {"task__criterion__plan": plan},
    ]
    for model, where in zip(models, filters, strict=True):
        rows = list(model.objects.filter(**where))
        assert rows, model
        records = model.history.filter(id__in=[r.pk for r in rows])
        assert records.count() == len(rows), model
        assert {r.history_type for r in records} == {"+"}
        assert {r.history_user_id for r in records} == {office.pk}, model
        assert {r.history_change_reason for r in records} == {"Nhập phụ lục"}


def test_a_created_row_whose_parent_is_refused_is_refused_too_and_nothing_is_written(
    new_organization: Organization,
) -> None:
    data = "\n".join(
        [
            HEADER,
            "1\tLĩnh vực 1\t\t\t\t\t",
            "1.1\tTiêu chí 1.1\t1\t2\t1\tViệc\tVăn phòng Sở",
            "2\tLĩnh vực 2\t\t\t\t\t",
            "2.1\tTiêu chí 2.1\t1\t0\t1\tViệc\tVăn phòng Sở",
        ]
    ).encode()
    with pytest.raises(TableImportError) as error:
        appendix_import(
            organization=new_organization, year=2023, data=data, filename="pl.tsv"
        )
    assert [p.row for p in error.value.problems] == [3]
    assert not Criterion.objects.exists()
    assert not Criterion.history.exists()


def test_the_history_of_a_created_row_holds_the_row_as_stored(
    new_organization: Organization,
) -> None:
    appendix_import(
        organization=new_organization,
        year=2023,
        data=appendix_of(2, 3),
        filename="pl.tsv",
    )
    models: list[Any] = [Criterion, Task, TaskUnit]
    for model in models:
        rows = {row.pk: row for row in model.objects.all()}
        records = list(model.history.all())
        assert sorted(r.id for r in records) == sorted(rows), model
        for record in records:
            row = rows[record.id]
            for tracked in model.history.model.tracked_fields:
                name = tracked.attname
                assert getattr(record, name) == getattr(row, name), (model, name)
            assert record.history_type == "+"
            assert record.history_user_id is None  # no request, no user given


def test_created_rows_over_several_statements_get_their_own_ids_and_history(
    new_organization: Organization, monkeypatch: pytest.MonkeyPatch
) -> None:
    # As an old SQLite's 999 parameters make of a province's appendix: a few rows a
    # statement.
    monkeypatch.setattr("parplan.history._params_max", lambda connection: 40)
    appendix_import(
        organization=new_organization,
        year=2023,
        data=appendix_of(2, 8),
        filename="pl.tsv",
    )
    tasks = Task.objects.filter(criterion__plan__organization=new_organization)
    assert [(t.criterion.code, t.text) for t in tasks.order_by("pk")][:3] == [
        ("1.1", "Việc 1.1"),
        ("1.1", "Việc chung 1.1"),
        ("1.2", "Việc 1.2"),
    ]
    assert Task.history.count() == tasks.count() == 2 * 2 * 8
    parts = TaskUnit.objects.values_list("task__text", "unit__name")
    assert set(parts) == {
        (f"Việc {a}.{c}", "Văn phòng Sở") for a in (1, 2) for c in range(1, 9)
    } | {
        (f"Việc chung {a}.{c}", unit)
        for a in (1, 2)
        for c in range(1, 9)
        for unit in ("Văn phòng Sở", "Phòng Kế hoạch")
    }
    assert TaskUnit.history.count() == TaskUnit.objects.count() == 3 * 2 * 8
