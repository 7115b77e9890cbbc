"""A scoring rule proposed from the criteria set's scoring text, where the text is
written in one of the shapes ``criteria.scoring`` reads (“Đạt: 1; Không đạt: 0”,
“trên 90%: 2; từ 70% đến 90%: 1; dưới 70%: 0”, “Kịp thời: 1; Không kịp thời: 0,5”,
“Trừ 0,25 điểm mỗi …”, “0,5 điểm mỗi …, tối đa 2”). Anything else keeps its text
only: a rule is never guessed from prose."""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError

from criteria.scoring import RuleKind, bands, named_levels
from parplan.scores import ScoreParseError, format_decimal, parse_score
from parplan.text import normalize_name

_BULLET = re.compile(r"^\s*(?:[-–•*]|\+(?=\s))\s*")
_POINTS_WORD = re.compile(r"(?<=\d)\s*(?:điểm|đ)\.?\s*$", re.IGNORECASE)
_NUM = r"(\d+(?:[.,]\d+)?)"
_DEDUCTION = re.compile(r"^trừ\s+" + _NUM + r"\s*điểm\s+(?:cho\s+)?mỗi\b")
_PER_ITEM = re.compile(
    r"^" + _NUM + r"\s*điểm\s+(?:cho\s+)?mỗi\b[^;]*?[,;]?\s*tối\s+đa\s+" + _NUM
)
_RATIO = re.compile(r"tỷ lệ.*(?:×|\bx\b|nhân(?: với)?)\s*(?:với\s+)?điểm tối đa")
_FULL_AT = re.compile(r"đạt tối đa (?:từ|khi đạt)\s*" + _NUM + r"\s*%")
_ZERO_BELOW = re.compile(
    r"dưới\s*" + _NUM + r"\s*%\s*(?:thì\s+)?(?:không có điểm|0 điểm)"
)
_PASS = {"đạt", "đạt yêu cầu"}
_FAIL = {"không đạt", "chưa đạt", "không đạt yêu cầu"}


@dataclass(frozen=True)
class RuleProposal:
    kind: str
    levels: str = ""
    per_failure: Decimal | None = None
    per_item: Decimal | None = None
    cap: Decimal | None = None
    full_at: Decimal | None = None
    zero_below: Decimal | None = None

    @property
    def label(self) -> str:
        return str(RuleKind(self.kind).label)


def _pairs(text: str) -> list[tuple[str, str]] | None:
    """“mức: điểm” pairs, one a line or separated by “;”, bullets and the word
    “điểm” dropped; None when a part is not such a pair."""
    pairs = []
    for line in text.replace(";", "\n").splitlines():
        line = _BULLET.sub("", line).strip().rstrip(".")
        if not line:
            continue
        key, sep, value = line.rpartition(":")
        if not sep or not key.strip() or ":" in key:
            return None
        value = _POINTS_WORD.sub("", value.strip())
        pairs.append((" ".join(key.split()), value.strip()))
    return pairs or None


def _levels(pairs: list[tuple[str, str]]) -> str:
    return "; ".join(f"{key}: {value}" for key, value in pairs)


def rule_propose(text: str, maximum: Decimal | None) -> RuleProposal | None:
    """The rule ``text`` describes for a criterion of ``maximum`` points, or None."""
    if not text.strip() or maximum is None:
        return None
    folded = normalize_name(text)
    if match := _DEDUCTION.match(folded):
        per_failure = _number(match[1])
        if per_failure is not None and 0 < per_failure <= maximum:
            return RuleProposal(RuleKind.DEDUCTION, per_failure=per_failure)
    if match := _PER_ITEM.match(folded):
        per_item, cap = _number(match[1]), _number(match[2])
        if per_item and cap and per_item <= cap <= maximum:
            return RuleProposal(RuleKind.PER_ITEM, per_item=per_item, cap=cap)
    if _RATIO.search(folded):
        full_at = _FULL_AT.search(folded)
        zero_below = _ZERO_BELOW.search(folded)
        return RuleProposal(
            RuleKind.RATIO,
            full_at=_number(full_at[1]) if full_at else None,
            zero_below=_number(zero_below[1]) if zero_below else None,
        )
    pairs = _pairs(text)
    if pairs is None:
        return None
    return _from_pairs(pairs, maximum)


def _from_pairs(pairs: list[tuple[str, str]], maximum: Decimal) -> RuleProposal | None:
    keys = {normalize_name(k) for k, _v in pairs}
    if len(pairs) == 2 and keys & _PASS and keys & _FAIL:
        by_key = {normalize_name(k): _number(v) for k, v in pairs}
        passed = next(by_key[k] for k in keys & _PASS)
        failed = next(by_key[k] for k in keys & _FAIL)
        if passed == maximum and failed == 0:
            return RuleProposal(RuleKind.PASS_FAIL)
    levels = _levels(pairs)
    try:
        if any("%" in k for k, _v in pairs):
            found = bands(levels)
            kind = RuleKind.STEPS
        elif all(re.fullmatch(r"[\d\s]+(?:trở\s+lên)?", k) for k, _v in pairs):
            found = bands(levels)
            kind = RuleKind.LADDER
        else:
            options = named_levels(levels)
            found = None
            kind = RuleKind.OPTIONS
    except ValidationError:
        return None
    if found is not None:
        points = [b.value.resolve(maximum) for b in found]
    else:
        points = [value.resolve(maximum) for _name, value in options.values()]
    if any(p > maximum for p in points):
        return None
    return RuleProposal(kind, levels=levels)


def _number(text: str) -> Decimal | None:
    try:
        return parse_score(text)
    except ScoreParseError:
        return None


def proposal_text(proposal: RuleProposal) -> str:
    """The proposal in a few words, for the preview."""
    if proposal.per_failure is not None:
        return f"{proposal.label}: {format_decimal(proposal.per_failure)}"
    if proposal.full_at is not None:
        return f"{proposal.label}: ≥ {format_decimal(proposal.full_at)} %"
    if proposal.per_item is not None:
        return (
            f"{proposal.label}: {format_decimal(proposal.per_item)}, "
            f"≤ {format_decimal(proposal.cap)}"
        )
    return f"{proposal.label}: {proposal.levels}" if proposal.levels else proposal.label
