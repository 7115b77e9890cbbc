"""The demo set-up (demo/setup.py, ``load_demo``): the seed plan and a user of every
role; its ranking table is illustrative, says so, and never replaces a real one."""

from __future__ import annotations

import os
import subprocess
import sys
from decimal import Decimal
from io import StringIO
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import override_settings

from criteria.models import Criterion, Organization, Plan
from demo.setup import demo_load
from reports.models import PeerRank
from tasks.models import Membership, ProgressUpdate, Status, Task, TaskUnit, Unit
from tasks.progress import progress_record
from tests.helpers import client_for
from tests.workbooks import database_state


def test_load_demo_loads_the_seed_plan_and_a_user_of_every_role_and_can_run_twice(
    db: None,
) -> None:
    call_command("load_demo", stdout=StringIO())
    call_command("load_demo", stdout=StringIO())
    plan = Plan.objects.get()
    assert plan.rank_goal == 2 and plan.baseline_year == 2022
    assert Criterion.objects.filter(plan=plan).count() == 24
    users = {u.username: u for u in User.objects.prefetch_related("groups")}
    assert {"admin", "vanphong", "trungtam", "phongqlkh", "giamdoc", "xem"} <= set(
        users
    )
    assert users["trungtam"].check_password("parplan-demo")
    assert (
        Membership.objects.get(user=users["trungtam"]).unit.name
        == "Trung tâm TTKT& UDKHCN"
    )
    assert "minh họa" in users["giamdoc"].get_full_name()


def test_the_demo_loads_an_illustrative_table_marked_as_such(db: None) -> None:
    demo_load(with_users=False)
    rows = list(PeerRank.objects.filter(year=2022))
    assert len(rows) == 19
    assert all("minh họa" in row.name for row in rows)
    assert all("minh họa" in row.source for row in rows)
    own = PeerRank.objects.get(organization__isnull=False)
    assert own.index == Decimal("82.15") and own.rank == 11
    # equal indices share a rank
    assert set(
        PeerRank.objects.filter(index=Decimal("85.73")).values_list("rank", flat=True)
    ) == {6}


def test_the_demo_never_replaces_a_real_table(db: None) -> None:
    PeerRank.objects.create(year=2022, name="Sở Nội vụ", index=Decimal("90"))
    demo_load(with_users=False)
    assert list(PeerRank.objects.values_list("name", flat=True)) == ["Sở Nội vụ"]


def test_the_dashboard_and_ranking_page_say_the_demo_table_is_illustrative(
    db: None,
) -> None:
    demo_load()
    director = User.objects.get(username="giamdoc")
    client = client_for(director)
    assert "dữ liệu minh họa" in client.get("/bao-cao/").content.decode()
    assert "dữ liệu minh họa" in client.get("/bao-cao/xep-hang/").content.decode()
    assert Organization.objects.count() == 1


def demo_state() -> dict[str, object]:
    """Everything load_demo could write, as comparable values."""
    return {
        **database_state(),
        "texts": sorted(Task.objects.values_list("pk", "text", "version")),
        "parts": sorted(
            TaskUnit.objects.values_list("task_id", "unit_id", "role", "percent")
        ),
        "updates": ProgressUpdate.objects.count(),
        "users": sorted(
            User.objects.values_list(
                "username", "password", "first_name", "is_staff", "is_active"
            )
        ),
        "memberships": sorted(Membership.objects.values_list("user_id", "unit_id")),
        "units": sorted(
            Unit.objects.values_list("name", "is_office", "is_illustrative", "position")
        ),
        "ranking": sorted(PeerRank.objects.values_list("name", "index", "rank")),
        "organizations": sorted(Organization.objects.values_list("name", "short_name")),
    }


def test_load_demo_after_user_edits_changes_nothing_and_fails_on_nothing(
    db: None,
) -> None:
    """The office edits titles and tasks, adds a second lead unit to a seed task
    and that unit reports progress, renames a unit and resets a password: the next
    ``./dev up`` (load_demo) keeps every change, fails on none and says so."""
    demo_load()
    plan = Plan.objects.get()
    criterion = Criterion.objects.get(plan=plan, code="1.2.1")
    criterion.title = "Tiêu chí do Văn phòng sửa"
    criterion.save()
    task = Task.objects.filter(criterion=criterion).first()
    assert task is not None
    task.text = "Nhiệm vụ do Văn phòng viết lại"
    task.save()
    second = Unit.objects.get(name="Phòng Quản lý Khoa học (minh họa)")
    part = TaskUnit.objects.create(task=task, unit=second, role=TaskUnit.Role.LEAD)
    progress_record(
        part=part,
        user=None,
        status=Status.IN_PROGRESS,
        percent=40,
        note="Đã làm một phần",
        expected_version=part.version,
    )
    # the seed's own lead unit of that task reported too, then was dropped by the office
    TaskUnit.objects.filter(task=task).exclude(unit=second).delete()
    office = Unit.objects.get(name="Văn phòng Sở")
    office.name = "Văn phòng Sở KH&CN"
    office.save()
    giamdoc = User.objects.get(username="giamdoc")
    giamdoc.set_password("mat-khau-rieng-42")
    giamdoc.save()
    own = PeerRank.objects.get(organization__isnull=False)
    own.index = Decimal("83")
    own.save()
    before = demo_state()

    out = StringIO()
    call_command("load_demo", stdout=out)

    assert demo_state() == before
    # the renamed unit is kept as renamed, and the seed's name is not added back
    names = set(Unit.objects.values_list("name", flat=True))
    assert "Văn phòng Sở KH&CN" in names and "Văn phòng Sở" not in names
    assert User.objects.get(username="giamdoc").check_password("mat-khau-rieng-42")
    text = out.getvalue()
    assert "giữ nguyên" in text and "kế hoạch năm 2023" in text
    assert "tài khoản giamdoc" in text and "bảng xếp hạng năm 2022" in text


def test_load_demo_after_the_office_renamed_the_organization_creates_no_second_one(
    db: None,
) -> None:
    demo_load()
    Organization.objects.update(name="Sở KH&CN tỉnh Đắk Nông")
    before = demo_state()
    report = demo_load()
    assert report.created == []
    assert demo_state() == before
    assert list(Organization.objects.values_list("name", "short_name")) == [
        ("Sở KH&CN tỉnh Đắk Nông", "SKHCN")
    ]


def test_load_demo_creates_only_what_is_missing(db: None) -> None:
    demo_load()
    User.objects.filter(username="xem").delete()
    report = demo_load()
    assert report.created == ["tài khoản trình diễn xem"]
    assert User.objects.get(username="xem").check_password("parplan-demo")
    assert Plan.objects.count() == 1


@override_settings(DEPLOYED=True)
def test_load_demo_refuses_a_deployed_server_unless_forced(db: None) -> None:
    with pytest.raises(CommandError, match=r"DEBUG=0.*--force"):
        call_command("load_demo", stdout=StringIO())
    assert not User.objects.exists() and not Plan.objects.exists()
    call_command("load_demo", "--force", "--no-users", stdout=StringIO())
    assert Plan.objects.count() == 1 and not User.objects.exists()


def test_load_demo_refuses_on_a_deployed_server_from_the_command_line() -> None:
    """As CI runs it: DEBUG=0 in the environment, no --force."""
    result = subprocess.run(
        [sys.executable, "manage.py", "load_demo"],
        cwd=Path(__file__).resolve().parent.parent,
        env={**os.environ, "DEBUG": "0", "SECRET_KEY": "k" * 60},
        capture_output=True,
        text=True,
    )
    assert result.returncode != 0
    assert "--force" in result.stderr and "Traceback" not in result.stderr


def test_the_projection_says_the_demo_table_is_illustrative(db: None) -> None:
    demo_load(with_users=False)
    out = StringIO()
    call_command("projection", stdout=out)
    assert "dữ liệu minh họa" in out.getvalue()
