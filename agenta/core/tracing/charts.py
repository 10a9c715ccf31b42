"""Server-rendered SVG line charts for the observability dashboard (no JavaScript).

`line_chart(chart)` draws one or more series over the same x positions (the dashboard's
time buckets): a y axis from zero to a round maximum with three grid lines, a polyline per
series (broken where a value is missing, e.g. a latency percentile of an empty bucket), a
circle per present value with a `<title>` tooltip ("label: value"), x labels at the first,
middle and last positions, and a legend. Each series is a `<g data-series="name">`, so its
points can be counted and styled (`series-0`, `series-1`, ... classes; colours are in the
stylesheet).

The result is `Markup` for a template: every piece of text in it is escaped here, since
the template cannot escape inside it.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from html import escape

from markupsafe import Markup

WIDTH = 640
HEIGHT = 220
_LEFT, _RIGHT, _TOP, _BOTTOM = 64, 12, 12, 44
_PLOT_WIDTH = WIDTH - _LEFT - _RIGHT
_PLOT_HEIGHT = HEIGHT - _TOP - _BOTTOM
_NICE_STEPS = (1.0, 2.0, 2.5, 5.0, 10.0)


@dataclass(frozen=True, slots=True)
class Series:
    """One line: a name (shown in the legend) and a value per x position (None = gap)."""

    name: str
    values: Sequence[float | None]


@dataclass(frozen=True, slots=True)
class Chart:
    """A chart: `key` names it in the markup, `labels` name the x positions."""

    key: str
    title: str
    labels: Sequence[str]
    series: Sequence[Series]
    format_value: Callable[[float], str] = lambda value: f"{value:g}"


def line_chart(chart: Chart) -> Markup:
    """The chart as an inline `<svg>` element (see the module docstring)."""
    count = len(chart.labels)
    for series in chart.series:
        if len(series.values) != count:
            raise ValueError(
                f"series {series.name!r} has {len(series.values)} values for {count} labels"
            )
    top = nice_ceiling(max((v for s in chart.series for v in s.values if v is not None), default=0))
    parts = [
        f'<svg class="chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
        f'data-chart="{escape(chart.key)}" aria-label="{escape(chart.title)}">',
        f"<title>{escape(chart.title)}</title>",
        *_grid(top, chart.format_value),
        *_x_labels(chart.labels),
    ]
    for index, series in enumerate(chart.series):
        parts.extend(_series(index, series, chart.labels, top, chart.format_value))
    parts.extend(_legend(chart.series))
    parts.append("</svg>")
    return Markup("".join(parts))


def nice_ceiling(value: float) -> float:
    """The smallest of 1, 2, 2.5, 5 times a power of ten that is at least `value` (1 for 0)."""
    if value <= 0 or not math.isfinite(value):
        return 1.0
    magnitude = 10 ** math.floor(math.log10(value))
    for step in _NICE_STEPS:
        if step * magnitude >= value * (1 - 1e-12):
            return step * magnitude
    return 10 * magnitude


def x_of(index: int, count: int) -> float:
    """The x coordinate of position `index` of `count` (a single point sits in the middle)."""
    if count <= 1:
        return _LEFT + _PLOT_WIDTH / 2
    return _LEFT + _PLOT_WIDTH * index / (count - 1)


def y_of(value: float, top: float) -> float:
    """The y coordinate of `value` on an axis from 0 to `top`."""
    return _TOP + _PLOT_HEIGHT * (1 - min(max(value / top, 0.0), 1.0))


def _grid(top: float, format_value: Callable[[float], str]) -> list[str]:
    lines = ['<g class="grid">']
    for fraction in (0.0, 0.5, 1.0):
        y = _round(y_of(top * fraction, top))
        lines.append(f'<line x1="{_LEFT}" y1="{y}" x2="{WIDTH - _RIGHT}" y2="{y}"/>')
        label = escape(format_value(top * fraction))
        lines.append(
            f'<text class="axis" x="{_LEFT - 6}" y="{y + 4}" text-anchor="end">{label}</text>'
        )
    lines.append("</g>")
    return lines


def _x_labels(labels: Sequence[str]) -> list[str]:
    count = len(labels)
    if count == 0:
        return []
    positions = sorted({0, count // 2, count - 1})
    y = HEIGHT - _BOTTOM + 16
    texts = []
    for index in positions:
        anchor = "start" if index == 0 and count > 1 else "end" if index == count - 1 else "middle"
        x = _round(x_of(index, count))
        label = escape(labels[index])
        texts.append(f'<text class="axis" x="{x}" y="{y}" text-anchor="{anchor}">{label}</text>')
    return texts


def _series(
    index: int,
    series: Series,
    labels: Sequence[str],
    top: float,
    format_value: Callable[[float], str],
) -> list[str]:
    name = escape(series.name)
    parts = [f'<g class="series series-{index}" data-series="{name}">']
    for run in _runs(series.values):
        points = " ".join(f"{_round(x_of(i, len(labels)))},{_round(y_of(v, top))}" for i, v in run)
        parts.append(f'<polyline points="{points}"/>')
    for position, value in enumerate(series.values):
        if value is None:
            continue
        x, y = _round(x_of(position, len(labels))), _round(y_of(value, top))
        tip = escape(f"{labels[position]}: {format_value(value)}")
        parts.append(f'<circle class="point" cx="{x}" cy="{y}" r="3"><title>{tip}</title></circle>')
    parts.append("</g>")
    return parts


def _runs(values: Sequence[float | None]) -> list[list[tuple[int, float]]]:
    """Consecutive present values, as (position, value) runs of two points or more."""
    runs: list[list[tuple[int, float]]] = [[]]
    for position, value in enumerate(values):
        if value is None:
            runs.append([])
        else:
            runs[-1].append((position, value))
    return [run for run in runs if len(run) > 1]


def _legend(series: Sequence[Series]) -> list[str]:
    if len(series) < 2:
        return []
    parts = ['<g class="legend">']
    x = _LEFT
    y = HEIGHT - 8
    for index, item in enumerate(series):
        parts.append(
            f'<rect class="swatch series-{index}" x="{x}" y="{y - 9}" width="10" height="10"/>'
        )
        parts.append(f'<text x="{x + 14}" y="{y}">{escape(item.name)}</text>')
        x += 24 + 8 * len(item.name)
    parts.append("</g>")
    return parts


def _round(value: float) -> float:
    return round(value, 1)
