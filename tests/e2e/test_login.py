"""The login page in the browser: messages, captcha refresh, CA tab, staff, lockout."""

import pytest
from django.conf import settings
from playwright.sync_api import expect

from tests import factories
from tests.e2e.conftest import login, screenshot

pytestmark = pytest.mark.django_db(transaction=True)


def test_login_page_on_desktop_and_phone(page, phone_page):
    page.goto("/accounts/login/")
    expect(page.get_by_role("tab", name="用户登录")).to_have_attribute("aria-selected", "true")
    expect(page.get_by_text("系统说明")).to_be_visible()
    screenshot(page, "accounts-login-desktop")
    page.get_by_role("tab", name="CA登录").click()
    expect(page.get_by_text("未接入CA数字证书认证服务")).to_be_visible()
    expect(page.get_by_role("button", name="CA登录（未接入）")).to_be_disabled()

    phone_page.goto("/accounts/login/")
    expect(phone_page.get_by_role("button", name="登录")).to_be_visible()
    screenshot(phone_page, "accounts-login-phone")
    assert phone_page.evaluate("document.documentElement.scrollWidth") <= 390


def test_captcha_refreshes_on_click(page):
    page.goto("/accounts/login/")
    image = page.locator("#div_id_captcha img.captcha")
    key = page.locator("input[name='captcha_0']")
    before = (image.get_attribute("src"), key.input_value())
    page.get_by_role("button", name="点击获取").click()
    expect(key).not_to_have_value(before[1])
    assert image.get_attribute("src") != before[0]
    # The new picture really loads (the key is known to the server).
    loaded = "img => img.complete ? img.naturalWidth > 0 : new Promise(r => { img.onload = () => r(img.naturalWidth > 0); img.onerror = () => r(false); })"
    assert image.evaluate(loaded)


def test_wrong_password_then_wrong_captcha_keep_the_username(page, applicant):
    login(page, applicant.username, "Wrong12345")
    expect(page.locator("#id_password_error")).to_contain_text("用户名或密码错误")
    expect(page.locator("#id_password_error")).to_contain_text(
        f"再连续输错{settings.AXES_FAILURE_LIMIT - 1}次"
    )
    expect(page.get_by_label("用户名")).to_have_value(applicant.username)
    expect(page.get_by_label("密码", exact=True)).to_have_value("")

    page.get_by_label("密码", exact=True).fill(factories.PASSWORD)
    page.get_by_label("验证码").fill("NOPE")
    page.get_by_role("button", name="登录").click()
    expect(page.locator("#id_captcha_error")).to_contain_text("验证码错误")
    expect(page.get_by_label("用户名")).to_have_value(applicant.username)

    page.get_by_label("密码", exact=True).fill(factories.PASSWORD)
    page.get_by_label("验证码").fill("PASSED")
    page.get_by_role("button", name="登录").click()
    expect(page.get_by_test_id("user-name")).to_have_text(applicant.full_name)


def test_staff_are_told_to_use_the_console(page, reviewer):
    login(page, reviewer.username, factories.PASSWORD)
    expect(page.get_by_test_id("login-error")).to_contain_text("/console/login/")
    expect(page.get_by_test_id("user-name")).to_have_count(0)


def test_employer_administrator_logs_in_as_employer(page, applicant):
    right = factories.EmployerAdminFactory(user=applicant)
    login(page, applicant.username, factories.PASSWORD, user_type="单位")
    expect(page.get_by_test_id("administered-employer")).to_contain_text(right.employer.name)
    expect(page.get_by_test_id("user-type")).to_have_text("单位")


def test_lockout_after_repeated_failures_shows_the_wait(page, applicant):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        login(page, applicant.username, "Wrong12345")
    expect(page.get_by_test_id("cooloff")).to_have_text(f"{int(settings.AXES_COOLOFF_TIME * 60)}分钟")
    screenshot(page, "accounts-locked-out-desktop")
    login(page, applicant.username, factories.PASSWORD)
    expect(page.get_by_test_id("locked-out")).to_be_visible()
