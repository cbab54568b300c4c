"""The SVG geometry of the 统计分析 charts (review.charts): axes end on round numbers with whole-number
gridlines, and a bar is as long as its value says."""

import pytest

from review import charts


@pytest.mark.parametrize(
    ("top", "end", "lines"),
    [(0, 1, [0, 1]), (3, 3, [0, 1, 2, 3]), (7, 8, [0, 2, 4, 6, 8]), (54, 60, [0, 20, 40, 60]),
     (101, 150, [0, 50, 100, 150]), (99_999, 100_000, [0, 20_000, 40_000, 60_000, 80_000, 100_000])],
)  # fmt: skip
def test_axis_ends_on_a_round_number_with_whole_gridlines(top, end, lines):
    assert charts.nice_ceiling(top) == end
    steps = charts.tick_steps(end)
    assert [end * i / steps for i in range(steps + 1)] == lines


def test_stacked_bar_lengths_follow_the_values():
    chart = charts.hbar_chart(
        id="c", title="t", rows=[("天河区", [30, 10, 20]), ("白云区", [0, 0, 0])],
        series=[("已使用", "s-used"), ("公示中占用", "s-reserved"), ("剩余", "s-left")],
    )  # fmt: skip
    tianhe, baiyun = chart.rows
    plot_w = charts.WIDTH - charts.LABEL_W - charts.VALUE_W
    # 60 in all on an axis of 0…60: the bar fills the plot, each part in proportion.
    assert [round(s.width, 1) for s in tianhe.segments] == [round(plot_w * f, 1) for f in (0.5, 1 / 6, 1 / 3)]
    assert tianhe.segments[1].x == pytest.approx(tianhe.segments[0].x + tianhe.segments[0].width)
    assert tianhe.segments[0].title == "天河区 已使用：30"
    assert baiyun.segments == [] and baiyun.value_text == "0"
    assert [t.label for t in chart.ticks] == ["0", "20", "40", "60"]


def test_columns_label_at_most_twelve_months():
    columns = [(f"2025年{m}月", f"{m}月", [m, 1]) for m in range(1, 13)] * 2
    chart = charts.column_chart(id="c", title="t", columns=columns, series=[("a", "s-0"), ("b", "s-1")])
    assert sum(column.show_label for column in chart.columns) == 12
    tallest = max(chart.columns, key=lambda c: sum(h for _y, h, _css, _t in c.segments))
    assert tallest.segments[-1][0] == pytest.approx(chart.plot_bottom - 188 * 13 / 15, abs=0.01)  # 13 of 15, 188 px high
    assert charts.column_chart(id="e", title="t", columns=[], series=[]).empty
