"""Reading a task's due date as department plans write it: "Quý I/2023", "Quý IV",
"Tháng 6/2023", "30/6/2023", "trước 30/6", "Năm 2023", an Excel date cell, or
words that are no date at all ("Thường xuyên", "Hằng quý").

A period gives its last day. Words that name no date are kept as written; text that
looks like a date but cannot be read is an error, never a guess.
"""

from __future__ import annotations

import calendar
import datetime
import re
from dataclasses import dataclass

from django.utils.translation import gettext as _

from parplan.text import normalize_name


class DueDateError(ValueError):
    """The cell looks like a date but cannot be read; the message is for the user."""


@dataclass(frozen=True)
class Due:
    """A due date as read: the date, or (when the cell names none) the words."""

    date: datetime.date | None = None
    text: str = ""


_ROMAN = {"i": 1, "ii": 2, "iii": 3, "iv": 4}
_YEAR = r"(?:/|-|\s*năm\s*)\s*(\d{4})"
_QUARTER = re.compile(rf"quý\s*(iv|iii|ii|i|[1-4])\b(?:\s*{_YEAR})?")
_HALF = re.compile(rf"(6|9)\s*tháng\s*(?:đầu\s*)?(?:năm)?(?:\s*{_YEAR})?")
_MONTH = re.compile(rf"tháng\s*(\d{{1,2}})(?:\s*{_YEAR})?\b")
_DAY = re.compile(r"(\d{1,2})\s*[/.\-]\s*(\d{1,2})(?:\s*[/.\-]\s*(\d{2}|\d{4}))?\b")
_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ t]00:00:00)?$")
_MONTH_YEAR = re.compile(r"^(\d{1,2})\s*/\s*(\d{4})$")
_WHOLE_YEAR = re.compile(r"(?:năm|cả năm|trong năm)\s*(\d{4})?$|^(\d{4})$")
# Words that say "no single date": recurring or ongoing work.
_NO_DATE_WORDS = ("thường xuyên", "hằng", "hàng", "định kỳ", "liên tục", "theo ")
# Words that say the cell meant a date: without a reading, it is an error.
_DATE_WORDS = ("quý", "tháng", "năm", "ngày")


def _month_end(year: int, month: int) -> datetime.date:
    return datetime.date(year, month, calendar.monthrange(year, month)[1])


def due_read(value: object, *, year: int | None) -> Due:
    """The due date a cell gives. ``year`` is the plan's, used where the cell has
    none. Raises DueDateError for a cell that looks like a date but is not one."""
    if value is None:
        return Due()
    if isinstance(value, datetime.datetime):
        return Due(value.date())
    if isinstance(value, datetime.date):
        return Due(value)
    written = " ".join(str(value).split())
    if not written:
        return Due()
    text = normalize_name(written)
    found = _date_in(text, year, written)
    if found is not None:
        return Due(found)
    if any(word in text for word in _NO_DATE_WORDS) or not (
        re.search(r"\d", text) or any(word in text for word in _DATE_WORDS)
    ):
        return Due(text=written)
    raise DueDateError(
        _(
            "không đọc được thời hạn “%(value)s”; hãy ghi một ngày (30/6/2023), "
            "một tháng (Tháng 6/2023), một quý (Quý II/2023) hoặc một năm (Năm 2023)."
        )
        % {"value": written}
    )


def _date_in(text: str, year: int | None, written: str) -> datetime.date | None:
    """The last day of the period ``text`` names, None if it names none it can read."""
    if any(word in text for word in _NO_DATE_WORDS):
        return None
    try:
        return _period_end(text, year, written)
    except ValueError as exc:  # a day or month out of range (31/2, Tháng 13)
        if isinstance(exc, DueDateError):
            raise
        return None


def _period_end(text: str, year: int | None, written: str) -> datetime.date | None:
    match = _ISO.search(text)
    if match:
        return datetime.date(*(int(part) for part in match.groups()))
    match = _MONTH_YEAR.search(text)
    if match:
        return _month_end(int(match.group(2)), int(match.group(1)))
    match = _DAY.search(text)
    if match:
        day, month, found = match.groups()
        full = _year_of(found, year, written)
        return datetime.date(full, int(month), int(day))
    match = _QUARTER.search(text)
    if match:
        quarter = match.group(1)
        number = _ROMAN[quarter] if quarter in _ROMAN else int(quarter)
        return _month_end(_year_of(match.group(2), year, written), number * 3)
    match = _HALF.search(text)
    if match:
        return _month_end(_year_of(match.group(2), year, written), int(match.group(1)))
    match = _MONTH.search(text)
    if match:
        return _month_end(_year_of(match.group(2), year, written), int(match.group(1)))
    match = _WHOLE_YEAR.search(text)
    if match:
        return datetime.date(
            _year_of(match.group(1) or match.group(2), year, written), 12, 31
        )
    return None


def _year_of(found: str | None, year: int | None, written: str) -> int:
    if found:
        return 2000 + int(found) if len(found) == 2 else int(found)
    if year is None:
        raise DueDateError(
            _(
                "thời hạn “%(value)s” không ghi năm và không rõ năm kế hoạch; hãy ghi năm."
            )
            % {"value": written}
        )
    return year
