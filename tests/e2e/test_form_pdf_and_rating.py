"""Two public services in Chromium: the 申报表 PDF (applicant and reviewer download it) and the
政务服务好差评 (the applicant rates, the district and the city read it), by visible labels."""

import io

import pytest
from django.urls import reverse
from playwright.sync_api import expect
from pypdf import PdfReader

from applications.choices import Status
from tests import factories
from tests.builders import build_application
from tests.e2e.conftest import PHONE, login, screenshot, scripts_ready
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db(transaction=True)

WIDE = {"width": 1280, "height": 900}


def console_login(page, username: str) -> None:
    page.goto("/console/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码", exact=True).fill(PASSWORD)
    page.get_by_label("验证码").fill("PASSED")
    page.get_by_role("button", name="登录").click()


def new_page(browser, live_server, viewport=WIDE, **options):
    context = browser.new_context(viewport=viewport, locale="zh-CN", base_url=live_server.url, **options)
    context.set_default_timeout(20_000)
    return context.new_page()


def _pdf_text(path) -> str:
    with open(path, "rb") as handle:
        reader = PdfReader(io.BytesIO(handle.read()))
    return "".join(page.extract_text() for page in reader.pages).replace(" ", "").replace("\n", "")


def test_applicant_and_reviewer_download_the_form(browser, live_server):
    reviewer = factories.ReviewerFactory(district=factories.district("440106"))
    app = build_application(Status.UNDER_REVIEW, full_name="陈思远", reviewer=reviewer)

    page = new_page(browser, live_server, accept_downloads=True)
    login(page, app.applicant.username, PASSWORD)
    page.goto(reverse("applications:status"))
    expect(page.get_by_test_id("application-number")).to_have_text(app.number)
    screenshot(page, "application-status-form-pdf-desktop", full_page=False)
    with page.expect_download() as info:
        page.get_by_role("link", name="下载申报表（PDF）").click()
    download = info.value
    assert download.suggested_filename == f"广州市引进人才入户申报表_陈思远_{app.number}.pdf"
    text = _pdf_text(download.path())
    assert app.number in text and "陈思远" in text and "附件清单" in text

    console = new_page(browser, live_server, accept_downloads=True)
    console_login(console, reviewer.username)
    console.goto(reverse("review:detail", args=[app.public_id]))
    expect(console.get_by_test_id("applicant-name")).to_have_text("陈思远")
    screenshot(console, "review-detail-form-pdf-desktop", full_page=False)
    with console.expect_download() as info:
        console.get_by_role("link", name="下载申报表（PDF）").click()
    assert app.number in _pdf_text(info.value.path())
    page.context.close()
    console.context.close()


def test_applicant_rates_the_handling_and_the_district_and_city_read_it(browser, live_server):
    district = factories.district("440106")
    reviewer = factories.ReviewerFactory(district=district)
    city_admin = factories.CityAdminFactory()
    app = build_application(Status.REJECTED, full_name="林晓峰", reviewer=reviewer)

    page = new_page(browser, live_server)
    login(page, app.applicant.username, PASSWORD)
    page.goto(reverse("applications:status"))
    panel = page.get_by_test_id("service-rating-panel")
    expect(panel).to_contain_text("评价办理服务（好差评）")
    scripts_ready(page)
    panel.scroll_into_view_if_needed()
    screenshot(page, "service-rating-desktop")

    # A 差评 without its reason: refused beside the field, the grade still chosen.
    panel.get_by_label("非常不满意（1分）").check()
    panel.get_by_role("button", name="提交评价").click()
    expect(page.get_by_role("heading", name="评价办理服务（好差评）")).to_be_visible()
    expect(page.locator("#rating-comment-error")).to_have_text(
        "评价为“不满意”或“非常不满意”的，请填写原因，以便区人社局核实整改。"
    )
    expect(page.get_by_label("非常不满意（1分）")).to_be_checked()
    screenshot(page, "service-rating-error-desktop")
    page.get_by_label("评价内容").fill("补正要求前后两次不一致，多跑了一趟。")
    page.get_by_role("button", name="提交评价").click()
    expect(page.get_by_text("感谢您的评价！区人社局将据此改进服务。")).to_be_visible()
    given = page.get_by_test_id("rating-given")
    expect(given).to_contain_text("非常不满意（1分）")
    expect(page.get_by_role("button", name="提交评价")).to_have_count(0)

    phone = new_page(
        browser, live_server, viewport=PHONE, is_mobile=True, has_touch=True, device_scale_factor=2
    )
    login(phone, app.applicant.username, PASSWORD)
    phone.goto(reverse("applications:status"))
    phone.get_by_test_id("service-rating-panel").scroll_into_view_if_needed()
    expect(phone.get_by_test_id("rating-given")).to_be_visible()
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    screenshot(phone, "service-rating-phone")

    # The district's reviewer finds it under 好差评, the 差评 with its reason.
    console = new_page(browser, live_server)
    console_login(console, reviewer.username)
    console.get_by_role("link", name="好差评").click()
    expect(console.get_by_role("heading", name="政务服务好差评")).to_be_visible()
    expect(console.get_by_test_id("rating-count")).to_have_text("1")
    row = console.get_by_test_id("rating-list").get_by_role("row").filter(has_text=app.number)
    expect(row).to_contain_text("补正要求前后两次不一致")
    expect(row).to_contain_text("非常不满意（1分）")
    console.get_by_label("评价等级").select_option(label="差评（不满意、非常不满意）")
    console.get_by_role("button", name="筛选").click()
    expect(console.get_by_test_id("rating-list")).to_contain_text(app.number)
    screenshot(console, "review-ratings-desktop")

    # Another district's reviewer does not see it; the city administrator does, with 天河区's figures.
    other = new_page(browser, live_server)
    console_login(other, factories.ReviewerFactory(district=factories.district("440111")).username)
    other.get_by_role("link", name="好差评").click()
    expect(other.get_by_text("暂无评价。")).to_be_visible()

    city = new_page(
        browser, live_server, viewport=PHONE, is_mobile=True, has_touch=True, device_scale_factor=2
    )
    console_login(city, city_admin.username)
    city.goto(reverse("review:ratings"))
    districts = city.get_by_test_id("rating-districts")
    expect(districts.get_by_role("row").filter(has_text="天河区")).to_contain_text("1")
    expect(city.get_by_test_id("rating-list")).to_contain_text("林晓峰")
    assert city.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    screenshot(city, "review-ratings-phone")
    for each in (page, phone, console, other, city):
        each.context.close()
