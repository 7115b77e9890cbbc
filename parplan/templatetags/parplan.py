from __future__ import annotations

from decimal import Decimal

from django import template

from parplan.roles import group_role_label
from parplan.scores import format_decimal

register = template.Library()


@register.filter
def score(value: Decimal | int | None) -> str:
    """A score as Vietnamese write it: ``0,25``, ``15``; empty for no score."""
    if value is None or value == "":
        return ""
    return format_decimal(Decimal(value))


@register.filter
def percent(value: Decimal | int | float | None) -> str:
    """A percentage without decimals unless they matter: ``45``, ``33,3``."""
    if value is None:
        return ""
    return format_decimal(Decimal(str(value)).quantize(Decimal("0.1")))


@register.filter
def role_name(group_name: str) -> str:
    """A role group's name in the page's language (“Văn phòng Sở” → “Department
    office” in English)."""
    return group_role_label(group_name)
