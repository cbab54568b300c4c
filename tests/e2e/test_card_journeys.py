"""Journeys of the 入户信息卡: the applicant downloads and gives up, anyone verifies, the police
desk records the move and the applicant sees it. Real PDFs, real signatures, headless Chromium."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from applications.choices import Relation, Status
from hukou_card.models import HukouCard
from hukou_card.services import cards_issue_for_application
from hukou_card.signing import check_card_signature
from tests import factories
from tests.e2e.conftest import login, screenshot

pytestmark = pytest.mark.django_db(transaction=True)


def _published_with_cards():
    applicant = factories.UserFactory(username="card_holder", full_name="张明华")
    application = factories.ApplicationFactory(
        applicant=applicant,
        submitted=True,
        status=Status.PUBLISHED,
        published_at=timezone.now(),
        subcategory=factories.subcategory("3.2"),
        district=factories.district("440112"),
        intended_address="广州市黄埔区科学大道100号",
    )
    factories.AccompanyingPersonFactory(application=application, full_name="李晓红", relation=Relation.SPOUSE)
    factories.AccompanyingPersonFactory(
        application=application,
        full_name="张小宝",
        relation=Relation.SON,
        gender="男",
        id_number=factories.make_resident_id(datetime.date(2018, 3, 9)),
        birth_date=datetime.date(2018, 3, 9),
    )
    cards = cards_issue_for_application(application_id=application.pk)
    return applicant, application, cards


def _status_url() -> str:
    return reverse("applications:status")


def test_applicant_downloads_the_signed_card_then_gives_up(page):
    applicant, application, cards = _published_with_cards()
    main = cards[0]
    login(page, applicant.username, factories.PASSWORD)
    page.goto(_status_url())
    panel = page.get_by_test_id("hukou-card-panel")
    expect(panel).to_contain_text("您申请办理的引进人才入户业务已审核通过")
    expect(panel.get_by_test_id("main-card-number")).to_have_text(main.number)
    expect(panel.get_by_test_id("card-row")).to_have_count(3)
    panel.scroll_into_view_if_needed()
    screenshot(page, "card-status-desktop")

    # (入户卡)电子印章PDF: the signed card of the main applicant.
    with page.expect_download() as info:
        panel.get_by_test_id("card-row").first.get_by_role("link", name="(入户卡)电子印章PDF").click()
    download = info.value
    assert download.suggested_filename.endswith(f"{main.number}.pdf")
    data = open(download.path(), "rb").read()
    assert data.startswith(b"%PDF-")
    assert check_card_signature(data).ok

    # 放弃入户: the box must be ticked; the reason typed survives the error.
    panel.get_by_test_id("cancel-link").click()
    expect(page.get_by_role("heading", name="放弃入户（注销入户信息卡）")).to_be_visible()
    page.get_by_label("放弃原因（选填）").fill("已在外地落户")
    page.get_by_role("button", name="确认注销入户卡").click()
    expect(page.locator("#id_confirm").locator("..").locator("..")).to_contain_text(
        "请勾选确认后再提交注销申请。"
    )
    expect(page.get_by_label("放弃原因（选填）")).to_have_value("已在外地落户")
    screenshot(page, "card-cancel-desktop")
    page.get_by_label("本人确认放弃入户", exact=False).check()
    page.get_by_role("button", name="确认注销入户卡").click()
    expect(page.locator(".messages")).to_contain_text("已注销入户信息卡")
    expect(page.get_by_test_id("card-cancelled")).to_be_visible()
    assert set(HukouCard.objects.filter(application=application).values_list("status", flat=True)) == {
        "cancelled"
    }


def test_status_panel_fits_a_phone(phone_page):
    applicant, _application, cards = _published_with_cards()
    login(phone_page, applicant.username, factories.PASSWORD)
    phone_page.goto(_status_url())
    panel = phone_page.get_by_test_id("hukou-card-panel")
    expect(panel).to_contain_text(cards[0].number)
    # The wide table scrolls inside its box; the page itself does not scroll sideways.
    width = phone_page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390 + 1
    panel.scroll_into_view_if_needed()
    screenshot(phone_page, "card-status-phone", full_page=False)


def test_anyone_verifies_a_card_by_number_and_code_or_qr_link(phone_page):
    _applicant, _application, cards = _published_with_cards()
    main = cards[0]
    phone_page.goto(reverse("hukou_card:verify"))
    expect(phone_page.get_by_test_id("site-warning")).to_contain_text("谨防假冒网站")
    phone_page.get_by_label("入户卡卡号").fill(main.number[:-1] + str((int(main.number[-1]) + 1) % 10))
    phone_page.get_by_label("卡面验证码").fill(main.verification_code)
    phone_page.locator("#id_captcha_1").fill("PASSED")
    phone_page.get_by_role("button", name="核验").click()
    expect(phone_page.locator("#id_number").locator("..")).to_contain_text("校验位不符")

    phone_page.get_by_label("入户卡卡号").fill(main.number)
    phone_page.get_by_label("卡面验证码").fill(main.verification_code.lower())
    phone_page.locator("#id_captcha_1").fill("PASSED")
    phone_page.get_by_role("button", name="核验").click()
    result = phone_page.get_by_test_id("verify-result")
    expect(result).to_have_attribute("data-status", "valid")
    expect(phone_page.get_by_test_id("holder")).to_have_text(main.holder_name[0] + "*" + main.holder_name[-1])
    expect(result).to_contain_text("广东省广州市黄埔区")
    screenshot(phone_page, "card-verify-phone")

    phone_page.goto(
        reverse("hukou_card:verify", kwargs={"public_id": main.public_id, "code": main.verification_code})
    )
    expect(phone_page.get_by_test_id("verify-verdict")).to_contain_text("该入户信息卡真实有效")


def test_police_desk_records_the_move_and_the_applicant_sees_it(page, browser, live_server):
    applicant, application, cards = _published_with_cards()
    main = cards[0]
    officer = factories.PoliceFactory(username="police_desk")

    page.goto(reverse("hukou_card:police_lookup"))
    # Not signed in: the staff login, then back to the desk.
    page.get_by_label("用户名").fill(officer.username)
    page.get_by_label("密码", exact=True).fill(factories.PASSWORD)
    page.get_by_label("验证码").fill("PASSED")
    page.get_by_role("button", name="登录").click()
    expect(page.get_by_role("heading", name="入户卡查询")).to_be_visible()

    page.get_by_label("入户卡卡号").fill(main.number)
    page.get_by_role("button", name="查询").click()
    expect(page.get_by_test_id("card-fields")).to_contain_text(main.holder_id_number)
    # Signed by the development CA (as every test card is): intact, and marked a test card.
    expect(page.get_by_test_id("signature-check")).to_contain_text("文件签发后未被修改")
    expect(page.get_by_test_id("test-card")).to_contain_text("测试卡，无法律效力")
    screenshot(page, "card-police-desktop")
    page.get_by_test_id("record-used").click()
    expect(page.locator(".messages")).to_contain_text("办结入户")
    expect(page.get_by_test_id("police-status")).to_contain_text("已办理入户")

    applicant_context = browser.new_context(
        viewport={"width": 1366, "height": 900}, locale="zh-CN", base_url=live_server.url
    )
    applicant_page = applicant_context.new_page()
    try:
        login(applicant_page, applicant.username, factories.PASSWORD)
        applicant_page.goto(_status_url())
        expect(applicant_page.get_by_test_id("hukou-completed")).to_contain_text("办结入户手续")
    finally:
        applicant_context.close()
