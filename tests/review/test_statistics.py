"""统计分析 (/console/statistics/): each figure on a small data set whose answers are worked out by
hand, who may see what, the filters, the CSV downloads and the page's query count.

The data set is made with factories (exact timestamps: a processing time is a difference of two
dates) except one application walked through the real services (tests.builders), which must show
up like any other. On PostgreSQL the page reads a materialised view: `counted` refreshes it, as
beat does in production; on SQLite the same SELECT runs live.
"""

import csv
import datetime
import io
from zoneinfo import ZoneInfo

import pytest
from django import forms
from django.template import Context, Template
from django.urls import reverse

from applications.choices import Status
from hukou_card.models import HukouCard
from review import services
from review.forms import StatisticsFilterForm
from review.models import Objection, ServiceRating
from review.statistics import StatisticsFilters, build_statistics, percentile
from tests import factories
from tests.builders import build_application
from tests.core.test_form_fields import _normalised

URL = reverse("review:statistics")
CN = ZoneInfo("Asia/Shanghai")
YEAR = 2025


def at(month: int, day: int, hour: int = 10, minute: int = 0) -> datetime.datetime:
    return datetime.datetime(YEAR, month, day, hour, minute, tzinfo=CN)


def app(status, *, district, sub="2.2", year=YEAR, **fields):
    return factories.ApplicationFactory(
        submitted=True, status=status, year=year, district=district, subcategory=factories.subcategory(sub),
        **fields,
    )  # fmt: skip


@pytest.fixture
def dataset(db, district, other_district):
    """天河 (the reviewer's district) and 白云, year 2025; the answers are in the tests."""
    data = {}
    # 天河, 学历类: accepted two local days after submission although only 22½ hours passed in
    # UTC (07:30 in Guangzhou is the previous day in UTC): days are counted in Asia/Shanghai.
    data["a1"] = app(
        Status.PUBLISHED, district=district,
        submitted_at=at(3, 3, 9), last_submitted_at=at(3, 4, 9), accepted_at=at(3, 5, 7, 30),
        accept_due_on=datetime.date(YEAR, 3, 11), decided_at=at(3, 20), decision_due_on=datetime.date(YEAR, 3, 26),
    )  # fmt: skip
    data["a2"] = app(
        Status.REJECTED, district=district,
        submitted_at=at(3, 10), last_submitted_at=at(3, 10), accepted_at=at(3, 20),
        accept_due_on=datetime.date(YEAR, 3, 17), decided_at=at(4, 30), decision_due_on=datetime.date(YEAR, 4, 10),
    )  # fmt: skip
    data["a3"] = app(
        Status.UNDER_REVIEW, district=district,
        submitted_at=at(4, 1), last_submitted_at=at(4, 1), accepted_at=at(4, 2),
        accept_due_on=datetime.date(YEAR, 4, 8),
    )  # fmt: skip
    data["draft"] = factories.ApplicationFactory(year=YEAR, district=district)
    # 白云, 职称类: accepted the next day.
    data["b1"] = app(
        Status.UNDER_REVIEW, district=other_district, sub="3.1",
        submitted_at=at(3, 15), last_submitted_at=at(3, 15), accepted_at=at(3, 16),
        accept_due_on=datetime.date(YEAR, 3, 21),
    )  # fmt: skip
    # A year outside the filter.
    data["old"] = app(Status.SUBMITTED, district=district, year=YEAR - 1, submitted_at=at(1, 5), last_submitted_at=at(1, 5))

    # Cards of a1: the main card valid, two accompanying (one used, one cancelled); a card of
    # another 天河 application past its deadline that the nightly task has not yet expired.
    today = datetime.date.today()
    main = factories.HukouCardFactory(application=data["a1"], valid_until=today + datetime.timedelta(days=30))
    for status in (HukouCard.Status.USED, HukouCard.Status.CANCELLED):
        factories.HukouCardFactory(
            application=data["a1"], main_card=main, move_type=HukouCard.MoveType.ACCOMPANYING, status=status
        )
    data["a5"] = app(Status.PUBLISHED, district=district, submitted_at=at(5, 6), last_submitted_at=at(5, 6))
    factories.HukouCardFactory(application=data["a5"], issued_on=today - datetime.timedelta(days=100),
                               valid_until=today - datetime.timedelta(days=10))  # fmt: skip

    # Objections on a1's notice entry: upheld in time, dismissed late, one still open.
    entry = factories.NoticeEntryFactory(application=data["a1"], notice__district=district)
    factories.ObjectionFactory(entry=entry, status=Objection.Status.UPHELD, due_on=datetime.date(YEAR, 4, 1), decided_at=at(3, 25))
    factories.ObjectionFactory(entry=entry, status=Objection.Status.DISMISSED, due_on=datetime.date(YEAR, 4, 1), decided_at=at(4, 3))
    factories.ObjectionFactory(entry=entry)  # fmt: skip

    # Quota: 天河 and a key employer of 天河, 白云; and 天河's quota of the year before.
    key_employer = factories.EmployerFactory(district=district, name="=HYPERLINK(\"http://x\")科技", is_key_employer=True)
    factories.QuotaFactory(year=YEAR, district=district, total_places=10, reserved=2, used=3)
    factories.QuotaFactory(year=YEAR, district=district, employer=key_employer, total_places=4, reserved=1, used=1)
    factories.QuotaFactory(year=YEAR, district=other_district, total_places=5, used=5)
    factories.QuotaFactory(year=YEAR - 1, district=district, total_places=7)
    data["key_employer"] = key_employer

    # 好差评: a1 rated 非常满意, a2 (rejected) 非常不满意 with its reason; b1 of 白云 is not decided.
    for application, score, comment in ((data["a1"], 5, ""), (data["a2"], 1, "等待时间过长。")):
        ServiceRating.objects.create(
            application=application, district=application.district, score=score, comment=comment,
            outcome=application.status, rated_by=application.applicant,
        )  # fmt: skip
    return data


@pytest.fixture
def counted(dataset):
    """The data set, counted: beat's refresh on PostgreSQL, nothing to do on SQLite."""
    services.statistics_refresh()
    return dataset


def rows(stats, key):
    return stats.table(key).rows


def city(**filters):
    return build_statistics(filters=StatisticsFilters(year=YEAR, **filters))


# --- each figure -----------------------------------------------------------------------------------


def test_applications_by_state_count_every_state(counted):
    by_state = {label: n for label, n, _share in rows(city(), "states")}
    assert by_state[Status.PUBLISHED.label] == 2  # a1, a5
    assert by_state[Status.REJECTED.label] == 1
    assert by_state[Status.UNDER_REVIEW.label] == 2  # a3 (天河), b1 (白云)
    assert by_state[Status.DRAFT.label] == 1
    assert by_state[Status.SUBMITTED.label] == 0  # "old" is of 2024
    assert city().table("states").footer[1] == 6


def test_applications_by_category_and_month(counted):
    categories = {row[0]: row[1:] for row in rows(city(), "categories")}
    assert categories["二、学历类人才"] == [5, 4, 2, 1]  # total with the draft, submitted, published, rejected
    assert categories["三、职称类人才"] == [1, 1, 0, 0]
    timeline = city().table("timeline")
    header = timeline.headers
    months = {row[0]: dict(zip(header[1:], row[1:], strict=True)) for row in timeline.rows}
    # By month of first submission; the draft (never submitted) is not in the timeline.
    assert list(months) == ["2025年3月", "2025年4月", "2025年5月"]
    assert months["2025年3月"]["二、学历类人才"] == 2 and months["2025年3月"]["三、职称类人才"] == 1
    assert months["2025年3月"]["合计"] == 3
    assert months["2025年4月"]["合计"] == 1 and months["2025年5月"]["合计"] == 1
    by_state = {row[0]: dict(zip(city().table("state_timeline").headers[1:], row[1:], strict=True)) for row in rows(city(), "state_timeline")}
    # March: a1 published, a2 rejected, b1 under review; April: a3 under review; May: a5 published.
    assert by_state["2025年3月"] == {"待受理": 0, "审核中": 1, "退回补正": 0, "公示中": 0, "已公布": 1, "审核不通过": 1, "已撤回": 0, "合计": 3}
    assert by_state["2025年4月"]["审核中"] == 1 and by_state["2025年5月"]["已公布"] == 1


def test_processing_times_p50_p90_and_statutory_limits(counted):
    accept, decide = rows(city(), "processing")
    # Acceptance, days: a1 1 (from its last submission, counted in Guangzhou time), a2 10, a3 1, b1 1.
    assert accept[1:4] == [4, 1, 10]
    assert accept[4] == "5个工作日"
    assert accept[5:] == [3, 1, "75.0%"]  # a2 was accepted after its due date
    # Decision: a1 in 15 days (on time), a2 in 41 (late).
    assert decide[1:4] == [2, 15, 41]
    assert decide[5:] == [1, 1, "50.0%"]


def test_processing_counts_days_in_guangzhou_time(counted):
    tianhe_accept = rows(city(district_id=counted["a1"].district_id), "processing")[0]
    # 天河: a1 1 day (03-04 09:00 → 03-05 07:30, both Guangzhou dates), a3 1, a2 10.
    assert tianhe_accept[1:4] == [3, 1, 10]


def test_objections_and_their_outcome(counted):
    table = city().table("objections")
    outcome = {row[0]: row[1:] for row in table.rows}
    assert outcome["待处理"] == [1, "—"]
    assert outcome["异议成立"] == [1, 1]
    assert outcome["异议不成立"] == [1, 0]  # settled after its due date
    assert table.footer == ["合计", 3, 1]
    assert "已办结2件，按期率50.0%" in table.note


def test_cards_issued_used_expired_cancelled(counted):
    table = city().table("cards")
    cards = {row[0]: row[1:] for row in table.rows}
    assert cards["有效（未办理入户）"] == [1, 0, 1]
    assert cards["已办理入户"] == [0, 1, 1]
    # Past its deadline and still marked valid: a reader is told it has expired.
    assert cards["逾期未用，已过期"] == [1, 0, 1]
    assert cards["已注销（放弃入户）"] == [0, 1, 1]
    assert table.footer == ["已签发合计", 2, 2, 4]


def test_service_ratings(counted):
    table = city().table("ratings")
    ratings = {row[0]: row[1:] for row in table.rows}
    assert ratings["非常满意"] == [1, "50.0%"] and ratings["非常不满意"] == [1, "50.0%"]
    assert ratings["满意"] == [0, "0.0%"]
    assert table.footer == ["合计", 2, "100.0%"]
    assert table.note == "平均3.00分（5分为非常满意）；差评（不满意、非常不满意）1件，差评率50.0%。"
    assert city(district_id=counted["b1"].district_id).table("ratings").footer[1] == 0


def test_quota_per_district_and_key_employer(counted):
    table = city().table("quota")
    quota = {row[0]: row[1:] for row in table.rows}
    assert quota["天河区"] == [10, 2, 3, 5, "50.0%"]
    assert quota['=HYPERLINK("http://x")科技（五(四)专项）'] == [4, 1, 1, 2, "50.0%"]
    assert quota["白云区"] == [5, 0, 5, 0, "100.0%"]
    # The city's total adds the districts' plans; a key employer's share is part of its district's.
    assert table.footer == ["全市合计（各区）", 15, 2, 8, 5, "66.7%"]


def test_a_published_application_made_by_the_services_is_counted(db, district):
    app_ = build_application(Status.PUBLISHED, district=district)
    services.statistics_refresh()
    stats = build_statistics(filters=StatisticsFilters(year=app_.year, district_id=district.pk))
    assert dict((label, n) for label, n, _ in rows(stats, "states"))[Status.PUBLISHED.label] == 1
    cards = {row[0]: row[1:] for row in rows(stats, "cards")}
    assert cards["有效（未办理入户）"] == [1, 0, 1]
    accept, decide = rows(stats, "processing")
    assert accept[1] == 1 and accept[5] == 1  # accepted the day it was submitted: within 5 working days
    assert decide[1] == 1 and decide[5] == 1


def test_percentile_is_nearest_rank():
    assert percentile({}, 0.5) is None
    assert percentile({1: 2, 2: 1, 10: 1}, 0.5) == 1
    assert percentile({1: 2, 2: 1, 10: 1}, 0.9) == 10
    assert percentile({3: 1}, 0.9) == 3


# --- the page: access, filters, charts, CSV, queries ---------------------------------------------------


def test_city_admin_sees_every_district_with_charts_and_tables(counted, login_client, city_admin):
    response = login_client(city_admin).get(URL, {"year": YEAR})
    assert response.status_code == 200
    html = response.content.decode()
    assert "统计分析 · 全市 · 2025年度" in html
    for key in ("quota", "states", "state_timeline", "categories", "timeline", "processing", "objections", "cards", "ratings"):
        assert f'data-testid="table-{key}"' in html  # the data table of each chart
        assert f'href="?year=2025&amp;csv={key}"' in html
    assert html.count("<svg") == 9 and 'role="img"' in html
    assert "<script" not in html.split("<main", 1)[-1].split("</main>")[0]  # charts need no script
    assert "白云区" in html and 'name="district"' in html


def test_reviewer_sees_their_district_only(counted, login_client, reviewer, other_district):
    client = login_client(reviewer)
    response = client.get(URL, {"year": YEAR})
    assert response.status_code == 200
    assert "统计分析 · 天河区 · 2025年度" in response.content.decode()
    assert 'name="district"' not in response.content.decode()
    states = {label: n for label, n, _ in response.context["stats"].table("states").rows}
    assert states[Status.UNDER_REVIEW.label] == 1  # a3 only: 白云's b1 is not theirs
    quota = [row[0] for row in response.context["stats"].table("quota").rows]
    assert "白云区" not in quota and "天河区" in quota
    assert client.get(URL, {"year": YEAR, "district": other_district.pk}).status_code == 404
    assert client.get(URL, {"year": YEAR, "district": other_district.pk, "csv": "states"}).status_code == 404
    assert client.get(URL, {"district": "abc"}).status_code == 404
    assert client.get(URL, {"year": YEAR, "district": reviewer.district_id}).status_code == 200


@pytest.mark.parametrize("who", ["applicant", "police_officer"])
def test_others_are_refused(db, login_client, request, who):
    response = login_client(request.getfixturevalue(who)).get(URL)
    assert response.status_code == 403


def test_anonymous_goes_to_the_console_login(client):
    response = client.get(URL)
    assert response.status_code == 302 and response.url.startswith(reverse("review:login"))


def test_filters_year_district_and_category(counted, login_client, city_admin, other_district):
    client = login_client(city_admin)
    baiyun = client.get(URL, {"year": YEAR, "district": other_district.pk}).context["stats"]
    assert {row[0]: row[1] for row in baiyun.table("states").rows}[Status.UNDER_REVIEW.label] == 1
    assert [row[0] for row in baiyun.table("quota").rows] == ["白云区"]
    category = factories.subcategory("3.1").category_id
    by_category = client.get(URL, {"year": YEAR, "category": category}).context["stats"]
    assert by_category.table("states").footer[1] == 1  # b1 only
    every_year = client.get(URL, {"year": ""}).context["stats"]
    assert every_year.table("states").footer[1] == 7  # with 2024's application
    assert {row[0]: row[1] for row in every_year.table("quota").rows}["天河区"] == 17  # 10 + 7
    # No year in the address: this year (nothing of it in the data set).
    assert client.get(URL).context["filters"].year == datetime.date.today().year


def test_a_bad_filter_is_shown_next_to_its_field(counted, login_client, city_admin):
    response = login_client(city_admin).get(URL, {"year": "1999", "category": "x"})
    assert response.status_code == 200
    html = response.content.decode()
    assert html.count("请从列表中选择。") == 2
    assert response.context["filters"].year is None  # the bad fields filter nothing


@pytest.mark.parametrize(
    "data, show_district",
    [
        (None, True),
        ({"year": "", "district": "", "category": ""}, True),
        ({"year": "1999", "category": "x"}, True),  # both shown with their error
        ({"year": str(YEAR), "category": "<b>"}, False),  # a reviewer: no district field
    ],
)
def test_the_filter_form_is_printed_as_crispy_and_django_printed_it(db, data, show_district):
    """The fields are printed by |form_field and PlainSelect (in Python); the page showed crispy's
    as_crispy_field of Django's Select before, and the markup is the same."""
    def make_form():
        form = StatisticsFilterForm(data, years=[YEAR + 1, YEAR, YEAR - 1], show_district=show_district)
        if form.is_bound:
            form.is_valid()
        return form

    before = make_form()
    for field in before.fields.values():
        field.widget = forms.Select(choices=field.choices)
    crispy = Template(
        "{% load crispy_forms_tags %}{% for field in form %}{{ field|as_crispy_field }}{% endfor %}"
    )
    ours = Template("{% load form_fields %}{% for field in form %}{{ field|form_field }}{% endfor %}")
    printed = _normalised(ours.render(Context({"form": make_form()})))
    assert printed == _normalised(crispy.render(Context({"form": before})))
    assert ('name="district"' in printed) is show_district
    if data and data.get("year") == "1999":
        assert printed.count("请从列表中选择。") == 2


def test_every_table_downloads_as_csv(counted, login_client, city_admin):
    client = login_client(city_admin)
    stats = client.get(URL, {"year": YEAR}).context["stats"]
    for section in stats.sections:
        table = section.table
        response = client.get(URL, {"year": YEAR, "csv": table.key})
        assert response.status_code == 200
        assert response["Content-Type"] == "text/csv; charset=utf-8"
        assert f'filename="statistics-{table.key}-2025.csv"' in response["Content-Disposition"]
        text = response.content.decode("utf-8")
        assert text.startswith("\ufeff")  # Excel reads the Chinese right
        lines = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
        assert lines[0] == table.headers
        expected = [*table.rows, *([table.footer] if table.footer else [])]
        assert len(lines) - 1 == len(expected)
    quota = client.get(URL, {"year": YEAR, "csv": "quota"}).content.decode()
    assert "'=HYPERLINK" in quota  # a name that looks like a formula stays text
    assert client.get(URL, {"year": YEAR, "csv": "nothing"}).status_code == 404


def test_csv_of_a_reviewer_has_their_district_only(counted, login_client, reviewer):
    text = login_client(reviewer).get(URL, {"year": YEAR, "csv": "quota"}).content.decode()
    assert "天河区" in text and "白云区" not in text


def drawn_sections(response) -> list[str]:
    """The sections whose HTML this request drew (from the templates' contexts), in order."""
    return [c["section"].table.key for c in response.context if c.get("section") is not None]


def section_html(response, key: str) -> str:
    html = response.content.decode()
    return html.split(f'data-testid="stats-{key}"', 1)[1].split("</section>", 1)[0]


def test_the_quota_is_live_and_drawn_again_only_when_its_figures_change(counted, login_client, city_admin):
    """The quota is read on every view; its HTML is kept per figures and filters (review.views)."""
    from quota.models import Quota
    from review import views

    views._QUOTA_HTML.clear()  # an earlier test may have drawn these very figures in this process
    client = login_client(city_admin)
    first = client.get(URL, {"year": YEAR})
    assert "quota" in drawn_sections(first)
    again = client.get(URL, {"year": YEAR})
    assert "quota" not in drawn_sections(again)
    assert section_html(again, "quota") == section_html(first, "quota")
    # No signal, no version: a changed figure is a different key, so it shows at once.
    Quota.objects.filter(year=YEAR, district=counted["a1"].district, employer=None).update(used=4)
    changed = client.get(URL, {"year": YEAR})
    assert "quota" in drawn_sections(changed)
    assert {row[0]: row[1:] for row in changed.context["stats"].table("quota").rows}["天河区"] == [10, 2, 4, 4, "60.0%"]
    assert '<td class="text-end" data-label="已使用">4</td>' in section_html(changed, "quota")
    # Other filters print other CSV links: drawn for them.
    other = client.get(URL, {"year": YEAR, "category": factories.subcategory("3.1").category_id})
    assert "quota" in drawn_sections(other) and "&amp;category=" in section_html(other, "quota")


def test_page_answers_in_at_most_8_queries_whatever_the_data(counted, login_client, city_admin, django_assert_max_num_queries, district):
    client = login_client(city_admin)
    client.get(URL, {"year": YEAR})  # the per-process reference lists are read once
    # Session, user, the years, the counted cells, the quota (on PostgreSQL the years are kept and
    # the counted sections cached until the next recount: neither is read, see below).
    with django_assert_max_num_queries(5):
        assert client.get(URL, {"year": YEAR}).status_code == 200
    for _ in range(20):
        app(Status.UNDER_REVIEW, district=district, submitted_at=at(6, 1), last_submitted_at=at(6, 1), accepted_at=at(6, 2))
    services.statistics_refresh()
    with django_assert_max_num_queries(5):
        response = client.get(URL, {"year": YEAR})
    assert 'data-testid="table-states"' in response.content.decode()
    # Cold (the reference lists not yet read in this process) it is still within the page's 8.
    from core.cache import bump

    bump("reference")
    with django_assert_max_num_queries(8):
        assert client.get(URL, {"year": YEAR}).status_code == 200


@pytest.mark.postgres
def test_postgres_warm_page_reads_nothing_of_the_view(counted, login_client, city_admin, reviewer):
    """Between two recounts the years are kept per process and the counted sections in the cache:
    a page view reads the session, the user and the live quota, not the view."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for user, query in ((city_admin, {"year": ""}), (reviewer, {"year": YEAR})):
        client = login_client(user)
        client.get(URL, query)
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(URL, query).status_code == 200
        statements = [q["sql"] for q in ctx.captured_queries]
        assert not [sql for sql in statements if "review_statistics_fact" in sql]
        assert len(statements) <= 3  # session (the tests keep it in the database), user, quota


@pytest.mark.postgres
def test_postgres_a_recount_shows_its_years_and_time_at_once(counted, login_client, city_admin, district):
    from review.tasks import refresh_statistics

    client = login_client(city_admin)

    def years_and_time():
        page = client.get(URL, {"year": ""})
        return [value for value, _label in page.context["form"].fields["year"].choices], page.context["refreshed_at"]

    years, refreshed_at = years_and_time()
    assert YEAR - 3 not in years
    app(Status.SUBMITTED, district=district, year=YEAR - 3, submitted_at=at(1, 5), last_submitted_at=at(1, 5))
    assert years_and_time() == (years, refreshed_at)  # not counted yet
    assert refresh_statistics() is True
    recounted_years, recounted_at = years_and_time()
    assert YEAR - 3 in recounted_years and recounted_at > refreshed_at
    # The counted sections of the new recount too: the data set's 7 applications and the new one.
    assert '<td class="text-end" data-label="件数">8</td>' in section_html(client.get(URL, {"year": ""}), "states")


def test_beat_recounts_every_ten_minutes(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["refresh-statistics"]
    assert entry["task"] == "review.tasks.refresh_statistics"
    assert entry["schedule"].minute == set(range(0, 60, 10))


@pytest.mark.postgres
def test_postgres_page_reads_the_view_until_beat_recounts_it(counted, login_client, city_admin, district):
    """Production reads the materialised view: new applications count after the next refresh, and
    the page's counted sections are drawn once per recount and filters."""
    from review.tasks import refresh_statistics

    client = login_client(city_admin)

    def total() -> int:
        text = client.get(URL, {"year": YEAR, "csv": "states"}).content.decode("utf-8-sig")
        return int(list(csv.reader(io.StringIO(text)))[-1][1])  # the 合计 row

    def states_html() -> str:
        html = client.get(URL, {"year": YEAR}).content.decode()
        return html.split('data-testid="table-states"', 1)[1].split("</table>", 1)[0]

    before, first_page = total(), states_html()
    app(Status.SUBMITTED, district=district, submitted_at=at(7, 1), last_submitted_at=at(7, 1))
    assert total() == before and states_html() == first_page  # still the last recount's
    assert refresh_statistics() is True
    assert total() == before + 1
    recounted = states_html()
    assert recounted != first_page and f"<td class=\"text-end\" data-label=\"件数\">{before + 1}</td>" in recounted
    assert "数据更新于" in client.get(URL, {"year": YEAR}).content.decode()
