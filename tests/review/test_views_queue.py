"""The queue: filters, search, pagination, due dates, and a fixed number of queries."""

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from applications.choices import Status
from review import services as review_services
from tests import factories
from tests.builders import build_application

pytestmark = pytest.mark.django_db

QUEUE = reverse("review:queue")


_ROW_NUMBER = re.compile(r'<td data-label="申报编号"><a href="[^"]+" class="fw-semibold">([^<]+)</a>')


def numbers(response) -> list[str]:
    """The application numbers of the rows shown, in order, read from the page: a page served from
    the cache (review.views.queue_listing) has no rows in its context."""
    return _ROW_NUMBER.findall(response.content.decode())


def test_default_queue_shows_the_work_to_do_most_urgent_first(reviewer_client, freeze_today):
    today = freeze_today(datetime.date(2025, 6, 18))
    later = build_application(Status.SUBMITTED, on=datetime.date(2025, 6, 17))
    sooner = build_application(Status.UNDER_REVIEW, on=datetime.date(2025, 5, 28))
    overdue = build_application(Status.SUBMITTED, on=datetime.date(2025, 6, 5))
    assert overdue.accept_due_on < today < sooner.decision_due_on < later.accept_due_on
    build_application(Status.RETURNED)
    build_application(Status.PUBLISHED)
    build_application(Status.DRAFT)
    response = reviewer_client.get(QUEUE)
    assert response.status_code == 200
    assert numbers(response) == [overdue.number, sooner.number, later.number]
    page = response.content.decode()
    assert "逾期" in page and "剩" in page
    counts = response.context["counts"]
    assert (counts["to_accept"], counts["to_decide"], counts["overdue"]) == (2, 1, 1)


def test_drafts_are_never_in_the_console(reviewer_client):
    draft = build_application(Status.DRAFT)
    response = reviewer_client.get(QUEUE + "?status=all")
    assert draft.number not in numbers(response)


def test_filters_narrow_the_queue(reviewer_client):
    employer = factories.EmployerFactory(name="广州天河软件园有限公司")
    five = build_application(Status.UNDER_REVIEW, subcategory="5.4", employer=employer)
    two = build_application(Status.SUBMITTED, subcategory="2.2")
    returned = build_application(Status.RETURNED, subcategory="3.2")
    cases = {
        "?status=returned": [returned.number],
        f"?status=all&category={five.category_id}": [five.number],
        f"?status=all&subcategory={two.subcategory_id}": [two.number],
        "?status=all&employer=天河软件园": [five.number],
        "?status=under_review": [five.number],
    }
    for query, expected in cases.items():
        assert numbers(reviewer_client.get(QUEUE + query)) == expected, query


def test_search_by_number_name_or_id_number(reviewer_client):
    target = build_application(Status.SUBMITTED, full_name="欧阳小明")
    build_application(Status.SUBMITTED, full_name="李四")
    for term in (target.number, "欧阳", target.id_number.lower()):
        assert numbers(reviewer_client.get(QUEUE, {"q": term})) == [target.number], term


def test_submitted_between_and_overdue_filters(reviewer_client):
    today = timezone.localdate()
    old = build_application(Status.SUBMITTED, on=today - datetime.timedelta(days=20))
    assert old.accept_due_on < today
    new = build_application(Status.SUBMITTED)
    since = (today - datetime.timedelta(days=2)).isoformat()
    assert numbers(reviewer_client.get(QUEUE, {"submitted_from": since})) == [new.number]
    until = (today - datetime.timedelta(days=10)).isoformat()
    assert numbers(reviewer_client.get(QUEUE, {"submitted_to": until})) == [old.number]
    assert numbers(reviewer_client.get(QUEUE, {"overdue": "on"})) == [old.number]


def test_a_bad_date_is_explained_beside_its_field_and_kept(reviewer_client):
    build_application(Status.SUBMITTED)
    response = reviewer_client.get(QUEUE, {"submitted_from": "2025-13-45", "q": "张", "submitted_to": ""})
    page = response.content.decode()
    assert "请输入正确的日期" in page
    assert 'value="2025-13-45"' in page and 'value="张"' in page
    response = reviewer_client.get(QUEUE, {"submitted_from": "2025-06-10", "submitted_to": "2025-06-01"})
    assert "结束日期不能早于开始日期" in response.content.decode()


def test_city_administrator_sees_every_district_and_can_filter_one(login_client, city_admin, other_district):
    tianhe = build_application(Status.SUBMITTED)
    baiyun = build_application(Status.SUBMITTED, district=other_district)
    client = login_client(city_admin)
    assert set(numbers(client.get(QUEUE))) == {tianhe.number, baiyun.number}
    assert numbers(client.get(QUEUE, {"district": other_district.pk})) == [baiyun.number]
    assert "入户所属区" in client.get(QUEUE).content.decode()


def test_reviewer_has_no_district_filter(reviewer_client):
    assert "district" not in reviewer_client.get(QUEUE).context["form"].fields


def test_queue_is_paginated_by_fifty(reviewer_client):
    # The number of rows is what counts here, not their history: factory rows (53 histories walked
    # through the services would cost about 20 s).
    for _ in range(53):
        factories.ApplicationFactory(submitted=True, status=Status.SUBMITTED)
    first = reviewer_client.get(QUEUE)
    assert len(numbers(first)) == 50
    second = reviewer_client.get(QUEUE, {"page": 2})
    assert len(numbers(second)) == 3
    assert set(numbers(first)).isdisjoint(numbers(second))
    assert "下一页" in first.content.decode()


def _queries_for(client, rows: int) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        response = client.get(QUEUE, {"status": "all"})
    assert response.status_code == 200
    assert len(numbers(response)) == rows
    return len(captured.captured_queries)


# session, user (with district), count, the page's ids, its rows; the counters (2) only after a
# change in the district (versioned cache); the filter choices and the calendar come from the cache.
QUEUE_QUERIES = 7


def test_queue_runs_a_fixed_number_of_queries_whatever_the_number_of_rows(
    reviewer_client, django_assert_max_num_queries
):
    # Every kind of row the page draws: due dates, objections, notice dates, employers, categories.
    # Factory rows: the query count must not grow with the rows, whatever their history, and 80
    # histories walked through the services would cost about 30 s.
    def add(n):
        today = timezone.localdate()
        for i in range(n):
            status = [Status.SUBMITTED, Status.UNDER_REVIEW, Status.IN_NOTICE, Status.RETURNED][i % 4]
            app = factories.ApplicationFactory(
                submitted=True, status=status, subcategory=factories.subcategory(["2.2", "5.1", "3.1"][i % 3]),
                accept_due_on=today + datetime.timedelta(days=7), decision_due_on=today + datetime.timedelta(days=21),
            )  # fmt: skip
            if status == Status.IN_NOTICE:
                entry = factories.NoticeEntryFactory(application=app)
                factories.ObjectionFactory(entry=entry)

    reviewer_client.get(QUEUE)  # the first page after login renews the session once (a write)
    add(5)
    reviewer_client.get(QUEUE, {"status": "all"})  # fills the reference and calendar caches
    few = _queries_for(reviewer_client, 5)
    add(45)
    reviewer_client.get(QUEUE, {"status": "all"})  # the new objections changed the counters
    many = _queries_for(reviewer_client, 50)
    assert few == many <= 5  # 4 when sessions are read from Redis (cached_db)
    add(30)  # more than a page: still the same
    with django_assert_max_num_queries(QUEUE_QUERIES):
        response = reviewer_client.get(QUEUE, {"status": "all"})
    assert len(numbers(response)) == 50


def test_due_badges_say_today_not_yet_and_overdue(reviewer_client, freeze_today):
    friday = freeze_today(datetime.date(2025, 6, 13))
    due = [build_application(Status.SUBMITTED, on=day).accept_due_on for day in (
        datetime.date(2025, 6, 6), datetime.date(2025, 6, 4), datetime.date(2025, 6, 11),
    )]  # fmt: skip
    assert due == [friday, datetime.date(2025, 6, 11), datetime.date(2025, 6, 18)]
    # The services set due dates on working days only; one on a Saturday (a day the calendar turned
    # into a holiday afterwards) is a factory row on purpose.
    factories.ApplicationFactory(
        submitted=True, status=Status.SUBMITTED, accept_due_on=datetime.date(2025, 6, 14)
    )
    page = reviewer_client.get(QUEUE).content.decode()
    assert "今日到期" in page
    assert "不足1个工作日" in page
    assert "逾期2个工作日" in page  # Thursday 12 and Friday 13
    assert "剩3个工作日" in page  # Monday 16 to Wednesday 18


# Issue 15: ≤ 8 queries for the queue filtered and for a search by ID number, whatever the rows.
@pytest.mark.parametrize("kind", ["filtered", "id_number"])
def test_filtered_queue_and_id_number_search_run_a_bounded_number_of_queries(kind, reviewer_client):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    target = factories.ApplicationFactory(
        submitted=True, status=Status.UNDER_REVIEW, subcategory=factories.subcategory("2.2")
    )
    params = (
        {"status": "under_review", "category": target.category_id}
        if kind == "filtered"
        else {"status": "all", "q": target.id_number}
    )

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            response = reviewer_client.get(QUEUE, params)
        assert target.number in numbers(response)
        return len(captured.captured_queries)

    reviewer_client.get(QUEUE)  # the first page after login renews the session once (a write)
    reviewer_client.get(QUEUE, params)  # fills the reference and calendar caches
    few = queries()
    for _ in range(20):
        factories.ApplicationFactory(
            submitted=True, status=Status.UNDER_REVIEW, subcategory=factories.subcategory("2.2")
        )
    reviewer_client.get(QUEUE, params)  # new rows changed the counters (versioned cache)
    many = queries()
    assert few == many <= 8


def test_queue_reads_its_cached_parts_in_one_round_trip(reviewer_client, monkeypatch):
    """Issue 15: each Redis call is a round trip; the page's three cached parts (filter bar,
    counters, listing) share one."""
    from django.core.cache import caches

    build_application(Status.UNDER_REVIEW)
    assert reviewer_client.get(QUEUE + "?status=all").status_code == 200  # caches every part
    backend = caches["default"]
    calls = []
    inside = []  # the memory cache's get_many calls get() for each key: one call, not several

    def spy(method):
        real = getattr(backend, method)

        def call(key, *args, **kwargs):
            if not inside:
                calls.append((method, key))
            inside.append(method)
            try:
                return real(key, *args, **kwargs)
            finally:
                inside.pop()

        return call

    for method in ("get", "get_many"):
        monkeypatch.setattr(backend, method, spy(method))
    response = reviewer_client.get(QUEUE + "?status=all")
    assert response.context["counts"]["to_decide"] == 1
    page = response.content.decode()
    assert 'name="status"' in page  # the cached filter bar is on the page
    assert len(numbers(response)) == 1  # and the cached listing

    def names(key):
        return [key] if isinstance(key, str) else list(key)

    part_reads = [
        (m, key)
        for m, key in calls
        if any(name.startswith(("queue-filters", "queue-counts", "queue-listing")) for name in names(key))
    ]
    assert len(part_reads) == 1 and part_reads[0][0] == "get_many"
    assert sorted(name.split(":")[0] for name in part_reads[0][1]) == [
        "queue-counts", "queue-filters", "queue-listing",
    ]  # fmt: skip


def test_queue_row_shows_each_cell_as_the_table_prints_it(login_client, city_admin):
    """The row's cells come worked out from review.selectors.queue_rows (issue 15): the masked ID
    number, the category with its 总量控制 mark, the employer, the district, the local submission
    time, the status badge, an open 异议 and the notice's last day."""
    app = build_application(Status.IN_NOTICE, subcategory="5.1", objection=True)
    page = login_client(city_admin).get(QUEUE + "?status=in_notice").content.decode()
    row = page[page.index(app.number) :]
    row = row[: row.index("</tr>")]
    submitted = timezone.localtime(app.last_submitted_at)
    for text in (
        app.id_number[:6] + "********" + app.id_number[-4:],
        f"{app.category.numeral}、{app.category.name}",
        f'<span class="d-block small text-secondary">{app.subcategory.numeral}</span>',
        '<span class="badge text-bg-light border ms-1">总量控制</span>',
        f'<td data-label="迁入单位">{app.employer.name}</td>',
        f'<td data-label="入户所属区">{app.district.name}</td>',
        f"{submitted:%Y-%m-%d %H:%M}",
        'data-status="in_notice">网上公示中</span> <span class="badge text-bg-warning">有异议</span>',
        f'<span class="small">公示至 {app.notice_entry.notice.end_date:%Y-%m-%d}</span>',
    ):
        assert text in row, text
    assert app.id_number not in row


def test_the_counters_follow_an_extended_deadline(reviewer_client, reviewer, freeze_today):
    """An extension moves no status, yet changes 已逾期: every save of a submitted application bumps
    its district's queue version (review.signals), which keys the cached counters."""
    app = build_application(Status.UNDER_REVIEW, on=datetime.date(2025, 5, 5))
    freeze_today(app.decision_due_on + datetime.timedelta(days=1))
    assert reviewer_client.get(QUEUE).context["counts"]["overdue"] == 1
    review_services.application_extend_decision(application_id=app.pk, by=reviewer, reason="需核实社保记录")
    assert reviewer_client.get(QUEUE).context["counts"]["overdue"] == 0
