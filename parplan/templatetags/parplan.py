from __future__ import annotations

from decimal import Decimal

from django import template

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
