"""Choosing the organization and plan of a command (criteria/commands.py): every plan
command takes ``--organization`` (name or short name, folded) and ``--year``; one
organization is the default; several are listed; a near-duplicate is refused."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from criteria.models import Organization, Plan
from tasks.appendix.load import appendix_import
from tasks.models import Unit
from tests.helpers import SEED_FILE


def run(*args: str) -> str:
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


@pytest.fixture
def two_plans(seed_plan: Plan) -> tuple[Plan, Plan]:
    other = Organization.objects.create(
        name="Sở Nội vụ tỉnh Đắk Nông", short_name="SNV"
    )
    report = appendix_import(
        organization=other,
        year=2023,
        data=SEED_FILE.read_bytes(),
        filename=SEED_FILE.name,
    )
    return seed_plan, report.plan


@pytest.mark.parametrize(
    "command",
    [
        ("projection", "--json"),
        ("export_plan", "--year", "2023", "--output", "."),
        ("export_self_assessment", "--year", "2023", "--output", "."),
    ],
)
def test_with_two_organizations_and_none_given_the_message_lists_them(
    two_plans: tuple[Plan, Plan], command: tuple[str, ...]
) -> None:
    with pytest.raises(CommandError) as caught:
        run(*command)
    assert "--organization" in str(caught.value)
    assert "Sở Nội vụ tỉnh Đắk Nông" in str(caught.value)
    assert "SKHCN" in str(caught.value)


@pytest.mark.parametrize("name", ["SNV", "snv", "  sở nội vụ   TỈNH Đắk Nông "])
def test_projection_takes_the_organization_by_name_or_short_name_folded(
    two_plans: tuple[Plan, Plan], name: str
) -> None:
    data = json.loads(run("projection", "--organization", name, "--json"))
    assert data["plan"]["organization"] == "Sở Nội vụ tỉnh Đắk Nông"


def test_the_exports_take_the_organization_and_say_where_they_wrote(
    two_plans: tuple[Plan, Plan], tmp_path: object
) -> None:
    out = run(
        "export_plan",
        "--year",
        "2023",
        "--organization",
        "snv",
        "--output",
        str(tmp_path),
    )
    written = out.strip().rpartition(": ")[2]
    assert written.startswith(str(tmp_path)) and written.endswith(".xlsx")


def test_an_export_without_output_writes_nothing_and_says_how(
    seed_plan: Plan, tmp_path: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    with pytest.raises(CommandError, match="--output"):
        run("export_plan", "--year", "2023")
    assert list(tmp_path.iterdir()) == []  # type: ignore[attr-defined]  # a Path


def test_an_unknown_organization_suggests_the_near_one(seed_plan: Plan) -> None:
    with pytest.raises(CommandError, match="Có phải “Sở Khoa học và Công nghệ tỉnh"):
        run("projection", "--organization", "So Khoa hoc va Cong nghe tinh Dak Nong")


def test_import_appendix_refuses_a_near_duplicate_name(seed_plan: Plan) -> None:
    units = Unit.objects.count()
    with pytest.raises(CommandError) as caught:
        run(
            "import_appendix",
            str(SEED_FILE),
            "--year",
            "2024",
            "--organization",
            "Sở Khoa học và Công nghệ tỉnh Đăk Nông",  # ă for ắ
        )
    assert "gần trùng" in str(caught.value)
    assert "Sở Khoa học và Công nghệ tỉnh Đắk Nông" in str(caught.value)
    assert Organization.objects.count() == 1 and Unit.objects.count() == units


def test_import_appendix_by_short_name_imports_into_that_organization(
    seed_plan: Plan,
) -> None:
    out = run(
        "import_appendix", str(SEED_FILE), "--year", "2023", "--organization", "skhcn"
    )
    assert "Sở Khoa học và Công nghệ tỉnh Đắk Nông" in out and "0 sẽ" not in out
    assert Organization.objects.count() == 1 and Plan.objects.count() == 1


def test_import_appendix_on_an_empty_database_asks_for_the_organization(
    db: None,
) -> None:
    with pytest.raises(CommandError, match="--organization"):
        run("import_appendix", str(SEED_FILE), "--year", "2023")


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["--peer-change=-1,5"], "-1.50"),
        (["--peer-change", "-1,5"], "-1.50"),
        (["--peer-change", "-2"], "-2.00"),
        (["--peer-change", "0,25"], "0.25"),
    ],
)
def test_a_negative_peer_change_is_taken_in_both_spellings(
    seed_plan: Plan, args: list[str], expected: str
) -> None:
    data = json.loads(run("projection", *args, "--json"))
    assert data["peer_change"] == expected


def test_a_short_name_two_organizations_share_is_refused_naming_both(
    two_plans: tuple[Plan, Plan],
) -> None:
    Organization.objects.filter(short_name="SNV").update(short_name="SKHCN")
    with pytest.raises(CommandError) as caught:
        run("projection", "--organization", "skhcn", "--json")
    assert "là tên viết tắt của nhiều cơ quan" in str(caught.value)
    assert "Sở Nội vụ tỉnh Đắk Nông" in str(caught.value)
    assert "Sở Khoa học và Công nghệ tỉnh Đắk Nông" in str(caught.value)
    # the full name still chooses one
    data = json.loads(
        run("projection", "--organization", "Sở Nội vụ tỉnh Đắk Nông", "--json")
    )
    assert data["plan"]["organization"] == "Sở Nội vụ tỉnh Đắk Nông"
