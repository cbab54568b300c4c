"""The wizard through HTTP: each step's form, its messages beside the fields, nothing typed lost."""

import pytest
from django.urls import reverse

from applications.choices import AttachmentKind, Status
from applications.models import Application
from tests.factories import (
    AccompanyingPersonFactory,
    ApplicationFactory,
    AttachmentFactory,
    EmployerFactory,
    LibraryDocumentFactory,
    ReviewerFactory,
    make_resident_id,
    ready_application,
    years_ago,
)

# Files are stored here: each test runs on the local folder and on a bucket (tests/conftest.py).
pytestmark = [pytest.mark.django_db, pytest.mark.both_storages]


def step_url(application, step):
    return reverse("applications:step", kwargs={"public_id": application.public_id, "step": step})


def text(response) -> str:
    return response.content.decode()


# --- start and resume ---------------------------------------------------------------------------


def test_start_explains_then_creates_a_draft_on_post(applicant_client, applicant):
    response = applicant_client.get(reverse("applications:start"))
    assert response.status_code == 200
    assert "开始登记" in text(response)
    assert not Application.objects.exists()  # nothing is written by looking

    response = applicant_client.post(reverse("applications:start"))
    application = Application.objects.get(applicant=applicant)
    assert response.status_code == 302
    assert response.url == reverse("applications:resume", kwargs={"public_id": application.public_id})
    assert applicant_client.get(response.url).url == step_url(application, "commitment")


def test_start_resumes_at_the_first_unfinished_step(applicant_client, applicant):
    application = ApplicationFactory(
        applicant=applicant, completed_steps=["commitment", "declaration", "category"]
    )
    response = applicant_client.get(reverse("applications:start"), follow=True)
    assert response.redirect_chain[-1][0] == step_url(application, "personal")


def test_start_with_an_application_in_review_goes_to_the_status_page(applicant_client, applicant):
    ApplicationFactory(applicant=applicant, submitted=True, status=Status.UNDER_REVIEW)
    response = applicant_client.get(reverse("applications:start"), follow=True)
    assert response.redirect_chain[-1][0] == reverse("applications:status")
    assert "正在办理的申报" in text(response)


def test_staff_are_sent_to_their_console(client):
    reviewer = ReviewerFactory()
    client.force_login(reviewer, backend="django.contrib.auth.backends.ModelBackend")
    assert client.get(reverse("applications:start")).status_code == 403
    assert client.get(reverse("applications:status")).status_code == 403


def test_anonymous_users_must_log_in(client):
    response = client.get(reverse("applications:start"))
    assert response.status_code == 302 and reverse("accounts:login") in response.url


# --- steps --------------------------------------------------------------------------------------


def test_later_steps_wait_for_earlier_ones(applicant_client, applicant):
    application = ApplicationFactory(applicant=applicant, completed_steps=["commitment"])
    response = applicant_client.get(step_url(application, "attachments"), follow=True)
    assert response.redirect_chain[-1][0] == step_url(application, "declaration")
    assert "请先完成“申报类型与申报条件”" in text(response)


def test_unknown_step_is_404(applicant_client, applicant):
    application = ApplicationFactory(applicant=applicant)
    assert applicant_client.get(step_url(application, "payment")).status_code == 404


def test_commitment_shows_article_11_and_disagree_stops_there(applicant_client, applicant):
    application = ApplicationFactory(applicant=applicant, completed_steps=[], commitment_accepted_at=None)
    page = text(applicant_client.get(step_url(application, "commitment")))
    assert "第十一条" in page and "取消其申请资格5年" in page and "退回原籍" in page

    response = applicant_client.post(step_url(application, "commitment"), {"choice": "disagree"})
    assert response.status_code == 200
    assert "不能继续申报" in text(response)
    application.refresh_from_db()
    assert application.commitment_accepted_at is None
    assert applicant_client.get(step_url(application, "declaration")).url == step_url(
        application, "commitment"
    )

    response = applicant_client.post(step_url(application, "commitment"), {"choice": "agree"})
    assert response.url == step_url(application, "declaration")


def test_declaration_states_the_conditions_and_going_on_declares_them(applicant_client, applicant):
    application = ApplicationFactory(
        applicant=applicant, completed_steps=["commitment"], conditions_confirmed=False
    )
    page = text(applicant_client.get(step_url(application, "declaration")))
    assert "穗府办规〔2020〕10号" in page and "广州市人才引进申报办理指引" in page
    assert reverse("portal:content_page", args=["guide-declaration"]) in page
    # A statement, as the seed shows it: no second tick box beside the 个人承诺.
    conditions = page.split('data-testid="conditions"')[1].split("</section>")[0]
    assert 'type="checkbox"' not in conditions
    response = applicant_client.post(step_url(application, "declaration"), {"declaration_type": ""})
    assert "请选择申报类型。" in text(response)
    response = applicant_client.post(
        step_url(application, "declaration"), {"declaration_type": "talent_hukou"}
    )
    assert response.url == step_url(application, "category")
    application.refresh_from_db()
    assert application.conditions_confirmed


def test_category_page_lists_the_five_categories_and_marks_the_quota_one(applicant_client, applicant):
    application = ApplicationFactory(applicant=applicant)
    page = text(applicant_client.get(step_url(application, "category")))
    for label in ("一、高层次、高技能人才", "二、学历类人才", "三、职称类人才", "四、技能类人才", "五、其他"):
        assert label in page
    assert "总量控制类" in page
    assert "（四）我市重点扶持的企业" in page
    # Only the chosen category's sub-categories are shown.
    assert 'data-category-group="2">' in page and 'data-category-group="5" hidden' in page


def test_category_and_subcategory_must_match(applicant_client, applicant):
    application = ApplicationFactory(applicant=applicant)
    response = applicant_client.post(
        step_url(application, "category"), {"category": "3", "subcategory": "2.1"}
    )
    assert "请在“三、职称类人才”之下选择具体类别。" in text(response)
    response = applicant_client.post(
        step_url(application, "category"), {"category": "5", "subcategory": "5.4"}
    )
    assert response.url == step_url(application, "personal")
    application.refresh_from_db()
    assert application.subcategory.code == "5.4"


def test_category_page_warns_an_over_age_applicant(applicant_client, applicant):
    application = ApplicationFactory(applicant=applicant, birth_date=years_ago(47))
    page = text(applicant_client.get(step_url(application, "category")))
    assert "已满47周岁" in page and "45周岁以下" in page


def personal_data(application, employer, **overrides):
    data = {
        "ethnicity": "汉族",
        "marital_status": "已婚",
        "education": "硕士研究生",
        "degree": "硕士",
        "graduate_school": "华南理工大学",
        "major": "材料学",
        "professional_title": "中级",
        "professional_title_name": "工程师",
        "professional_qualification": "无",
        "skill_qualification": "无",
        "skill_occupation": "",
        "shortage_occupation": "无",
        "position": "研发工程师",
        "employer": str(employer.public_id),
        "employer_query": "",
        "social_insurance_months": "24",
        "original_registry_office": "江西省南昌市公安局东湖分局",
        "original_hukou_address": "江西省南昌市东湖区八一大道1号",
        "district": str(application.district_id),
        "intended_address": "广州市天河区珠江新城花城大道1号",
        "contact_mobile": "13912345678",
        "nav": "next",
    }
    data.update(overrides)
    return data


def test_personal_page_shows_identity_from_the_account(applicant_client, applicant):
    application = ApplicationFactory(applicant=applicant, ethnicity="", employer=None)
    page = text(applicant_client.get(step_url(application, "personal")))
    assert applicant.full_name in page and applicant.id_number in page
    assert "由身份证号码得出" in page
    assert 'name="gender"' not in page and 'name="birth_date"' not in page
    assert "壮族" in page and "鄂伦春族" in page  # the 56 民族
    for district in (
        "荔湾区",
        "越秀区",
        "海珠区",
        "天河区",
        "白云区",
        "黄埔区",
        "番禺区",
        "花都区",
        "南沙区",
        "从化区",
        "增城区",
    ):
        assert district in page
    assert reverse("portal:content_page", args=["guide-employer-not-found"]) in page
    assert "搜索不到单位名称" in page


def test_personal_errors_are_shown_at_their_fields_and_nothing_typed_is_lost(applicant_client, applicant):
    application = ApplicationFactory(
        applicant=applicant,
        completed_steps=["commitment", "declaration", "category"],
        graduate_school="",
        employer=None,
    )
    employer = EmployerFactory()
    data = personal_data(
        application, employer, contact_mobile="0201234", district="", graduate_school="暨南大学"
    )
    response = applicant_client.post(step_url(application, "personal"), data)
    page = text(response)
    assert response.status_code == 200
    assert "手机号码应为以1开头的11位数字。" in page
    assert "请选择入户所属区。" in page
    assert 'value="暨南大学"' in page and 'value="0201234"' in page  # typed values stay on screen
    application.refresh_from_db()
    # What passed its check is kept as a draft; the step stays open.
    assert application.graduate_school == "暨南大学" and application.employer == employer
    assert "personal" not in application.completed_steps


def test_personal_category_requirement_is_shown_at_the_field(applicant_client, applicant):
    application = ApplicationFactory(
        applicant=applicant, completed_steps=["commitment", "declaration", "category"]
    )
    employer = EmployerFactory()
    data = personal_data(application, employer, education="大学本科（全日制）", degree="学士")
    page = text(applicant_client.post(step_url(application, "personal"), data))
    assert "申报学历类（二）须具有硕士研究生学历或硕士学位。" in page
    application.refresh_from_db()
    assert application.education == "大学本科（全日制）"  # saved as a draft anyway
    assert "personal" not in application.completed_steps


def test_employer_search_keeps_everything_typed(applicant_client, applicant):
    application = ApplicationFactory(applicant=applicant, employer=None)
    EmployerFactory(name="广州珠江数码集团股份有限公司")
    EmployerFactory(name="广州地铁集团有限公司")
    data = personal_data(
        application,
        EmployerFactory(),
        nav="search",
        employer_query="珠江数码",
        graduate_school="中山大学南方学院",
    )
    data.pop("employer")
    page = text(applicant_client.post(step_url(application, "personal"), data))
    assert "广州珠江数码集团股份有限公司" in page and "广州地铁集团有限公司" not in page
    assert 'value="中山大学南方学院"' in page
    # Searching judges nothing yet: no field shows an error.
    assert "is-invalid" not in page
    page = text(
        applicant_client.post(step_url(application, "personal"), {**data, "employer_query": "不存在的单位"})
    )
    assert "没有找到与“不存在的单位”相符的单位" in page


def test_personal_valid_answers_move_on_or_back_to_confirm(applicant_client, applicant):
    application = ApplicationFactory(applicant=applicant)
    employer = EmployerFactory()
    response = applicant_client.post(step_url(application, "personal"), personal_data(application, employer))
    assert response.url == step_url(application, "family")
    response = applicant_client.post(
        step_url(application, "personal"),
        {**personal_data(application, employer, major="高分子材料"), "from": "confirm"},
    )
    assert response.url == step_url(application, "confirm")
    application.refresh_from_db()
    assert application.major == "高分子材料" and "personal" in application.completed_steps


def test_family_add_shows_id_errors_and_keeps_the_entry(applicant_client, applicant):
    application = ApplicationFactory(applicant=applicant)
    good = make_resident_id(years_ago(8))
    bad = good[:-1] + ("0" if good[-1] != "0" else "1")
    response = applicant_client.post(
        step_url(application, "family"),
        {
            "nav": "add",
            "full_name": "张小龙",
            "relation": "儿子",
            "id_type": "resident_id",
            "id_number": bad,
            "ethnicity": "汉族",
            "hukou_same_as_applicant": "on",
        },
    )
    page = text(response)
    assert "校验位不正确" in page and 'value="张小龙"' in page and f'value="{bad}"' in page
    response = applicant_client.post(
        step_url(application, "family"),
        {
            "nav": "add",
            "full_name": "张小龙",
            "relation": "儿子",
            "id_type": "resident_id",
            "id_number": good,
            "ethnicity": "汉族",
            "hukou_same_as_applicant": "on",
        },
        follow=True,
    )
    assert "已添加随迁人张小龙（儿子）" in text(response)
    person = application.accompanying_persons.get()
    response = applicant_client.post(
        reverse(
            "applications:person_remove",
            kwargs={"public_id": application.public_id, "person_id": person.public_id},
        )
    )
    assert response.url == step_url(application, "family")
    assert not application.accompanying_persons.exists()
    assert applicant_client.post(step_url(application, "family"), {"nav": "next"}).url == step_url(
        application, "attachments"
    )


def test_attachments_page_lists_the_seed_items_and_marks_required_ones(applicant_client, applicant):
    application = ApplicationFactory(applicant=applicant)
    page = text(applicant_client.get(step_url(application, "attachments")))
    for kind in AttachmentKind:
        assert str(kind.label) in page  # a lazy label: its Chinese on this page
    assert page.count('class="attachment-row is-required') == 6  # 2.2: 身份证, 户口簿, 学历×2, 学位×2
    assert "浏览..." in page and "上传证件库图片" in page and "500KB以下" in page


def test_upload_success_and_refusal_messages(applicant_client, applicant, jpeg_upload):
    application = ApplicationFactory(applicant=applicant)
    url = reverse("applications:attachment_upload", kwargs={"public_id": application.public_id})
    response = applicant_client.post(url, {"kind": "id_card", "file": jpeg_upload("身份证.jpg")}, follow=True)
    assert "“身份证”上传成功。" in text(response)
    assert application.attachments.filter(kind="id_card").count() == 1

    from django.core.files.uploadedfile import SimpleUploadedFile

    fake = SimpleUploadedFile("户口簿.jpg", b"%PDF-1.4 not an image", content_type="image/jpeg")
    # A refusal redirects back to the step at the row (POST/redirect/GET): reloading resends nothing.
    response = applicant_client.post(url, {"kind": "household_register", "file": fake})
    assert response.status_code == 302
    assert response.url == step_url(application, "attachments") + "#kind-household_register"
    page = text(applicant_client.get(response.url))
    row = page.split('id="kind-household_register"')[1].split("</li>")[0]
    assert "该文件实际是PDF文件" in row
    assert "“户口簿”未能上传" in page.split('id="kind-')[0]  # the banner above the rows
    # Shown once: a reload is the plain page.
    assert "未能上传" not in text(applicant_client.get(step_url(application, "attachments")))
    response = applicant_client.post(url, {"kind": "household_register"}, follow=True)
    assert "请先点击“浏览...”选择要上传的JPG图片" in text(response)


def test_attachments_next_lists_everything_missing(applicant_client, applicant):
    application = ApplicationFactory(
        applicant=applicant, completed_steps=["commitment", "declaration", "category", "personal", "family"]
    )
    AttachmentFactory(application=application, kind=AttachmentKind.ID_CARD)
    page = text(applicant_client.post(step_url(application, "attachments"), {"nav": "next"}))
    for label in ("户口簿", "本人学历证书", "本人学历鉴定", "本人学位证书", "本人学位鉴定"):
        assert f"未上传必传附件“{label}”。" in page


def test_library_choice_reuses_an_earlier_document(applicant_client, applicant):
    application = ApplicationFactory(applicant=applicant)
    document = LibraryDocumentFactory(owner=applicant, kind=AttachmentKind.HOUSEHOLD_REGISTER)
    LibraryDocumentFactory(owner=applicant, kind=AttachmentKind.ID_CARD)
    url = reverse(
        "applications:attachment_library",
        kwargs={"public_id": application.public_id, "kind": "household_register"},
    )
    page = text(applicant_client.get(url))
    assert page.count("使用此图片") == 1
    response = applicant_client.post(url, {"document": str(document.public_id)})
    assert response.status_code == 302
    assert application.attachments.get().document == document


def test_attachment_delete(applicant_client, applicant):
    application = ApplicationFactory(applicant=applicant)
    attachment = AttachmentFactory(application=application)
    response = applicant_client.post(
        reverse("applications:attachment_delete", kwargs={"public_id": attachment.public_id})
    )
    assert response.status_code == 302
    assert not application.attachments.exists()


def test_confirm_shows_every_answer_with_edit_links(applicant_client, applicant):
    application = ready_application(applicant=applicant)
    AccompanyingPersonFactory(application=application, full_name="李小红")
    AttachmentFactory(application=application, kind=AttachmentKind.SPOUSE_ID)
    AttachmentFactory(application=application, kind=AttachmentKind.SPOUSE_HOUSEHOLD)
    page = text(applicant_client.get(step_url(application, "confirm")))
    for value in (
        application.full_name,
        application.id_number,
        "中山大学",
        application.employer.name,
        "李小红",
        "广东省广州市天河区",
    ):
        assert value in page
    for step in ("commitment", "declaration", "category", "personal", "family", "attachments"):
        assert f"{step_url(application, step)}?from=confirm" in page
    assert "按今天提交" not in page  # no problems


def test_submit_refused_lists_reasons_on_the_confirm_page(applicant_client, applicant):
    application = ready_application(applicant=applicant, birth_date=years_ago(46))
    response = applicant_client.post(
        reverse("applications:submit", kwargs={"public_id": application.public_id})
    )
    assert response.status_code == 200
    assert "申报未能提交" in text(response) and "已满46周岁" in text(response)
    application.refresh_from_db()
    assert application.status == Status.DRAFT


def test_submit_goes_to_the_status_page_with_the_number(applicant_client, applicant):
    application = ready_application(applicant=applicant)
    response = applicant_client.post(
        reverse("applications:submit", kwargs={"public_id": application.public_id}), follow=True
    )
    application.refresh_from_db()
    assert application.status == Status.SUBMITTED
    assert response.redirect_chain[-1][0] == reverse(
        "applications:status_detail", kwargs={"public_id": application.public_id}
    )
    assert f"申报编号：{application.number}" in text(response)


def test_submitted_application_pages_are_frozen(applicant_client, applicant):
    application = ApplicationFactory(applicant=applicant, submitted=True)
    response = applicant_client.get(step_url(application, "personal"), follow=True)
    assert response.redirect_chain[-1][0] == reverse(
        "applications:status_detail", kwargs={"public_id": application.public_id}
    )
    assert "内容已冻结" in text(response)
    attachment = AttachmentFactory(application=application)
    applicant_client.post(
        reverse("applications:attachment_delete", kwargs={"public_id": attachment.public_id})
    )
    assert application.attachments.count() == 1


def test_returned_application_shows_the_correction_list_in_the_wizard(applicant_client, applicant):
    application = ready_application(
        applicant=applicant,
        submitted=True,
        status=Status.RETURNED,
        correction_items=["学位鉴定报告不清晰，请重新上传"],
    )
    page = text(applicant_client.get(step_url(application, "attachments")))
    assert "区人社局已退回补正" in page and "学位鉴定报告不清晰，请重新上传" in page
    page = text(applicant_client.get(step_url(application, "confirm")))
    assert "重新提交" in page


def test_attachment_changes_made_from_the_confirm_page_lead_back_there(
    applicant_client, applicant, jpeg_upload
):
    application = ready_application(applicant=applicant)
    url = reverse("applications:attachment_upload", kwargs={"public_id": application.public_id})
    response = applicant_client.post(url, {"kind": "id_card", "file": jpeg_upload(), "from": "confirm"})
    assert response.url == step_url(application, "attachments") + "?from=confirm#kind-id_card"
    page = text(applicant_client.get(step_url(application, "attachments") + "?from=confirm"))
    assert "保存并返回确认信息" in page
    assert applicant_client.post(
        step_url(application, "attachments"), {"nav": "next", "from": "confirm"}
    ).url == (step_url(application, "confirm"))


def test_school_and_major_carry_their_star_only_with_an_education(applicant_client, applicant):
    application = ApplicationFactory(
        applicant=applicant, completed_steps=["commitment", "declaration", "category"], education=""
    )
    page = text(applicant_client.get(step_url(application, "personal")))
    school_label = page.split('for="id_graduate_school"')[1].split("</label>")[0]
    assert "asteriskField" not in school_label
    assert "data-school-required-unless" in page
    response = applicant_client.post(
        step_url(application, "personal"), {"nav": "save", "education": "硕士研究生", "graduate_school": ""}
    )
    page = text(response)
    assert "有学历的请填写毕业学校。" in page and "有学历的请填写专业。" in page
    school_label = page.split('for="id_graduate_school"')[1].split("</label>")[0]
    assert "asteriskField" in school_label
