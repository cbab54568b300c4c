"""A foreign applicant whose browser asks for English: the portal answers in English from the first
page, the 中文 / English link switches the page it is on and the choice is remembered, and the
English pages pass axe-core as the Chinese ones do (language of the page and of its parts)."""

import pytest
from playwright.sync_api import expect

from tests import factories
from tests.e2e.conftest import CHROMIUM_ARGS, DESKTOP, assert_accessible, screenshot  # noqa: F401
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def english_page(browser, live_server):
    context = browser.new_context(viewport=DESKTOP, locale="en-US", base_url=live_server.url)
    context.set_default_timeout(15_000)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    yield page
    context.close()
    assert not errors, f"JavaScript errors on the page: {errors}"


def test_an_english_browser_gets_english_and_can_switch(english_page):
    page = english_page
    applicant = factories.UserFactory(username="foreign_talent", full_name="Maria Schmidt")

    page.goto("/accounts/login/")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(
        page.get_by_role("heading", name="Log in to the Guangzhou Personnel E-Government System")
    ).to_be_attached()
    assert_accessible(page)
    screenshot(page, "english-journey-login")

    # A mistake first: the error summary and the message beside the field are English.
    page.get_by_label("User name").fill(applicant.username)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_test_id("error-summary")).to_contain_text("There is a problem")
    expect(page.locator("#id_username")).to_have_value(applicant.username)
    assert_accessible(page)

    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("textbox", name="Captcha").fill("PASSED")
    page.get_by_role("button", name="Log in").click()
    expect(
        page.get_by_role("button", name="Log out").or_(page.get_by_role("link", name="Log out"))
    ).to_be_visible()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    assert_accessible(page)
    portal_url = page.url

    # 中文: the same page in Chinese, the link itself marked as Chinese.
    switch = page.get_by_role("link", name="中文")
    expect(switch).to_have_attribute("lang", "zh-CN")
    switch.click()
    expect(page.locator("html")).to_have_attribute("lang", "zh-CN")
    assert page.url == portal_url
    expect(page.get_by_role("button", name="退出").or_(page.get_by_role("link", name="退出"))).to_be_visible()

    # Remembered over the browser's own preference, page after page, until switched back.
    page.reload()
    expect(page.locator("html")).to_have_attribute("lang", "zh-CN")
    page.get_by_role("link", name="English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    assert page.url == portal_url
    applicant.refresh_from_db()
    assert applicant.language == "en"  # the account's e-mails follow


def test_the_console_stays_chinese_for_an_english_browser(english_page):
    page = english_page
    page.goto("/console/login/")
    expect(page.locator("html")).to_have_attribute("lang", "zh-CN")
    expect(page.get_by_role("link", name="English")).to_have_count(0)


@pytest.mark.parametrize("width", [1280, 390])
def test_the_public_notice_and_the_status_page_in_english(browser, live_server, width):
    """What a foreign applicant and the public read, at a desktop's and a phone's width: the
    reference names (district, category) in English, the page free of axe-core violations."""
    from applications.choices import Status
    from tests.builders import build_application

    application = build_application(Status.IN_NOTICE, full_name="Maria Schmidt", subcategory="2.2")
    context = browser.new_context(
        viewport={"width": width, "height": 900}, locale="en-GB", base_url=live_server.url
    )
    context.set_default_timeout(15_000)
    page = context.new_page()
    try:
        page.goto("/notice/")
        row = page.locator("tbody tr").first  # the one application on notice
        expect(row).to_contain_text("Talent by academic qualification")
        expect(row).to_contain_text("Human Resources and Social Security Bureau")
        assert_accessible(page)
        screenshot(page, f"english-notice-list-{width}")

        page.goto("/accounts/login/")
        page.get_by_label("User name").fill(application.applicant.username)
        page.get_by_label("Password", exact=True).fill(PASSWORD)
        page.get_by_role("textbox", name="Captcha").fill("PASSED")
        page.get_by_role("button", name="Log in").click()
        expect(
            page.get_by_role("button", name="Log out").or_(page.get_by_role("link", name="Log out"))
        ).to_be_visible()
        page.goto(f"/talent/status/{application.public_id}/")
        expect(page.locator("html")).to_have_attribute("lang", "en")
        assert_accessible(page)
        screenshot(page, f"english-status-{width}")
    finally:
        context.close()
