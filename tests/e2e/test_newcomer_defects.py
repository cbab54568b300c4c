"""What a new user trips over (issue 12, "Defects"): each test walks the page in Chromium by its
visible labels, the way the defect was met, and failed before its fix."""

import datetime
import re

import pytest
from playwright.sync_api import expect

from applications.choices import Status
from applications.models import Application
from review.models import PublicNotice
from tests import factories
from tests.builders import build_application
from tests.e2e.conftest import PHONE, login, screenshot, scripts_ready
from tests.e2e.test_application_journeys import applicant_user, field, next_step, scans  # noqa: F401
from tests.e2e.test_review_journey import console_login, new_page
from tests.factories import PASSWORD, ApplicationFactory, years_ago

pytestmark = pytest.mark.django_db(transaction=True)

BLANK_PERSONAL = {
    "ethnicity": "",
    "marital_status": "",
    "education": "",
    "degree": "",
    "graduate_school": "",
    "major": "",
    "professional_title": "",
    "professional_qualification": "",
    "skill_qualification": "",
    "shortage_occupation": "",
    "position": "",
    "employer": None,
    "original_registry_office": "",
    "original_hukou_address": "",
    "district": None,
    "intended_address": "",
    "social_insurance_months": None,
    "contact_mobile": "",
}


def draft_at(step_slugs: list[str], *, age: int = 30, **fields) -> Application:
    user = applicant_user("黄嘉明", age, username=f"newcomer{age}{len(step_slugs)}")
    return ApplicationFactory(
        applicant=user,
        id_number=user.id_number,
        birth_date=years_ago(age, days=20),
        completed_steps=step_slugs,
        **fields,
    )


def wizard_url(application, step: str) -> str:
    return f"/talent/apply/{application.public_id}/{step}/"


# --- 1. 附件上传 after a refused file ----------------------------------------------------------


@pytest.mark.parametrize("viewport", ["desktop", "phone"])
def test_a_refused_file_shows_a_banner_brings_its_row_into_view_and_the_step_buttons_still_work(
    browser, live_server, scans, viewport  # noqa: F811
):
    application = draft_at(["commitment", "declaration", "category", "personal", "family"])
    options = {"viewport": PHONE, "is_mobile": True, "has_touch": True} if viewport == "phone" else {}
    page = new_page(browser, live_server, **options)
    login(page, application.applicant.username, PASSWORD)
    page.goto(wizard_url(application, "attachments"))
    # 其他材料 is the last row: on a phone about 2,800 px down.
    row = page.locator("#kind-other")
    scripts_ready(page)
    row.locator("input[type=file]").set_input_files(str(scans["fake_pdf"]))
    with page.expect_navigation():
        row.get_by_role("button", name="上传").click()

    banner = page.get_by_test_id("upload-refused")
    expect(banner).to_contain_text("其他材料")
    expect(banner).to_contain_text("未能上传")
    expect(row.get_by_role("alert")).to_be_visible()
    expect(row).to_be_in_viewport()
    # POST/redirect/GET: the page in the tab is a plain GET, so reloading resends nothing.
    assert page.url.split("#")[0].endswith(wizard_url(application, "attachments"))
    page.reload()
    expect(page.locator(".wizard-steps .is-current")).to_contain_text("附件上传")

    # 下一步 posts the step's own form, and answers with what is still missing.
    next_step(page)
    expect(page.get_by_test_id("attachment-errors")).to_contain_text("以下附件尚未上传")
    expect(page.get_by_test_id("attachment-errors")).to_contain_text("身份证")
    page.context.close()


def test_after_a_refused_file_save_and_return_to_confirm_still_works(page, live_server, scans):  # noqa: F811
    application = factories.ready_application(applicant=applicant_user("吴海燕", 33, username="wuhaiyan"))
    application.id_number = application.applicant.id_number
    application.save(update_fields=["id_number"])
    login(page, application.applicant.username, PASSWORD)
    page.goto(wizard_url(application, "attachments") + "?from=confirm")
    row = page.locator("#kind-other")
    scripts_ready(page)
    row.locator("input[type=file]").set_input_files(str(scans["fake_pdf"]))
    with page.expect_navigation():
        row.get_by_role("button", name="上传").click()
    expect(page.get_by_test_id("upload-refused")).to_be_visible()
    page.get_by_role("button", name="保存并返回确认信息").click()
    expect(page.locator(".wizard-steps .is-current")).to_contain_text("确认提交")


# --- 2. the age limit at the category step -------------------------------------------------------


def test_the_category_step_refuses_an_over_age_choice_at_once_with_the_limit_and_the_age(page, live_server):
    application = draft_at(["commitment", "declaration"], age=66, subcategory=None, category=None)
    login(page, application.applicant.username, PASSWORD)
    page.goto(wizard_url(application, "category"))
    scripts_ready(page)
    page.get_by_label("二、学历类人才").check()
    page.get_by_label(re.compile("（二）具有硕士研究生学历")).check()
    # At once, before any button: the limit and the applicant's age, as the rules count them.
    warning = page.get_by_test_id("age-refusal")
    expect(warning).to_be_visible()
    expect(warning).to_contain_text("45周岁以下")
    expect(warning).to_contain_text("已满66周岁")
    next_step(page)
    expect(page.locator(".wizard-steps .is-current")).to_contain_text("引进人才类别")
    error = page.locator(".invalid-feedback", has_text="已满66周岁")
    expect(error).to_contain_text("45周岁以下")
    application.refresh_from_db()
    assert application.subcategory_id is None
    # A category without an age limit is accepted.
    page.get_by_label("五、其他").check()
    page.get_by_label(re.compile("（一）以薪酬、投资等市场化方式")).check()
    expect(page.get_by_test_id("age-refusal")).to_be_hidden()
    next_step(page)
    expect(page.locator(".wizard-steps .is-current")).to_contain_text("个人信息")


# --- 3. 上一步 on an untouched page -------------------------------------------------------------


def test_going_back_from_an_untouched_personal_page_warns_about_nothing(page, live_server):
    application = draft_at(["commitment", "declaration", "category"], **BLANK_PERSONAL)
    login(page, application.applicant.username, PASSWORD)
    page.goto(wizard_url(application, "personal"))
    page.get_by_role("button", name="上一步").click()
    expect(page.locator(".wizard-steps .is-current")).to_contain_text("引进人才类别")
    expect(page.get_by_text("未通过校验")).to_have_count(0)

    # A field the applicant did change and got wrong is named, and only that one.
    page.goto(wizard_url(application, "personal"))
    field(page, "联系手机").fill("12345")
    page.get_by_role("button", name="上一步").click()
    expect(page.locator(".wizard-steps .is-current")).to_contain_text("引进人才类别")
    warning = page.get_by_text("未通过校验")
    expect(warning).to_contain_text("联系手机")
    expect(warning).not_to_contain_text("民族")


# --- 4. the review queue's template comment ---------------------------------------------------------


def test_the_review_queue_shows_no_template_comment(page, live_server, reviewer):
    console_login(page, reviewer.username)
    expect(page.get_by_role("search", name="筛选申报")).to_be_visible()
    expect(page.get_by_text("The filter bar")).to_have_count(0)
    assert "{#" not in page.locator("main").inner_text()


# --- 5. 办理记录 numbers the correction items once ------------------------------------------------


def test_the_timeline_numbers_each_correction_item_once(page, live_server):
    application = build_application(
        Status.RETURNED, return_items=["身份证附件不清晰，请重新上传。", "学位证书缺少第二页。"]
    )
    login(page, application.applicant.username, PASSWORD)
    page.goto("/talent/status/")
    items = page.get_by_test_id("timeline").locator("ol li")
    expect(items).to_have_text(["身份证附件不清晰，请重新上传。", "学位证书缺少第二页。"])


# --- 6. a public way in ------------------------------------------------------------------------------


def test_the_login_page_links_the_public_services(page, live_server):
    page.goto("/accounts/login/")
    services = page.get_by_role("region", name="公共服务")
    services.get_by_role("link", name="网上公示").click()
    expect(page.get_by_role("heading", name="引进人才入户网上公示")).to_be_visible()
    page.goto("/accounts/login/")
    page.get_by_role("region", name="公共服务").get_by_role("link", name="入户卡真伪核验").click()
    expect(page.get_by_label(re.compile("卡号"))).to_be_visible()


@pytest.mark.parametrize("where", ["/", "/talent/"])
def test_the_portal_and_the_talent_home_link_the_public_services(page, live_server, applicant, where):
    login(page, applicant.username, PASSWORD)
    page.goto(where)
    services = page.get_by_role("region", name="公共服务")
    expect(services.get_by_role("link", name="网上公示")).to_have_attribute("href", "/notice/")
    expect(services.get_by_role("link", name="入户卡真伪核验")).to_have_attribute("href", "/cards/verify/")


# --- 8. what happens to an ended notice under `make run` ----------------------------------------------


def test_an_ended_batch_says_what_will_happen_when_no_periodic_jobs_run(page, live_server, reviewer, district):
    today = datetime.date.today()
    notice = PublicNotice.objects.create(
        district=district,
        title="广州市天河区2026年第1批引进人才入户公示",
        start_date=today - datetime.timedelta(days=10),
        end_date=today - datetime.timedelta(days=3),
    )
    console_login(page, reviewer.username)
    expect(page.get_by_role("search", name="筛选申报")).to_be_visible()
    page.goto(f"/console/notices/{notice.public_id}/")
    expect(page.get_by_text("系统将自动公布")).to_have_count(0)
    expect(page.get_by_test_id("notice-closing")).to_contain_text("不会自动公布")
    expect(page.get_by_test_id("notice-closing")).to_contain_text("市人社局管理员")


# --- 10. the registration password hint ----------------------------------------------------------------


def test_the_registration_password_hint_says_common_passwords_are_refused(page, live_server):
    page.goto("/accounts/register/")
    page.get_by_label("我已仔细阅读并同意以上服务协议").check()
    page.get_by_role("button", name="下一步").click()
    expect(page.get_by_text(re.compile("常见"))).to_be_visible()


# --- 11. fidelity to the seed --------------------------------------------------------------------------------


def test_the_step_bar_and_the_declaration_read_as_the_seed(page, live_server):
    application = draft_at(["commitment"], conditions_confirmed=False)
    login(page, application.applicant.username, PASSWORD)
    page.goto(wizard_url(application, "declaration"))
    expect(page.locator(".wizard-steps [data-step=category]")).to_contain_text("引进人才类别")
    # 申报条件 is a statement of the conditions, not a second tick box.
    conditions = page.get_by_test_id("conditions")
    expect(conditions).to_contain_text("穗府办规〔2020〕10号")
    expect(conditions.get_by_role("checkbox")).to_have_count(0)
    next_step(page)
    expect(page.locator(".wizard-steps .is-current")).to_contain_text("引进人才类别")


def test_school_and_major_are_marked_required_once_an_education_is_chosen(page, live_server):
    application = draft_at(["commitment", "declaration", "category"], **BLANK_PERSONAL)
    login(page, application.applicant.username, PASSWORD)
    page.goto(wizard_url(application, "personal"))
    scripts_ready(page)
    school = page.locator("label[for=id_graduate_school]")
    expect(school).not_to_contain_text("*")
    field(page, "学历").select_option(label="硕士研究生")
    expect(school).to_contain_text("*")
    expect(page.locator("label[for=id_major]")).to_contain_text("*")
    next_step(page)
    expect(page.locator("#div_id_graduate_school")).to_contain_text("有学历的请填写毕业学校")
    expect(page.locator("label[for=id_graduate_school]")).to_contain_text("*")
    field(page, "学历").select_option(label="高中及以下")
    expect(page.locator("label[for=id_graduate_school]")).not_to_contain_text("*")


def test_the_status_page_names_the_category_without_a_stray_space(page, live_server):
    application = build_application(Status.SUBMITTED)
    login(page, application.applicant.username, PASSWORD)
    page.goto("/talent/status/")
    expect(page.get_by_test_id("current-application")).to_contain_text("二、学历类人才（二）")



# --- the changed pages at 1280 px and 390 px, for a person to look at (docs/screenshots/newcomer-*) ----


def test_the_changed_pages_fit_a_desktop_and_a_phone(browser, live_server, scans, reviewer, district):  # noqa: F811
    from tests.e2e.test_application_screens import assert_fits

    today = datetime.date.today()
    notice = PublicNotice.objects.create(
        district=district,
        title="广州市天河区2026年第1批引进人才入户公示",
        start_date=today - datetime.timedelta(days=10),
        end_date=today - datetime.timedelta(days=3),
    )
    old = draft_at(["commitment", "declaration"], age=66, subcategory=None, category=None)
    uploads = draft_at(["commitment", "declaration", "category", "personal", "family"], age=31)
    for width, name in ((1280, "desktop"), (390, "phone")):
        options = {"viewport": {"width": width, "height": 900 if width > 400 else 844}}
        if width < 400:
            options.update(is_mobile=True, has_touch=True)
        page = new_page(browser, live_server, **options)
        page.goto("/accounts/login/")
        expect(page.get_by_role("region", name="公共服务")).to_be_visible()
        assert_fits(page)
        screenshot(page, f"newcomer-login-{name}")

        login(page, old.applicant.username, PASSWORD)
        page.goto("/talent/")
        expect(page.get_by_role("region", name="公共服务")).to_be_visible()
        assert_fits(page)
        screenshot(page, f"newcomer-talent-home-{name}")
        page.goto(wizard_url(old, "declaration"))
        expect(page.get_by_test_id("conditions")).to_be_visible()
        assert_fits(page)
        screenshot(page, f"newcomer-declaration-{name}")
        page.goto(wizard_url(old, "category"))
        scripts_ready(page)
        page.get_by_label("二、学历类人才").check()
        page.get_by_label(re.compile("（二）具有硕士研究生学历")).check()
        next_step(page)
        expect(page.locator(".invalid-feedback", has_text="已满66周岁")).to_be_visible()
        assert_fits(page)
        screenshot(page, f"newcomer-category-over-age-{name}")
        page.context.close()

        page = new_page(browser, live_server, **options)
        login(page, uploads.applicant.username, PASSWORD)
        page.goto(wizard_url(uploads, "attachments"))
        row = page.locator("#kind-other")
        scripts_ready(page)
        row.locator("input[type=file]").set_input_files(str(scans["fake_pdf"]))
        with page.expect_navigation():
            row.get_by_role("button", name="上传").click()
        expect(row).to_be_in_viewport()
        assert_fits(page)
        screenshot(page, f"newcomer-attachment-refused-{name}", full_page=False)
        page.context.close()

        page = new_page(browser, live_server, **options)
        console_login(page, reviewer.username)
        expect(page.get_by_role("search", name="筛选申报")).to_be_visible()
        page.goto(f"/console/notices/{notice.public_id}/")
        expect(page.get_by_test_id("notice-closing")).to_be_visible()
        assert_fits(page)
        screenshot(page, f"newcomer-notice-ended-{name}")
        page.context.close()
