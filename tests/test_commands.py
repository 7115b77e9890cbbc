from __future__ import annotations

from io import StringIO
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.core.management import CommandError, call_command

from criteria.models import Criterion, Organization, Plan
from tasks.models import Membership, Task
from tests.helpers import ORG_NAME, SEED_FILE


def test_import_appendix_creates_the_plan_and_reports_what_it_did(db: None) -> None:
    out = StringIO()
    call_command(
        "import_appendix",
        str(SEED_FILE),
        "--year",
        "2023",
        "--organization",
        ORG_NAME,
        stdout=out,
    )
    assert "Tiêu chí: 24 đã tạo" in out.getvalue()
    assert Criterion.objects.count() == 24 and Task.objects.count() == 13


def test_import_appendix_dry_run_writes_nothing_not_even_the_organization(
    db: None,
) -> None:
    out = StringIO()
    call_command(
        "import_appendix",
        str(SEED_FILE),
        "--year",
        "2023",
        "--organization",
        ORG_NAME,
        "--dry-run",
        stdout=out,
    )
    assert "24 sẽ tạo" in out.getvalue()
    assert Organization.objects.count() == 0 and Plan.objects.count() == 0


def test_import_appendix_fails_with_the_row_and_reason(
    tmp_path: Path, organization: Organization
) -> None:
    bad = tmp_path / "bad.tsv"
    bad.write_text(
        "STT\tLĩnh vực, tiêu chí\tĐiểm chuẩn\tĐiểm 2022 đạt được\tMục tiêu năm 2023\n1\tA\t1\t2\t1\n",
        encoding="utf-8",
    )
    with pytest.raises(CommandError) as caught:
        call_command("import_appendix", str(bad), "--year", "2023")
    assert "chưa ghi gì" in str(caught.value)
    assert "Dòng 2, cột “Điểm 2022 đạt được”: 2 vượt điểm chuẩn 1" in str(caught.value)
    assert Plan.objects.count() == 0


def test_import_appendix_says_when_the_file_is_missing(
    organization: Organization,
) -> None:
    with pytest.raises(CommandError, match="Không tìm thấy tệp"):
        call_command("import_appendix", "/nonexistent/plan.xlsx", "--year", "2023")


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
