"""一键测试 (/services/selftest/): no login, the verdict with each reason, messages beside the fields,
nothing typed lost, and a 符合 result that starts the applicant's draft with its answers."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.validators import id_facts
from applications.choices import Degree, Education, ProfessionalTitle, SkillLevel, Status
from applications.models import Application
from applications.public_views import SELFTEST_SESSION_KEY
from tests.builders import build_application
from tests.factories import PASSWORD, ReviewerFactory, years_ago

pytestmark = pytest.mark.django_db

URL = "/services/selftest/"
# The page's own reads: the categories with their sub-categories (2); a POST adds the chosen
# category and sub-category (2). Nothing else: a visitor without a session costs no session query.
GET_QUERIES = 2
POST_QUERIES = 4


def master_answers(**overrides) -> dict:
    """二、学历类人才（二）硕士, 30 years old, a year of 社保: 符合."""
    answers = {
        "category": "2",
        "subcategory": "2.2",
        "birth_date": years_ago(30).isoformat(),
        "education": Education.MASTER,
        "degree": Degree.MASTER,
        "professional_title": ProfessionalTitle.NONE,
        "skill_qualification": SkillLevel.NONE,
        "professional_qualification": "",
        "skill_occupation": "",
        "shortage_occupation": "",
        "position": "",
        "high_level_title": "",
        "social_insurance_months": "12",
        "action": "test",
    }
    return {**answers, **overrides}


def test_the_page_needs_no_login_and_names_every_answer(client):
    response = client.get(URL)
    assert response.status_code == 200
    html = response.content.decode()
    for label in ("引进人才类别", "引进人才具体类别", "出生日期", "学历", "学位", "职称", "技能人员职业资格",
                  "专业技术人员职业资格", "在穗社保缴费月数", "开始测试"):  # fmt: skip
        assert label in html
    assert "data-testid=\"selftest-result\"" not in html


def test_eligible_answers_say_符合(client):
    response = client.post(URL, master_answers())
    html = response.content.decode()
    assert response.status_code == 200
    assert "测试结果：符合" in html
    assert "您符合“二、学历类人才（二）" in html
    assert "按此结果开始申报" in html


def test_ineligible_answers_say_不符合_with_each_reason(client):
    born = years_ago(47)
    response = client.post(
        URL,
        master_answers(birth_date=born.isoformat(), education=Education.BACHELOR_FULLTIME, degree=Degree.BACHELOR),
    )
    html = response.content.decode()
    assert "测试结果：不符合" in html
    assert "已满47周岁" in html and "45周岁以下" in html
    assert "申报学历类（二）须具有硕士研究生学历或硕士学位。" in html
    assert "按此结果开始申报" not in html


def test_skill_category_counts_social_insurance_months(client):
    response = client.post(
        URL,
        master_answers(
            category="4", subcategory="4.3", skill_qualification=SkillLevel.TECHNICIAN,
            skill_occupation="焊工", social_insurance_months="5",
        ),
    )  # fmt: skip
    html = response.content.decode()
    assert "测试结果：不符合" in html
    assert "申报技能类人才须在广州市缴纳社会保险满6个月（当前填写5个月）。" in html


def test_missing_answers_are_named_beside_their_fields_and_nothing_typed_is_lost(client):
    response = client.post(
        URL,
        master_answers(subcategory="", birth_date="", social_insurance_months="十二", skill_occupation="电工"),
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "请选择引进人才具体类别。" in html
    assert "请填写出生日期。" in html
    assert "请填写整数月数，如：12。" in html
    assert "data-testid=\"selftest-result\"" not in html
    # What was typed is drawn back: the category, the selects, the free text, even the wrong number.
    assert 'value="2" checked' in html
    assert 'value="电工"' in html
    assert 'value="十二"' in html
    assert f'<option value="{Education.MASTER}" selected>' in html


def test_a_subcategory_outside_its_category_is_refused(client):
    response = client.post(URL, master_answers(category="3"))
    assert "请在“三、职称类人才”之下选择具体类别。" in response.content.decode()


def test_query_counts(client, django_assert_num_queries):
    with django_assert_num_queries(GET_QUERIES):
        client.get(URL)
    with django_assert_num_queries(POST_QUERIES):
        client.post(URL, master_answers())


# --- 按此结果开始申报 ------------------------------------------------------------------------------


def _apply(client, **overrides):
    return client.post(URL, master_answers(action="apply", **overrides))


def test_an_applicant_starts_a_draft_filled_with_the_answers(applicant_client, applicant):
    response = _apply(
        applicant_client, category="4", subcategory="4.3", skill_qualification=SkillLevel.TECHNICIAN,
        skill_occupation="焊工", professional_title=ProfessionalTitle.INTERMEDIATE,
    )  # fmt: skip
    app = Application.objects.get(applicant=applicant)
    assert response.status_code == 302
    assert response["Location"] == reverse("applications:resume", kwargs={"public_id": app.public_id})
    assert app.status == Status.DRAFT
    assert app.subcategory.code == "4.3" and app.category.code == "4"
    assert app.skill_qualification == SkillLevel.TECHNICIAN
    assert app.skill_occupation == "焊工"
    assert app.education == Education.MASTER and app.degree == Degree.MASTER
    assert app.professional_title == ProfessionalTitle.INTERMEDIATE
    assert app.social_insurance_months == 12
    assert "category" in app.completed_steps and "personal" not in app.completed_steps
    followed = applicant_client.get(response["Location"], follow=True)
    assert "已按一键测试结果填入引进人才类别和个人信息" in followed.content.decode()


def test_the_birth_date_stays_the_id_numbers(applicant_client, applicant):
    _apply(applicant_client, birth_date=years_ago(31).isoformat())
    app = Application.objects.get(applicant=applicant)
    from_number = id_facts(applicant.id_type, applicant.id_number).birth_date
    assert app.birth_date == from_number != years_ago(31)
    followed = applicant_client.get(reverse("applications:resume", kwargs={"public_id": app.public_id}), follow=True)
    assert "一键测试填写的出生日期与您的证件号码不一致" in followed.content.decode()


def test_an_existing_draft_keeps_answers_the_test_did_not_ask(applicant_client, applicant):
    draft = build_application(Status.DRAFT, applicant=applicant, subcategory="2.3")
    _apply(applicant_client)
    draft.refresh_from_db()
    assert draft.subcategory.code == "2.2"
    assert draft.education == Education.MASTER
    assert draft.graduate_school and draft.intended_address and draft.employer_id  # untouched
    assert Application.objects.filter(applicant=applicant).count() == 1


def test_ineligible_answers_start_nothing(applicant_client, applicant):
    response = _apply(applicant_client, birth_date=years_ago(50).isoformat())
    assert response.status_code == 200
    assert "测试结果：不符合" in response.content.decode()
    assert not Application.objects.filter(applicant=applicant).exists()


def test_an_application_in_hand_is_explained_on_the_page(applicant_client, applicant):
    build_application(Status.SUBMITTED, applicant=applicant)
    response = _apply(applicant_client)
    html = response.content.decode()
    assert response.status_code == 409
    assert "您已有一份正在办理的申报" in html
    assert 'value="2.2" checked' in html  # the answers are still there
    assert Application.objects.filter(applicant=applicant).count() == 1


def test_staff_cannot_start_an_application(login_client):
    client = login_client(ReviewerFactory())
    response = _apply(client)
    assert response.status_code == 403
    assert "工作人员帐号不能按测试结果申报" in response.content.decode()
    assert not Application.objects.exists()


def test_anonymous_visitor_logs_in_first_and_finds_the_answers_kept(client, applicant):
    response = _apply(client, skill_occupation="电工")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))
    assert "next=/services/selftest/" in response["Location"]
    assert client.session[SELFTEST_SESSION_KEY]["subcategory"] == "2.2"
    assert not Application.objects.exists()

    login = client.post(
        reverse("accounts:login") + "?next=/services/selftest/",
        {"user_type": "personal", "username": applicant.username, "password": PASSWORD,
         "captcha_0": "x", "captcha_1": "PASSED", "next": "/services/selftest/"},
    )  # fmt: skip
    assert login.status_code == 302, login.content.decode()[:2000]
    assert login["Location"] == "/services/selftest/"
    back = client.get("/services/selftest/")
    html = back.content.decode()
    assert "测试结果：符合" in html
    assert 'value="电工"' in html and 'value="2.2" checked' in html

    started = _apply(client, skill_occupation="电工")
    app = Application.objects.get(applicant=applicant)
    assert started["Location"] == reverse("applications:resume", kwargs={"public_id": app.public_id})
    assert app.skill_occupation == "电工"
    assert SELFTEST_SESSION_KEY not in client.session


def test_the_age_is_counted_today(client):
    # One day before the 46th birthday the applicant is 45: still 符合 for 学历类（二）.
    today = timezone.localdate()
    born = datetime.date(today.year - 46, today.month, today.day) + datetime.timedelta(days=1)
    html = client.post(URL, master_answers(birth_date=born.isoformat())).content.decode()
    assert "测试结果：符合" in html


def test_the_page_is_never_cached(client):
    response = client.get(URL)
    assert "no-store" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]


def test_queries_do_not_grow_with_the_answers(client):
    with CaptureQueriesContext(connection) as few:
        client.post(URL, master_answers())
    with CaptureQueriesContext(connection) as many:
        client.post(URL, master_answers(birth_date=years_ago(60).isoformat(), education=Education.NONE))
    assert len(few) == len(many)
