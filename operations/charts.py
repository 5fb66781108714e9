"""Small server-side SVG charts: the geometry is computed here, the templates draw it.

No JavaScript and nothing fetched; every bar and point carries a title with its number, and the
page shows the same numbers in a table.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Tick:
    position: float
    label: str


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    label: str
    value: float
    title: str

    @property
    def end_x(self) -> float:
        return self.x + self.width

    @property
    def middle_y(self) -> float:
        return self.y + self.height / 2


@dataclass(frozen=True)
class Point:
    x: float
    y: float
    title: str


@dataclass(frozen=True)
class Series:
    name: str
    css_class: str
    points: list[Point]

    @property
    def path(self) -> str:
        """An SVG path through the points in order (a gap where a week had no answers is bridged)."""
        return " ".join(f"{'M' if i == 0 else 'L'}{p.x:.1f},{p.y:.1f}" for i, p in enumerate(self.points))


@dataclass(frozen=True)
class Chart:
    width: int
    height: int
    left: float
    top: float
    right: float
    bottom: float
    y_ticks: list[Tick] = field(default_factory=list)
    x_ticks: list[Tick] = field(default_factory=list)
    bars: list[Bar] = field(default_factory=list)
    series: list[Series] = field(default_factory=list)

    @property
    def y_label_x(self) -> float:
        return self.left - 6

    @property
    def x_label_y(self) -> float:
        return self.bottom + 18


def nice_scale(value: float, max_steps: int = 5) -> tuple[float, float]:
    """The top of an axis and its step for values up to `value`: a step of 1, 2 or 5 times a power of ten,
    at most `max_steps` steps, so every tick is a round number (an empty chart gets 0 to 1)."""
    if value <= 0:
        return 1, 1
    power = 10 ** math.floor(math.log10(value / max_steps)) if value >= max_steps else 1
    for factor in (1, 2, 5):
        step = factor * power
        if math.ceil(value / step) <= max_steps:
            return math.ceil(value / step) * step, step
    # power was chosen so that value / max_steps < 10 * power: ten powers always fit.
    return math.ceil(value / (10 * power)) * 10 * power, 10 * power


def _number(value: float) -> str:
    return f"{value:.0f}" if value == int(value) else f"{value:.1f}"


def _y_ticks(top_value: float, step: float, top: float, bottom: float, unit: str = "") -> list[Tick]:
    count = round(top_value / step)
    return [
        Tick(position=bottom - (bottom - top) * i / count, label=f"{_number(step * i)}{unit}") for i in range(count + 1)
    ]


def column_chart(
    labels: Sequence[str],
    values: Sequence[float],
    titles: Sequence[str],
    *,
    width: int = 720,
    height: int = 220,
    label_every: int = 1,
) -> Chart:
    """Vertical bars, one per label; every `label_every`-th label is written under the axis."""
    left, top, right, bottom = 44.0, 12.0, width - 8.0, height - 28.0
    top_value, step = nice_scale(max(values, default=0))
    slot = (right - left) / max(len(values), 1)
    bars = []
    for i, (label, value, title) in enumerate(zip(labels, values, titles, strict=True)):
        bar_height = (bottom - top) * value / top_value
        bars.append(
            Bar(
                x=round(left + i * slot + slot * 0.15, 1),
                y=round(bottom - bar_height, 1),
                width=round(slot * 0.7, 1),
                height=round(bar_height, 1),
                label=label,
                value=value,
                title=title,
            )
        )
    x_ticks = [Tick(position=bar.x + bar.width / 2, label=bar.label) for bar in bars[::label_every]]
    return Chart(width, height, left, top, right, bottom, _y_ticks(top_value, step, top, bottom), x_ticks, bars)


def bar_chart(
    labels: Sequence[str], values: Sequence[float], titles: Sequence[str], *, width: int = 720, label_width: int = 190
) -> Chart:
    """Horizontal bars, one row per label (for named categories such as departments)."""
    row = 26.0
    left, top = float(label_width), 6.0
    bottom = top + row * max(len(values), 1)
    right = width - 48.0
    top_value, _ = nice_scale(max(values, default=0))
    bars = [
        Bar(
            x=left,
            y=top + i * row + 4,
            width=round((right - left) * value / top_value, 1),
            height=row - 8,
            label=label,
            value=value,
            title=title,
        )
        for i, (label, value, title) in enumerate(zip(labels, values, titles, strict=True))
    ]
    return Chart(width, int(bottom + 8), left, top, right, bottom, bars=bars)


def line_chart(
    labels: Sequence[str],
    series: Sequence[tuple[str, str, Sequence[float | None], Sequence[str]]],
    *,
    width: int = 720,
    height: int = 240,
    unit: str = "",
) -> Chart:
    """Lines over the same labels; each series is (name, css class, values with None for no data, titles)."""
    left, top, right, bottom = 52.0, 12.0, width - 24.0, height - 28.0
    known = [value for _, _, values, _ in series for value in values if value is not None]
    top_value, step = nice_scale(max(known, default=0))
    spacing = (right - left) / max(len(labels) - 1, 1)
    drawn = [
        Series(
            name=name,
            css_class=css_class,
            points=[
                Point(
                    x=round(left + i * spacing, 1), y=round(bottom - (bottom - top) * value / top_value, 1), title=title
                )
                for i, (value, title) in enumerate(zip(values, titles, strict=True))
                if value is not None
            ],
        )
        for name, css_class, values, titles in series
    ]
    x_ticks = [Tick(position=round(left + i * spacing, 1), label=label) for i, label in enumerate(labels)]
    return Chart(
        width, height, left, top, right, bottom, _y_ticks(top_value, step, top, bottom, unit), x_ticks, series=drawn
    )
