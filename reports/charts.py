"""Geometry of the dashboard's SVG charts, drawn on the server (no script, no CDN).

Coordinates are returned as text with a decimal point, so that the template's
localization (which writes 0,5) never reaches an SVG attribute.
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass
from decimal import Decimal

from reports.figures import PlanFigures
from reports.forecast import CriterionFigures


def _n(value: float) -> str:
    return f"{value:.1f}"


@dataclass
class Bar:
    label: str
    value: Decimal
    x: str
    y: str
    width: str
    height: str
    css: str


@dataclass
class AreaGroup:
    row: CriterionFigures
    title_lines: list[tuple[str, str]]  # (y, text): the area's title, wrapped
    value_y: str
    backdrop: Bar
    bars: list[Bar]


AREA_SERIES = (
    ("baseline", "bar-baseline"),
    ("forecast", "bar-forecast"),
    ("target", "bar-target"),
)

# The area chart is 400 units wide and its titles 14 units high, 40 capitals a
# line, so that on a 390 px phone they read at about 12 px (its width is capped on
# a desktop, dashboard.css).
AREA_TITLE_CHARS = 40


def _wrap(text: str, width: int, *, lines: int = 3) -> list[str]:
    wrapped = textwrap.wrap(" ".join(text.split()), width) or [""]
    if len(wrapped) > lines:
        wrapped = [
            *wrapped[: lines - 1],
            textwrap.shorten(" ".join(wrapped[lines - 1 :]), width, placeholder=" …"),
        ]
    return wrapped


def area_chart(areas: list[CriterionFigures], *, width: int = 400) -> dict[str, object]:
    """Per area, its title (wrapped, whole) over three bars (baseline, forecast,
    target) on one scale of points, over a pale bar for the area's standard score,
    and the forecast / target at the right."""
    bar_h, gap, line_h, value_w = 12, 14, 17, 76
    plot_w = width - value_w
    top = max((a.max_score for a in areas), default=Decimal(0)) or Decimal(1)
    groups = []
    y = 2.0
    for area in areas:
        title = _wrap(f"{area.code}. {area.title}", AREA_TITLE_CHARS)
        title_lines = [(_n(y + line_h * (i + 1) - 3), t) for i, t in enumerate(title)]
        y += line_h * len(title) + 2
        group_h = bar_h * len(AREA_SERIES)
        backdrop = Bar(
            "max",
            area.max_score,
            "0",
            _n(y),
            _n(float(area.max_score / top) * plot_w),
            _n(group_h),
            "bar-max",
        )
        bars = []
        for i, (attr, css) in enumerate(AREA_SERIES):
            value = getattr(area, attr)
            bars.append(
                Bar(
                    attr,
                    value,
                    "0",
                    _n(y + i * bar_h + 1),
                    _n(max(float(value / top) * plot_w, 0.0)),
                    _n(bar_h - 2),
                    css,
                )
            )
        groups.append(
            AreaGroup(area, title_lines, _n(y + group_h / 2 + 4), backdrop, bars)
        )
        y += group_h + gap
    return {
        "width": width,
        "height": int(y),
        "value_x": _n(plot_w + 6),
        "groups": groups,
    }


@dataclass
class RankRow:
    """A row of the ranking chart: a unit of the table (``peer``, ``self`` at its
    baseline index), a scenario of the organization placed where its index puts it
    (``forecast``, ``target``, ``self_assessed``), or the ``goal`` line: every
    position above it has the goal's rank or better. Each row has its own height,
    so no line crosses a label and no two labels meet."""

    kind: str
    name: str
    index: Decimal | None
    rank: int | None
    y: str
    text_y: str
    width: str
    value_x: str


RANK_SCENARIOS = (
    ("self", "self_assessed"),
    ("forecast", "forecast"),
    ("target", "target"),
)


def ranking_chart(figures: PlanFigures, *, width: int = 820) -> dict[str, object]:
    """Every unit of the table, highest index first (peers moved by the assumed
    change), the organization's bar at its baseline index, a row for each of its
    scenarios (self-assessed, forecast, all targets met) at the index it gives, and
    the line of the goal's rank."""
    units = [(p, p.index) for p in figures.ranking if p.index is not None]
    if not units or figures.baseline_index is None:
        return {}
    label_w, row_h = 330, 18
    plot_w = width - label_w - 130
    scenarios = [
        (kind, figures.scenarios[key])
        for key, kind in RANK_SCENARIOS
        if key in figures.scenarios and figures.scenarios[key].index is not None
    ]
    values = [index for _unit, index in units] + [
        s.index for _kind, s in scenarios if s.index is not None
    ]
    low = Decimal(int(min(values)) // 10 * 10)
    low = max(low - 10, Decimal(0)) if low == min(values) else low
    span = max(Decimal(100) - low, Decimal(1))

    def x_of(value: Decimal) -> float:
        return label_w + float((value - low) / span) * plot_w

    ordered = sorted(units, key=lambda u: (-u[1], not u[0].is_self, u[0].row.position))
    peer_values = [index for unit, index in ordered if not unit.is_self]
    # (sort value, tie order, kind, name, index, rank): scenarios go above the units
    # of an equal index (an equal index shares their rank)
    entries: list[tuple[Decimal, int, str, str, Decimal | None, int | None]] = []
    for unit, index in ordered:
        rank = 1 + sum(1 for _other, o in ordered if o > index)
        kind = "self" if unit.is_self else "peer"
        entries.append((index, 1, kind, unit.row.name, index, rank))
    for kind, scenario in scenarios:
        assert scenario.index is not None  # filtered above
        entries.append(
            (scenario.index, 0, kind, scenario.label, scenario.index, scenario.rank)
        )
    goal_rank = None
    if figures.baseline_rank is not None:
        goal_rank = max(figures.baseline_rank - figures.plan.rank_goal, 1)
        if goal_rank <= len(peer_values):
            # below the goal_rank-th peer: a position at or above its index ranks
            # goal_rank or better
            entries.append((peer_values[goal_rank - 1], 2, "goal", "", None, goal_rank))
        else:
            goal_rank = None
    entries.sort(key=lambda e: (-e[0], e[1]))
    top = 6
    rows = []
    for i, (_value, _tie, kind, name, at, place) in enumerate(entries):
        y = top + i * row_h
        rows.append(
            RankRow(
                kind=kind,
                name=name,
                index=at,
                rank=place,
                y=_n(y + 3),
                text_y=_n(y + row_h - 5),
                width=_n(x_of(at) - label_w) if at is not None else "0",
                value_x=_n(x_of(at) + 4) if at is not None else "0",
            )
        )
    bottom = top + len(rows) * row_h
    ticks = []
    step = Decimal(5) if span <= 40 else Decimal(10)
    value = low
    while value <= 100:
        ticks.append({"value": value, "x": _n(x_of(value))})
        value += step
    return {
        "width": width,
        "height": bottom + 20,
        "label_x": label_w - 6,
        "plot_left": label_w,
        "plot_right": _n(label_w + plot_w),
        "top": top,
        "bottom": bottom,
        "axis_y": bottom + 14,
        "rows": rows,
        "goal_rank": goal_rank,
        "ticks": ticks,
    }
