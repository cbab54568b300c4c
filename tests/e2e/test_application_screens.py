"""Every page of the wizard and the status page at a 390 px phone width (and the desktop pages the
journeys do not reach): nothing may run off the side of the screen, and each is screenshotted for
a person to look at (var/screenshots/)."""

import pytest
from playwright.sync_api import expect

from applications.choices import AttachmentKind, Relation, Status
from tests.e2e.conftest import login, screenshot
from tests.factories import (
    PASSWORD,
    AccompanyingPersonFactory,
    ApplicationFactory,
    AttachmentFactory,
    AuditEntryFactory,
    LibraryDocumentFactory,
    UserFactory,
    make_resident_id,
    subcategory,
    years_ago,
)

pytestmark = pytest.mark.django_db(transaction=True)

STEPS = ("commitment", "declaration", "category", "personal", "family", "attachments", "confirm")


def assert_fits(page):
    """No horizontal scrolling. A mobile browser zooms out to show an overflowing page (so
    window.innerWidth grows too): compare the document's width with the viewport that was set."""
    width = page.viewport_size["width"]
    scroll_width = page.evaluate("document.documentElement.scrollWidth")
    assert scroll_width <= width, f"{page.url} is {scroll_width}px wide on a {width}px screen"


def wait_for_images(page):
    """Every thumbnail is served (by the owner-only preview views) and decodes."""
    # Polled with evaluate: wait_for_function evaluates its string with eval, which the CSP forbids.
    loaded = "Array.from(document.images).every((img) => img.complete && img.naturalWidth > 0)"
    for _ in range(150):
        if page.evaluate(loaded):
            return
        page.wait_for_timeout(100)
    raise AssertionError(f"images on {page.url} did not load")


@pytest.fixture
def quota_application():
    user = UserFactory(full_name="林海", username="linhai_phone")
    application = ApplicationFactory(applicant=user, subcategory=subcategory("5.4"))
    AccompanyingPersonFactory(application=application, full_name="周敏", relation=Relation.SPOUSE)
    AccompanyingPersonFactory(
        application=application,
        full_name="林小满",
        relation=Relation.DAUGHTER,
        id_number=make_resident_id(years_ago(9), male=False),
        gender="女",
        birth_date=years_ago(9),
    )
    for kind in ("unit_report", "id_card", "household_register", "spouse_id", "spouse_household"):
        AttachmentFactory(application=application, kind=kind)
    LibraryDocumentFactory(owner=user, kind=AttachmentKind.CHILD_HOUSEHOLD)
    return application


def test_every_wizard_step_fits_a_phone(phone_page, live_server, quota_application):
    login(phone_page, quota_application.applicant.username, PASSWORD)
    for number, step in enumerate(STEPS, start=1):
        phone_page.goto(f"/talent/apply/{quota_application.public_id}/{step}/")
        if step == "confirm":
            # 附件上传 is not done yet (child documents missing): the wizard says so and goes back.
            expect(phone_page.locator(".wizard-steps .is-current")).to_contain_text("附件上传")
            continue
        expect(phone_page.locator(".wizard-steps .is-current")).to_be_visible()
        if step == "attachments":
            phone_page.locator(".attachment-thumb img").last.scroll_into_view_if_needed()
            wait_for_images(phone_page)
        assert_fits(phone_page)
        screenshot(phone_page, f"application-step-{number}-{step}-phone")

    for kind in ("child_household", "child_birth_cert"):
        AttachmentFactory(application=quota_application, kind=kind)
    phone_page.goto(f"/talent/apply/{quota_application.public_id}/confirm/")
    expect(phone_page.get_by_test_id("submit")).to_be_visible()
    assert_fits(phone_page)
    screenshot(phone_page, "application-step-7-confirm-phone")

    phone_page.goto(f"/talent/apply/{quota_application.public_id}/library/child_household/")
    expect(phone_page.get_by_role("button", name="使用此图片").first).to_be_visible()
    screenshot(phone_page, "application-library-choose-phone")
    assert_fits(phone_page)


def test_status_page_fits_a_phone_and_shows_the_returned_items(phone_page, page, live_server):
    user = UserFactory(full_name="陈思远", username="chen_status")
    application = ApplicationFactory(
        applicant=user,
        submitted=True,
        status=Status.RETURNED,
        correction_items=["本人学位鉴定报告不清晰，请重新上传彩色扫描件", "请在职务一栏填写全称"],
    )
    AuditEntryFactory(application=application, action="submit", from_status="draft", to_status="submitted")
    AuditEntryFactory(
        application=application,
        action="return_for_correction",
        from_status="submitted",
        to_status="returned",
        reason="本人学位鉴定报告不清晰，请重新上传彩色扫描件；请在职务一栏填写全称",
    )
    ApplicationFactory(applicant=user, submitted=True, status=Status.WITHDRAWN, year=application.year - 1)
    for browser_page, suffix in ((phone_page, "phone"), (page, "desktop")):
        login(browser_page, user.username, PASSWORD)
        browser_page.goto("/talent/status/")
        expect(browser_page.get_by_test_id("correction-items")).to_contain_text("请在职务一栏填写全称")
        expect(browser_page.get_by_role("link", name="修改并重新提交")).to_be_visible()
        assert_fits(browser_page)
        screenshot(browser_page, f"application-status-returned-{suffix}")
    # The wizard shows the same list on top of each step.
    phone_page.goto(f"/talent/apply/{application.public_id}/personal/")
    expect(phone_page.get_by_test_id("correction-items")).to_contain_text("本人学位鉴定报告不清晰")
    assert_fits(phone_page)


def test_start_library_and_withdraw_pages_fit_a_phone(phone_page, live_server):
    user = UserFactory(full_name="王小丽", username="wang_pages")
    LibraryDocumentFactory(owner=user, kind=AttachmentKind.ID_CARD)
    LibraryDocumentFactory(owner=user, kind=AttachmentKind.HOUSEHOLD_REGISTER)
    login(phone_page, user.username, PASSWORD)
    phone_page.goto("/talent/apply/")
    expect(phone_page.get_by_role("button", name="开始登记")).to_be_visible()
    assert_fits(phone_page)
    screenshot(phone_page, "application-start-phone")

    phone_page.goto("/talent/library/")
    expect(phone_page.locator(".library-item")).to_have_count(2)
    wait_for_images(phone_page)
    assert_fits(phone_page)
    screenshot(phone_page, "application-library-phone")

    application = ApplicationFactory(applicant=user, submitted=True)
    phone_page.goto(f"/talent/apply/{application.public_id}/withdraw/")
    phone_page.get_by_role("button", name="确认撤回").click()
    expect(phone_page.get_by_text("请勾选确认后再撤回。")).to_be_visible()
    assert_fits(phone_page)
    screenshot(phone_page, "application-withdraw-phone")
