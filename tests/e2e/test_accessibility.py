"""WCAG 2.1 AA as axe-core measures it, on every page type people use: one journey per kind of user
visits each page (and each wizard step empty, filled and with errors) and collects axe-core's
serious and critical violations; the test fails on any, listing them all at once."""

import pytest
from playwright.sync_api import expect

from applications import services as application_services
from applications.choices import Status
from tests import factories
from tests.builders import build_application
from tests.e2e.conftest import accessibility_violations, login
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db(transaction=True)

STEPS = ("commitment", "declaration", "category", "personal", "family", "attachments", "confirm")


class Audit:
    """Runs axe-core on each page visited and keeps what it finds, page by page."""

    def __init__(self, page):
        self.page = page
        self.found: dict[str, list[str]] = {}
        self.visited: list[str] = []

    def check(self, label: str) -> None:
        self.visited.append(label)
        violations = accessibility_violations(self.page)
        if violations:
            self.found[f"{label} ({self.page.url})"] = violations

    def visit(self, label: str, url: str, *, status: int = 200) -> None:
        response = self.page.goto(url)
        assert response.status == status, f"{label}: {url} answered {response.status}"
        self.check(label)

    def assert_clean(self) -> None:
        report = "\n".join(f"{label}:\n  " + "\n  ".join(lines) for label, lines in self.found.items())
        assert not self.found, f"axe-core found serious or critical violations:\n{report}"


def console_login(page, username: str) -> None:
    page.goto("/console/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码", exact=True).fill(PASSWORD)
    page.get_by_label("验证码").fill("PASSED")
    page.get_by_role("button", name="登录").click()


def test_public_and_applicant_pages_have_no_serious_violations(page):
    audit = Audit(page)
    in_notice = build_application(Status.IN_NOTICE, full_name="欧阳小明")
    audit.visit("门户（未登录）", "/")
    audit.visit("用户登录", "/accounts/login/")
    page.get_by_role("button", name="登录").click()
    expect(page.locator(".invalid-feedback, .errorlist").first).to_be_visible()
    audit.check("用户登录（有错误）")
    audit.visit("注册第1步", "/accounts/register/")
    page.get_by_role("button", name="下一步").click()
    expect(page.locator("#id_agree_error")).to_be_visible()
    audit.check("注册第1步（有错误）")
    page.get_by_label("我已仔细阅读并同意以上服务协议").check()
    page.get_by_role("button", name="下一步").click()
    audit.check("注册第2步")
    page.get_by_role("button", name="下一步").click()
    audit.check("注册第2步（有错误）")
    audit.visit("网上公示", "/notice/")
    audit.visit("往期公示", "/notice/?tab=past")
    audit.visit("异议", f"/notice/objection/{in_notice.public_id}/")
    page.get_by_role("button", name="提交").first.click()
    audit.check("异议（有错误）")
    audit.visit("入户卡核验", "/cards/verify/")
    audit.visit("帮助", "/help/")
    audit.visit("政务服务", "/gov-service/")
    audit.visit("404", "/no-such-page/", status=404)
    audit.visit("413（nginx 的静态页）", "/static/portal/errors/request-too-large.html")

    applicant = factories.UserFactory(username="a11y_applicant")
    login(page, applicant.username, PASSWORD)
    expect(page.get_by_role("link", name="退出").or_(page.get_by_role("button", name="退出"))).to_be_visible()
    audit.check("门户（已登录）")
    audit.visit("应用目录", "/apps/")
    audit.visit("人才引进首页", "/talent/")
    audit.visit("开始申报", "/talent/apply/")
    empty = application_services.application_start(applicant=applicant)
    for step in STEPS:
        audit.visit(f"{step}（空）", f"/talent/apply/{empty.public_id}/{step}/")
        next_button = page.get_by_role("button", name="下一步")
        if next_button.count():
            next_button.click()
            audit.check(f"{step}（有错误）")

    filled = build_application(Status.DRAFT, full_name="李小龙")
    login(page, filled.applicant.username, PASSWORD)
    for step in STEPS:
        audit.visit(f"{step}（已填）", f"/talent/apply/{filled.public_id}/{step}/")
    audit.visit("资料库", "/talent/library/")
    login(page, in_notice.applicant.username, PASSWORD)
    audit.visit("办理情况", "/talent/status/")
    audit.visit("办理详情", f"/talent/status/{in_notice.public_id}/")
    audit.assert_clean()


def test_console_and_police_pages_have_no_serious_violations(page):
    audit = Audit(page)
    submitted = build_application(Status.SUBMITTED, full_name="张小三")
    in_notice = build_application(Status.IN_NOTICE, full_name="欧阳小明", objection=True)
    published = build_application(Status.PUBLISHED, full_name="陈大文")
    audit.visit("工作台登录", "/console/login/")
    city_admin = factories.CityAdminFactory(username="a11y_admin")
    console_login(page, city_admin.username)
    expect(page.get_by_role("heading").first).to_be_visible()
    audit.check("受理队列")
    audit.visit("申报详情", f"/console/applications/{submitted.public_id}/")
    audit.visit("异议列表", "/console/objections/")
    objection = in_notice.notice_entry.objections.get()
    audit.visit("异议详情", f"/console/objections/{objection.public_id}/")
    audit.visit("公示批次", "/console/notices/")
    audit.visit("公示批次详情", f"/console/notices/{in_notice.notice_entry.notice.public_id}/")
    audit.visit("指标", "/console/quota/")

    officer = factories.PoliceFactory(username="a11y_police")
    page.context.clear_cookies()
    console_login(page, officer.username)
    audit.visit("公安查询", "/cards/police/")
    card = published.hukou_cards.first()
    page.get_by_label("入户卡卡号").fill(card.number)
    page.get_by_role("button", name="查询").click()
    expect(page.get_by_test_id("card-fields")).to_be_visible()
    audit.check("公安卡详情")
    audit.visit("无权限", "/console/", status=403)
    audit.assert_clean()
