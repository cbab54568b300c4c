"""Headless-Chromium journey through the review: return → correct and resubmit → accept → approve →
masked entry on the public notice → objection raised and dismissed → notice ends → published.

Everyone signs in through the real login pages (the console's for staff, the portal's for the
applicant); the only shortcut is moving the notice's dates into the past, which stands in for the
five working days of waiting.
"""

import datetime
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from applications.choices import Status
from applications.models import Application
from audit.models import AuditEntry
from review.models import Objection, PublicNotice
from tests import factories
from tests.e2e.conftest import DESKTOP, PHONE, login, screenshot
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db(transaction=True)


def console_login(page, username: str) -> None:
    page.goto("/console/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码", exact=True).fill(PASSWORD)
    page.get_by_label("验证码").fill("PASSED")
    page.get_by_role("button", name="登录").click()


def new_page(browser, live_server, viewport=DESKTOP, **options):
    context = browser.new_context(viewport=viewport, locale="zh-CN", base_url=live_server.url, **options)
    context.set_default_timeout(20_000)
    return context.new_page()


def make_submitted_application() -> Application:
    """A 学历类 (二) application of 天河区 with every required attachment, as submitted yesterday."""
    from applications.eligibility import (
        check_eligibility,
        missing_attachment_messages,
        required_attachment_kinds,
    )

    applicant = factories.UserFactory(full_name="张小三", username="zhangxiaosan")
    employer = factories.EmployerFactory(name="广州天河数码科技有限公司")
    yesterday = timezone.now() - datetime.timedelta(days=1)
    app = factories.ApplicationFactory(
        applicant=applicant,
        employer=employer,
        submitted=True,
        submitted_at=yesterday,
        last_submitted_at=yesterday,
        accept_due_on=timezone.localdate() + datetime.timedelta(days=7),
    )
    for kind in required_attachment_kinds(app):
        factories.AttachmentFactory(application=app, kind=kind)
    today = timezone.localdate()
    assert check_eligibility(app, on=today) == []
    assert missing_attachment_messages(app, app.attachments.all()) == []
    return app


def test_return_resubmit_approve_notice_objection_and_publication(browser, live_server, tmp_path):
    district = factories.district("440106")
    reviewer = factories.ReviewerFactory(district=district, username="th_reviewer", full_name="李审核")
    city_admin = factories.CityAdminFactory(username="city_admin")
    app = make_submitted_application()

    # 1. The reviewer signs in to the console and finds the application in the queue.
    staff = new_page(browser, live_server)
    console_login(staff, reviewer.username)
    expect(staff.get_by_role("heading", name=re.compile("审核队列"))).to_be_visible()
    row = staff.get_by_test_id("queue-table").get_by_role("row").filter(has_text=app.number)
    expect(row).to_contain_text("张小三")
    expect(row).to_contain_text("剩")
    screenshot(staff, "review-queue-desktop")
    row.get_by_role("link", name=app.number).click()

    # 2. The detail page: answers, derived facts, attachments viewed in place at full size.
    expect(staff.get_by_test_id("applicant-name")).to_have_text("张小三")
    expect(staff.get_by_test_id("age")).to_contain_text("29周岁")  # 30 today, 29 on the submission day
    expect(staff.get_by_test_id("eligibility")).to_contain_text("资格条件核对通过")
    staff.locator(".attachment-link").first.click()
    viewer = staff.locator("#attachment-viewer [data-viewer-image]")
    expect(viewer).to_be_visible()
    # Waits until the image has loaded (no wait_for_function: the pages' CSP forbids eval).
    expect(viewer).to_have_js_property("naturalWidth", 800)
    assert viewer.evaluate("img => img.naturalWidth") == 800
    assert viewer.evaluate("img => img.getBoundingClientRect().width") == pytest.approx(800, abs=1)
    staff.locator("#attachment-viewer").get_by_role("button", name="关闭").click()
    expect(viewer).to_be_hidden()

    # 3. Return for correction with one complete list.
    staff.locator("summary", has_text="退回补正").click()
    staff.get_by_label("需补正事项（每行一项，请一次列全）").fill("身份证附件不清晰，请重新上传彩色扫描件\n请在职务一栏填写全称")
    screenshot(staff, "review-detail-desktop")
    staff.get_by_role("button", name="退回补正", exact=True).click()
    expect(staff.get_by_role("alert").filter(has_text="已退回补正")).to_be_visible()
    expect(staff.get_by_test_id("application-status")).to_have_text("退回补正")
    expect(staff.get_by_test_id("audit-trail")).to_contain_text("2. 请在职务一栏填写全称")

    # 4. The applicant sees the list, replaces the ID card scan and resubmits (the real wizard).
    applicant = new_page(browser, live_server)
    login(applicant, app.applicant.username, PASSWORD)
    applicant.goto("/talent/status/")
    items = applicant.get_by_test_id("correction-items").first
    expect(items).to_contain_text("身份证附件不清晰，请重新上传彩色扫描件")
    expect(items).to_contain_text("请在职务一栏填写全称")
    applicant.goto(f"/talent/apply/{app.public_id}/attachments/")
    scan = tmp_path / "id-card-clear.jpg"
    scan.write_bytes(factories.jpeg_bytes(1000, 640, color=(200, 180, 160)))
    id_row = applicant.locator("#kind-id_card")
    id_row.locator("input[type=file]").set_input_files(str(scan))
    id_row.locator("[data-upload]").click()
    expect(applicant.locator("#kind-id_card img")).to_have_attribute("width", "1000")
    applicant.goto(f"/talent/apply/{app.public_id}/confirm/")
    applicant.get_by_test_id("submit").click()
    applicant.goto("/talent/status/")
    expect(applicant.locator("body")).to_contain_text("申报已提交")

    # 5. The reviewer accepts and approves it into the notice.
    staff.reload()
    expect(staff.get_by_test_id("application-status")).to_have_text(re.compile("已提交"))
    staff.get_by_role("button", name="受理", exact=True).click()
    expect(staff.get_by_test_id("application-status")).to_have_text("区人社局审核中")
    staff.get_by_role("button", name="审核通过，进入公示").click()
    expect(staff.get_by_role("alert").filter(has_text="审核通过，已列入网上公示")).to_be_visible()
    expect(staff.get_by_test_id("application-status")).to_have_text("网上公示中")

    # 6. The public notice shows the masked entry, and anyone can object (with the captcha).
    public = new_page(browser, live_server)
    public.goto("/notice/")
    entry = public.get_by_test_id("notice-table").get_by_role("row").filter(has_text="广州天河数码科技有限公司")
    expect(entry.get_by_test_id("masked-name")).to_have_text("张*三")
    expect(entry).to_contain_text("广州市天河区人力资源和社会保障局")
    expect(public.locator("body")).not_to_contain_text("张小三")
    expect(public.locator("body")).not_to_contain_text(app.id_number)
    screenshot(public, "notices-list-desktop")
    entry.get_by_role("link", name="提出异议").click()
    public.get_by_label("联系人姓名").fill("王五")
    public.get_by_label("联系电话").fill("13900139000")
    public.get_by_label("异议内容").fill("据了解申请人并未在该单位实际工作，社保由他人代缴。")
    public.get_by_label("验证码").fill("PASSED")
    public.get_by_role("button", name="提交异议").click()
    expect(public.get_by_role("heading", name="异议已收到")).to_be_visible()
    number = public.get_by_test_id("objection-number").inner_text()
    assert Objection.objects.get().public_id.hex[:8].upper() == number

    # 7. The reviewer finds the objection and dismisses it after checking.
    staff.goto("/console/objections/")
    staff.get_by_role("link", name=number).click()
    expect(staff.get_by_test_id("objection-status")).to_have_text("待处理")
    staff.locator("form[action$='/dismiss/']").get_by_label("核查情况及处理意见").fill("经核实劳动合同和社保缴费记录，申请人在职，异议不成立。")
    staff.get_by_role("button", name="认定异议不成立").click()
    expect(staff.get_by_test_id("objection-status")).to_have_text("异议不成立")

    # 8. Five working days later the notice ends; the city administrator closes it and publishes.
    notice = PublicNotice.objects.get()
    PublicNotice.objects.filter(pk=notice.pk).update(
        start_date=notice.start_date - datetime.timedelta(days=10),
        end_date=timezone.localdate() - datetime.timedelta(days=1),
    )
    admin = new_page(browser, live_server)
    console_login(admin, city_admin.username)
    admin.goto("/console/notices/")
    admin.get_by_role("link", name=notice.title).click()
    admin.get_by_role("button", name="结束公示并公布").click()
    expect(admin.get_by_role("alert").filter(has_text="公布1人")).to_be_visible()
    expect(admin.get_by_test_id("notice-status")).to_have_text("公示结束")

    app.refresh_from_db()
    assert app.status == Status.PUBLISHED and app.published_at is not None
    actions = list(AuditEntry.objects.filter(application=app).order_by("id").values_list("action", flat=True))
    assert actions[:2] == ["return_for_correction", "submit"]
    assert actions[2:7] == ["accept", "approve", "objection_raised", "objection_dismissed", "publish"]
    # The card service ran on commit (hukou_card), so the published applicant has a card.
    assert app.hukou_cards.filter(move_type="主迁").exists()

    public.goto("/notice/?tab=past")
    expect(public.get_by_test_id("masked-name").first).to_have_text("张*三")
    for page in (staff, applicant, public, admin):
        page.context.close()


def test_quota_chart_and_public_notice_on_desktop_and_phone(browser, live_server, phone_page, district):
    """The city's quota chart; the queue, quota and notice read well at 390 px (no sideways scroll)."""
    from review import services

    city_admin = factories.CityAdminFactory(username="quota_admin")
    reviewer = factories.ReviewerFactory(district=district, username="phone_reviewer")
    for code, total, reserved, used in [("440106", 20, 3, 9), ("440111", 12, 2, 10), ("440105", 15, 0, 4)]:
        factories.QuotaFactory(district=factories.district(code), total_places=total, reserved=reserved, used=used)
    key = factories.EmployerFactory(name="广州汽车集团股份有限公司", is_key_employer=True)
    factories.QuotaFactory(district=district, employer=key, total_places=8, reserved=1, used=2)
    for i in range(3):
        factories.ApplicationFactory(submitted=True, accept_due_on=timezone.localdate() + datetime.timedelta(days=i + 7))
    approved = factories.ApplicationFactory(submitted=True, status=Status.UNDER_REVIEW, full_name="欧阳小明")
    services.application_approve(application_id=approved.pk, by=reviewer)

    desktop = new_page(browser, live_server)
    console_login(desktop, city_admin.username)
    desktop.goto("/console/quota/")
    expect(desktop.get_by_role("img", name=re.compile("白云区：共12个，已使用10个，公示中占用2个，剩余0个"))).to_be_visible()
    expect(desktop.get_by_test_id("quota-table").locator("tr[data-district='荔湾区']")).to_contain_text("尚未下达")
    expect(desktop.get_by_test_id("quota-table")).to_contain_text("广州汽车集团股份有限公司（五(四)专项）")
    screenshot(desktop, "review-quota-desktop")
    desktop.context.close()

    console_login(phone_page, reviewer.username)
    expect(phone_page.get_by_test_id("queue-table")).to_be_visible()
    width = phone_page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"the queue scrolls sideways on a phone ({width}px)"
    screenshot(phone_page, "review-queue-phone")
    phone_page.goto("/console/quota/")
    expect(phone_page.get_by_role("img", name=re.compile("天河区：共20个，已使用9个，公示中占用3个，剩余8个"))).to_be_visible()
    expect(phone_page.get_by_test_id("quota-table")).not_to_contain_text("白云区")  # the reviewer's district only
    assert phone_page.evaluate("() => document.documentElement.scrollWidth") <= PHONE["width"]
    screenshot(phone_page, "review-quota-phone")
    phone_page.goto("/notice/")
    expect(phone_page.get_by_test_id("masked-name").first).to_have_text("欧**明")
    assert phone_page.evaluate("() => document.documentElement.scrollWidth") <= PHONE["width"]
    screenshot(phone_page, "notices-list-phone")
