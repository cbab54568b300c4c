"""Journeys through the 人才引进信息登记 wizard in headless Chromium, with real JPEG uploads.

1. A 学历类 applicant fills every step, logs out half-way, logs in again, resumes, submits and
   reads the status page.
2. A 五、其他 (总量控制类) applicant with a spouse and a child.
3. An applicant past the age limit since choosing the category is told the rule at submission.
"""

import re
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from applications.choices import Status
from applications.models import Application
from audit.models import AuditEntry
from tests.e2e.conftest import login, screenshot, scripts_ready
from tests.factories import (
    PASSWORD,
    EmployerFactory,
    UserFactory,
    jpeg_bytes,
    make_resident_id,
    ready_application,
    years_ago,
)

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def scans(tmp_path) -> dict[str, Path]:
    """Real JPEG files on disk, as a scanner or phone would produce them, one per document."""
    files = {}
    colours = [(30, 80, 160), (160, 40, 40), (40, 140, 60), (120, 90, 30), (90, 30, 120), (20, 120, 130)]
    for index, name in enumerate(
        [
            "id_card",
            "household_register",
            "education_cert",
            "education_verification",
            "degree_cert",
            "degree_verification",
            "unit_report",
            "spouse_id",
            "spouse_household",
            "child_household",
            "child_birth_cert",
        ]
    ):
        path = tmp_path / f"{name}.jpg"
        path.write_bytes(jpeg_bytes(1000, 700, color=colours[index % len(colours)]))
        files[name] = path
    fake = tmp_path / "户口簿.jpg"
    fake.write_bytes(b"%PDF-1.4\n% a PDF renamed to .jpg\n")
    files["fake_pdf"] = fake
    return files


def applicant_user(full_name: str, birth_years: int, **kwargs):
    return UserFactory(
        full_name=full_name,
        id_number=make_resident_id(years_ago(birth_years, days=20), region="440106"),
        mobile="13800138000",
        **kwargs,
    )


def field(scope, label: str):
    """A form field by its label; required fields' labels end with crispy's "*"."""
    return scope.get_by_label(re.compile(rf"^\s*{re.escape(label)}\s*\*?\s*$"))


def next_step(page):
    page.get_by_role("button", name="下一步", exact=True).click()


def expect_step(page, label: str):
    expect(page.locator(".wizard-steps .is-current")).to_contain_text(label)


def begin(page):
    page.goto("/talent/")
    page.get_by_role("link", name="人才引进申办个人登记").click()
    expect(page.get_by_role("heading", name="人才引进申办个人登记")).to_be_visible()
    page.get_by_role("button", name="开始登记").click()
    expect_step(page, "个人承诺")


def commitment_and_declaration(page, shots: str | None = None):
    expect(page.locator(".commitment-text")).to_contain_text("第十一条")
    if shots:
        screenshot(page, f"{shots}-1-commitment-desktop")
    page.get_by_label("同意", exact=True).check()
    next_step(page)
    expect_step(page, "申报类型")
    expect(page.get_by_role("link", name="广州市人才引进申报办理指引")).to_be_visible()
    # 申报条件 is stated, not ticked (seed).
    expect(page.get_by_test_id("conditions")).to_contain_text("穗府办规〔2020〕10号")
    if shots:
        screenshot(page, f"{shots}-2-declaration-desktop")
    next_step(page)
    expect_step(page, "引进人才类别")


def choose_category(page, category: str, subcategory: str):
    expect_step(page, "引进人才类别")
    # applications.js shows the chosen category's 具体类别: the radios answer only once it has run.
    scripts_ready(page)
    page.get_by_label(category).check()
    page.get_by_label(re.compile(re.escape(subcategory))).check()
    expect(page.locator("[data-conditions-summary]")).to_be_visible()


def fill_personal(page, *, employer_query: str, employer_name: str, married: bool = False, **overrides):
    values = {
        "民族": "汉族",
        "婚姻状况": "已婚" if married else "未婚",
        "学历": "硕士研究生",
        "学位": "硕士",
        "职称": "无",
        "技能人员职业资格": "无",
        "入户所属区": "天河区",
    }
    texts = {
        "毕业学校": "华南理工大学",
        "专业": "计算机技术",
        "职务": "高级软件工程师",
        "在穗社保缴费月数": "26",
        "原户口登记机关": "湖北省武汉市公安局洪山分局",
        "原户口所在地": "湖北省武汉市洪山区珞喻路1037号",
        "拟入户地址": "广州市天河区天河路385号集体户",
        "联系手机": "13800138000",
    }
    for label, value in values.items():
        field(page, label).select_option(label=overrides.pop(label, value))
    for label, value in texts.items():
        field(page, label).fill(overrides.pop(label, value))
    # 迁入单位: search, then choose from the results (everything typed above stays).
    page.get_by_label("单位名称或统一社会信用代码").fill(employer_query)
    page.get_by_role("button", name="搜索单位").click()
    page.get_by_label(re.compile(re.escape(employer_name))).check()
    expect(field(page, "毕业学校")).to_have_value(texts["毕业学校"])


def upload(page, kind: str, path: Path, *, expect_success: bool = True):
    row = page.locator(f"#kind-{kind}")
    expect(row).to_be_visible()
    # The file's name beside 浏览... is written by applications.js: its listener must be attached first.
    scripts_ready(page)
    row.locator("input[type=file]").set_input_files(str(path))
    expect(row.locator("[data-file-name]")).to_have_text(path.name)
    # The post answers with a new page (the redirect, or the refusal): wait for it to load, so the
    # next step never acts on the page being left.
    with page.expect_navigation():
        row.get_by_role("button", name=re.compile("^(上传|替换)$")).click()
    if expect_success:
        expect(page.locator(f"#kind-{kind} .attachment-thumb img").first).to_be_visible()


def test_degree_applicant_fills_everything_logs_out_resumes_and_submits(page, live_server, scans):
    user = applicant_user("陈思远", 31, username="chensiyuan")
    EmployerFactory(name="广州天河软件科技有限公司")
    EmployerFactory(name="广州白云智能制造有限公司")
    login(page, user.username, PASSWORD)
    begin(page)
    commitment_and_declaration(page, shots="application-step")

    choose_category(page, "二、学历类人才", "（二）具有硕士研究生学历或硕士学位的人员")
    expect(page.locator("[data-category-group='5']")).to_be_hidden()
    screenshot(page, "application-step-3-category-desktop")
    next_step(page)
    expect_step(page, "个人信息")
    expect(page.get_by_test_id("full-name")).to_have_text("陈思远")

    # A wrong mobile number is shown at its field; everything else typed stays.
    fill_personal(
        page, employer_query="天河软件", employer_name="广州天河软件科技有限公司", 联系手机="0208888"
    )
    next_step(page)
    expect(page.locator("#id_contact_mobile")).to_have_class(re.compile("is-invalid"))
    # Beside the field (the error summary at the top links to it with the label in front).
    expect(page.get_by_text("手机号码应为以1开头的11位数字。", exact=True)).to_be_visible()
    expect(field(page, "原户口所在地")).to_have_value("湖北省武汉市洪山区珞喻路1037号")
    expect(page.get_by_test_id("selected-employer")).to_contain_text("广州天河软件科技有限公司")
    field(page, "联系手机").fill("13800138000")
    screenshot(page, "application-step-4-personal-desktop")
    next_step(page)
    expect_step(page, "随迁人")

    # Log out half-way; the draft waits.
    page.get_by_role("button", name="退出（注销）").click()
    expect(page).to_have_url(re.compile("/accounts/login/"))
    application = Application.objects.get(applicant=user)
    assert application.status == Status.DRAFT
    assert application.completed_steps == ["commitment", "declaration", "category", "personal"]
    assert application.employer.name == "广州天河软件科技有限公司"

    login(page, user.username, PASSWORD)
    page.goto("/talent/")
    page.get_by_role("link", name="人才引进申办个人登记").click()
    expect_step(page, "随迁人")
    expect(page.locator(".wizard-steps .is-done")).to_have_count(4)
    screenshot(page, "application-step-5-family-desktop")
    next_step(page)
    expect_step(page, "附件上传")

    # A PDF renamed to .jpg is refused in its own row, with the reason.
    upload(page, "household_register", scans["fake_pdf"], expect_success=False)
    expect(page.locator("#kind-household_register .invalid-feedback")).to_contain_text("该文件实际是PDF文件")
    # Moving on too early lists every missing attachment at once.
    upload(page, "id_card", scans["id_card"])
    next_step(page)
    errors = page.get_by_test_id("attachment-errors")
    for label in ("户口簿", "本人学历证书", "本人学历鉴定", "本人学位证书", "本人学位鉴定"):
        expect(errors).to_contain_text(f"未上传必传附件“{label}”")
    for kind in (
        "household_register",
        "education_cert",
        "education_verification",
        "degree_cert",
        "degree_verification",
    ):
        upload(page, kind, scans[kind])
    expect(page.locator(".attachment-row.is-required .badge.text-bg-success")).to_have_count(6)
    screenshot(page, "application-step-6-attachments-desktop")
    # 预览 opens the stored (clean) image.
    with page.expect_popup() as popup:
        page.locator("#kind-id_card").get_by_role("link", name="预览").click()
    preview = popup.value
    expect(preview.locator("img")).to_be_visible()
    preview.close()
    next_step(page)

    expect_step(page, "确认提交")
    confirm = page.locator(".wizard-card")
    for value in (
        "陈思远",
        "华南理工大学",
        "广州天河软件科技有限公司",
        "广东省广州市天河区",
        "无随迁人",
        "本人学位鉴定",
    ):
        expect(confirm).to_contain_text(value)
    # 修改 returns here after saving.
    page.get_by_role("link", name="修改个人信息").click()
    field(page, "专业").fill("软件工程")
    page.get_by_role("button", name="保存并返回确认信息").click()
    expect_step(page, "确认提交")
    expect(confirm).to_contain_text("软件工程")
    screenshot(page, "application-step-7-confirm-desktop")
    page.get_by_test_id("submit").click()

    expect(page.get_by_role("heading", name="人才引进入户手续办理情况")).to_be_visible()
    application.refresh_from_db()
    assert application.status == Status.SUBMITTED
    assert re.fullmatch(rf"GZRC{timezone.localdate().year}\d{{8}}", application.number)
    expect(page.get_by_test_id("application-number")).to_have_text(application.number)
    expect(page.locator(".status-now")).to_contain_text("已提交，待区人社局受理")
    expect(page.get_by_test_id("timeline")).to_contain_text("提交申报")
    expect(page.locator(".process-stages .is-current")).to_have_text("区人力资源社会保障局审核")
    screenshot(page, "application-status-desktop")
    assert AuditEntry.objects.get(application=application).ip_address == "127.0.0.1"

    # Frozen: the wizard sends the applicant back to the status page.
    page.goto(f"/talent/apply/{application.public_id}/personal/")
    expect(page.get_by_text("内容已冻结")).to_be_visible()


def test_quota_applicant_with_spouse_and_child(page, live_server, scans):
    user = applicant_user("林海", 38, username="linhai")
    EmployerFactory(name="广州黄埔生物医药研究院有限公司", is_key_employer=True)
    login(page, user.username, PASSWORD)
    begin(page)
    commitment_and_declaration(page)

    choose_category(page, "五、其他", "（四）我市重点扶持的企业")
    expect(page.locator(".quota-note")).to_contain_text("总量控制类")
    expect(page.locator("[data-category-group='2']")).to_be_hidden()
    next_step(page)
    fill_personal(
        page,
        employer_query="黄埔生物",
        employer_name="广州黄埔生物医药研究院有限公司",
        married=True,
        职务="研发中心副主任",
    )
    next_step(page)

    expect_step(page, "随迁人")
    form = page.locator(".person-form")
    field(form, "姓名").fill("周敏")
    field(form, "与申请人关系").select_option("配偶")
    field(form, "证件号码").fill(make_resident_id(years_ago(36), male=False))
    field(form, "民族").select_option("壮族")
    # Her own 原户口 left blank and 与主迁人相同 not ticked: refused next to the fields, entries kept.
    form.get_by_role("button", name="添加随迁人").click()
    form = page.locator(".person-form")
    expect(form.get_by_text("请填写原户口登记机关，或选择“与主迁人相同”。")).to_be_visible()
    expect(form.get_by_text("请填写原户口所在地，或选择“与主迁人相同”。")).to_be_visible()
    expect(field(form, "姓名")).to_have_value("周敏")
    expect(field(form, "民族")).to_have_value("壮族")
    screenshot(page, "family-hukou-error")
    field(form, "原户口登记机关").fill("广西壮族自治区南宁市公安局青秀分局")
    field(form, "原户口所在地").fill("广西壮族自治区南宁市青秀区民族大道100号")
    form.get_by_role("button", name="添加随迁人").click()
    expect(page.get_by_text("已添加随迁人周敏（配偶）")).to_be_visible()
    persons = page.get_by_test_id("persons")
    expect(persons.get_by_role("row", name=re.compile("周敏"))).to_contain_text("壮族")
    expect(persons.get_by_role("row", name=re.compile("周敏"))).to_contain_text("已婚")
    # An 18-year-old child is refused at the ID field, the entry kept.
    field(form, "姓名").fill("林一")
    field(form, "与申请人关系").select_option("儿子")
    field(form, "证件号码").fill(make_resident_id(years_ago(18, days=3)))
    field(form, "民族").select_option("汉族")
    form.get_by_label("与主迁人相同").check()
    form.get_by_role("button", name="添加随迁人").click()
    expect(page.get_by_text(re.compile("^随迁子女须未满18周岁"))).to_be_visible()  # beside the field
    expect(field(form, "姓名")).to_have_value("林一")
    field(form, "姓名").fill("林小满")
    field(form, "与申请人关系").select_option("女儿")
    field(form, "证件号码").fill(make_resident_id(years_ago(9), male=False))
    expect(field(form, "民族")).to_have_value("汉族")
    expect(form.get_by_label("与主迁人相同")).to_be_checked()
    form.get_by_role("button", name="添加随迁人").click()
    expect(page.get_by_test_id("persons").get_by_role("row")).to_have_count(3)
    child_row = page.get_by_test_id("persons").get_by_role("row", name=re.compile("林小满"))
    expect(child_row).to_contain_text("未婚")
    expect(child_row).to_contain_text("与主迁人相同")
    screenshot(page, "family-persons")
    desktop = page.viewport_size
    page.set_viewport_size({"width": 390, "height": 844})
    screenshot(page, "family-persons-phone")
    page.set_viewport_size(desktop)
    next_step(page)

    expect_step(page, "附件上传")
    for kind in ("unit_report", "spouse_id", "spouse_household", "child_household", "child_birth_cert"):
        expect(page.locator(f"#kind-{kind}")).to_have_class(re.compile("is-required"))
    expect(page.locator("#kind-education_cert")).not_to_have_class(re.compile("is-required"))
    for kind in (
        "unit_report",
        "id_card",
        "household_register",
        "spouse_id",
        "spouse_household",
        "child_household",
        "child_birth_cert",
    ):
        upload(page, kind, scans[kind])
    next_step(page)

    expect_step(page, "确认提交")
    expect(page.locator(".wizard-card")).to_contain_text("周敏")
    expect(page.locator(".wizard-card")).to_contain_text("林小满")
    family = page.get_by_role("region", name="随迁人员")
    expect(family).to_contain_text("广西壮族自治区南宁市公安局青秀分局")
    expect(family.get_by_role("row", name=re.compile("林小满"))).to_contain_text("与主迁人相同")
    expect(page.locator(".wizard-card")).to_contain_text("总量控制类")
    page.get_by_test_id("submit").click()
    expect(page.get_by_test_id("application-number")).to_be_visible()
    application = Application.objects.get(applicant=user)
    assert application.status == Status.SUBMITTED
    assert application.subcategory.code == "5.4"
    assert sorted(application.accompanying_persons.values_list("relation", flat=True)) == ["女儿", "配偶"]
    spouse = application.accompanying_persons.get(relation="配偶")
    assert (spouse.ethnicity, spouse.hukou_same_as_applicant) == ("壮族", False)
    assert spouse.original_hukou_address == "广西壮族自治区南宁市青秀区民族大道100号"
    assert application.accompanying_persons.get(relation="女儿").hukou_same_as_applicant
    assert application.attachments.count() == 7


def test_an_applicant_past_the_age_limit_since_choosing_is_told_the_rule_at_submission(page, live_server):
    # The 引进人才类别 step refuses an over-age choice at once (test_newcomer_defects); the age is
    # counted again on the submission day, so a draft whose category was chosen at 45 (saved before
    # the birthday, as the factory writes it) is refused at 提交 once the applicant is 46.
    user = applicant_user("赵建国", 46, username="zhaojianguo")
    ready_application(applicant=user, id_number=user.id_number, birth_date=years_ago(46, days=20))
    login(page, user.username, PASSWORD)
    page.goto("/talent/")
    page.get_by_role("link", name="人才引进申办个人登记").click()
    expect_step(page, "确认提交")

    expect(page.get_by_test_id("submit-problems")).to_contain_text("已满46周岁")
    page.get_by_test_id("submit").click()
    errors = page.get_by_test_id("submit-errors")
    expect(errors).to_contain_text("申报未能提交")
    expect(errors).to_contain_text(re.compile(r"按提交之日（\d{4}年\d{2}月\d{2}日）计算，您已满46周岁"))
    expect(errors).to_contain_text("45周岁以下")
    screenshot(page, "application-over-age-desktop")
    assert Application.objects.get(applicant=user).status == Status.DRAFT
