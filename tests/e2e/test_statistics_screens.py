"""统计分析 in headless Chromium: the city administrator filters by category and downloads a table
as CSV at 1280 px; a reviewer reads their district's figures at 390 px without sideways scrolling.
Screenshots: review-statistics-desktop, review-statistics-phone (docs/screenshots/)."""

import datetime
import random
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from applications.choices import Status
from hukou_card.models import HukouCard
from review.models import Objection, ServiceRating
from tests import factories
from tests.e2e.conftest import PHONE, screenshot
from tests.e2e.test_review_journey import console_login, new_page

pytestmark = pytest.mark.django_db(transaction=True)

CN = ZoneInfo("Asia/Shanghai")


def _year_of_applications(year: int) -> None:
    """A year's worth of varied applications over four districts and every category."""
    rng = random.Random(13)  # noqa: S311 - a reproducible picture, not security
    subcategories = ["1.1", "2.1", "2.2", "2.3", "3.1", "3.2", "4.1", "5.1", "5.4"]
    districts = [factories.district(code) for code in ("440106", "440111", "440105", "440113")]
    states = [Status.PUBLISHED] * 6 + [Status.REJECTED, Status.UNDER_REVIEW, Status.SUBMITTED, Status.WITHDRAWN]
    last_month = min(timezone.localdate().month, 11) if year == timezone.localdate().year else 12
    for i in range(90):
        month = 1 + i % last_month
        submitted = datetime.datetime(year, month, 1 + rng.randrange(25), 10, tzinfo=CN)
        accepted = submitted + datetime.timedelta(days=rng.choice([1, 2, 3, 4, 6, 9]))
        decided = accepted + datetime.timedelta(days=rng.choice([8, 12, 15, 20, 30]))
        status = states[i % len(states)]
        fields = {"submitted_at": submitted, "last_submitted_at": submitted}
        if status in (Status.PUBLISHED, Status.REJECTED, Status.UNDER_REVIEW):
            fields.update(accepted_at=accepted, accept_due_on=(submitted + datetime.timedelta(days=7)).date())
        if status in (Status.PUBLISHED, Status.REJECTED):
            fields.update(decided_at=decided, decision_due_on=(accepted + datetime.timedelta(days=21)).date())
        app = factories.ApplicationFactory(
            submitted=True, status=status, year=year, district=districts[i % len(districts)],
            subcategory=factories.subcategory(subcategories[i % len(subcategories)]), **fields,
        )  # fmt: skip
        if status == Status.PUBLISHED:
            card_status = [HukouCard.Status.USED, HukouCard.Status.VALID, HukouCard.Status.USED, HukouCard.Status.CANCELLED][i % 4]
            factories.HukouCardFactory(application=app, status=card_status)  # fmt: skip
            score = [5, 5, 4, 5, 3, 4, 2, 5][i % 8]
            ServiceRating.objects.create(
                application=app, district=app.district, score=score, outcome=app.status, rated_by=app.applicant,
                comment="" if score > 2 else "材料要求说明不清楚。",
            )  # fmt: skip
            if i % 9 == 0:
                entry = factories.NoticeEntryFactory(application=app, notice__district=app.district)
                factories.ObjectionFactory(entry=entry, status=Objection.Status.DISMISSED, decided_at=decided)
    for district, total, reserved, used in zip(districts, (40, 25, 30, 18), (3, 2, 0, 1), (21, 20, 9, 17), strict=True):
        factories.QuotaFactory(year=year, district=district, total_places=total, reserved=reserved, used=used)
    key = factories.EmployerFactory(name="广州汽车集团股份有限公司", district=districts[0], is_key_employer=True)
    factories.QuotaFactory(year=year, district=districts[0], employer=key, total_places=8, reserved=1, used=4)


def test_statistics_on_desktop_and_phone(browser, live_server, district):
    from review import services

    year = timezone.localdate().year
    _year_of_applications(year)
    services.statistics_refresh()
    city_admin = factories.CityAdminFactory(username="stats_admin")
    reviewer = factories.ReviewerFactory(district=district, username="stats_reviewer")

    desktop = new_page(browser, live_server, viewport={"width": 1280, "height": 900}, accept_downloads=True)
    console_login(desktop, city_admin.username)
    desktop.get_by_role("link", name="统计分析").click()
    expect(desktop.get_by_role("heading", name=f"统计分析 · 全市 · {year}年度")).to_be_visible()
    expect(desktop.get_by_role("img", name="申报办理状态分布（图，数据见下表）")).to_be_visible()
    expect(desktop.get_by_test_id("table-quota")).to_contain_text("广州汽车集团股份有限公司（五(四)专项）")
    screenshot(desktop, "review-statistics-desktop")

    desktop.get_by_label("引进人才类别").select_option(label="五、其他")
    desktop.get_by_role("button", name="统计").click()
    states = desktop.get_by_test_id("table-states")
    expect(states.locator("tfoot")).to_contain_text("20")  # 5.1 and 5.4: 2 of every 9
    with desktop.expect_download() as download:
        desktop.get_by_role("link", name="导出CSV：申报办理状态分布").click()
    text = open(download.value.path(), encoding="utf-8-sig").read()
    assert text.splitlines()[0] == "办理状态,件数,占比" and "合计,20," in text
    desktop.context.close()

    phone = new_page(browser, live_server, viewport=PHONE, is_mobile=True, has_touch=True, device_scale_factor=2)
    console_login(phone, reviewer.username)
    phone.goto("/console/statistics/")
    expect(phone.get_by_role("heading", name=f"统计分析 · 天河区 · {year}年度")).to_be_visible()
    expect(phone.get_by_test_id("table-quota")).not_to_contain_text("白云区")
    width = phone.evaluate("() => document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"the statistics page scrolls sideways on a phone ({width}px)"
    # One screen, not the whole page: every table stacks into cards on a phone, 9,000 px of them.
    phone.evaluate("() => document.getElementById('quota').scrollIntoView()")
    screenshot(phone, "review-statistics-phone", full_page=False)
    phone.context.close()
