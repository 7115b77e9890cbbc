from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from django import template

from parplan.scores import format_decimal
from reports.summaries import places_phrase as places_words

register = template.Library()


@register.filter
def index3(value: Decimal | None) -> str:
    """An index (percent) with the up to three decimals the province publishes, as
    the projection command prints it: ``81,45``, ``89,729``."""
    if value is None or value == "":
        return ""
    return format_decimal(Decimal(value).quantize(Decimal("0.001"), ROUND_HALF_UP))


@register.filter
def signed(value: int | Decimal | None) -> str:
    """``+2``, ``0``, ``−1``: places gained or a change, with its sign."""
    if value is None or value == "":
        return ""
    text = format_decimal(Decimal(value))
    if value > 0:
        return f"+{text}"
    return text.replace("-", "−")


@register.simple_tag
def places_phrase(places: int | None) -> str:
    """``tăng 2 bậc`` / ``giảm 1 bậc`` / ``giữ nguyên thứ hạng``."""
    return places_words(places)
