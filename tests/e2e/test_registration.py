"""Journey: register through all four steps, log in with the captcha, add the 人才引进申办系统, open it."""

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from accounts.models import User
from accounts.validators import id_check_char
from core.text import cn_date_with_weekday
from tests.e2e.conftest import screenshot, scripts_ready

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "Gz2026abc"
OTHER_ID = "44010619880808122" + id_check_char("44010619880808122")
GOOD = {
    "#id_username": "journey_user",
    "#id_password": PASSWORD,
    "#id_password2": PASSWORD,
    "#id_captcha_1": "PASSED",
    "#id_full_name": "王五",
    "#id_id_number": "11010519491231002X",
    "#id_workplace": "广州天河软件科技有限公司",
    "#id_landline": "020-83123456",
    "#id_mobile": "13900139000",
    "#id_email": "wangwu@example.com",
    "#id_personal_note": "软件工程师",
}


def fill_step2(page, values):
    for selector, value in values.items():
        page.locator(selector).fill(value)


def to_step2(page):
    page.goto("/accounts/register/")
    page.get_by_label("我已仔细阅读并同意以上服务协议").check()
    page.get_by_role("button", name="下一步").click()
    expect(page.locator(".step-bar .is-current")).to_contain_text("填写帐号信息")


def test_register_log_in_add_the_talent_system_and_open_it(page):
    # Step 1: the agreement must be ticked.
    page.goto("/accounts/register/")
    expect(page.get_by_role("heading", name="服务协议")).to_be_visible()
    expect(page.locator(".agreement-text")).to_contain_text("6. 版权、商标权")
    screenshot(page, "accounts-register-step1-desktop")
    page.get_by_role("button", name="下一步").click()
    expect(page.locator("#id_agree_error")).to_contain_text("请先阅读服务协议")
    page.get_by_label("我已仔细阅读并同意以上服务协议").check()
    page.get_by_role("button", name="下一步").click()

    # Step 2: check the account name with its own captcha, without leaving the page.
    page.locator("#id_username").fill("journey_user")
    scripts_ready(page)  # register.js answers 检测登录帐号 in place
    page.locator("#id_check_captcha_1").fill("PASSED")
    page.get_by_role("button", name="检测登录帐号").click()
    expect(page.get_by_test_id("username-check-result")).to_have_text("该登录帐号可以使用。")
    expect(page.locator("#id_check_captcha_1")).to_have_value("")  # a fresh captcha for the next check

    # A mistake shows its message beside the field and keeps the other entries.
    fill_step2(page, {**GOOD, "#id_password2": "Gz2026xyz"})
    page.get_by_label("本人承诺以上填报资料真实准确").check()
    page.get_by_role("button", name="下一步").click()
    expect(page.locator("#id_password2_error")).to_contain_text("两次输入的密码不一致")
    expect(page.locator("#id_full_name")).to_have_value("王五")
    expect(page.locator("#id_id_number")).to_have_value("11010519491231002X")
    expect(page.get_by_label("本人承诺以上填报资料真实准确")).to_be_checked()
    screenshot(page, "accounts-register-step2-error-desktop")

    page.locator("#id_password").fill(PASSWORD)
    page.locator("#id_password2").fill(PASSWORD)
    page.locator("#id_captcha_1").fill("PASSED")
    page.get_by_role("button", name="下一步").click()

    # Step 3: choose the systems; leave the 人才引进申办系统 out to add it from the portal later.
    expect(page.locator(".step-bar .is-current")).to_contain_text("申请应用系统")
    expect(page.get_by_text("其他应用系统（本安装未提供")).to_be_visible()
    screenshot(page, "accounts-register-step3-desktop")
    page.get_by_label("人才引进申办系统").uncheck()
    page.get_by_role("button", name="完成注册").click()

    # Step 4: success, then log in.
    expect(page.get_by_test_id("registered-username")).to_have_text("journey_user")
    screenshot(page, "accounts-register-step4-desktop")
    user = User.objects.get(username="journey_user")
    assert user.full_name == "王五" and user.check_password(PASSWORD)
    page.get_by_role("link", name="立即登录").click()
    expect(page.get_by_label("用户名")).to_have_value("journey_user")
    page.get_by_label("密码", exact=True).fill(PASSWORD)
    page.get_by_label("验证码").fill("PASSED")
    page.get_by_role("button", name="登录").click()

    # The 门户: header with name, 用户类型 and today's date; add the 人才引进申办系统.
    expect(page.get_by_test_id("user-name")).to_have_text("王五")
    expect(page.get_by_test_id("user-type")).to_have_text("个人")
    expect(page.get_by_test_id("today")).to_have_text(cn_date_with_weekday(timezone.localdate()))
    expect(page.get_by_test_id("support-tip")).to_contain_text("hrssgz@gz.gov.cn")
    page.get_by_test_id("add-app").click()
    expect(page.get_by_test_id("catalogue-not-provided")).to_have_count(27)
    page.get_by_role("button", name="添加人才引进申办系统").click()
    expect(page.locator(".alert-success")).to_contain_text("已添加“人才引进申办系统”")
    screenshot(page, "portal-home-desktop")

    # Its home page: the menu and the policy lists with real pages.
    page.get_by_test_id("my-app").click()
    expect(page.get_by_text("人才引进申办个人登记").first).to_be_visible()
    expect(page.get_by_text("人才引进入户手续办理情况").first).to_be_visible()
    page.get_by_role("link", name="广州市人民政府办公厅关于印发广州市引进人才入户管理办法的通知").click()
    expect(page.locator(".content-body")).to_contain_text("整理的摘要")
    expect(page.locator(".content-body")).to_contain_text("硕士研究生学历或硕士学位，45周岁以下")


STEP2_CASES = [
    ("#id_username", "1abc", "#id_username_error", "须以英文字母开头"),
    ("#id_username", "ab-c", "#id_username_error", "只能由英文字母、数字和下划线组成"),
    ("#id_password", "abc", "#id_password_error", "6~20位"),
    ("#id_password", "abc123!!", "#id_password_error", "不要使用特殊符号"),
    ("#id_password2", "Gz2026xyz", "#id_password2_error", "两次输入的密码不一致"),
    ("#id_captcha_1", "WRONG", "#id_captcha_error", "验证码错误"),
    ("#id_full_name", "王5", "#id_full_name_error", "姓名应与证件一致"),
    ("#id_id_number", "110105194912310021", "#id_id_number_error", "校验位不正确"),
    ("#id_landline", "83123456", "#id_landline_error", "XXX-XXXXXXX"),
    ("#id_mobile", "2390013900", "#id_mobile_error", "以1开头的11位数字"),
    ("#id_email", "wangwu@", "#id_email_error", "电子邮件格式不正确"),
]


def test_every_step2_rule_shows_its_message_and_keeps_the_other_entries(page):
    from tests.factories import UserFactory

    UserFactory(username="taken_name", id_number=OTHER_ID)
    cases = [
        *STEP2_CASES,
        ("#id_username", "TAKEN_NAME", "#id_username_error", "该登录帐号已被注册"),
        ("#id_id_number", OTHER_ID, "#id_id_number_error", "每个证件号码只能注册一个帐户"),
    ]
    to_step2(page)
    for selector, bad, error_selector, message in cases:
        fill_step2(page, {**GOOD, selector: bad})
        promise = page.get_by_label("本人承诺以上填报资料真实准确")
        if not promise.is_checked():
            promise.check()
        page.get_by_role("button", name="下一步").click()
        expect(page.locator(error_selector)).to_contain_text(message)
        expect(page.get_by_test_id("form-error-summary")).to_be_visible()
        # Everything else is still there (passwords excepted: browsers never refill them).
        for other, value in GOOD.items():
            if other in (selector, "#id_password", "#id_password2", "#id_captcha_1"):
                continue
            expect(page.locator(other)).to_have_value(value)
        assert page.locator(".invalid-feedback").count() == 1, (
            selector,
            page.locator(".invalid-feedback").all_inner_texts(),
        )
    # The promise itself.
    fill_step2(page, GOOD)
    page.get_by_label("本人承诺以上填报资料真实准确").uncheck()
    page.get_by_role("button", name="下一步").click()
    expect(page.locator("#id_promise_error")).to_contain_text("勾选本人承诺")
    expect(page.locator("#id_full_name")).to_have_value("王五")
    assert not User.objects.filter(username="journey_user").exists()


def test_back_and_forth_keeps_what_was_typed(page):
    to_step2(page)
    fill_step2(page, {"#id_username": "half_done", "#id_full_name": "李雷", "#id_mobile": "13700137000"})
    page.get_by_role("button", name="上一步").click()
    expect(page.get_by_label("我已仔细阅读并同意以上服务协议")).to_be_checked()
    page.get_by_role("button", name="下一步").click()
    expect(page.locator("#id_username")).to_have_value("half_done")
    expect(page.locator("#id_full_name")).to_have_value("李雷")
    expect(page.locator("#id_mobile")).to_have_value("13700137000")


def test_registration_on_a_phone(phone_page):
    page = phone_page
    page.goto("/accounts/register/")
    screenshot(page, "accounts-register-step1-phone")
    page.get_by_label("我已仔细阅读并同意以上服务协议").check()
    page.get_by_role("button", name="下一步").click()
    fill_step2(page, {**GOOD, "#id_username": "phone_user", "#id_id_number": OTHER_ID})
    page.get_by_label("本人承诺以上填报资料真实准确").check()
    screenshot(page, "accounts-register-step2-phone")
    page.get_by_role("button", name="下一步").click()
    page.get_by_role("button", name="完成注册").click()
    expect(page.get_by_test_id("registered-username")).to_have_text("phone_user")
    # Nothing overflows the 390 px screen.
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
