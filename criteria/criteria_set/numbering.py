"""The criteria set's numbering: Roman areas and the two ways provinces number the
criteria below them, duplicate codes, missing parents, and the maxima of headings
(the sum of their children's). See ``criteria.criteria_set.parse``."""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext as _

from criteria.codes import CODE_RE, canonical_code, code_sort_key, parent_code
from criteria.criteria_set.rules import RuleProposal
from parplan.scores import format_decimal
from parplan.spreadsheets import SourceRow
from parplan.tables import FirstSeen, Problem

_ROMAN = re.compile(r"^(?=[IVXLC])M*(C[MD]|D?C{0,3})(X[CL]|L?X{0,3})(I[XV]|V?I{0,3})$")
_ROMAN_VALUES = {"I": 1, "V": 5, "X": 10, "L": 50, "C": 100, "D": 500, "M": 1000}


@dataclass
class SetRow:
    """A row of the set as read; ``None`` means the file has no such column."""

    source_row: int
    written: str  # the code as written (``II``, ``1.2.``)
    code: str  # the code PAR Plan stores (``2``, ``1.2``)
    title: str
    max_score: Decimal | None  # None on a heading: the sum of its children
    method: str | None
    applicable: bool | None
    reason: str
    scoring_text: str | None
    rule: RuleProposal | None = None
    is_heading: bool = False


@dataclass
class RawRow:
    """A row as written, before its code is resolved."""

    src: SourceRow
    written: str
    roman: int | None
    title: str
    max_score: Decimal | None
    method: str | None
    applicable: bool | None
    reason: str
    scoring_text: str | None


def roman_value(text: str) -> int | None:
    if not _ROMAN.match(text):
        return None
    total = 0
    for this, after in zip(text, text[1:] + " ", strict=True):
        value = _ROMAN_VALUES[this]
        total += -value if _ROMAN_VALUES.get(after, 0) > value else value
    return total


def codes_resolve(
    raws: list[RawRow], names: dict[str, str], problems: list[Problem]
) -> list[SetRow]:
    """The stored code of every row: Roman areas with their criteria numbered in
    full or from 1 in each area, or codes as written."""
    romans = [r for r in raws if r.roman is not None]
    rows: list[SetRow] = []
    seen = FirstSeen()
    if romans and raws[0].roman is None:
        problems.append(
            Problem(
                _(
                    "mã %(code)s đứng trước lĩnh vực đầu tiên (I); không rõ thuộc lĩnh "
                    "vực nào."
                )
                % {"code": raws[0].written},
                raws[0].src.number,
                names["code"],
            )
        )
        return rows
    groups: list[tuple[RawRow | None, list[RawRow]]] = [] if romans else [(None, raws)]
    if romans:
        for raw in raws:
            if raw.roman is not None:
                groups.append((raw, []))
            else:
                groups[-1][1].append(raw)
    for area, members in groups:
        prefix = ""
        if area is not None:
            prefix = str(area.roman)
            rows.append(_row(area, prefix))
            relative = any("." not in m.written for m in members)
            full = all(m.written.startswith(prefix + ".") for m in members)
            if members and not (relative or full):
                first = next(
                    m for m in members if not m.written.startswith(prefix + ".")
                )
                problems.append(
                    Problem(
                        _(
                            "mã %(code)s dưới lĩnh vực %(area)s: không rõ cách đánh số "
                            "(mã đầy đủ phải bắt đầu bằng %(prefix)s., mã trong lĩnh "
                            "vực phải có tiêu chí 1, 2 …)."
                        )
                        % {
                            "code": first.written,
                            "area": area.written,
                            "prefix": prefix,
                        },
                        first.src.number,
                        names["code"],
                    )
                )
                continue
            if full and not relative:
                prefix = ""
        for member in members:
            rows.append(_row(member, f"{prefix}.{member.written}" if prefix else ""))
    kept = []
    for row in rows:
        if not CODE_RE.match(row.code):
            problems.append(
                Problem(
                    _("mã %(code)s quá nhiều cấp.") % {"code": row.written},
                    row.source_row,
                    names["code"],
                )
            )
            continue
        row.code = canonical_code(row.code)
        first_row = seen.duplicate_of(row.code, row.source_row)
        if first_row is not None:
            problems.append(
                Problem(
                    _("mã %(code)s trùng với dòng %(first)s.")
                    % {"code": row.written, "first": first_row},
                    row.source_row,
                    names["code"],
                )
            )
            continue
        kept.append(row)
    return kept


def _row(raw: RawRow, code: str) -> SetRow:
    return SetRow(
        source_row=raw.src.number,
        written=raw.written,
        code=code or raw.written,
        title=raw.title,
        max_score=raw.max_score,
        method=raw.method,
        applicable=raw.applicable,
        reason=raw.reason,
        scoring_text=raw.scoring_text,
    )


def tree_check(
    rows: list[SetRow], names: dict[str, str], problems: list[Problem]
) -> Decimal:
    """Check parents and maxima; headings lose their maximum (the sum of their
    children's) and lend their method to children that name none. Returns the
    set's total maximum."""
    by_code = {r.code: r for r in rows}
    children: dict[str, list[SetRow]] = {}
    for row in rows:
        parent = parent_code(row.code)
        if parent is None:
            continue
        if parent not in by_code:
            problems.append(
                Problem(
                    _("mã %(code)s thiếu dòng cha %(parent)s.")
                    % {"code": row.written, "parent": parent},
                    row.source_row,
                    names["code"],
                )
            )
            continue
        children.setdefault(parent, []).append(row)

    def maximum_of(row: SetRow) -> Decimal:
        kids = children.get(row.code)
        if not kids:
            if row.max_score is None:
                problems.append(
                    Problem(
                        _("tiêu chí không có tiêu chí con phải có điểm tối đa."),
                        row.source_row,
                        names["max_score"],
                    )
                )
                return Decimal(0)
            return row.max_score
        total = sum((maximum_of(kid) for kid in kids), Decimal(0))
        if row.max_score is not None and row.max_score != total:
            problems.append(
                Problem(
                    _(
                        "điểm tối đa %(max)s của %(code)s khác tổng điểm tối đa các "
                        "tiêu chí con (%(sum)s)."
                    )
                    % {
                        "max": format_decimal(row.max_score),
                        "code": row.written,
                        "sum": format_decimal(total),
                    },
                    row.source_row,
                    names["max_score"],
                )
            )
        row.is_heading = True
        row.max_score = None
        return total

    for row in sorted(rows, key=lambda r: code_sort_key(r.code)):
        above = by_code.get(parent_code(row.code) or "")
        if row.method is None and above is not None and above.method is not None:
            row.method = above.method
    return sum((maximum_of(r) for r in rows if parent_code(r.code) is None), Decimal(0))
