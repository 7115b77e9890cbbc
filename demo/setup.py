"""The demo set-up: the seed plan of Sở KH&CN Đắk Nông and a user of every role.

It only ever adds what is missing: the organization, a unit, the plan, a demo user or
the illustrative ranking table is created when it does not exist and left exactly as
it is when it does, so that ``./dev up`` never reverts, and never fails on, what
people changed since (a title, a task, a second lead unit that reported progress, a
password). ``DemoReport`` says what was created and what was kept.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction

from criteria.models import Organization, Plan
from criteria.organizations import OrganizationAmbiguous, organization_find
from parplan.roles import GROUP_NAMES, Role, role_groups_sync
from parplan.text import normalize_name
from reports.models import PeerRank
from reports.ranking import ranking_import
from tasks.appendix.load import appendix_import
from tasks.models import Membership, Unit

FIXTURES = Path(settings.BASE_DIR) / "fixtures"


@dataclass
class DemoReport:
    plan: Plan
    created: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)


def _demo_organization(spec: dict[str, str]) -> Organization | None:
    try:
        return organization_find(spec["name"]) or organization_find(spec["short_name"])
    except OrganizationAmbiguous as exc:  # the oldest is the demo's own
        return exc.candidates[0]


def demo_load(*, with_users: bool = True) -> DemoReport:
    """Create the seed plan, its units, the demo users and the illustrative ranking
    table where they do not exist; keep whatever exists as it is."""
    spec = json.loads((FIXTURES / "demo.json").read_text(encoding="utf-8"))
    with transaction.atomic():
        role_groups_sync()
        org_spec = spec["organization"]
        # by its short name too: the office may have renamed the organization
        organization = _demo_organization(org_spec)
        created: list[str] = []
        kept: list[str] = []
        if organization is None:
            organization = Organization.objects.create(
                name=org_spec["name"],
                short_name=org_spec["short_name"],
                province=org_spec["province"],
            )
            created.append(f"cơ quan “{organization.name}”")
        plan_spec = dict(spec["plan"])
        appendix = plan_spec.pop("appendix")
        year = plan_spec.pop("year")
        plan = Plan.objects.filter(organization=organization, year=year).first()
        # The units come with the plan: once it exists they are the office's to
        # rename, merge or remove, and none is added back.
        units = _units_ensure(organization, spec["units"], created, add=plan is None)
        if plan is None:
            plan = Plan.objects.create(
                organization=organization, year=year, **plan_spec
            )
            appendix_import(
                organization=organization,
                year=year,
                data=(FIXTURES / appendix).read_bytes(),
                filename=appendix,
            )
            created.append(f"kế hoạch năm {year}")
        else:
            kept.append(f"kế hoạch năm {year} (tiêu chí, nhiệm vụ, tiến độ)")
        report = DemoReport(plan=plan, created=created, kept=kept)
        if with_users:
            _users_ensure(spec, units, report)
        ranking_demo_load(
            organization=organization, year=spec["plan"]["baseline_year"], report=report
        )
    return report


def _units_ensure(
    organization: Organization, specs: list[dict], created: list[str], *, add: bool
) -> dict[str, Unit]:
    """The seed's units by name: those the organization has, and (with ``add``) the
    missing ones created."""
    existing = {u.key: u for u in Unit.objects.filter(organization=organization)}
    position = max((u.position for u in existing.values()), default=0)
    units = {}
    for unit_spec in specs:
        unit = Unit(
            organization=organization,
            name=unit_spec["name"],
            is_office=unit_spec["is_office"],
            is_illustrative=unit_spec["illustrative"],
        )
        unit.key = normalize_name(unit.name)
        if unit.key in existing:
            unit = existing[unit.key]
        elif not add:
            continue
        else:
            position += 1
            unit.position = position
            unit.save()
            created.append(f"đơn vị “{unit.name}”")
        units[unit_spec["name"]] = unit
    return units


def _users_ensure(spec: dict, units: dict[str, Unit], report: DemoReport) -> None:
    User = get_user_model()
    names = []
    for user_spec in spec["users"]:
        if User.objects.filter(username=user_spec["username"]).exists():
            report.kept.append(f"tài khoản {user_spec['username']}")
            continue
        superuser = bool(user_spec.get("superuser"))
        user = User.objects.create_user(
            user_spec["username"],
            password=spec["password"],
            first_name=user_spec["name"],
            is_superuser=superuser,
            is_staff=superuser or user_spec["role"] == Role.OFFICE,
        )
        user.groups.set([Group.objects.get(name=GROUP_NAMES[Role(user_spec["role"])])])
        if user_spec.get("unit") in units:
            Membership.objects.create(user=user, unit=units[user_spec["unit"]])
        names.append(user.username)
    if names:
        report.created.append(f"tài khoản trình diễn {', '.join(names)}")


# The illustrative ranking table of the demo (marked “minh họa”, never the real one).
RANKING_DEMO_FILE = "ranking_2022_minh_hoa.csv"
RANKING_DEMO_SELF = "Sở Khoa học và Công nghệ (chỉ số minh họa)"
RANKING_DEMO_SOURCE = "Bảng minh họa, không phải số liệu công bố"


def ranking_demo_load(
    *, organization: Organization, year: int, report: DemoReport | None = None
) -> None:
    """Load the illustrative ranking table when the year has no table at all: a
    table already there, real or the demo's own edited since, is kept."""
    if PeerRank.objects.filter(year=year, table_of__isnull=True).exists():
        if report is not None:
            report.kept.append(f"bảng xếp hạng năm {year}")
        return
    ranking_import(
        year=year,
        data=(FIXTURES / RANKING_DEMO_FILE).read_bytes(),
        filename=RANKING_DEMO_FILE,
        self_name=RANKING_DEMO_SELF,
        organization=organization,
        source=RANKING_DEMO_SOURCE,
    )
    if report is not None:
        report.created.append(f"bảng xếp hạng minh họa năm {year}")
