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


QUOTA_SERIES = [("已使用", "s-used"), ("公示中占用", "s-reserved"), ("剩余", "s-left")]


def quota_text(values):  # as review.statistics prints the quota chart's figures
    return f"剩{values[2]} / 共{sum(values)}"


def test_a_six_digit_figure_after_the_longest_bar_fits_in_the_chart():
    rows = [("天河区", [61_000, 2_345, 74_000]), ("白云区", [900, 10, 90])]
    chart = charts.hbar_chart(id="c", title="t", rows=rows, series=QUOTA_SERIES, value_text=quota_text)
    tianhe = chart.rows[0]
    assert tianhe.value_text == "剩74000 / 共137345"
    assert tianhe.value_x + charts.text_width(tianhe.value_text) <= chart.width
    # The bars gave up the room: the longest still ends where the axis says (137,345 of 150,000).
    bar_end = tianhe.segments[-1].x + tianhe.segments[-1].width
    assert bar_end == pytest.approx(chart.plot_x + chart.plot_w * 137_345 / 150_000, abs=0.05)
    assert chart.ticks[-1].x == pytest.approx(chart.plot_x + chart.plot_w)


def test_short_figures_keep_the_usual_room_for_the_bars():
    chart = charts.hbar_chart(
        id="c", title="t", rows=[("天河区", [16, 8, 16])], series=QUOTA_SERIES, value_text=quota_text
    )
    assert chart.plot_w == charts.WIDTH - charts.LABEL_W - charts.VALUE_W


def test_text_width_counts_a_chinese_character_wider_than_a_digit():
    assert charts.text_width("剩") > charts.text_width("8") > 0
    assert charts.text_width("剩16 / 共40") < charts.VALUE_W
