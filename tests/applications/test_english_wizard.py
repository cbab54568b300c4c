"""The applicant's pages in English: every wizard step (empty, filled and with an error beside its
field), check-your-answers, the status page, the home, the document library, withdrawing, and the
public self-test and progress query. A page fails when any Chinese is left outside what the person
typed (tests/i18n_support.py). Chinese stays the default: two pages are checked as before.
"""

import re

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation

from accounts.forms import captcha_field
from accounts.models import IdType
from accounts.validators import MOBILE_HELP
from applications.choices import Status
from applications.models import TalentCategory, TalentSubcategory
from reference.models import ContentPage, District
from tests.builders import build_application
from tests.factories import (
    AccompanyingPersonFactory,
    ApplicationFactory,
    LibraryDocumentFactory,
    jpeg_bytes,
    make_resident_id,
    ready_application,
    years_ago,
)
from tests.i18n_support import assert_page_in_english

pytestmark = pytest.mark.django_db

# Shared partials the other translation helpers own (the system bar, the 公共服务 block, the error
# summaries at the top, whose messages are also beside their fields and checked there, and the
# captcha widget): taken out here so this file judges the applicant pages' own text; their
# English is checked where they are translated.
_OTHERS_PARTIALS = (
    re.compile(r'<nav class="system-bar".*?</nav>', re.S),
    re.compile(r'<section class="card-gov public-services.*?</section>', re.S),
    re.compile(r'<div class="alert alert-danger error-summary".*?</ul>.*?</div>', re.S),
    re.compile(r'<div class="captcha-row[^>]*>\s*<div class="captcha-row">.*?</div>\s*</div>', re.S),
)


def _untranslated(names) -> list[str]:
    """The names still without English in the catalogue: the reference names (talent categories,
    districts, content page titles) get theirs from the lead engineer, the 证件类型 labels, the
    mobile hint and the captcha's label from the accounts helper. Once they have English, they are checked like the rest."""
    with translation.override("en"):
        return [str(name) for name in names if name and translation.gettext(str(name)) == str(name)]


def _reference_names() -> list[str]:
    names = [*TalentCategory.objects.values_list("name", flat=True)]
    names += TalentSubcategory.objects.values_list("name", flat=True)
    names += District.objects.values_list("name", flat=True)
    names += ContentPage.objects.values_list("title", flat=True)
    return _untranslated([*names, *IdType.labels, MOBILE_HELP, captcha_field().label])


def assert_english(response, *typed: str) -> str:
    """The page in English, apart from what the person typed (`typed`); returns its HTML."""
    assert response.status_code in (200, 400, 403, 409), response.status_code
    html = response.content.decode()
    for partial in _OTHERS_PARTIALS:
        html = partial.sub("", html)
    assert_page_in_english(html, allowed=[*typed, *_reference_names()])
    return html


def error_beside(html: str, field: str, message: str) -> None:
    """`message` is shown as the error of the field named `field` (crispy's invalid-feedback)."""
    found = re.search(rf'id="error_\d+_id_{field}"[^>]*>\s*<strong>(.*?)</strong>', html, re.S)
    assert found, f"no error shown beside {field}"
    assert found.group(1).strip() == message


@pytest.fixture
def en(applicant_client):
    applicant_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return applicant_client


@pytest.fixture
def anonymous_en(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def step_url(application, step: str) -> str:
    return reverse("applications:step", kwargs={"public_id": application.public_id, "step": step})


def typed_by(application) -> list[str]:
    """What the applicant typed or owns (name, employer, school, addresses), kept as typed."""
    return [
        application.full_name,
        application.employer.name if application.employer_id else "",
        application.graduate_school,
        application.major,
        application.position,
        application.original_registry_office,
        application.original_hukou_address,
        application.intended_address,
        application.professional_qualification,
        application.shortage_occupation,
    ]


# --- the wizard ----------------------------------------------------------------------------------


def test_commitment_step_empty_and_its_error_beside_the_choice(en, applicant):
    application = ApplicationFactory(applicant=applicant, commitment_accepted_at=None, completed_steps=[])
    html = assert_english(en.get(step_url(application, "commitment")), applicant.full_name)
    assert "Personal declaration" in html and "I agree" in html and "Continue" in html
    assert "Under Article 11 of the Guangzhou Measures" in html

    html = assert_english(en.post(step_url(application, "commitment"), {"nav": "next"}), applicant.full_name)
    error_beside(html, "choice", "Read the personal declaration and choose “I agree” or “I do not agree”.")
    assert "<title>Error: " in html

    html = assert_english(
        en.post(step_url(application, "commitment"), {"choice": "disagree", "nav": "next"}),
        applicant.full_name,
    )
    error_beside(html, "choice", "You chose “I do not agree”, so you cannot continue. To apply, read the "
                 "personal declaration carefully and choose “I agree”.")  # fmt: skip


def test_declaration_step(en, applicant):
    application = ApplicationFactory(applicant=applicant, completed_steps=["commitment"])
    html = assert_english(en.get(step_url(application, "declaration")), applicant.full_name)
    assert "Application type and conditions" in html
    assert "Household registration through talent introduction" in html
    assert "Sui Fu Ban Gui [2020] No. 10" in html


def test_category_step_empty_filled_and_error(en, applicant):
    empty = ApplicationFactory(
        applicant=applicant, subcategory=None, category=None, completed_steps=["commitment", "declaration"]
    )
    html = assert_english(en.get(step_url(empty, "category")), applicant.full_name)
    assert "Talent category" in html and "Quota-controlled category" in html
    assert "Choose a talent category above first." in html
    assert "From your ID number, you are 30 today. Age conditions are counted on the day you submit." in html

    html = assert_english(en.post(step_url(empty, "category"), {"nav": "next"}), applicant.full_name)
    assert "Select a talent category." in html and "Select a talent sub-category." in html
    assert 'class="invalid-feedback d-block">Select a talent category.</div>' in html


def test_category_step_refuses_an_over_age_choice_in_english(en, applicant):
    application = ApplicationFactory(
        applicant=applicant, birth_date=years_ago(47), completed_steps=["commitment", "declaration"]
    )
    response = en.post(step_url(application, "category"), {"category": "2", "subcategory": "2.2"})
    html = assert_english(response, applicant.full_name)
    assert "you are 47, over the age limit of 45" in html


def test_category_step_filled(en, applicant):
    application = ApplicationFactory(applicant=applicant)
    html = assert_english(en.get(step_url(application, "category")), applicant.full_name)
    assert 'data-label="(2)"' in html  # the summary's sub-category number, as applications.js shows it


def test_personal_step_filled_and_errors_beside_their_fields(en, applicant):
    application = ApplicationFactory(applicant=applicant)
    html = assert_english(en.get(step_url(application, "personal")), *typed_by(application))
    assert "Personal details" in html and "Receiving employer" in html and "Save draft" in html
    assert "Months of social insurance paid in Guangzhou" in html
    assert "Master’s graduate" in html  # the education choice's English label

    data = {
        "nav": "next", "ethnicity": "", "marital_status": "已婚", "education": "硕士研究生", "degree": "硕士",
        "graduate_school": "", "major": "计算机", "professional_title": "中级", "skill_qualification": "无",
        "employer": application.employer.public_id, "original_registry_office": "湖南省长沙市公安局岳麓分局",
        "original_hukou_address": "湖南省长沙市岳麓区麓山南路1号", "district": application.district_id,
        "intended_address": "广州市天河区天河路2号", "social_insurance_months": "twelve", "contact_mobile": "13800138000",
    }  # fmt: skip
    html = assert_english(en.post(step_url(application, "personal"), data), *typed_by(application), "计算机")
    error_beside(html, "ethnicity", "Select “Ethnic group”.")
    error_beside(
        html, "graduate_school", "Enter “School or university”: it is needed once you choose an education."
    )
    error_beside(html, "social_insurance_months", "Enter a whole number of months, for example 12.")
    assert "The correct answers are saved as a draft. Correct the answers marked in red." in html


def test_family_step_empty_filled_and_errors(en, applicant):
    application = ApplicationFactory(applicant=applicant)
    html = assert_english(en.get(step_url(application, "family")), *typed_by(application))
    assert "No accompanying family members added yet." in html
    assert "Add accompanying family member" in html

    AccompanyingPersonFactory(application=application, full_name="李四")
    html = assert_english(en.get(step_url(application, "family")), *typed_by(application), "李四")
    assert "Accompanying family members added (1)" in html and "Spouse" in html and "Married" in html
    # The column names the stacked table shows beside each cell on a phone (applications.css).
    assert '<td data-label="Name">李四</td>' in html and 'data-label="Household registration"' in html

    add = {
        "nav": "add", "full_name": "", "relation": "儿子", "id_type": "resident_id",
        "id_number": application.id_number, "ethnicity": "汉族", "hukou_same_as_applicant": "on",
    }  # fmt: skip
    html = assert_english(en.post(step_url(application, "family"), add), *typed_by(application), "李四")
    error_beside(html, "full_name", "Enter the family member’s full name.")

    add["full_name"] = "王小明"
    html = assert_english(
        en.post(step_url(application, "family"), add), *typed_by(application), "李四", "王小明"
    )
    error_beside(html, "id_number", "A family member’s ID number cannot be the same as yours.")


def test_family_step_refuses_a_child_over_18_in_english(en, applicant):
    application = ApplicationFactory(applicant=applicant)
    add = {
        "nav": "add", "full_name": "王大明", "relation": "儿子", "id_type": "resident_id",
        "id_number": make_resident_id(years_ago(19), male=True), "ethnicity": "汉族",
        "hukou_same_as_applicant": "on",
    }  # fmt: skip
    html = assert_english(en.post(step_url(application, "family"), add), *typed_by(application), "王大明")
    error_beside(
        html, "id_number", "An accompanying child must be under 18. 王大明 is 19 and cannot move with you."
    )


def test_attachments_step_and_refused_uploads_say_why_in_english(en, applicant):
    application = ApplicationFactory(applicant=applicant)
    html = assert_english(en.get(step_url(application, "attachments")), *typed_by(application))
    assert "ID card" in html and "Household register booklet" in html and "Browse..." in html
    assert "<strong>500 KB or less</strong>" in html
    # applications.js writes this text back when the choice of file is cleared.
    assert 'data-file-none="No file chosen">No file chosen</span>' in html

    upload = reverse("applications:attachment_upload", kwargs={"public_id": application.public_id})
    png = SimpleUploadedFile("scan.jpg", b"\x89PNG\r\n\x1a\n" + b"0" * 64, content_type="image/jpeg")
    html = assert_english(
        en.post(upload, {"kind": "id_card", "file": png}, follow=True), *typed_by(application)
    )
    refusal = ("The file must be a JPG image. This file is a PNG image (whatever its file name says). "
               "Convert it to JPG and upload it again.")  # fmt: skip
    assert (
        f'<div class="invalid-feedback d-block" id="error-id_card" role="alert"><div>{refusal}</div>' in html
    )
    assert f"“ID card” was not uploaded: {refusal}" in html

    big = SimpleUploadedFile("big.jpg", jpeg_bytes() + b"\0" * (501 * 1024), content_type="image/jpeg")
    html = assert_english(
        en.post(upload, {"kind": "household_register", "file": big}, follow=True), *typed_by(application)
    )
    assert re.search(r'id="error-household_register" role="alert"><div>The file is [\d.]+KB, over the 500KB limit. '
                     r"Make it smaller and upload it again.</div>", html)  # fmt: skip


def test_attachments_step_lists_what_is_missing_in_english(en, applicant):
    application = ApplicationFactory(applicant=applicant)
    html = assert_english(
        en.post(step_url(application, "attachments"), {"nav": "next"}), *typed_by(application)
    )
    assert "Upload these attachments before you continue:" in html
    assert "The required attachment “ID card” is not uploaded." in html


def test_check_your_answers_and_a_refused_submission(en, applicant):
    application = ready_application(applicant=applicant)
    html = assert_english(en.get(step_url(application, "confirm")), *typed_by(application))
    assert "Check your answers and submit" in html and "Change personal details" in html
    assert "Male" in html and "Han" in html and "Master’s graduate" in html and "Intermediate" in html
    assert "Agreed (" in html and ">Submit<" in html

    application.attachments.all().delete()
    submit = reverse("applications:submit", kwargs={"public_id": application.public_id})
    html = assert_english(en.post(submit), *typed_by(application))
    assert "The application was not submitted. Fix these problems:" in html
    assert "The required attachment “ID card” is not uploaded." in html


# --- the rest of the applicant's pages -----------------------------------------------------------


def test_home_and_start(en, applicant):
    html = assert_english(en.get(reverse("applications:home")), applicant.full_name)
    assert (
        "Talent Introduction Application System" in html
        and "How it works" in html
        and "My document library" in html
    )
    html = assert_english(en.get(reverse("applications:start")), applicant.full_name)
    assert "Apply for talent introduction" in html and "Start now" in html


def test_status_page_without_with_a_draft_and_when_submitted(en, applicant):
    html = assert_english(en.get(reverse("applications:status")), applicant.full_name)
    assert "You have no talent introduction application yet." in html

    draft = ApplicationFactory(applicant=applicant)
    html = assert_english(en.get(reverse("applications:status")), *typed_by(draft))
    assert "Draft application (not submitted)" in html and "Draft (not submitted)" in html
    draft.delete()

    submitted = build_application(Status.SUBMITTED, applicant=applicant)
    html = assert_english(en.get(reverse("applications:status")), *typed_by(submitted))
    assert f'Application number: <span data-testid="application-number">{submitted.number}</span>' in html
    assert "Submitted, awaiting acceptance" in html
    assert "Application submitted" in html  # the timeline


def test_status_page_returned_for_correction(en, applicant):
    returned = build_application(Status.RETURNED, applicant=applicant)
    html = assert_english(
        en.get(reverse("applications:status")), *typed_by(returned), *returned.correction_items
    )
    assert "The district bureau has returned your application for correction." in html
    assert "Correct and resubmit" in html


def test_document_library_choose_and_withdraw(en, applicant):
    application = ApplicationFactory(applicant=applicant)
    LibraryDocumentFactory(owner=applicant, kind="id_card", original_name="id.jpg")
    html = assert_english(en.get(reverse("applications:library")), applicant.full_name)
    assert "My document library" in html and "ID card" in html

    choose = reverse(
        "applications:attachment_library", kwargs={"public_id": application.public_id, "kind": "id_card"}
    )
    html = assert_english(en.get(choose), applicant.full_name)
    assert "Use an image from the document library: ID card" in html and "Use this image" in html
    html = assert_english(en.post(choose, {}), applicant.full_name)
    assert "Choose an image from the document library." in html

    withdraw = reverse("applications:withdraw", kwargs={"public_id": application.public_id})
    html = assert_english(en.get(withdraw), applicant.full_name)
    assert "Withdraw application" in html and "Current status: Draft (not submitted)" in html
    html = assert_english(en.post(withdraw, {"reason": ""}), applicant.full_name)
    error_beside(html, "confirm", "Tick the box to confirm before you withdraw.")


# --- the public services ------------------------------------------------------------------------


def test_selftest_empty_error_and_result(anonymous_en):
    url = reverse("public_services:selftest")
    html = assert_english(anonymous_en.get(url))
    assert "Self-test: do I meet the conditions for talent introduction?" in html

    html = assert_english(anonymous_en.post(url, {"action": "test"}))
    assert 'class="invalid-feedback d-block">Select a talent category.</div>' in html
    error_beside(html, "birth_date", "Enter the date of birth.")

    answers = {
        "action": "test", "category": "2", "subcategory": "2.2", "birth_date": years_ago(30).isoformat(),
        "education": "大学专科", "degree": "无", "professional_title": "无", "skill_qualification": "无",
        "social_insurance_months": "12",
    }  # fmt: skip
    html = assert_english(anonymous_en.post(url, answers))
    assert "Result: you do not meet the conditions" in html
    assert "Education category (2) needs master’s education or a master’s degree." in html

    answers.update(education="硕士研究生", degree="硕士")
    html = assert_english(anonymous_en.post(url, answers))
    assert "Result: you meet the conditions" in html and "Start an application with these answers" in html


def test_progress_query_empty_errors_and_result(anonymous_en):
    url = reverse("public_services:progress")
    html = assert_english(anonymous_en.get(url))
    assert "Check the progress of a talent introduction application" in html

    html = assert_english(anonymous_en.post(url, {"captcha_0": "test-key", "captcha_1": "PASSED"}))
    error_beside(html, "employer_name", "Enter the employer name.")
    error_beside(html, "id_number", "Enter your ID number.")

    app = build_application(Status.SUBMITTED)
    facts = {
        "year": str(app.year), "employer_name": app.employer.name, "full_name": "无此人",
        "id_number": app.id_number, "captcha_0": "test-key", "captcha_1": "PASSED",
    }  # fmt: skip
    html = assert_english(anonymous_en.post(url, facts), app.employer.name, "无此人")
    assert "No application was found. Check the year, employer name, full name and ID number" in html

    facts["full_name"] = app.full_name
    html = assert_english(anonymous_en.post(url, facts), app.employer.name, app.full_name)
    assert 'data-testid="progress-state">Submitted, awaiting acceptance<' in html


# --- Chinese stays the default -------------------------------------------------------------------


def test_the_wizard_and_the_selftest_stay_chinese_by_default(applicant_client, applicant, client):
    application = ApplicationFactory(applicant=applicant)
    html = applicant_client.get(step_url(application, "personal")).content.decode()
    assert '<html lang="zh-CN">' in html
    assert "姓名、证件号码取自实名注册信息，性别、出生日期由身份证号码得出，不能在此修改。" in html
    assert "—— 请选择 ——" in html and ">下一步<" in html
    html = applicant_client.get(reverse("applications:status")).content.decode()
    assert "2026年度" in html or f"{application.year}年度" in html
    assert "二、学历类人才（二）" in html and "广州市天河区人力资源和社会保障局" in html
    html = client.get(reverse("public_services:selftest")).content.decode()
    assert "一键测试：我是否符合引进人才入户条件" in html and "（一）两院院士" in html
