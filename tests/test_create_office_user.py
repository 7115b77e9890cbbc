"""``manage.py create_office_user``: the first real office account of a department."""

from __future__ import annotations

from io import StringIO

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.core.management.base import CommandError

from criteria.models import Organization
from parplan.roles import Role, user_roles
from tasks.models import Membership


def create(*args: str) -> str:
    out = StringIO()
    call_command("create_office_user", *args, stdout=out)
    return out.getvalue()


def test_on_an_empty_database_it_creates_the_organization_office_and_user(
    db: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PARPLAN_PASSWORD", "mot-mat-khau-dai-42")
    create(
        "vanphong", "--organization", "Sở Tư pháp tỉnh Đắk Nông", "--short-name", "STP"
    )
    user = User.objects.get(username="vanphong")
    assert user.check_password("mot-mat-khau-dai-42") and user.is_staff
    assert not user.is_superuser
    assert user_roles(user) == {Role.OFFICE}
    unit = Membership.objects.get(user=user).unit
    assert unit.is_office and unit.organization.short_name == "STP"


def test_it_joins_the_existing_office_and_refuses_a_weak_password(
    seed_plan: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PARPLAN_PASSWORD", "123")
    with pytest.raises(CommandError, match="Mật khẩu"):
        create("vp2", "--organization", "SKHCN")
    assert not User.objects.filter(username="vp2").exists()
    monkeypatch.setenv("PARPLAN_PASSWORD", "mot-mat-khau-dai-42")
    create("vp2", "--organization", "SKHCN")
    assert Membership.objects.get(user__username="vp2").unit.name == "Văn phòng Sở"
    assert Organization.objects.count() == 1


def test_a_near_duplicate_organization_is_refused(
    seed_plan: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PARPLAN_PASSWORD", "mot-mat-khau-dai-42")
    with pytest.raises(CommandError, match="gần trùng"):
        create("vp3", "--organization", "So Khoa hoc va Cong nghe tinh Dak Nong")
    assert Organization.objects.count() == 1
