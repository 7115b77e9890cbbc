"""The demo set-up: the seed plan of Sở KH&CN Đắk Nông and a user of every role."""

from __future__ import annotations

import json
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction

from criteria.models import Organization, Plan
from parplan.roles import GROUP_NAMES, Role, role_groups_sync
from reports.models import PeerRank
from reports.ranking import ranking_import, ranking_is_illustrative
from tasks.appendix.load import ImportReport, appendix_import
from tasks.models import Membership, Unit

FIXTURES = Path(settings.BASE_DIR) / "fixtures"


def demo_load(*, with_users: bool = True) -> ImportReport:
    """Load (or refresh) the seed plan, its units and the demo users. Idempotent."""
    spec = json.loads((FIXTURES / "demo.json").read_text(encoding="utf-8"))
    with transaction.atomic():
        role_groups_sync()
        org_spec = spec["organization"]
        organization, _created = Organization.objects.update_or_create(
            name=org_spec["name"],
            defaults={
                "short_name": org_spec["short_name"],
                "province": org_spec["province"],
            },
        )
        units = {}
        for position, unit_spec in enumerate(spec["units"], start=1):
            unit = Unit.objects.filter(
                organization=organization, name=unit_spec["name"]
            ).first()
            unit = unit or Unit(organization=organization, name=unit_spec["name"])
            unit.is_office = unit_spec["is_office"]
            unit.is_illustrative = unit_spec["illustrative"]
            unit.position = position
            unit.save()
            units[unit.name] = unit
        plan_spec = dict(spec["plan"])
        appendix = plan_spec.pop("appendix")
        Plan.objects.update_or_create(
            organization=organization, year=plan_spec.pop("year"), defaults=plan_spec
        )
        report = appendix_import(
            organization=organization,
            year=spec["plan"]["year"],
            data=(FIXTURES / appendix).read_bytes(),
            filename=appendix,
        )
        if with_users:
            _users_load(spec, units)
        ranking_demo_load(organization=organization, year=spec["plan"]["baseline_year"])
    return report


def _users_load(spec: dict, units: dict[str, Unit]) -> None:
    User = get_user_model()
    for user_spec in spec["users"]:
        user, _created = User.objects.get_or_create(username=user_spec["username"])
        user.first_name, user.last_name = user_spec["name"], ""
        user.is_superuser = bool(user_spec.get("superuser"))
        user.is_staff = user.is_superuser or user_spec["role"] == Role.OFFICE
        user.set_password(spec["password"])
        user.save()
        user.groups.set([Group.objects.get(name=GROUP_NAMES[Role(user_spec["role"])])])
        Membership.objects.filter(user=user).delete()
        if user_spec.get("unit"):
            Membership.objects.create(user=user, unit=units[user_spec["unit"]])


# The illustrative ranking table of the demo (marked “minh họa”, never the real one).
RANKING_DEMO_FILE = "ranking_2022_minh_hoa.csv"
RANKING_DEMO_SELF = "Sở Khoa học và Công nghệ (chỉ số minh họa)"
RANKING_DEMO_SOURCE = "Bảng minh họa, không phải số liệu công bố"


def ranking_demo_load(*, organization: Organization, year: int) -> None:
    """Load the illustrative ranking table, unless the year already has a table
    that is not illustrative: a real table is never overwritten by demo data."""
    existing = list(PeerRank.objects.filter(year=year))
    if existing and not ranking_is_illustrative(existing):
        return
    ranking_import(
        year=year,
        data=(FIXTURES / RANKING_DEMO_FILE).read_bytes(),
        filename=RANKING_DEMO_FILE,
        self_name=RANKING_DEMO_SELF,
        organization=organization,
        source=RANKING_DEMO_SOURCE,
    )
