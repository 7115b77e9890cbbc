"""The office's writes on people and units: one named function per action, each in
one transaction. People are never deleted (their reports and history keep their
name): they are deactivated, and can be reactivated."""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from criteria.models import Organization
from parplan.roles import GROUP_NAMES, Role
from tasks.editing import memberships_set
from tasks.models import PasswordChangeRequired, Unit

if TYPE_CHECKING:
    from django.contrib.auth.models import User

# Letters and digits that cannot be mistaken for one another when read aloud or
# copied from a screen (no 0/O, 1/l/I).
_PASSWORD_ALPHABET = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"


def temporary_password_make() -> str:
    """Twelve random characters, 4-4-4, for the office to hand over."""
    chars = "".join(secrets.choice(_PASSWORD_ALPHABET) for _i in range(12))
    return f"{chars[:4]}-{chars[4:8]}-{chars[8:]}"


def _role_set(member: User, role: Role) -> None:
    """Give ``member`` exactly ``role`` among the roles (other groups are kept)."""
    for name in GROUP_NAMES.values():
        Group.objects.get_or_create(name=name)
    role_groups = Group.objects.filter(name__in=GROUP_NAMES.values())
    member.groups.remove(*role_groups.exclude(name=GROUP_NAMES[role]))
    member.groups.add(role_groups.get(name=GROUP_NAMES[role]))


def _temporary_password_set(member: User, password: str) -> None:
    member.set_password(password)
    member.save(update_fields=["password"])
    PasswordChangeRequired.objects.update_or_create(
        user=member, defaults={"password": member.password}
    )


def password_change_pending(member: User) -> bool:
    """Whether ``member`` still signs in with the temporary password set for them."""
    mark = PasswordChangeRequired.objects.filter(user=member).first()
    if mark is None:
        return False
    if mark.password != member.password:
        mark.delete()
        return False
    return True


def person_create(
    *,
    username: str,
    full_name: str,
    email: str,
    role: Role,
    units: Iterable[Unit],
    password: str,
) -> User:
    """Create a person who signs in with the temporary ``password`` and must change
    it at first sign-in."""
    username = username.strip()
    users = get_user_model().objects
    taken = ValidationError(
        {"username": _("Tên đăng nhập “%(name)s” đã có.") % {"name": username}}
    )
    if users.filter(username__iexact=username).exists():
        raise taken
    with transaction.atomic():
        try:
            with transaction.atomic():
                member = users.create_user(username, email=email.strip())
        except IntegrityError:  # created by someone else meanwhile
            raise taken from None
        _name_set(member, full_name)
        member.save()
        _role_set(member, role)
        memberships_set(member=member, units=units)
        _temporary_password_set(member, password)
    return member


def _name_set(member: User, full_name: str) -> None:
    # Vietnamese names are written family name first: the whole name is kept as
    # the first name, which get_full_name() shows as it was typed.
    member.first_name, member.last_name = full_name.strip()[:150], ""


def person_update(
    *,
    member: User,
    full_name: str,
    email: str,
    role: Role,
    units: Iterable[Unit],
    by: User,
) -> User:
    """Change a person's name, e-mail, role and units. Nobody changes their own
    role: the office would lose the page it is on, with no one left to give it
    back."""
    if member.pk == by.pk and not member.groups.filter(name=GROUP_NAMES[role]).exists():
        raise ValidationError(
            {"role": _("Bạn không thể tự đổi vai trò của mình; hãy nhờ người khác.")}
        )
    with transaction.atomic():
        _name_set(member, full_name)
        member.email = email.strip()
        member.save(update_fields=["first_name", "last_name", "email"])
        _role_set(member, role)
        memberships_set(member=member, units=units)
    return member


def person_active_set(*, member: User, active: bool, by: User) -> None:
    """Deactivate a person (they can no longer sign in) or reactivate them."""
    if not active and member.pk == by.pk:
        raise ValidationError(_("Bạn không thể tự ngừng kích hoạt tài khoản của mình."))
    with transaction.atomic():
        member.is_active = active
        member.save(update_fields=["is_active"])


def person_password_reset(*, member: User, password: str) -> None:
    """Replace a person's password with a temporary one they must change."""
    with transaction.atomic():
        _temporary_password_set(member, password)


def unit_create(*, organization: Organization, name: str) -> Unit:
    """A new unit of ``organization``, after its last one."""
    unit = Unit(organization=organization, name=name.strip())
    unit.clean()
    with transaction.atomic():
        last = (
            Unit.objects.filter(organization=organization)
            .order_by("-position")
            .values_list("position", flat=True)
            .first()
        )
        unit.position = (last or 0) + 1
        unit.save()
    return unit


def unit_update(*, unit: Unit, name: str, is_active: bool) -> Unit:
    """Rename a unit, or deactivate (reactivate) it: an inactive unit keeps its
    tasks, reports and members but is no longer offered in forms."""
    current = Unit.objects.get(pk=unit.pk)
    current.name = name.strip()
    current.is_active = is_active
    current.clean()
    with transaction.atomic():
        current.save()
    return current
