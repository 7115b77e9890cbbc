"""One policy for score numbers, wherever they enter PAR Plan.

Scores are Decimals with up to three places (provinces write levels of 0,125 and
0,375). Text may use a decimal comma (``0,25``, as Vietnamese documents write it) or
a point (``0.25``); spreadsheet cells may hold floats, which are rounded through their
shortest text form, never through binary.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _

_SPACES = re.compile(r"[\s\u00a0\u202f]+")
_NUMBER = re.compile(r"^[+-]?(\d+([.,]\d*)?|[.,]\d+)$")


class ScoreParseError(ValueError):
    """The value is not a number a person could have meant as a score."""


def parse_decimal(value: object, *, places: int = 2) -> Decimal | None:
    """Return ``value`` as a Decimal, ``None`` for an empty cell.

    Raises ScoreParseError (with a Vietnamese message) when the text is not a number
    or has more decimal places than ``places``.
    """
    if value is None:
        return None
    if isinstance(value, bool):
        raise ScoreParseError(_("không phải là số"))
    if isinstance(value, Decimal):
        number = value
    elif isinstance(value, int):
        number = Decimal(value)
    elif isinstance(value, float):
        number = Decimal(repr(value))
    else:
        text = _SPACES.sub("", str(value))
        if text in {"", "-", "–"}:
            return None
        if not _NUMBER.match(text):
            raise ScoreParseError(
                _("“%(text)s” không phải là số") % {"text": str(value).strip()}
            )
        number = Decimal(text.replace(",", "."))
    if not number.is_finite():
        raise ScoreParseError(_("không phải là số hữu hạn"))
    quantum = Decimal(1).scaleb(-places)
    try:
        rounded = number.quantize(quantum)
    except InvalidOperation as exc:
        raise ScoreParseError(_("số quá lớn")) from exc
    if rounded != number:
        raise ScoreParseError(
            _("“%(text)s” có quá %(places)s chữ số thập phân")
            % {"text": format_decimal(number), "places": places}
        )
    return rounded


SCORE_DECIMALS = 3


def parse_score(value: object) -> Decimal | None:
    return parse_decimal(value, places=SCORE_DECIMALS)


def format_decimal(value: Decimal | int | None) -> str:
    """Vietnamese writing of a number: ``0,25``, ``15``, ``1,5`` (no trailing zeros)."""
    if value is None:
        return ""
    text = format(Decimal(value), "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    if text == "-0":
        text = "0"
    return text.replace(".", ",")


class ScoreField(models.DecimalField):
    """A score: Decimal, 7 digits, 3 places."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max_digits", 7)
        kwargs.setdefault("decimal_places", SCORE_DECIMALS)
        super().__init__(*args, **kwargs)

    def deconstruct(self) -> tuple:
        name, _path, args, kwargs = super().deconstruct()
        return name, "django.db.models.DecimalField", args, kwargs
