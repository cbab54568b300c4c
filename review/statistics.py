"""Reads of the 统计分析 page: every table, and the chart drawn from it, for one set of filters.

Two queries whatever the data size: the counted cells (review.statistics_sql: a materialised view
on PostgreSQL, live on SQLite) and the quota rows (small, kept by quota.services). The districts
and categories come from the per-process reference lists; the years (and the time of the last
recount) are one more query, made for the filter form once per process and recount.

Scoping: a city administrator sees every district; a reviewer their own district only (the view
answers 404 when a reviewer asks for another's, review.access.access_statistics_district).
"""

import datetime
import math
from collections import defaultdict
from dataclasses import dataclass, field

from django.db import connection
from django.utils import timezone

from applications.choices import Status
from applications.policy import (
    ACCEPT_WORKING_DAYS,
    DECISION_EXTENSION_WORKING_DAYS,
    DECISION_WORKING_DAYS,
    OBJECTION_WORKING_DAYS,
)
from applications.reference import reference_lists
from core.cache import memoized_by_version
from hukou_card.models import HukouCard
from quota.models import Quota
from review import charts
from review.models import Objection, ServiceRating
from review.statistics_sql import VERSION as STATISTICS_VERSION
from review.statistics_sql import source_sql


@dataclass(frozen=True)
class StatisticsFilters:
    year: int | None = None  # None: every year
    district_id: int | None = None  # None: every district (city administrators only)
    category_id: int | None = None

    def query(self) -> dict[str, str]:
        """The filters as the page's query string (for the CSV links)."""
        return {
            "year": "" if self.year is None else str(self.year),
            **({"district": str(self.district_id)} if self.district_id else {}),
            **({"category": str(self.category_id)} if self.category_id else {}),
        }


@dataclass
class Table:
    """One data table of the page; the CSV export writes exactly these headers and rows."""

    key: str
    title: str
    headers: list[str]
    rows: list[list]
    footer: list | None = None
    note: str = ""

    @property
    def labelled_rows(self) -> list[list[tuple[str, object]]]:
        """Each cell with its column header: the phone layout (table-stack) prints it beside the value."""
        return [list(zip(self.headers, row, strict=True)) for row in self.rows]

    @property
    def labelled_footer(self) -> list[tuple[str, object]] | None:
        return list(zip(self.headers, self.footer, strict=True)) if self.footer else None


@dataclass
class Section:
    table: Table
    chart: object | None = None


@dataclass
class Statistics:
    filters: StatisticsFilters
    sections: list[Section] = field(default_factory=list)

    def table(self, key: str) -> Table | None:
        return next((s.table for s in self.sections if s.table.key == key), None)


def counts_are_live() -> bool:
    """SQLite counts on every read; PostgreSQL reads the view beat recounts every 10 minutes."""
    return connection.vendor != "postgresql"


def statistics_years() -> tuple[list[int], datetime.datetime | None]:
    """The years that have data (and this year), newest first; and when the counts were made.

    They change only when the view is recounted, which bumps STATISTICS_VERSION: each process
    keeps them until then, instead of scanning the whole view on every page view (live on SQLite).
    """
    if counts_are_live():
        counted_years, refreshed_at = _counted_years()
    else:
        counted_years, refreshed_at = memoized_by_version(STATISTICS_VERSION, _counted_years)
    years = set(counted_years) | {timezone.localdate().year}
    return sorted(years, reverse=True), refreshed_at


def _counted_years() -> tuple[list[int], datetime.datetime | None]:
    with connection.cursor() as cursor:
        sql = f"SELECT year, MAX(refreshed_at) FROM {source_sql(connection.vendor)} GROUP BY year"  # nosec B608  # noqa: S608 - no user input
        cursor.execute(sql, [])
        rows = cursor.fetchall()
    stamps = [_as_datetime(at) for _year, at in rows if at is not None]
    return [int(year) for year, _at in rows], max(stamps, default=None)


def _as_datetime(value) -> datetime.datetime:
    # SQLite hands back CURRENT_TIMESTAMP as text in UTC; PostgreSQL an aware datetime.
    if isinstance(value, str):
        value = datetime.datetime.fromisoformat(value).replace(tzinfo=datetime.UTC)
    return value


def _fact_cells(filters: StatisticsFilters) -> list[tuple[str, int, str, int, int, int]]:
    where, params = [], []
    for column, value in (
        ("year", filters.year), ("district_id", filters.district_id), ("category_id", filters.category_id)
    ):  # fmt: skip
        if value is not None:
            where.append(f"{column} = %s")
            params.append(value)
    sql = (
        f"SELECT kind, category_id, k1, k2, flag, SUM(n) FROM {source_sql(connection.vendor)}"  # nosec B608  # noqa: S608 - columns fixed above, values are parameters
        + (" WHERE " + " AND ".join(where) if where else "")
        + " GROUP BY kind, category_id, k1, k2, flag"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [
            (kind, int(cat), k1, int(k2), int(flag), int(n))
            for kind, cat, k1, k2, flag, n in cursor.fetchall()
        ]


def percentile(histogram: dict[int, int], q: float) -> int | None:
    """Nearest-rank percentile of a {days: count} histogram (None when it is empty)."""
    total = sum(histogram.values())
    if not total:
        return None
    rank = max(1, math.ceil(q * total))
    seen = 0
    for days in sorted(histogram):
        seen += histogram[days]
        if seen >= rank:
            return days
    return None  # pragma: no cover - the loop reaches rank


def _rate(part: int, whole: int) -> str:
    return f"{100 * part / whole:.1f}%" if whole else "—"


def build_statistics(*, filters: StatisticsFilters, counted: bool = True) -> Statistics:
    """Every table and chart for the filters (already scoped to what the user may see).
    `counted=False`: the quota only (live), for a page whose counted sections are cached."""
    stats = Statistics(filters=filters)
    stats.sections.append(_quota_section(filters))
    if not counted:
        return stats
    cells = _fact_cells(filters)
    categories = dict(reference_lists()["categories"])
    stats.sections.extend(_application_sections(cells, categories))
    stats.sections.append(_processing_section(cells))
    stats.sections.append(_objection_section(cells))
    stats.sections.append(_card_section(cells))
    stats.sections.append(_rating_section(cells))
    return stats


def _rating_section(cells) -> Section:
    """政务服务好差评: how the applicants rated the handling, once decided (review.models.ServiceRating)."""
    scores: dict[int, int] = defaultdict(int)
    for kind, _cat, _k1, score, _flag, n in cells:
        if kind == "rating":
            scores[score] += n
    total = sum(scores.values())
    rows = [
        [label, scores.get(value, 0), _rate(scores.get(value, 0), total)]
        for value, label in ServiceRating.Score.choices
    ]
    poor = sum(n for score, n in scores.items() if score <= ServiceRating.Score.DISSATISFIED)
    average = f"{sum(score * n for score, n in scores.items()) / total:.2f}" if total else "—"
    table = Table(
        key="ratings", title="政务服务好差评", headers=["评价等级", "件数", "占比"], rows=rows,
        footer=["合计", total, _rate(total, total)],
        note=f"平均{average}分（5分为非常满意）；差评（不满意、非常不满意）{poor}件，差评率{_rate(poor, total)}。",
    )  # fmt: skip
    chart = charts.hbar_chart(
        id="chart-ratings",
        title=table.title,
        rows=[(row[0], [row[1]]) for row in rows],
        series=[("件数", "s-0")],
    )
    return Section(table, chart)


def _quota_section(filters: StatisticsFilters) -> Section:
    # The six columns the table adds up, not Quota and Employer instances: read on every page view.
    quotas = Quota.objects.order_by("district_id", "employer__name").values_list(
        "district_id", "employer_id", "employer__name", "total_places", "reserved", "used"
    )
    if filters.year is not None:
        quotas = quotas.filter(year=filters.year)
    if filters.district_id is not None:
        quotas = quotas.filter(district_id=filters.district_id)
    districts = dict(reference_lists()["districts"])
    order = {pk: index for index, (pk, _name) in enumerate(reference_lists()["districts"])}
    totals: dict[tuple, list[int]] = defaultdict(lambda: [0, 0, 0])
    labels: dict[tuple, str] = {}
    for district_id, employer_id, employer_name, total_places, reserved, used in quotas:
        key = (order.get(district_id, 99), district_id, employer_name if employer_id else "")
        labels[key] = f"{employer_name}（五(四)专项）" if employer_id else f"{districts.get(district_id, '')}"
        cell = totals[key]
        cell[0] += total_places
        cell[1] += reserved
        cell[2] += used
    rows, chart_rows = [], []
    city = [0, 0, 0]
    for key in sorted(totals):
        total, reserved, used = totals[key]
        left = total - reserved - used
        rows.append([labels[key], total, reserved, used, left, _rate(reserved + used, total)])
        chart_rows.append((labels[key], [used, reserved, left]))
        if not key[2]:  # district rows only: a key employer's share is part of its district's plan
            city = [city[0] + total, city[1] + reserved, city[2] + used]
    footer = None
    if filters.district_id is None and rows:
        footer = [
            "全市合计（各区）",
            city[0],
            city[1],
            city[2],
            city[0] - city[1] - city[2],
            _rate(city[1] + city[2], city[0]),
        ]
    table = Table(
        key="quota", title="总量控制指标使用情况（各区及重点扶持用人单位）",
        headers=["区 / 专项单位", "指标总数", "公示中占用", "已使用", "剩余", "使用率"],
        rows=rows, footer=footer,
        note="总量控制指标只用于五、其他类，不按类别筛选；使用率 =（已使用 + 公示中占用）÷ 指标总数。",
    )  # fmt: skip
    chart = charts.hbar_chart(
        id="chart-quota", title=table.title, rows=chart_rows,
        series=[("已使用", "s-used"), ("公示中占用", "s-reserved"), ("剩余", "s-left")],
        value_text=lambda v: f"剩{v[2]} / 共{sum(v)}",
    )  # fmt: skip
    return Section(table, chart)


def _application_sections(cells, categories: dict[int, str]) -> list[Section]:
    by_status: dict[str, int] = defaultdict(int)
    by_category: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    by_month: dict[int, dict[int, int]] = defaultdict(lambda: defaultdict(int))
    state_by_month: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for kind, category_id, status, month, _flag, n in cells:
        if kind != "app":
            continue
        by_status[status] += n
        by_category[category_id][status] += n
        if status != Status.DRAFT and month:
            by_month[month][category_id] += n
            state_by_month[month][status] += n
    total = sum(by_status.values())
    state_rows = [
        [label, by_status.get(value, 0), _rate(by_status.get(value, 0), total)]
        for value, label in Status.choices
    ]
    states = Table(
        key="states", title="申报办理状态分布", headers=["办理状态", "件数", "占比"], rows=state_rows,
        footer=["合计", total, _rate(total, total)],
    )  # fmt: skip
    state_chart = charts.hbar_chart(
        id="chart-states", title=states.title, rows=[(row[0], [row[1]]) for row in state_rows],
        series=[("件数", "s-0")],
    )  # fmt: skip

    category_ids = [pk for pk in categories] + ([0] if 0 in by_category else [])
    names = {**categories, 0: "未选择类别（草稿）"}
    category_rows = []
    for pk in category_ids:
        counts = by_category.get(pk, {})
        submitted = sum(n for status, n in counts.items() if status != Status.DRAFT)
        category_rows.append(
            [
                names[pk],
                sum(counts.values()),
                submitted,
                counts.get(Status.PUBLISHED, 0),
                counts.get(Status.REJECTED, 0),
            ]
        )
    category_table = Table(
        key="categories", title="各类别申报情况",
        headers=["引进人才类别", "申报总数（含草稿）", "已提交", "已公布", "审核不通过"], rows=category_rows,
    )  # fmt: skip
    category_chart = charts.hbar_chart(
        id="chart-categories", title=category_table.title,
        rows=[(row[0], [row[3], row[2] - row[3]]) for row in category_rows],
        series=[("已公布", "s-2"), ("其他已提交", "s-0")],
        value_text=lambda v: f"已提交{sum(v)}",
    )  # fmt: skip

    months = sorted(by_month)
    shown = [pk for pk in categories]
    month_rows = [
        [f"{m // 100}年{m % 100}月", *[by_month[m].get(pk, 0) for pk in shown], sum(by_month[m].values())]
        for m in months
    ]
    timeline = Table(
        key="timeline", title="各类别申报件数（按首次提交月份）",
        headers=["月份", *[categories[pk] for pk in shown], "合计"], rows=month_rows,
        note="不含从未提交的草稿。",
    )  # fmt: skip
    palette = ["s-0", "s-1", "s-2", "s-3", "s-4", "s-5"]
    timeline_chart = charts.column_chart(
        id="chart-timeline", title=timeline.title,
        columns=[(row[0], _month_axis_label(m, months), row[1:-1]) for m, row in zip(months, month_rows, strict=True)],
        series=[(categories[pk], palette[i % len(palette)]) for i, pk in enumerate(shown)],
    )  # fmt: skip
    submitted_states = [(value, label) for value, label in STATE_SHORT_LABELS.items()]
    state_month_rows = [
        [
            f"{m // 100}年{m % 100}月",
            *[state_by_month[m].get(v, 0) for v, _ in submitted_states],
            sum(state_by_month[m].values()),
        ]
        for m in months
    ]
    state_timeline = Table(
        key="state_timeline", title="各办理状态申报件数（按首次提交月份）",
        headers=["月份", *[label for _, label in submitted_states], "合计"], rows=state_month_rows,
        note="每月首次提交的申报现在所处的办理状态；不含从未提交的草稿。",
    )  # fmt: skip
    state_timeline_chart = charts.column_chart(
        id="chart-state-timeline", title=state_timeline.title,
        columns=[(row[0], _month_axis_label(m, months), row[1:-1]) for m, row in zip(months, state_month_rows, strict=True)],
        series=[(label, f"s-{i}") for i, (_, label) in enumerate(submitted_states)],
    )  # fmt: skip
    return [
        Section(states, state_chart),
        Section(state_timeline, state_timeline_chart),
        Section(category_table, category_chart),
        Section(timeline, timeline_chart),
    ]


# The states a submitted application can be in, in the order of its life, as the columns say them.
STATE_SHORT_LABELS = {
    Status.SUBMITTED: "待受理",
    Status.UNDER_REVIEW: "审核中",
    Status.RETURNED: "退回补正",
    Status.IN_NOTICE: "公示中",
    Status.PUBLISHED: "已公布",
    Status.REJECTED: "审核不通过",
    Status.WITHDRAWN: "已撤回",
}


def _month_axis_label(month: int, months: list[int]) -> str:
    """Under the axis: 3月 within one year; 25/3 across years."""
    if len({m // 100 for m in months}) == 1:
        return f"{month % 100}月"
    return f"{month // 100 % 100}/{month % 100}"


PHASES = (
    ("accept", "受理（提交 → 受理或视同受理）", f"{ACCEPT_WORKING_DAYS}个工作日"),
    (
        "decide",
        "审核（受理 → 审核决定）",
        f"{DECISION_WORKING_DAYS}个工作日（可延长{DECISION_EXTENSION_WORKING_DAYS}个）",
    ),
)


def _processing_section(cells) -> Section:
    rows, chart_rows = [], []
    for kind, label, limit in PHASES:
        histogram: dict[int, int] = defaultdict(int)
        on_time = late = 0
        for cell_kind, _cat, _k1, days, flag, n in cells:
            if cell_kind != kind:
                continue
            histogram[days] += n
            if flag:
                on_time += n
            else:
                late += n
        count = on_time + late
        p50, p90 = percentile(histogram, 0.5), percentile(histogram, 0.9)
        rows.append(
            [
                label,
                count,
                "—" if p50 is None else p50,
                "—" if p90 is None else p90,
                limit,
                on_time,
                late,
                _rate(on_time, count),
            ]
        )
        chart_rows.append((label.split("（")[0], [on_time, late]))
    table = Table(
        key="processing", title="办理时长与法定时限",
        headers=["环节", "件数", "中位数（自然日）", "P90（自然日）", "法定时限", "按期", "超期", "按期率"],
        rows=rows,
        note="时长按自然日计（最近一次提交、受理、决定的日期之差）；按期与否按法定时限折算的期限日（工作日，含节假日调整）判断。",
    )  # fmt: skip
    chart = charts.hbar_chart(
        id="chart-processing", title=table.title, rows=chart_rows,
        series=[("按期", "s-used"), ("超期", "s-late")],
        value_text=lambda v: f"按期{_rate(v[0], sum(v))}",
    )  # fmt: skip
    return Section(table, chart)


def _objection_section(cells) -> Section:
    counts: dict[str, int] = defaultdict(int)
    on_time: dict[str, int] = defaultdict(int)
    for kind, _cat, status, _k2, flag, n in cells:
        if kind == "objection":
            counts[status] += n
            if flag:
                on_time[status] += n
    rows = []
    for value, label in Objection.Status.choices:
        settled = value != Objection.Status.OPEN
        rows.append([label, counts.get(value, 0), on_time.get(value, 0) if settled else "—"])
    total = sum(counts.values())
    decided = sum(counts.get(v, 0) for v in (Objection.Status.UPHELD, Objection.Status.DISMISSED))
    decided_on_time = sum(on_time.get(v, 0) for v in (Objection.Status.UPHELD, Objection.Status.DISMISSED))
    table = Table(
        key="objections", title="公示异议及处理结果",
        headers=["处理结果", "件数", f"其中{OBJECTION_WORKING_DAYS}个工作日内办结"], rows=rows,
        footer=["合计", total, decided_on_time], note=f"已办结{decided}件，按期率{_rate(decided_on_time, decided)}。",
    )  # fmt: skip
    chart = charts.hbar_chart(
        id="chart-objections", title=table.title, rows=[(row[0], [row[1]]) for row in rows],
        series=[("件数", "s-0")],
    )  # fmt: skip
    return Section(table, chart)


def _card_section(cells) -> Section:
    main: dict[str, int] = defaultdict(int)
    accompanying: dict[str, int] = defaultdict(int)
    for kind, _cat, status, _k2, flag, n in cells:
        if kind == "card":
            (main if flag else accompanying)[status] += n
    labels = {
        HukouCard.Status.VALID: "有效（未办理入户）",
        HukouCard.Status.USED: "已办理入户",
        HukouCard.Status.EXPIRED: "逾期未用，已过期",
        HukouCard.Status.CANCELLED: "已注销（放弃入户）",
    }
    rows = [
        [
            labels[value],
            main.get(value, 0),
            accompanying.get(value, 0),
            main.get(value, 0) + accompanying.get(value, 0),
        ]
        for value in labels
    ]
    issued_main, issued_acc = sum(main.values()), sum(accompanying.values())
    table = Table(
        key="cards", title="入户信息卡签发及使用情况", headers=["状态", "主迁", "随迁", "合计"], rows=rows,
        footer=["已签发合计", issued_main, issued_acc, issued_main + issued_acc],
        note="有效期已过而尚未注销的卡计为已过期。",
    )  # fmt: skip
    chart = charts.hbar_chart(
        id="chart-cards", title=table.title, rows=[(row[0], [row[1], row[2]]) for row in rows],
        series=[("主迁", "s-0"), ("随迁", "s-1")],
    )  # fmt: skip
    return Section(table, chart)
