"""Keyboard only (Tab, Shift+Tab, Enter, Space): the skip link, the login form with an error, a
wizard step with an error. The focus is always visible, the GOV.UK error summary takes the focus
on load and its links lead into the fields, and each page title names the step."""

import pytest
from playwright.sync_api import expect

from applications import services as application_services
from tests import factories
from tests.e2e.conftest import screenshot
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db(transaction=True)

# What the focused element is and whether its focus ring can be seen (outline or box-shadow).
FOCUSED = """() => {
  const el = document.activeElement;
  const style = getComputedStyle(el);
  const ring = (style.outlineStyle !== "none" && parseFloat(style.outlineWidth) >= 2) || style.boxShadow !== "none";
  return {id: el.id, tag: el.tagName, text: (el.innerText || el.value || "").trim().slice(0, 40),
          summary: el.hasAttribute("data-error-summary"), ring: ring};
}"""


def focused(page) -> dict:
    return page.evaluate(FOCUSED)


def tab_to(page, predicate, *, key="Tab", limit=40) -> dict:
    """Press Tab until the focused element satisfies `predicate`; each stop must show its focus."""
    for _ in range(limit):
        page.keyboard.press(key)
        now = focused(page)
        if now["tag"] not in ("BODY", "MAIN"):
            assert now["ring"], f"no visible focus on {now}"
        if predicate(now):
            return now
    raise AssertionError(f"{key} never reached the element on {page.url}")


def test_login_and_a_wizard_step_by_keyboard(page):
    applicant = factories.UserFactory(username="keyboard_user")
    application = application_services.application_start(applicant=applicant)

    page.goto("/notice/")
    # The first Tab lands on the skip link, which shows itself; Enter moves to the main content.
    page.keyboard.press("Tab")
    skip = focused(page)
    assert skip["text"] == "跳到主要内容" and skip["ring"], skip
    expect(page.get_by_role("link", name="跳到主要内容")).to_be_in_viewport()
    page.keyboard.press("Enter")
    assert focused(page)["tag"] == "MAIN"

    page.goto("/accounts/login/")
    assert focused(page)["id"] == "id_username"  # the form's first field has the focus (autofocus)
    page.keyboard.type(applicant.username)
    page.keyboard.press("Tab")
    assert focused(page)["id"] == "id_password"
    page.keyboard.type(PASSWORD)
    # Back and forth: Shift+Tab returns to the user name with what was typed.
    page.keyboard.press("Shift+Tab")
    assert focused(page)["id"] == "id_username"
    tab_to(page, lambda f: f["text"] == "登录" and f["tag"] == "BUTTON")
    page.keyboard.press("Enter")  # no captcha answer: an error

    expect(page.get_by_test_id("error-summary")).to_contain_text("以下内容需要修改")
    assert focused(page)["summary"], "the error summary takes the focus on load"
    page.keyboard.press("Tab")
    link = focused(page)
    assert link["tag"] == "A" and "验证码" in link["text"]
    page.keyboard.press("Enter")
    assert focused(page)["id"] == "id_captcha_1"
    expect(page.locator("#id_username")).to_have_value(applicant.username)
    page.keyboard.type("PASSED")
    tab_to(page, lambda f: f["id"] == "id_password", key="Shift+Tab")
    page.keyboard.type(PASSWORD)  # the password is never drawn back into its box
    page.keyboard.press("Enter")
    expect(page.get_by_role("link", name="退出").or_(page.get_by_role("button", name="退出"))).to_be_visible()

    page.goto(f"/talent/apply/{application.public_id}/commitment/")
    expect(page).to_have_title("人才引进信息登记 · 第1步 个人承诺 - 广州市人事电子政务系统")
    tab_to(page, lambda f: f["text"] == "下一步")
    page.keyboard.press("Enter")  # neither 同意 nor 不同意 chosen

    summary = page.get_by_test_id("error-summary")
    expect(summary).to_contain_text("请阅读个人承诺并选择“同意”或“不同意”。")
    assert page.title().startswith("错误：人才引进信息登记 · 第1步")
    assert focused(page)["summary"]
    page.set_viewport_size({"width": 1280, "height": 900})
    screenshot(page, "a11y-error-summary-1280", full_page=False)
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    assert focused(page)["id"] == "id_choice_0"
    page.keyboard.press("Space")
    expect(page.get_by_label("同意", exact=True)).to_be_checked()
    tab_to(page, lambda f: f["text"] == "下一步")
    page.keyboard.press("Enter")
    expect(page).to_have_title("人才引进信息登记 · 第2步 申报类型 - 广州市人事电子政务系统")


def test_error_summary_on_a_phone(phone_page):
    applicant = factories.UserFactory(username="keyboard_phone")
    application = application_services.application_start(applicant=applicant)
    page = phone_page
    page.goto("/accounts/login/")
    page.get_by_label("用户名").fill(applicant.username)
    page.get_by_label("密码", exact=True).fill(PASSWORD)
    page.get_by_label("验证码").fill("PASSED")
    page.get_by_role("button", name="登录").click()
    expect(page.get_by_role("link", name="退出").or_(page.get_by_role("button", name="退出"))).to_be_visible()
    page.goto(f"/talent/apply/{application.public_id}/commitment/")
    page.get_by_role("button", name="下一步").click()
    expect(page.get_by_test_id("error-summary")).to_be_in_viewport()
    screenshot(page, "a11y-error-summary-390", full_page=False)


def test_registration_errors_are_summarised_with_links(page):
    page.goto("/accounts/register/")
    page.get_by_label("我已仔细阅读并同意以上服务协议").check()
    page.get_by_role("button", name="下一步").click()
    page.get_by_role("button", name="下一步").click()  # nothing filled in
    summary = page.get_by_test_id("form-error-summary")
    expect(summary).to_contain_text("以下内容需要修改")
    assert focused(page)["summary"]
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    assert focused(page)["id"] == summary.get_by_role("link").first.get_attribute("href")[1:]
