from __future__ import annotations

from decimal import Decimal

from django import template

from tasks.models import Status

register = template.Library()


@register.filter
def status_label(value: str) -> str:
    """The Vietnamese (or English) name of a status value."""
    try:
        return str(Status(value).label)
    except ValueError:
        return value


@register.filter
def bar_width(value: Decimal | int | None) -> str:
    """A CSS width for a progress bar, never localized (``33.3``, not ``33,3``)."""
    if value is None:
        return "0"
    number = max(Decimal(0), min(Decimal(100), Decimal(value)))
    return f"{number:.1f}"
