"""Geometry of the 统计分析 page's charts, drawn as inline SVG by templates/review/_chart_*.html.

No script and no chart library: the server works out every rectangle, so the charts are in the
HTML as it arrives (CSP script-src 'self' holds, nothing to load, printable). Colours are CSS
classes (static/review/review.css); each chart is followed by its data table on the page.
"""

import math
import unicodedata
from dataclasses import dataclass, field

WIDTH = 560
ROW = 26  # height of one horizontal bar row
LABEL_W = 170  # room for the row labels left of the bars
VALUE_W = 100  # least room for the figure right of the bars ("剩16 / 共40"); more if it is longer
TOP = 24  # room for the axis labels above the bars


# Axis ends, as multiples of a power of ten, and how many gridline intervals each gets so that
# every line falls on a whole number (60 → 0 20 40 60, 15 → 0 5 10 15, 8 → 0 2 4 6 8).
AXIS_ENDS = {1: 5, 1.5: 3, 2: 4, 3: 3, 4: 4, 5: 5, 6: 3, 8: 4}


def text_width(text: str) -> float:
    """About how wide `text` is at the charts' 13 px (static/review/review.css): a Chinese
    character 13 px, a digit, letter or sign at most 7.5."""
    return sum(13.0 if unicodedata.east_asian_width(ch) in "WF" else 7.5 for ch in text)


def nice_ceiling(value: float) -> int:
    """The axis end: the smallest of AXIS_ENDS × 10^k at or above `value` (at least 1)."""
    if value <= 1:
        return 1
    power = 10 ** math.floor(math.log10(value))
    for multiple in sorted(AXIS_ENDS):
        if value <= multiple * power:
            return int(multiple * power)
    return int(10 * power)


@dataclass
class Segment:
    x: float
    width: float
    css: str
    title: str


@dataclass
class HRow:
    label: str
    y: float
    segments: list[Segment]
    value_text: str
    value_x: float
    text_y: float = 0.0  # baseline of the row's label and figure


@dataclass
class Tick:
    x: float
    label: str


@dataclass
class Series:
    name: str
    css: str


@dataclass
class HBarChart:
    """Horizontal bars, one row per label, each bar the stack of its series' values."""

    kind = "hbar"  # which template draws it (templates/review/_chart_<kind>.html)

    id: str
    title: str
    rows: list[HRow]
    legend: list[Series]
    ticks: list[Tick]
    width: int = WIDTH
    height: int = 0
    plot_x: int = LABEL_W
    plot_w: int = WIDTH - LABEL_W - VALUE_W
    top: int = TOP
    empty: bool = False


def hbar_chart(
    *, id: str, title: str, rows: list[tuple[str, list[int]]], series: list[tuple[str, str]],
    value_text=None,
) -> HBarChart:  # fmt: skip
    """`rows` are (label, one value per series); `series` (name, css class). `value_text(values)`
    gives the figure printed after a bar (default: the sum)."""
    texts = [value_text(values) if value_text else str(sum(values)) for _label, values in rows]
    # The figure after the longest bar must fit in the chart: a city's six-digit quota
    # ("剩123456 / 共234567") is wider than VALUE_W, so the bars give up the room it needs.
    value_w = max(VALUE_W, math.ceil(max(map(text_width, texts), default=0)) + 12)
    plot_w = WIDTH - LABEL_W - value_w
    top = max((sum(values) for _label, values in rows), default=0)
    end = nice_ceiling(top)
    scale = plot_w / end
    chart_rows = []
    for index, ((label, values), text) in enumerate(zip(rows, texts, strict=True)):
        y = TOP + index * ROW
        x = float(LABEL_W)
        segments = []
        for (name, css), value in zip(series, values, strict=True):
            if value:
                segments.append(
                    Segment(
                        x=round(x, 2),
                        width=round(value * scale, 2),
                        css=css,
                        title=f"{label} {name}：{value}",
                    )
                )
                x += value * scale
        chart_rows.append(
            HRow(
                label=label,
                y=y + 4,
                segments=segments,
                value_text=text,
                value_x=round(x + 6, 2),
                text_y=y + 17,
            )
        )
    steps = tick_steps(end)
    ticks = [
        Tick(x=round(LABEL_W + plot_w * i / steps, 2), label=_tick_label(end * i / steps))
        for i in range(steps + 1)
    ]
    return HBarChart(
        id=id, title=title, rows=chart_rows, legend=[Series(n, c) for n, c in series], ticks=ticks,
        height=TOP + len(rows) * ROW + 8, plot_w=plot_w, empty=top == 0,
    )  # fmt: skip


def tick_steps(end: int) -> int:
    """How many gridline intervals the axis 0…end gets (AXIS_ENDS), never more than `end`."""
    power = 10 ** math.floor(math.log10(end))
    multiple = end / power
    steps = AXIS_ENDS.get(multiple if multiple != int(multiple) else int(multiple), 5)
    return min(steps, end)


def _tick_label(value: float) -> str:
    return str(int(value)) if value == int(value) else f"{value:.1f}"


@dataclass
class Column:
    x: float
    width: float
    segments: list[tuple[float, float, str, str]]  # y, height, css, title
    label: str
    axis_label: str
    show_label: bool
    center: float = 0.0


@dataclass
class ColumnChart:
    """Stacked columns over time (months), one colour per series."""

    kind = "columns"

    id: str
    title: str
    columns: list[Column]
    legend: list[Series]
    gridlines: list[tuple[float, str]] = field(default_factory=list)
    width: int = WIDTH
    height: int = 240
    plot_x: int = 44
    plot_bottom: int = 200
    empty: bool = False


def column_chart(
    *, id: str, title: str, columns: list[tuple[str, str, list[int]]], series: list[tuple[str, str]]
) -> ColumnChart:
    """`columns` are (label, short label under the axis, one value per series)."""
    plot_x, plot_top, plot_bottom, right = 44, 12, 200, 8
    plot_w = WIDTH - plot_x - right
    plot_h = plot_bottom - plot_top
    top = max((sum(values) for _label, _axis, values in columns), default=0)
    end = nice_ceiling(top)
    slot = plot_w / max(len(columns), 1)
    every = max(1, math.ceil(len(columns) / 12))  # at most 12 month labels under the axis
    chart_columns = []
    for index, (label, axis_label, values) in enumerate(columns):
        y = float(plot_bottom)
        segments = []
        for (name, css), value in zip(series, values, strict=True):
            if value:
                height = value * plot_h / end
                y -= height
                segments.append((round(y, 2), round(height, 2), css, f"{label} {name}：{value}"))
        chart_columns.append(
            Column(
                x=round(plot_x + index * slot + slot * 0.15, 2), width=round(slot * 0.7, 2),
                segments=segments, label=label, axis_label=axis_label, show_label=index % every == 0,
                center=round(plot_x + index * slot + slot / 2, 2),
            )
        )  # fmt: skip
    steps = tick_steps(end)
    gridlines = [
        (round(plot_bottom - plot_h * i / steps, 2), _tick_label(end * i / steps)) for i in range(steps + 1)
    ]
    return ColumnChart(
        id=id, title=title, columns=chart_columns, legend=[Series(n, c) for n, c in series],
        gridlines=gridlines, plot_x=plot_x, plot_bottom=plot_bottom, empty=top == 0,
    )  # fmt: skip
