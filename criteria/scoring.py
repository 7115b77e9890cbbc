"""The province's scoring rules: their kinds, the syntax of their levels, and the
score a rule gives for the figures the office entered.

Levels are written as the decisions write them, ``mức: điểm`` separated by ``;`` or
new lines. A level's key is a band (``trên 90%``, ``từ 70% đến 90%``, ``dưới 70%``,
or a bare ``90`` meaning “from 90”), an option's name, a failure type or a sub-item;
its value is points (``0,375``) or a share of the maximum (``75% số điểm``), and for
bonus and penalty items a signed number (``+0,5``, ``-0,25``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING, Protocol

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from parplan.scores import ScoreParseError, parse_decimal, parse_score
from parplan.text import normalize_name

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


class RuleKind(models.TextChoices):
    PASS_FAIL = "pass_fail", _("Đạt / không đạt")
    RATIO = "ratio", _("Tỷ lệ × điểm tối đa")
    STEPS = "steps", _("Theo mức tỷ lệ (%)")
    LADDER = "ladder", _("Theo số lượng")
    OPTIONS = "options", _("Theo lựa chọn")
    DEDUCTION = "deduction", _("Trừ điểm mỗi lỗi")
    DEDUCTIONS = "deductions", _("Trừ điểm theo từng loại lỗi")
    PER_ITEM = "per_item", _("Điểm mỗi mục, có mức tối đa")
    BONUS_PENALTY = "bonus_penalty", _("Điểm thưởng / điểm trừ")
    SUM = "sum", _("Tổng các nội dung thành phần")


# The figures each kind reads, in the order the page shows them.
FIELDS_BY_KIND: dict[str, tuple[str, ...]] = {
    RuleKind.PASS_FAIL: ("passed",),
    RuleKind.RATIO: ("full_at", "zero_below", "numerator", "denominator"),
    RuleKind.STEPS: ("levels", "numerator", "denominator"),
    RuleKind.LADDER: ("levels", "count"),
    RuleKind.OPTIONS: ("levels", "option"),
    RuleKind.DEDUCTION: ("per_failure", "count"),
    RuleKind.DEDUCTIONS: ("levels", "items"),
    RuleKind.PER_ITEM: ("per_item", "cap", "count"),
    RuleKind.BONUS_PENALTY: (
        "levels",
        "bonus_cap",
        "penalty_cap",
        "base_score",
        "items",
    ),
    RuleKind.SUM: ("levels", "items"),
}

# An example of each kind, in the decisions' own wording.
EXAMPLES: dict[str, StrOrPromise] = {
    RuleKind.PASS_FAIL: _("Đạt: trọn điểm; không đạt: 0 điểm."),
    RuleKind.RATIO: _(
        "Tỷ lệ văn bản điện tử 45/50 = 90 % × điểm tối đa; đạt tối đa từ 90 %; "
        "dưới 50 % không có điểm."
    ),
    RuleKind.STEPS: _("Các mức: trên 90%: 2; từ 70% đến 90%: 1; dưới 70%: 0"),
    RuleKind.LADDER: _("Các mức (số cuộc họp: điểm): 4: 0,5; 3: 0,375; 2: 0,25"),
    RuleKind.OPTIONS: _(
        "Các mức: kịp thời: 1; không kịp thời: 0,5; không ban hành: 0 — hoặc theo "
        "phần điểm tối đa: Hoàn thành tốt: 75% số điểm; Hoàn thành: 50% số điểm"
    ),
    RuleKind.DEDUCTION: _("Trừ 0,25 điểm mỗi văn bản trễ hạn, thấp nhất 0 điểm."),
    RuleKind.DEDUCTIONS: _(
        "Các mức (loại lỗi: điểm trừ mỗi lỗi): Chậm báo cáo: 0,25; Sai số liệu: 0,5 "
        "— số liệu (loại lỗi: số lỗi): Chậm báo cáo: 2; Sai số liệu: 1"
    ),
    RuleKind.PER_ITEM: _("0,5 điểm mỗi quy chế, tối đa 2: điểm mỗi mục 0,5; tối đa 2"),
    RuleKind.BONUS_PENALTY: _(
        "Các mức: Sáng kiến được công nhận: +0,5; Bị phê bình: -0,25 — điểm thưởng "
        "tối đa 1, điểm trừ tối đa 1 — số liệu (mục: số lần): Sáng kiến được công "
        "nhận: 1; Bị phê bình: 2"
    ),
    RuleKind.SUM: _(
        "Các mức (nội dung: điểm tối đa): Ban hành kế hoạch: 0,5; Tổ chức thực hiện: "
        "1; Báo cáo kết quả: 0,5 — số liệu (nội dung: điểm đạt): Ban hành kế hoạch: "
        "0,5; Tổ chức thực hiện: 0,75"
    ),
}


class RuleFigures(Protocol):
    """What a rule holds (``ScoringRule`` is one), read-only."""

    @property
    def kind(self) -> str: ...
    @property
    def levels(self) -> str: ...
    @property
    def items(self) -> str: ...
    @property
    def full_at(self) -> Decimal | None: ...
    @property
    def zero_below(self) -> Decimal | None: ...
    @property
    def per_failure(self) -> Decimal | None: ...
    @property
    def per_item(self) -> Decimal | None: ...
    @property
    def cap(self) -> Decimal | None: ...
    @property
    def bonus_cap(self) -> Decimal | None: ...
    @property
    def penalty_cap(self) -> Decimal | None: ...
    @property
    def base_score(self) -> Decimal | None: ...
    @property
    def numerator(self) -> Decimal | None: ...
    @property
    def denominator(self) -> Decimal | None: ...
    @property
    def count(self) -> int | None: ...
    @property
    def passed(self) -> bool | None: ...
    @property
    def option(self) -> str: ...


@dataclass(frozen=True)
class Value:
    """A level's value: points, or a share (%) of the criterion's maximum."""

    points: Decimal | None = None
    share: Decimal | None = None

    def resolve(self, maximum: Decimal) -> Decimal:
        if self.share is not None:
            return maximum * self.share / 100
        assert self.points is not None
        return self.points


@dataclass(frozen=True)
class Band:
    """``low < x`` or ``low ≤ x``, and ``x < high`` or ``x ≤ high``; None: open."""

    low: Decimal | None
    low_strict: bool
    high: Decimal | None
    high_strict: bool
    value: Value

    def holds(self, x: Decimal) -> bool:
        if self.low is not None and (
            x <= self.low if self.low_strict else x < self.low
        ):
            return False
        return not (
            self.high is not None
            and (x >= self.high if self.high_strict else x > self.high)
        )

    def order(self) -> tuple[bool, Decimal, bool]:
        """The band with the highest lower bound wins (a strict one above its equal)."""
        if self.low is None:
            return (False, Decimal(0), False)
        return (True, self.low, self.low_strict)


_NUM = r"\d+(?:[.,]\d+)?"
_TO = r"\s*(?:đến|tới|-|–)\s*(?P<hop>dưới|<=|<)?\s*(?P<high>" + _NUM + ")"
_BAND = re.compile(
    r"^(?:(?P<lop>từ|trên|hơn|>=|>)\s*)?(?P<low>"
    + _NUM
    + r")(?:\s*trở\s*lên)?(?:"
    + _TO
    + r")?$"
    + r"|^(?P<uop>dưới|<=|<|đến|không\s+quá|tối\s+đa)\s*(?P<up>"
    + _NUM
    + ")$"
)
_SHARE = re.compile(
    r"^(?P<share>" + _NUM + r")\s*%\s*(?:số\s+)?(?:điểm)?(?:\s+tối\s+đa)?$"
)


def _levels_error(message: StrOrPromise) -> ValidationError:
    return ValidationError({"levels": message})


def split_pairs(text: str, *, field: str = "levels") -> list[tuple[str, str]]:
    """``"90: 2; 70: 1"`` → [("90", "2"), ("70", "1")]: keys and values as text."""
    pairs = []
    for part in text.replace("\n", ";").split(";"):
        if not part.strip():
            continue
        key, sep, value = part.rpartition(":")
        if not sep:
            key, sep, value = part.rpartition("=")
        if not sep or not key.strip() or not value.strip():
            raise ValidationError(
                {
                    field: _("Mức “%(part)s” cần dạng “mức: điểm”.")
                    % {"part": part.strip()}
                }
            )
        pairs.append((key.strip(), value.strip()))
    return pairs


def parse_value(part: str, text: str, *, signed: bool = False) -> Value:
    """``0,375`` → points; ``75% số điểm`` → a share of the maximum."""
    share = _SHARE.match(" ".join(text.lower().split()))
    if share and not signed:
        percent = parse_decimal(share["share"])
        assert percent is not None  # the pattern holds a number
        if percent > 100:
            raise _levels_error(
                _("Mức “%(part)s”: phần điểm không quá 100 %%.") % {"part": part}
            )
        return Value(share=percent)
    try:
        points = parse_score(text)
    except ScoreParseError as exc:
        raise _levels_error(
            _("Mức “%(part)s”: %(reason)s.") % {"part": part, "reason": exc}
        ) from exc
    if points is None:
        raise _levels_error(_("Mức “%(part)s” cần dạng “mức: điểm”.") % {"part": part})
    if points < 0 and not signed:
        raise _levels_error(_("Mức “%(part)s”: điểm không được âm.") % {"part": part})
    return Value(points=points)


def named_levels(text: str, *, signed: bool = False) -> dict[str, tuple[str, Value]]:
    """Options, failure types or sub-items: normalized name → (name, value)."""
    levels: dict[str, tuple[str, Value]] = {}
    for key, raw in split_pairs(text):
        name = normalize_name(key)
        if name in levels:
            raise _levels_error(_("Mức “%(key)s” khai báo hai lần.") % {"key": key})
        levels[name] = (key, parse_value(f"{key}: {raw}", raw, signed=signed))
    if not levels:
        raise _levels_error(_("Cần ít nhất một mức."))
    return levels


def bands(text: str) -> list[Band]:
    """Steps or a count ladder, the band with the highest lower bound first."""
    found = []
    for key, raw in split_pairs(text):
        part = f"{key}: {raw}"
        words = " ".join(key.lower().replace("%", " ").split())
        words = words.replace("≥", ">=").replace("≤", "<=")
        match = _BAND.match(words)
        if match is None:
            raise _levels_error(
                _(
                    "Mức “%(key)s” phải là một số hoặc một khoảng như “trên 90%%”, "
                    "“từ 70%% đến 90%%”, “dưới 70%%”."
                )
                % {"key": key}
            )
        if match["up"] is not None:
            high = parse_decimal(match["up"])
            band = Band(None, False, high, match["uop"] in {"dưới", "<"}, Value())
        else:
            low = parse_decimal(match["low"])
            high = parse_decimal(match["high"]) if match["high"] else None
            if low is not None and high is not None and low > high:
                raise _levels_error(
                    _("Mức “%(key)s”: cận dưới lớn hơn cận trên.") % {"key": key}
                )
            strict_low = match["lop"] in {"trên", "hơn", ">"}
            strict_high = match["hop"] in {"dưới", "<"}
            band = Band(low, strict_low, high, strict_high, Value())
        value = parse_value(part, raw)
        found.append(
            Band(band.low, band.low_strict, band.high, band.high_strict, value)
        )
    if not found:
        raise _levels_error(_("Cần ít nhất một mức."))
    return sorted(found, key=Band.order, reverse=True)


def _band_score(found: list[Band], x: Decimal, maximum: Decimal) -> Decimal:
    band = next((b for b in found if b.holds(x)), None)
    return band.value.resolve(maximum) if band else Decimal(0)


def _entries(
    rule: RuleFigures, known: dict[str, tuple[str, Value]], *, whole: bool
) -> dict[str, Decimal]:
    """The figures per level (“tên: số”); a level not named has 0."""
    figures: dict[str, Decimal] = {}
    for key, raw in split_pairs(rule.items, field="items"):
        name = normalize_name(key)
        if name not in known:
            raise ValidationError(
                {
                    "items": _("Số liệu “%(key)s” không có trong các mức đã khai báo.")
                    % {"key": key}
                }
            )
        try:
            number = parse_decimal(raw, places=0 if whole else 3)
        except ScoreParseError as exc:
            raise ValidationError(
                {
                    "items": _("Số liệu “%(key)s”: %(reason)s.")
                    % {"key": key, "reason": exc}
                }
            ) from exc
        if number is None or number < 0:
            raise ValidationError(
                {"items": _("Số liệu “%(key)s” phải là số không âm.") % {"key": key}}
            )
        figures[name] = number
    return figures


def ratio_percent(rule: RuleFigures) -> Decimal:
    if rule.numerator is None or not rule.denominator:
        raise ValidationError(
            {"denominator": _("Cần số đạt và tổng số (lớn hơn 0) để tính tỷ lệ.")}
        )
    if rule.numerator < 0 or rule.numerator > rule.denominator:
        raise ValidationError({"numerator": _("Số đạt phải từ 0 đến tổng số.")})
    return rule.numerator / rule.denominator * 100


def _need_count(rule: RuleFigures) -> int:
    if rule.count is None:
        raise ValidationError({"count": _("Nhập số lượng.")})
    return rule.count


def _raw_score(rule: RuleFigures, maximum: Decimal) -> Decimal:
    kind = rule.kind
    if kind == RuleKind.PASS_FAIL:
        if rule.passed is None:
            raise ValidationError({"passed": _("Chọn đạt hay không đạt.")})
        return maximum if rule.passed else Decimal(0)
    if kind == RuleKind.RATIO:
        percent = ratio_percent(rule)
        if rule.zero_below is not None and percent < rule.zero_below:
            return Decimal(0)
        return maximum * min(percent / (rule.full_at or Decimal(100)), Decimal(1))
    if kind == RuleKind.STEPS:
        steps = bands(rule.levels)  # the levels are read before the figures
        return _band_score(steps, ratio_percent(rule), maximum)
    if kind == RuleKind.LADDER:
        ladder = bands(rule.levels)
        return _band_score(ladder, Decimal(_need_count(rule)), maximum)
    if kind == RuleKind.OPTIONS:
        options = named_levels(rule.levels)
        chosen = options.get(normalize_name(rule.option))
        if chosen is None:
            raise ValidationError(
                {"option": _("Chọn một trong các lựa chọn đã khai báo ở “các mức”.")}
            )
        return chosen[1].resolve(maximum)
    if kind == RuleKind.DEDUCTION:
        if rule.count is None or rule.per_failure is None:
            raise ValidationError({"count": _("Nhập số lỗi và điểm trừ mỗi lỗi.")})
        return maximum - rule.per_failure * rule.count
    if kind == RuleKind.DEDUCTIONS:
        types = named_levels(rule.levels)
        counts = _entries(rule, types, whole=True)
        lost = sum(
            (v.resolve(maximum) * counts.get(n, 0) for n, (_k, v) in types.items()),
            Decimal(0),
        )
        return maximum - lost
    if kind == RuleKind.PER_ITEM:
        if rule.per_item is None:
            raise ValidationError({"per_item": _("Nhập điểm mỗi mục.")})
        value = rule.per_item * _need_count(rule)
        return min(value, rule.cap) if rule.cap is not None else value
    if kind == RuleKind.BONUS_PENALTY:
        items = named_levels(rule.levels, signed=True)
        counts = _entries(rule, items, whole=True)
        bonus = penalty = Decimal(0)
        for name, (_key, item) in items.items():
            points = item.resolve(maximum) * counts.get(name, 0)
            if points >= 0:
                bonus += points
            else:
                penalty -= points
        if rule.bonus_cap is not None:
            bonus = min(bonus, rule.bonus_cap)
        if rule.penalty_cap is not None:
            penalty = min(penalty, rule.penalty_cap)
        return (rule.base_score or Decimal(0)) + bonus - penalty
    if kind == RuleKind.SUM:
        parts = named_levels(rule.levels)
        achieved = _entries(rule, parts, whole=False)
        for name, got in achieved.items():
            key, most = parts[name]
            if got > most.resolve(maximum):
                raise ValidationError(
                    {
                        "items": _(
                            "Số liệu “%(key)s”: điểm đạt vượt điểm tối đa của nội dung."
                        )
                        % {"key": key}
                    }
                )
        return sum(achieved.values(), Decimal(0))
    raise ValidationError({"kind": _("Cách chấm không hợp lệ.")})


def rule_score(rule: RuleFigures, *, maximum: Decimal) -> Decimal:
    """The score ``rule`` gives for its figures, within 0 and ``maximum``, to 0,001.

    Raises ValidationError (naming the field) when a figure the rule needs is missing
    or out of range, or its levels cannot be read.
    """
    value = min(max(_raw_score(rule, maximum), Decimal(0)), maximum)
    return value.quantize(Decimal("0.001"), rounding=ROUND_HALF_UP)


def levels_check(rule: RuleFigures) -> None:
    """Refuse levels the rule's kind cannot read (ValidationError on ``levels``)."""
    kind = rule.kind
    if kind in {RuleKind.STEPS, RuleKind.LADDER}:
        bands(rule.levels)
    elif kind in {RuleKind.OPTIONS, RuleKind.DEDUCTIONS, RuleKind.SUM}:
        named_levels(rule.levels)
    elif kind == RuleKind.BONUS_PENALTY:
        named_levels(rule.levels, signed=True)
