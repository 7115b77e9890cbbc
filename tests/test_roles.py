from __future__ import annotations

from django.contrib.auth.models import Group, User

from parplan.roles import (
    GROUP_NAMES,
    Role,
    can_edit_plan,
    can_view_plan,
    role_groups_sync,
    user_roles,
)
from tasks.access import can_update_part
from tasks.models import TaskUnit


def test_each_role_has_its_group_and_the_office_may_change_the_plan(db: None) -> None:
    role_groups_sync()
    office = Group.objects.get(name=GROUP_NAMES[Role.OFFICE])
    director = Group.objects.get(name=GROUP_NAMES[Role.DIRECTOR])
    assert office.permissions.filter(codename="change_criterion").exists()
    assert not director.permissions.filter(codename="change_criterion").exists()
    assert director.permissions.filter(codename="view_criterion").exists()


def test_syncing_the_groups_twice_changes_nothing(db: None) -> None:
    role_groups_sync()
    before = {
        g.name: set(g.permissions.values_list("pk", flat=True))
        for g in Group.objects.all()
    }
    role_groups_sync()
    after = {
        g.name: set(g.permissions.values_list("pk", flat=True))
        for g in Group.objects.all()
    }
    assert before == after and len(after) == 4


def test_roles_come_from_the_groups(
    office: User, head_office: User, director: User, viewer: User, outsider: User
) -> None:
    assert user_roles(office) == {Role.OFFICE}
    assert user_roles(head_office) == {Role.UNIT_HEAD}
    assert user_roles(director) == {Role.DIRECTOR}
    assert user_roles(viewer) == {Role.VIEWER}
    assert user_roles(outsider) == frozenset()
    assert [can_view_plan(u) for u in (office, director, viewer, outsider)] == [
        True,
        True,
        True,
        False,
    ]
    assert [can_edit_plan(u) for u in (office, director, viewer, head_office)] == [
        True,
        False,
        False,
        False,
    ]


def test_a_unit_head_may_update_only_their_own_units_part(
    seed_plan: object,
    head_office: User,
    head_center: User,
    office: User,
    director: User,
) -> None:
    part = TaskUnit.objects.get(
        task__criterion__code="1.2.1"
    )  # led by Văn phòng Sở only
    assert can_update_part(head_office, part)
    assert not can_update_part(head_center, part)
    assert can_update_part(office, part)
    assert not can_update_part(director, part)


def test_an_inactive_user_has_no_role(office: User) -> None:
    office.is_active = False
    office.save()
    assert user_roles(User.objects.get(pk=office.pk)) == frozenset()
