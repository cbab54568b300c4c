"""The idle timeout in a real browser, with the real timeout made short (SESSION_COOKIE_AGE through
pytest-django's `settings`; the live server reads it on every request).

1. The warning appears two minutes before the end (age 125 s: after about 5 s), counts down, and
   继续办理 renews the session on the server.
2. Left alone, the page goes to the login page when the time is up; by then the server has really
   ended the session (the draft page asks for a login), and after logging in again the draft saved
   before the timeout is there.
"""

import re

import pytest
from django.contrib.sessions.models import Session
from playwright.sync_api import expect

from tests.e2e.conftest import PHONE, assert_accessible, login, screenshot
from tests.factories import PASSWORD, ApplicationFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def draft():
    """An applicant whose draft is at the 个人信息 step."""
    user = UserFactory()
    application = ApplicationFactory(
        applicant=user, graduate_school="", completed_steps=["commitment", "declaration", "category"]
    )
    return user, f"/talent/apply/{application.public_id}/personal/"


def save_graduate_school(page, url: str, school: str) -> None:
    page.goto(url)
    page.get_by_label(re.compile(r"^\s*毕业学校")).fill(school)
    page.get_by_role("button", name="保存草稿").click()
    expect(page.get_by_text("个人信息已保存。")).to_be_visible()


def session_expiry(page):
    key = next(c["value"] for c in page.context.cookies() if c["name"] == "sessionid")
    return Session.objects.get(session_key=key).expire_date


def test_warning_two_minutes_before_and_continue_renews_the_session(page, draft, settings):
    settings.SESSION_COOKIE_AGE = 125
    user, url = draft
    login(page, user.username, PASSWORD)
    save_graduate_school(page, url, "华南理工大学")

    # Not at once, but when two minutes are left: the countdown it opens with says so, whatever
    # the machine's load made of the seconds between the page load and the warning.
    modal = page.locator("#session-warning")
    expect(modal).to_be_hidden()
    expect(modal).to_be_visible(timeout=20_000)
    expect(modal.get_by_role("heading", name="登录即将超时")).to_be_visible()
    countdown = modal.locator("[data-session-countdown]")
    expect(countdown).to_have_text(re.compile(r"^(2分00|1分[2-5]\d)秒$"))
    opened_with = countdown.text_content()
    expect(countdown).not_to_have_text(opened_with, timeout=5_000)  # it counts down
    assert re.fullmatch(r"1分[0-5]\d秒", countdown.text_content())
    expect(modal).to_contain_text("已填写并保存的申报草稿不会丢失")
    # The warning is a dialog named by its heading and described by its text (axe-core: no serious issue).
    expect(modal).to_have_accessible_description(re.compile("系统将在"))
    assert_accessible(page)
    screenshot(page, "security-session-warning-desktop", full_page=False)

    before = session_expiry(page)
    modal.get_by_role("button", name="继续办理").click()
    # The modal closes only once the keepalive has answered, so the renewal is saved by then.
    expect(modal).to_be_hidden()
    after = session_expiry(page)
    assert (after - before).total_seconds() >= 2, "继续办理 did not renew the session on the server"
    # The page still works, and the draft is as saved.
    page.reload()
    expect(page.get_by_label(re.compile(r"^\s*毕业学校"))).to_have_value("华南理工大学")


def test_when_time_is_up_the_session_is_over_and_the_saved_draft_waits(page, draft, settings):
    settings.SESSION_REFRESH_INTERVAL = 0  # every request renews the session
    user, url = draft
    login(page, user.username, PASSWORD)
    save_graduate_school(page, url, "中山大学")
    settings.SESSION_COOKIE_AGE = 12
    page.reload()  # renewed for 12 s from now; less than two minutes left, so the warning is at once
    expect(page.locator("#session-warning")).to_be_visible()

    page.wait_for_url(re.compile(r"/accounts/login/\?timeout=1"), timeout=40_000)
    expect(page.get_by_text("您较长时间未操作，已自动退出")).to_be_visible()

    # Really over on the server: the draft page asks for a login instead of renewing the session.
    page.goto(url)
    expect(page).to_have_url(re.compile(r"/accounts/login/\?next="))
    page.get_by_label("用户名").fill(user.username)
    page.get_by_label("密码", exact=True).fill(PASSWORD)
    page.get_by_label("验证码").fill("PASSED")
    page.get_by_role("button", name="登录").click()
    expect(page).to_have_url(re.compile(re.escape(url) + "$"))
    expect(page.get_by_label(re.compile(r"^\s*毕业学校"))).to_have_value("中山大学")


def test_the_warning_fits_a_phone(browser, live_server, draft, settings):
    settings.SESSION_COOKIE_AGE = 122
    user, url = draft
    context = browser.new_context(
        viewport=PHONE, locale="zh-CN", base_url=live_server.url, is_mobile=True, has_touch=True, device_scale_factor=2
    )
    page = context.new_page()
    try:
        login(page, user.username, PASSWORD)
        page.goto(url)
        modal = page.locator("#session-warning .modal-content")
        expect(modal).to_be_visible(timeout=15_000)
        box = modal.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]
        expect(page.get_by_role("button", name="继续办理")).to_be_in_viewport()
        screenshot(page, "security-session-warning-phone", full_page=False)
    finally:
        context.close()
