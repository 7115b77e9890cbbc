"""Geometry of the dashboard's SVG charts, drawn on the server (no script, no CDN).

Coordinates are returned as text with a decimal point, so that the template's
localization (which writes 0,5) never reaches an SVG attribute.
"""

from __future__ import annotations

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
    label_y: str
    backdrop: Bar
    bars: list[Bar]


AREA_SERIES = (
    ("baseline", "bar-baseline"),
    ("forecast", "bar-forecast"),
    ("target", "bar-target"),
)


def area_chart(areas: list[CriterionFigures], *, width: int = 640) -> dict[str, object]:
    """Per area, three bars (baseline, forecast, target) on one scale of points, over
    a pale bar for the area's standard score."""
    label_w, bar_h, gap, pad = 190, 12, 18, 4
    plot_w = width - label_w - 70
    top = max((a.max_score for a in areas), default=Decimal(0)) or Decimal(1)
    groups = []
    y = pad
    for area in areas:
        group_h = bar_h * len(AREA_SERIES)
        backdrop = Bar(
            "max",
            area.max_score,
            _n(label_w),
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
                    _n(label_w),
                    _n(y + i * bar_h + 1),
                    _n(max(float(value / top) * plot_w, 0.0)),
                    _n(bar_h - 2),
                    css,
                )
            )
        groups.append(AreaGroup(area, _n(y + group_h / 2 + 4), backdrop, bars))
        y += group_h + gap
    return {
        "width": width,
        "height": int(y),
        "label_x": label_w - 8,
        "value_x": _n(label_w + plot_w + 6),
        "groups": groups,
    }


@dataclass
class RankBar:
    name: str
    index: Decimal | None
    rank: int
    is_self: bool
    y: str
    text_y: str
    width: str
    value_x: str


def ranking_chart(figures: PlanFigures, *, width: int = 820) -> dict[str, object]:
    """Every unit of the table, highest index first (peers moved by the assumed
    change), the organization's bar at its baseline index, and a mark at each
    scenario's index."""
    units = [(p, p.index) for p in figures.ranking if p.index is not None]
    if not units or figures.baseline_index is None:
        return {}
    label_w, row_h = 330, 16
    plot_w = width - label_w - 60
    values = [index for _unit, index in units] + [
        s.index for s in figures.scenarios.values() if s.index is not None
    ]
    low = Decimal(int(min(values)) // 10 * 10)
    low = max(low - 10, Decimal(0)) if low == min(values) else low
    span = max(Decimal(100) - low, Decimal(1))

    def x_of(value: Decimal) -> float:
        return label_w + float((value - low) / span) * plot_w

    ordered = sorted(units, key=lambda u: (-u[1], not u[0].is_self, u[0].row.position))
    top = 44
    bars = []
    for i, (unit, index) in enumerate(ordered):
        y = top + i * row_h
        bars.append(
            RankBar(
                name=unit.row.name,
                index=index,
                rank=1 + sum(1 for _other, o in ordered if o > index),
                is_self=unit.is_self,
                y=_n(y + 2),
                text_y=_n(y + row_h - 4),
                width=_n(x_of(index) - label_w),
                value_x=_n(x_of(index) + 4),
            )
        )
    bottom = top + len(ordered) * row_h
    marks = []
    for key in ("forecast", "target"):
        scenario = figures.scenarios[key]
        assert scenario.index is not None  # known with the baseline index
        marks.append(
            {
                "key": key,
                "label": scenario.label,
                "index": scenario.index,
                "rank": scenario.rank,
                "x": _n(x_of(scenario.index)),
                "anchor": "end" if x_of(scenario.index) > label_w + 260 else "start",
                "label_y": "14" if key == "forecast" else "32",
                "line_y": "18" if key == "forecast" else "36",
            }
        )
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
        "top": top,
        "bottom": bottom,
        "axis_y": bottom + 14,
        "bars": bars,
        "marks": marks,
        "ticks": ticks,
    }
