"""一键测试 and 申报进度查询 in Chromium, reached from the 公共服务 block, used by visible labels at
1280 px and on a 390 px phone; screenshots of each to var/screenshots/ (kept ones: docs/screenshots/)."""

import re

import pytest
from playwright.sync_api import expect

from applications.choices import Status
from applications.models import Application
from tests import factories
from tests.builders import build_application
from tests.e2e.conftest import PHONE, SCREENSHOT_DIR, login, screenshot, scripts_ready

pytestmark = pytest.mark.django_db(transaction=True)

WIDE = {"width": 1280, "height": 900}
MASTER = re.compile(r"^（二）具有硕士研究生学历")


def field(page, label: str):
    """A form field by its visible label, with or without the required mark (*) crispy adds."""
    return page.get_by_label(re.compile(rf"^\s*{re.escape(label)}\s*\*?\s*$"))


def assert_fits(page):
    width = page.viewport_size["width"]
    assert page.evaluate("document.documentElement.scrollWidth") <= width


def fill_selftest(page, *, birth_date: str, education: str = "硕士研究生", degree: str = "硕士"):
    page.get_by_label("二、学历类人才").check()
    page.get_by_label(MASTER).check()
    field(page, "出生日期").fill(birth_date)
    field(page, "在穗社保缴费月数").fill("18")
    field(page, "学历").select_option(label=education)
    field(page, "学位").select_option(label=degree)
    field(page, "职称").select_option(label="无")
    field(page, "技能人员职业资格").select_option(label="无")


def log_in_on_the_page(page, user):
    page.get_by_label("用户名").fill(user.username)
    page.get_by_label("密码", exact=True).fill(factories.PASSWORD)
    page.get_by_label("验证码").fill("PASSED")
    page.get_by_role("button", name="登录").click()


def test_the_public_services_block_links_both_wherever_it_is(page, applicant):
    page.set_viewport_size(WIDE)
    page.goto("/accounts/login/")
    block = page.get_by_test_id("public-services")
    for name in ("一键测试", "申报进度查询", "网上公示", "入户卡真伪核验"):
        expect(block.get_by_role("link", name=name)).to_be_visible()
    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
    block.screenshot(path=str(SCREENSHOT_DIR / "public-services-block-desktop.png"))
    login(page, applicant.username, factories.PASSWORD)
    for address in ("/", "/talent/"):  # the 门户 and the talent home
        page.goto(address)
        expect(block.get_by_role("link", name="一键测试")).to_be_visible()
        expect(block.get_by_role("link", name="申报进度查询")).to_be_visible()
    block.get_by_role("link", name="申报进度查询").click()
    expect(page.get_by_role("link", name="返回人才引进申办系统")).to_be_visible()


def test_selftest_from_the_login_page_to_a_filled_draft(page, applicant):
    page.set_viewport_size(WIDE)
    page.goto("/accounts/login/")
    page.get_by_test_id("public-services").get_by_role("link", name="一键测试").click()
    expect(page.get_by_role("heading", name="一键测试：我是否符合引进人才入户条件")).to_be_visible()
    scripts_ready(page)

    # Over the age limit and without a master's: 不符合, each reason listed, nothing typed lost.
    fill_selftest(page, birth_date="1970-03-01", education="大学本科（全日制）", degree="学士")
    page.get_by_role("button", name="开始测试").click()
    result = page.get_by_test_id("selftest-result")
    expect(result).to_contain_text("测试结果：不符合")
    expect(result).to_contain_text("45周岁以下年龄条件")
    expect(result).to_contain_text("须具有硕士研究生学历或硕士学位")
    expect(page.get_by_label(MASTER)).to_be_checked()
    expect(field(page, "出生日期")).to_have_value("1970-03-01")
    expect(field(page, "在穗社保缴费月数")).to_have_value("18")
    expect(page.get_by_role("button", name="按此结果开始申报")).to_have_count(0)
    screenshot(page, "selftest-ineligible-desktop")

    # A forgotten answer is said beside its field.
    field(page, "出生日期").fill("")
    page.get_by_role("button", name="开始测试").click()
    expect(page.locator("#div_id_birth_date")).to_contain_text("请填写出生日期。")
    expect(field(page, "学历")).to_have_value("大学本科（全日制）")

    fill_selftest(page, birth_date="1994-05-20")
    page.get_by_role("button", name="开始测试").click()
    expect(result).to_contain_text("测试结果：符合")
    expect(result).to_contain_text("您符合“二、学历类人才（二）")
    screenshot(page, "selftest-eligible-desktop")

    # Anonymous: log in first; the answers wait in the session and the page comes back with them.
    page.get_by_role("button", name="按此结果开始申报").click()
    expect(page.get_by_text("请先登录。登录后将回到一键测试结果")).to_be_visible()
    log_in_on_the_page(page, applicant)
    expect(result).to_contain_text("测试结果：符合")
    expect(page.get_by_label(MASTER)).to_be_checked()
    expect(field(page, "学历")).to_have_value("硕士研究生")
    page.get_by_role("button", name="按此结果开始申报").click()
    expect(page.get_by_text("已按一键测试结果填入引进人才类别和个人信息")).to_be_visible()
    expect(page.get_by_role("heading", name="个人承诺")).to_be_visible()

    app = Application.objects.get(applicant=applicant)
    assert (app.status, app.subcategory.code, app.education, app.degree, app.social_insurance_months) == (
        Status.DRAFT, "2.2", "硕士研究生", "硕士", 18,
    )  # fmt: skip


def test_selftest_on_a_phone(phone_page):
    page = phone_page
    page.goto("/services/selftest/")
    scripts_ready(page)
    assert_fits(page)
    fill_selftest(page, birth_date="1970-03-01")
    page.get_by_role("button", name="开始测试").click()
    result = page.get_by_test_id("selftest-result")
    expect(result).to_contain_text("测试结果：不符合")
    # On a phone the verdict comes first, above the form.
    assert result.bounding_box()["y"] < field(page, "出生日期").bounding_box()["y"]
    assert_fits(page)
    screenshot(page, "selftest-ineligible-phone")
    fill_selftest(page, birth_date="1994-05-20")
    page.get_by_role("button", name="开始测试").click()
    expect(result).to_contain_text("测试结果：符合")
    assert_fits(page)
    screenshot(page, "selftest-eligible-phone")


def fill_progress(page, app, *, full_name: str | None = None):
    field(page, "申报年度").select_option(label=f"{app.year}年")
    field(page, "单位名称").fill(app.employer.name)
    field(page, "姓名").fill(full_name or app.full_name)
    field(page, "证件号码").fill(app.id_number)
    page.get_by_label("验证码").fill("PASSED")


def test_progress_query_from_the_login_page(page):
    app = build_application(Status.RETURNED)
    page.set_viewport_size(WIDE)
    page.goto("/accounts/login/")
    page.get_by_test_id("public-services").get_by_role("link", name="申报进度查询").click()
    expect(page.get_by_role("heading", name="人才引进入户申报进度查询")).to_be_visible()

    # A wrong name: the one answer, the facts typed still there.
    fill_progress(page, app, full_name="李四")
    page.get_by_role("button", name="查询").click()
    expect(page.get_by_test_id("progress-error")).to_have_text(re.compile("未查到相关申报"))
    expect(field(page, "姓名")).to_have_value("李四")
    expect(field(page, "单位名称")).to_have_value(app.employer.name)
    expect(page.get_by_test_id("progress-result")).to_have_count(0)
    screenshot(page, "progress-not-found-desktop")

    field(page, "姓名").fill(app.full_name)
    page.get_by_label("验证码").fill("PASSED")
    page.get_by_role("button", name="查询").click()
    expect(page.get_by_test_id("progress-state")).to_have_text("退回补正")
    expect(page.get_by_test_id("progress-date")).to_have_text(re.compile(r"^\d{4}年\d{2}月\d{2}日$"))
    screenshot(page, "progress-found-desktop")


def test_progress_query_on_a_phone(phone_page):
    app = build_application(Status.IN_NOTICE)
    page = phone_page
    page.goto("/services/progress/")
    assert_fits(page)
    fill_progress(page, app)
    page.get_by_role("button", name="查询").click()
    expect(page.get_by_test_id("progress-state")).to_have_text("网上公示中")
    assert page.viewport_size["width"] == PHONE["width"]
    assert_fits(page)
    screenshot(page, "progress-found-phone")
