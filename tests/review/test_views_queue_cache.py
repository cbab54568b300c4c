"""The queue's cached listing (review.views.queue_listing): what a writer changes shows on the next
GET, one district never reads another's rows, a hit reads no application, the access log records
every row shown."""

import datetime

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from applications.choices import Status
from audit.models import PersonalDataAccess
from review import services as review_services
from review.models import PublicNotice
from tests import factories
from tests.builders import build_application
from tests.review.test_views_queue import numbers

pytestmark = pytest.mark.django_db

QUEUE = reverse("review:queue")
ALL = QUEUE + "?status=all"


def row_of(page: str, number: str) -> str:
    row = page[page.index(number) :]
    return row[: row.index("</tr>")]


def shown(client, url: str, number: str) -> str:
    return row_of(client.get(url).content.decode(), number)


def _statements(client, url: str) -> tuple[list[str], object]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    return [q["sql"] for q in captured.captured_queries], response


@pytest.mark.parametrize("kind", ["filtered", "id_number"])
def test_a_cached_page_reads_no_application(kind, reviewer_client):
    app = build_application(Status.UNDER_REVIEW)
    url = (
        f"{QUEUE}?status=under_review&category={app.category_id}"
        if kind == "filtered"
        else f"{QUEUE}?status=all&q={app.id_number}"
    )
    reviewer_client.get(QUEUE)  # the first page after login renews the session once (a write)
    missed, _ = _statements(reviewer_client, url)
    hit, response = _statements(reviewer_client, url)
    assert numbers(response) == [app.number]
    assert any("applications_application" in sql for sql in missed)
    assert not any("applications_application" in sql for sql in hit)
    # the session (unless Redis holds it: cached_db) and its user; a search writes its access-log row
    session = 0 if settings.SESSION_ENGINE.endswith("cached_db") else 1
    assert len(hit) == session + 1 + (kind == "id_number") < len(missed)


def test_a_search_served_from_the_cache_is_still_in_the_access_log(reviewer_client, reviewer):
    app = build_application(Status.UNDER_REVIEW)
    url = f"{QUEUE}?status=all&q={app.id_number}"
    for _ in range(2):
        assert numbers(reviewer_client.get(url)) == [app.number]
    logged = PersonalDataAccess.objects.filter(viewer=reviewer, what=PersonalDataAccess.What.SEARCH)
    assert (
        list(logged.values_list("application_id", "application_number", "subject_id", "item"))
        == [(app.pk, app.number, app.applicant_id, app.id_number)] * 2
    )


def test_the_cache_holds_no_whole_id_number_in_a_key_and_the_search_briefly(reviewer_client, monkeypatch):
    import hashlib
    from urllib.parse import urlencode

    from django.core.cache import cache

    from review.selectors import QUEUE_LISTING_TIMEOUT

    app = build_application(Status.UNDER_REVIEW)
    stored, timeouts = {}, {}
    real_set = cache.set

    def spy(key, value, timeout=None, *args, **kwargs):
        stored[key], timeouts[key] = value, timeout
        return real_set(key, value, timeout, *args, **kwargs)

    monkeypatch.setattr(cache, "set", spy)
    reviewer_client.get(f"{QUEUE}?status=all&q={app.id_number}")
    plain = hashlib.sha256(urlencode({"status": "all", "q": app.id_number}).encode()).hexdigest()[:32]
    [bar] = [key for key in stored if key.startswith("queue-filters:")]
    [listing] = [key for key in stored if key.startswith("queue-listing:")]
    for key in (bar, listing):
        assert app.id_number not in key and plain not in key
        assert timeouts[key] == QUEUE_LISTING_TIMEOUT
    assert app.id_number in stored[bar]  # the field shows what was searched for
    html, rows = stored[listing]
    assert app.full_name in html and app.id_number not in html  # the row shows the masked number
    assert rows == [(app.pk, app.applicant_id, app.number)]


def test_one_district_never_reads_another_districts_cached_page(
    reviewer_client, login_client, other_reviewer, other_district, city_admin
):
    tianhe = build_application(Status.UNDER_REVIEW)
    baiyun = build_application(Status.UNDER_REVIEW, district=other_district)
    assert numbers(reviewer_client.get(ALL)) == [tianhe.number]
    assert numbers(login_client(other_reviewer).get(ALL)) == [baiyun.number]
    assert set(numbers(login_client(city_admin).get(ALL))) == {tianhe.number, baiyun.number}
    assert numbers(reviewer_client.get(ALL)) == [tianhe.number]


def test_a_status_change_shows_on_the_next_get(reviewer_client, reviewer):
    app = build_application(Status.SUBMITTED)
    assert "已提交，待区人社局受理" in shown(reviewer_client, ALL, app.number)
    review_services.application_accept(application_id=app.pk, by=reviewer)
    assert "区人社局审核中" in shown(reviewer_client, ALL, app.number)


def test_a_notice_opening_and_its_last_day_show_on_the_next_get(reviewer_client, reviewer):
    app = build_application(Status.UNDER_REVIEW)
    assert "公示至" not in shown(reviewer_client, ALL, app.number)
    review_services.application_approve(application_id=app.pk, by=reviewer)
    notice = PublicNotice.objects.get(entries__application=app)
    assert f"公示至 {notice.end_date:%Y-%m-%d}" in shown(reviewer_client, ALL, app.number)
    notice.end_date += datetime.timedelta(days=3)  # the city administrator corrects it (admin)
    notice.save(update_fields=["end_date"])
    assert f"公示至 {notice.end_date:%Y-%m-%d}" in shown(reviewer_client, ALL, app.number)


def test_a_notice_ending_shows_on_the_next_get(reviewer_client, freeze_today):
    app = build_application(Status.IN_NOTICE)
    notice = app.notice_entry.notice
    freeze_today(notice.end_date + datetime.timedelta(days=1))
    assert "网上公示中" in shown(reviewer_client, ALL, app.number)  # cached for the new day
    review_services.notice_close(notice_id=notice.pk)
    row = shown(reviewer_client, ALL, app.number)
    assert "已公布" in row and "公示至" not in row


def test_an_objection_shows_on_the_next_get(reviewer_client):
    app = build_application(Status.IN_NOTICE)
    assert "有异议" not in shown(reviewer_client, ALL, app.number)
    review_services.objection_raise(
        entry_id=app.notice_entry.pk, contact_name="王五", contact_phone="13900139000",
        description="申请人并未在该单位实际工作。",
    )  # fmt: skip
    assert "有异议" in shown(reviewer_client, ALL, app.number)


def test_an_employer_rename_shows_on_the_next_get(reviewer_client):
    app = build_application(Status.UNDER_REVIEW)
    assert app.employer.name in shown(reviewer_client, ALL, app.number)
    app.employer.name = "广州新名字科技有限公司"
    app.employer.save(update_fields=["name"])
    assert "广州新名字科技有限公司" in shown(reviewer_client, ALL, app.number)


def test_a_districts_name_shows_on_the_next_get(login_client, city_admin):
    app = build_application(Status.UNDER_REVIEW)
    client = login_client(city_admin)
    assert f'<td data-label="入户所属区">{app.district.name}</td>' in shown(client, ALL, app.number)
    app.district.name = "天河新区"
    app.district.save(update_fields=["name"])
    assert '<td data-label="入户所属区">天河新区</td>' in shown(client, ALL, app.number)


def test_a_categorys_quota_mark_shows_on_the_next_get(reviewer_client):
    app = build_application(Status.UNDER_REVIEW)  # 2.2: no 总量控制
    assert "总量控制" not in shown(reviewer_client, ALL, app.number)
    app.category.is_quota_controlled = True
    app.category.save(update_fields=["is_quota_controlled"])
    assert "总量控制" in shown(reviewer_client, ALL, app.number)


def test_an_extended_deadline_shows_on_the_next_get(reviewer_client, reviewer):
    app = build_application(Status.UNDER_REVIEW)
    assert f"{app.decision_due_on:%Y-%m-%d}" in shown(reviewer_client, ALL, app.number)
    extended = review_services.application_extend_decision(
        application_id=app.pk, by=reviewer, reason="需核实社保记录"
    )
    assert f"{extended.decision_due_on:%Y-%m-%d}" in shown(reviewer_client, ALL, app.number)


def test_a_correction_of_the_applications_own_columns_shows_on_the_next_get(reviewer_client):
    app = build_application(Status.RETURNED)
    assert app.full_name in shown(reviewer_client, ALL, app.number)
    app.full_name = "李改名"  # the applicant corrects a returned application (no status change)
    app.save(update_fields=["full_name", "updated_at"])
    assert "李改名" in shown(reviewer_client, ALL, app.number)


def test_an_application_moved_to_another_district_leaves_the_first_districts_page(
    reviewer_client, login_client, other_reviewer, other_district
):
    app = build_application(Status.RETURNED)
    assert numbers(reviewer_client.get(ALL)) == [app.number]
    assert numbers(login_client(other_reviewer).get(ALL)) == []
    app.district = other_district
    app.save(update_fields=["district", "updated_at"])
    assert numbers(reviewer_client.get(ALL)) == []
    assert numbers(login_client(other_reviewer).get(ALL)) == [app.number]


def test_the_days_left_follow_the_day_and_the_calendar(reviewer_client, freeze_today):
    from reference.models import CalendarOverride

    friday = freeze_today(datetime.date(2025, 6, 13))
    app = build_application(Status.SUBMITTED, on=datetime.date(2025, 6, 11))
    assert app.accept_due_on == datetime.date(2025, 6, 18)
    assert "剩3个工作日" in shown(reviewer_client, QUEUE, app.number)  # Mon 16 to Wed 18
    CalendarOverride.objects.create(date=datetime.date(2025, 6, 16), is_working_day=False)
    assert "剩2个工作日" in shown(reviewer_client, QUEUE, app.number)
    freeze_today(friday + datetime.timedelta(days=4))  # Tuesday 17
    assert "剩1个工作日" in shown(reviewer_client, QUEUE, app.number)


def test_a_new_page_number_is_a_page_of_its_own(reviewer_client):
    for _ in range(53):
        factories.ApplicationFactory(submitted=True, status=Status.SUBMITTED)
    first = numbers(reviewer_client.get(QUEUE))
    second = numbers(reviewer_client.get(QUEUE, {"page": 2}))
    assert (len(first), len(second)) == (50, 3) and set(first).isdisjoint(second)
