"""Every write that can race is version-checked or serialised: a stale scoring rule,
ranking table or import confirmation is refused with what changed, and writers that
run at once on PostgreSQL (threads, each with its own connection) never end in an
IntegrityError or a lost update."""

from __future__ import annotations

import threading
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connections
from django.test import Client
from django.urls import reverse

from criteria.editing import criterion_scoring_save
from criteria.models import Criterion, Organization, Plan, ScoringRule
from parplan.history import StaleEditError
from parplan.uploads import SESSION_PREFIX
from reports.models import PeerRank, table_stamp
from tasks.editing import task_save
from tasks.models import Task
from tests.helpers import SEED_FILE, client_for

D = Decimal
SCORING = "/ke-hoach/tieu-chi/{pk}/cach-cham/"
RANKING = "/bao-cao/xep-hang/"

needs_postgresql = pytest.mark.skipif(
    "postgresql" not in settings.DATABASES["default"]["ENGINE"],
    reason="real parallel writers need PostgreSQL (SQLite serialises every writer)",
)


@pytest.fixture(autouse=True)
def _staging_in_tmp(settings: object, tmp_path: Path) -> None:
    settings.IMPORT_STAGING_DIR = str(tmp_path / "staging")


def at_once(count: int, work: Callable[[int], str]) -> list[str]:
    """Run ``work(i)`` in ``count`` threads released together; their outcomes."""
    barrier = threading.Barrier(count)
    outcomes: list[str] = []

    def run(i: int) -> None:
        try:
            barrier.wait()
            outcomes.append(work(i))
        except Exception as exc:
            outcomes.append(type(exc).__name__)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return outcomes


def rule_post(client: Client, criterion: Criterion, version: int, numerator: str):  # type: ignore[no-untyped-def]
    return client.post(
        SCORING.format(pk=criterion.pk),
        {
            "rule-version": str(version),
            "rule-kind": "ratio",
            "rule-numerator": numerator,
            "rule-denominator": "50",
            "action": "compute",
        },
    )


def test_a_stale_scoring_rule_form_is_refused_and_the_newer_rule_kept(
    seed_plan: Plan, office: User
) -> None:
    criterion = Criterion.objects.get(plan=seed_plan, code="4.1.1")
    opened = criterion.version
    client = client_for(office)
    assert rule_post(client, criterion, opened, "45").status_code == 200
    stale = rule_post(client, criterion, opened, "10")
    assert stale.status_code == 409
    assert ScoringRule.objects.get(criterion=criterion).numerator == D("45")


def upload_appendix(client: Client, organization: Organization, year: int) -> str:
    client.post(
        reverse("tasks-import"),
        {
            "organization": organization.pk,
            "year": year,
            "file": SimpleUploadedFile("pl.txt", SEED_FILE.read_bytes()),
        },
    )
    return str(client.session[SESSION_PREFIX + "appendix"]["token"])


def test_a_confirmation_is_refused_when_the_plan_changed_since_its_preview(
    seed_plan: Plan, office: User
) -> None:
    client = client_for(office)
    token = upload_appendix(client, seed_plan.organization, 2023)
    criterion = Criterion.objects.get(plan=seed_plan, code="1.2.1")
    Criterion.objects.filter(pk=criterion.pk).update(version=criterion.version + 1)
    response = client.post(reverse("tasks-import-confirm"), {"token": token})
    assert response.status_code == 409
    assert "Tiêu chí 1.2.1 đã được sửa, thêm hoặc xóa" in response.content.decode()


def test_a_confirmation_is_refused_when_another_import_created_the_plan(
    organization: Organization, office: User
) -> None:
    first, second = client_for(office), client_for(office)
    tokens = [upload_appendix(c, organization, 2023) for c in (first, second)]
    assert (
        first.post(reverse("tasks-import-confirm"), {"token": tokens[0]}).status_code
        == 302
    )
    late = second.post(reverse("tasks-import-confirm"), {"token": tokens[1]})
    assert late.status_code == 409
    assert "đã được tạo (bởi một lần nhập khác)" in late.content.decode()
    assert Plan.objects.filter(organization=organization, year=2023).count() == 1


def test_a_stale_ranking_save_is_refused(seed_plan: Plan, office: User) -> None:
    row = PeerRank.objects.create(year=2022, name="Đơn vị thử A", index=D("90"))
    stamp = table_stamp(PeerRank.objects.filter(year=2022).order_by("position", "name"))

    def post(client: Client, name: str) -> int:
        data = {
            "stamp": stamp,
            "rows-TOTAL_FORMS": "1",
            "rows-INITIAL_FORMS": "1",
            "rows-MIN_NUM_FORMS": "0",
            "rows-MAX_NUM_FORMS": "1000",
            "rows-0-id": str(row.pk),
            "rows-0-name": name,
            "rows-0-index": "90",
            "rows-0-position": "1",
        }
        return client.post(f"{RANKING}?year=2022", data).status_code

    assert post(client_for(office), "Đơn vị thử B") == 302
    assert post(client_for(office), "Đơn vị thử C") == 409
    assert PeerRank.objects.get(pk=row.pk).name == "Đơn vị thử B"


@pytest.mark.postgres
@needs_postgresql
@pytest.mark.django_db(transaction=True)
def test_ten_tasks_created_at_once_on_one_criterion_take_distinct_positions(
    seed_plan: Plan, office: User
) -> None:
    criterion = Criterion.objects.get(plan=seed_plan, code="1.1.1")
    before = criterion.tasks.count()

    def create(i: int) -> str:
        task_save(
            user=office,
            task=None,
            criterion=criterion,
            text=f"Việc {i}",
            due_date=None,
            all_units=False,
            lead_units=[],
            support_units=[],
        )
        return "saved"

    assert at_once(10, create) == ["saved"] * 10
    positions = list(
        Task.objects.filter(criterion=criterion).values_list("position", flat=True)
    )
    assert len(positions) == before + 10 == len(set(positions))


@pytest.mark.postgres
@needs_postgresql
@pytest.mark.django_db(transaction=True)
def test_five_first_saves_of_a_scoring_rule_at_once_keep_one_and_refuse_the_rest(
    seed_plan: Plan, office: User
) -> None:
    criterion = Criterion.objects.get(plan=seed_plan, code="4.1.1")

    def save(i: int) -> str:
        try:
            criterion_scoring_save(
                criterion=criterion,
                user=office,
                rule=ScoringRule(kind="ratio", numerator=D(40 + i), denominator=D(50)),
                apply=False,
                expected_version=criterion.version,
            )
        except StaleEditError:
            return "refused"
        return "saved"

    assert sorted(at_once(5, save)) == ["refused"] * 4 + ["saved"]
    assert ScoringRule.objects.filter(criterion=criterion).count() == 1


@pytest.mark.postgres
@needs_postgresql
@pytest.mark.django_db(transaction=True)
def test_two_ranking_saves_at_once_keep_one_and_refuse_the_other(
    seed_plan: Plan, office: User
) -> None:
    row = PeerRank.objects.create(year=2022, name="Đơn vị thử A", index=D("90"))
    stamp = table_stamp(PeerRank.objects.filter(year=2022).order_by("position", "name"))
    clients = [client_for(office), client_for(office)]

    def save(i: int) -> str:
        data = {
            "stamp": stamp,
            "rows-TOTAL_FORMS": "1",
            "rows-INITIAL_FORMS": "1",
            "rows-MIN_NUM_FORMS": "0",
            "rows-MAX_NUM_FORMS": "1000",
            "rows-0-id": str(row.pk),
            "rows-0-name": f"Tên {i}",
            "rows-0-index": "90",
            "rows-0-position": "1",
        }
        return str(clients[i].post(f"{RANKING}?year=2022", data).status_code)

    assert sorted(at_once(2, save)) == ["302", "409"]


@pytest.mark.postgres
@needs_postgresql
@pytest.mark.django_db(transaction=True)
def test_two_confirmations_creating_the_same_new_plan_give_one_plan_and_one_refusal(
    organization: Organization, office: User
) -> None:
    clients = [client_for(office), client_for(office)]
    tokens = [upload_appendix(c, organization, 2023) for c in clients]

    def confirm(i: int) -> str:
        response = clients[i].post(
            reverse("tasks-import-confirm"), {"token": tokens[i]}
        )
        return str(response.status_code)

    assert sorted(at_once(2, confirm)) == ["302", "409"]
    assert Plan.objects.filter(organization=organization, year=2023).count() == 1
