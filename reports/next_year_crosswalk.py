"""Next year's plan on a new criteria set: this year's criteria matched to the new
set's codes.

A criterion of year N is matched to the criterion of the new set (read by
``criteria_set_parse``) with the same code, or to the one the office's crosswalk
names (``Mã năm N`` → ``Mã năm N+1``) when it was renamed or moved. Through the
match its baseline, proposed target and unfinished tasks follow it. A criterion of
the new set nothing matches starts with no baseline; one of year N with no match is
dropped: its points leave the plan and its open tasks stay in year N.

Criteria are never merged: two criteria of year N pointing at one of N+1 are
refused (the office picks one and leaves the other dropped), as is a match between
a scored criterion and a heading.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Protocol

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from criteria.codes import parent_code
from criteria.criteria_set.numbering import SetRow
from criteria.criteria_set.parse import CriteriaSetTable
from criteria.models import Criterion, Plan, ScoringRule
from parplan.scores import format_decimal
from parplan.spreadsheets import TableError, cell_text, find_header, read_rows
from parplan.text import normalize_name
from reports.models import CriterionCrosswalk
from reports.plan_tasks import TaskFigures

BY_CODE, BY_CROSSWALK, NEW, DROPPED = "code", "crosswalk", "new", "dropped"
# A line of the crosswalk typed on the page: ``1.2 → 1.3``, ``1.2; 1.3``, ``1.2 =``.
_LINE = re.compile(r"^\s*([^\s;,=→\t]+)\s*(?:->|→|=|;|,|\t)\s*([^\s;,=→]*)\s*$")
_OLD_HEADER, _NEW_HEADER = "mã năm n", "mã năm n+1"
# The rule of a criterion is copied; the figures the office entered this year
# (numerator, count, option …) are this year's and stay behind.
RULE_FIELDS = (
    "kind",
    "levels",
    "full_at",
    "zero_below",
    "per_failure",
    "per_item",
    "cap",
    "bonus_cap",
    "penalty_cap",
    "base_score",
)


class OldRow(Protocol):
    """A criterion of year N as the next year's preview sees it."""

    @property
    def criterion(self) -> Criterion: ...
    @property
    def code(self) -> str: ...
    @property
    def title(self) -> str: ...
    @property
    def max_score(self) -> Decimal | None: ...

    is_heading: bool
    applicable: bool
    baseline: Decimal | None
    open_tasks: list[TaskFigures]


@dataclass
class CrosswalkEntry:
    line: int  # the row of the file, or the line typed on the page
    old_code: str
    new_code: str  # "" : the office says the criterion is dropped


@dataclass
class MatchedRow:
    """A criterion of the new plan, or (``new`` None) one of year N dropped."""

    kind: str  # BY_CODE, BY_CROSSWALK, NEW, DROPPED
    new: SetRow | None
    old: OldRow | None
    baseline: Decimal | None = None
    target: Decimal | None = None
    title_changed: bool = False

    @property
    def code(self) -> str:
        return self.new.code if self.new is not None else ""

    @property
    def old_code(self) -> str:
        return self.old.code if self.old is not None else ""

    @property
    def is_heading(self) -> bool:
        return self.new.is_heading if self.new is not None else False

    @property
    def open_tasks(self) -> list[TaskFigures]:
        return self.old.open_tasks if self.old is not None else []


@dataclass
class CrosswalkMatch:
    table: CriteriaSetTable
    rows: list[MatchedRow]  # the new set in its order, then the dropped criteria
    entries: list[CrosswalkEntry] = field(default_factory=list)

    @property
    def pairs(self) -> dict[str, str]:
        """Old code → new code of every criterion matched through the crosswalk."""
        return {
            r.old_code: r.code for r in self.rows if r.kind == BY_CROSSWALK and r.old
        }

    @property
    def dropped(self) -> list[MatchedRow]:
        return [r for r in self.rows if r.kind == DROPPED]

    def count(self, kind: str) -> int:
        return sum(1 for r in self.rows if r.kind == kind)


def crosswalk_text(entries: Iterable[CrosswalkEntry]) -> str:
    """The crosswalk as the page's text box shows it, one ``old → new`` a line."""
    return "\n".join(f"{e.old_code} → {e.new_code}".rstrip() for e in entries)


def crosswalk_parse_text(*, text: str) -> list[CrosswalkEntry]:
    """The crosswalk typed on the page; a line that is not ``old → new`` is refused."""
    entries, errors = [], []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        found = _LINE.match(line)
        if found is None:
            errors.append(
                _(
                    "Bảng đối chiếu, dòng %(line)s: “%(text)s” không có dạng "
                    "“mã năm N → mã năm N+1”."
                )
                % {"line": number, "text": line.strip()}
            )
            continue
        entries.append(CrosswalkEntry(number, found[1], found[2]))
    if errors:
        raise ValidationError(errors)
    return entries


def crosswalk_read(*, data: bytes, filename: str) -> list[CrosswalkEntry]:
    """The crosswalk file: two columns “Mã năm N” and “Mã năm N+1” (.csv, .xlsx)."""
    try:
        _kind, rows = read_rows(data, filename)
    except TableError as exc:
        raise ValidationError(str(exc)) from exc
    header = find_header(
        rows,
        {"old": lambda t: t == _OLD_HEADER, "new": lambda t: t == _NEW_HEADER},
        ["old", "new"],
    )
    if header is None:
        raise ValidationError(
            _("Tệp “%(name)s” thiếu cột “Mã năm N” và “Mã năm N+1”.")
            % {"name": filename}
        )
    entries = []
    for row in rows:
        if row.number <= header.row_number:
            continue
        old = cell_text(_at(row.cells, header.columns["old"])).rstrip(".")
        new = cell_text(_at(row.cells, header.columns["new"])).rstrip(".")
        if old or new:
            entries.append(CrosswalkEntry(row.number, old, new))
    return entries


def _at(cells: list[object], index: int) -> object:
    return cells[index] if index < len(cells) else None


def _targeted(row: MatchedRow, old: OldRow) -> None:
    """The baseline and target a matched scored criterion starts with."""
    new = row.new
    assert new is not None
    if new.is_heading or new.applicable is False or old.baseline is None:
        return
    maximum = new.max_score
    baseline = old.baseline if maximum is None else min(old.baseline, maximum)
    row.baseline = baseline
    row.target = maximum if maximum is not None and baseline < maximum else baseline


def crosswalk_match(
    *,
    old_rows: list[OldRow],
    table: CriteriaSetTable,
    entries: list[CrosswalkEntry],
    year: int,
) -> CrosswalkMatch:
    """Match year ``year``'s criteria to the new set, or refuse naming each wrong
    line of the crosswalk (ValidationError)."""
    old_by_code = {r.code: r for r in old_rows}
    new_by_code = {r.code: r for r in table.rows}
    errors: list[str] = []
    mapped: dict[str, str] = {}  # old → new ("" dropped)
    seen_old: dict[str, int] = {}
    claimed: dict[str, tuple[str, int]] = {}  # new → (old, line)
    for entry in entries:
        where = {"line": entry.line, "old": entry.old_code, "new": entry.new_code}
        if not entry.old_code:
            errors.append(_("Bảng đối chiếu, dòng %(line)s: thiếu mã năm N.") % where)
            continue
        old = old_by_code.get(entry.old_code)
        if old is None:
            errors.append(
                _(
                    "Bảng đối chiếu, dòng %(line)s: mã năm N “%(old)s” không có trong "
                    "kế hoạch năm %(year)s."
                )
                % (where | {"year": year})
            )
            continue
        if entry.old_code in seen_old:
            errors.append(
                _(
                    "Bảng đối chiếu, dòng %(line)s: mã năm N “%(old)s” đã được đối "
                    "chiếu ở dòng %(first)s; mỗi tiêu chí chỉ chuyển về một mã."
                )
                % (where | {"first": seen_old[entry.old_code]})
            )
            continue
        seen_old[entry.old_code] = entry.line
        if not entry.new_code:
            mapped[entry.old_code] = ""
            continue
        new = new_by_code.get(entry.new_code)
        if new is None:
            errors.append(
                _(
                    "Bảng đối chiếu, dòng %(line)s: mã năm N+1 “%(new)s” không có "
                    "trong bộ tiêu chí mới."
                )
                % where
            )
            continue
        if new.is_heading != old.is_heading:
            errors.append(
                (
                    _(
                        "Bảng đối chiếu, dòng %(line)s: %(old)s là tiêu chí được chấm "
                        "điểm còn %(new)s là tiêu đề có tiêu chí con; chỉ đối chiếu "
                        "tiêu chí với tiêu chí, tiêu đề với tiêu đề."
                    )
                    if not old.is_heading
                    else _(
                        "Bảng đối chiếu, dòng %(line)s: %(old)s là tiêu đề có tiêu chí "
                        "con còn %(new)s là tiêu chí được chấm điểm; chỉ đối chiếu "
                        "tiêu chí với tiêu chí, tiêu đề với tiêu đề."
                    )
                )
                % where
            )
            continue
        if entry.new_code in claimed:
            first_old, first_line = claimed[entry.new_code]
            errors.append(
                _(
                    "Bảng đối chiếu, dòng %(line)s: hai mã năm N (%(first)s ở dòng "
                    "%(first_line)s và %(old)s) cùng chuyển về %(new)s. PAR Plan không "
                    "gộp tiêu chí: hãy giữ một dòng, tiêu chí kia để trống mã năm N+1 "
                    "(bỏ)."
                )
                % (where | {"first": first_old, "first_line": first_line})
            )
            continue
        claimed[entry.new_code] = (entry.old_code, entry.line)
        mapped[entry.old_code] = entry.new_code
    # A criterion of year N not in the crosswalk keeps its code, unless the office
    # sent another one there.
    for code in old_by_code:
        if code in mapped or code not in new_by_code:
            continue
        if code in claimed:
            first_old, first_line = claimed[code]
            errors.append(
                _(
                    "Bảng đối chiếu, dòng %(first_line)s: %(first)s chuyển về %(new)s, "
                    "nhưng năm N cũng có tiêu chí %(new)s. PAR Plan không gộp tiêu chí: "
                    "hãy đối chiếu %(new)s của năm N sang mã mới của nó, hoặc để trống "
                    "mã năm N+1 (bỏ)."
                )
                % {"first_line": first_line, "first": first_old, "new": code}
            )
            continue
        if new_by_code[code].is_heading != old_by_code[code].is_heading:
            errors.append(
                _(
                    "Tiêu chí %(code)s: năm N và bộ tiêu chí mới cùng mã nhưng một bên "
                    "là tiêu đề, một bên là tiêu chí được chấm điểm; hãy ghi nó vào "
                    "bảng đối chiếu (sang mã khác, hoặc để trống mã năm N+1)."
                )
                % {"code": code}
            )
            continue
        mapped[code] = code
    if errors:
        raise ValidationError(errors)
    by_new = {new: old for old, new in mapped.items() if new}
    rows = []
    for set_row in table.rows:
        old_code = by_new.get(set_row.code)
        if old_code is None:
            rows.append(MatchedRow(kind=NEW, new=set_row, old=None))
            continue
        old = old_by_code[old_code]
        row = MatchedRow(
            kind=BY_CODE if old_code == set_row.code else BY_CROSSWALK,
            new=set_row,
            old=old,
            title_changed=normalize_name(old.title) != normalize_name(set_row.title),
        )
        _targeted(row, old)
        rows.append(row)
    rows.extend(
        MatchedRow(kind=DROPPED, new=None, old=old)
        for code, old in old_by_code.items()
        if not mapped.get(code)
    )
    return CrosswalkMatch(table=table, rows=rows, entries=list(entries))


def crosswalk_targets_check(
    *, match: CrosswalkMatch, targets: Mapping[str, Decimal] | None
) -> dict[str, Decimal]:
    """The proposed targets by new code with the office's changes, each within 0 and
    the new maximum."""
    chosen = {r.code: r.target for r in match.rows if r.target is not None}
    scored = {
        r.code: r
        for r in match.rows
        if r.new is not None and not r.new.is_heading and r.new.applicable is not False
    }
    errors = []
    for code, value in (targets or {}).items():
        row = scored.get(code)
        if row is None or row.new is None:
            errors.append(
                _("Tiêu chí %(code)s: không có mục tiêu riêng để đặt.") % {"code": code}
            )
            continue
        maximum = row.new.max_score
        if value < 0 or (maximum is not None and value > maximum):
            errors.append(
                _(
                    "Tiêu chí %(code)s, mục tiêu: %(value)s phải từ 0 đến điểm chuẩn "
                    "%(max)s."
                )
                % {
                    "code": code,
                    "value": format_decimal(value),
                    "max": format_decimal(maximum),
                }
            )
            continue
        chosen[code] = value
    if errors:
        raise ValidationError(errors)
    return chosen


def crosswalk_tree_write(
    *, following: Plan, match: CrosswalkMatch, targets: Mapping[str, Decimal]
) -> dict[int, Criterion]:
    """Write the new set's tree into ``following`` with the matched baselines and
    ``targets``, its proposed rules and the crosswalk; return each matched criterion
    of year N (by id) with its criterion of N+1. Runs inside the caller's
    transaction."""
    table = match.table
    by_code: dict[str, Criterion] = {}
    old_to_new: dict[int, Criterion] = {}
    for row in match.rows:
        new = row.new
        if new is None:
            continue
        parent = parent_code(new.code)
        old = row.old.criterion if row.old is not None else None
        criterion = Criterion.objects.create(
            plan=following,
            parent=by_code.get(parent) if parent else None,
            code=new.code,
            title=new.title,
            max_score=new.max_score,
            baseline_score=row.baseline,
            target_score=targets.get(new.code),
            scoring_text=(new.scoring_text or "")
            if "scoring_text" in table.has
            else (old.scoring_text if old is not None else ""),
            method=new.method
            or (old.method if old is not None else Criterion.Method.APPRAISED),
            applicable=new.applicable is not False
            if "not_applicable" in table.has or old is None
            else old.applicable,
            not_applicable_reason=new.reason
            if "not_applicable" in table.has or old is None
            else old.not_applicable_reason,
        )
        by_code[new.code] = criterion
        if old is not None:
            old_to_new[old.pk] = criterion
    proposed = {r.new.code for r in match.rows if r.new is not None and r.new.rule}
    ScoringRule.objects.bulk_create(
        ScoringRule(
            criterion=by_code[row.new.code],
            kind=row.new.rule.kind,
            levels=row.new.rule.levels,
            per_failure=row.new.rule.per_failure,
            per_item=row.new.rule.per_item,
            cap=row.new.rule.cap,
            full_at=row.new.rule.full_at,
            zero_below=row.new.rule.zero_below,
        )
        for row in match.rows
        if row.new is not None and row.new.rule is not None
    )
    kept = ScoringRule.objects.filter(criterion_id__in=list(old_to_new)).select_related(
        "criterion"
    )
    ScoringRule.objects.bulk_create(
        ScoringRule(
            criterion=old_to_new[rule.criterion_id],
            **{name: getattr(rule, name) for name in RULE_FIELDS},
        )
        for rule in kept
        if old_to_new[rule.criterion_id].code not in proposed
    )
    CriterionCrosswalk.objects.bulk_create(
        CriterionCrosswalk(plan=following, old_code=old, new_code=new)
        for old, new in match.pairs.items()
    )
    return old_to_new
