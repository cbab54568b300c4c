"""English for foreign talent (issue 13): the public notice, the objection pages, the 好差评 form,
the error pages, and every applicant e-mail in the recipient's language (User.language), whatever
language the reviewer who decides works in."""

import datetime

import pytest
from django.conf import settings
from django.core import mail
from django.template import Context, Template
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import translation
from django.views.defaults import server_error

from accounts import services as accounts_services
from accounts.models import User
from applications import services as application_services
from applications.choices import Status
from review import services
from review.models import ServiceRating
from tests import factories
from tests.builders import build_application
from tests.i18n_support import CJK, assert_page_in_english, chinese_left_in

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _default_language_afterwards():
    """An English request leaves English active in this thread (LocaleMiddleware activates it and
    nothing deactivates it): the next test, which may word a message outside any request, starts
    from the default language again."""
    yield
    translation.deactivate()


LIST = reverse("notices:list")

# Reference names the lead engineer gives their English in the catalogue (reference/fixture_messages
# .py, the `localized` filter): until then they are still Chinese, and not this page's text.
REFERENCE_NAMES = ["天河区", "学历类人才"]
# The captcha widget (accounts/templates/accounts/widgets/captcha.html) is the accounts pages' own.
CAPTCHA_WIDGET = [
    "验证码图片，看不清可点击换一张",
    "看不清？点击换一张",
    "点击获取：换一张新图片",
    "点击获取",
]


def english_client() -> Client:
    return Client(HTTP_ACCEPT_LANGUAGE="en")


@pytest.fixture
def in_notice(reviewer):
    employer = factories.EmployerFactory(name="广州珠江数码集团股份有限公司")
    app = build_application(Status.UNDER_REVIEW, full_name="张小三", employer=employer)
    services.application_approve(application_id=app.pk, by=reviewer)
    app.refresh_from_db()
    return app


def objection_data(**fields):
    data = {
        "contact_name": "Jane Smith",
        "contact_phone": "13900139000",
        "contact_email": "jane@example.com",
        "description": "The applicant does not actually work for this employer.",
        "captcha_0": "test",
        "captcha_1": "PASSED",
    }
    data.update(fields)
    return data


# --- the public notice ------------------------------------------------------------------------------


def test_the_notice_list_reads_in_english_with_the_masked_name(in_notice):
    response = english_client().get(LIST)
    html = response.content.decode()
    assert response.status_code == 200
    assert_page_in_english(response, allowed=["张*三", "广州珠江数码集团股份有限公司", *REFERENCE_NAMES])
    assert "Public notice of talent introduction household registration" in html
    assert "People on notice now" in html and "1 person" in html
    assert "Human Resources and Social Security Bureau, Guangzhou" in html
    assert ">Raise an objection</a>" in html
    assert "张小三" not in html and "张*三" in html  # still masked
    assert "二、" not in html  # the Chinese numeral of the category is left out in English


def test_the_empty_notice_and_a_search_error_read_in_english(db):
    client = english_client()
    empty = client.get(LIST)
    assert_page_in_english(empty)
    assert "No one is on public notice at the moment." in empty.content.decode()

    past = client.get(LIST, {"tab": "past"})
    assert_page_in_english(past)
    assert "There are no past notices." in past.content.decode()

    wrong = client.get(LIST, {"number": "ABC"})
    html = wrong.content.decode()
    assert_page_in_english(wrong)
    assert 'id="id_number_error">Enter the application number as GZRC followed by 12 digits' in html


def test_the_notice_list_is_still_chinese_by_default(in_notice):
    html = Client().get(LIST).content.decode()
    assert '<html lang="zh-CN">' in html
    assert "引进人才入户网上公示" in html and "广州市天河区人力资源和社会保障局" in html
    assert "二、学历类人才" in html and "共 1 人" in html


# --- objections ---------------------------------------------------------------------------------------


def test_the_empty_objection_form_reads_in_english(in_notice):
    response = english_client().get(reverse("notices:objection", args=[in_notice.public_id]))
    html = response.content.decode()
    assert response.status_code == 200
    assert_page_in_english(
        response, allowed=["张*三", "广州珠江数码集团股份有限公司", *REFERENCE_NAMES, *CAPTCHA_WIDGET]
    )
    assert "Raise an objection to a person on notice" in html
    for label in ("Your name", "Phone number", "E-mail", "Your objection", "Captcha"):
        assert label in html
    assert ">Submit objection</button>" in html


def test_objection_errors_are_shown_in_english_beside_their_fields(in_notice):
    url = reverse("notices:objection", args=[in_notice.public_id])
    response = english_client().post(
        url,
        objection_data(contact_name="", contact_phone="12345", description="Too short", captcha_1="WRONG"),
    )
    html = response.content.decode()
    assert_page_in_english(
        response, allowed=["张*三", "广州珠江数码集团股份有限公司", *REFERENCE_NAMES, *CAPTCHA_WIDGET]
    )
    assert "Enter your name." in html
    assert "Enter an 11-digit mobile number, or a landline in the format XXX-XXXXXXX." in html
    assert "Your objection must be at least 10 characters." in html
    assert "The captcha is wrong." in html
    assert 'value="Too short"' not in html  # a textarea keeps its text as content
    assert "Too short</textarea>" in html


def test_an_objection_is_received_in_english(in_notice):
    client = english_client()
    response = client.post(reverse("notices:objection", args=[in_notice.public_id]), objection_data())
    assert response.status_code == 302
    done = client.get(response["Location"])
    html = done.content.decode()
    assert_page_in_english(done, allowed=REFERENCE_NAMES)
    assert "Objection received" in html and "Objection reference:" in html
    objection = in_notice.notice_entry.objections.get()
    assert objection.public_id.hex[:8].upper() in html
    # The deadline as English readers write dates: 2 December 2026.
    assert f"{objection.due_on.day} {objection.due_on:%B} {objection.due_on.year}" in html


def test_an_objection_after_the_notice_ended_says_so_in_english(in_notice, freeze_today):
    freeze_today(in_notice.notice_entry.notice.end_date + datetime.timedelta(days=1))
    response = english_client().get(reverse("notices:objection", args=[in_notice.public_id]))
    assert_page_in_english(response, allowed=["张*三", "广州珠江数码集团股份有限公司", *REFERENCE_NAMES])
    assert "This notice has ended. You can no longer raise an objection." in response.content.decode()


def test_the_objection_choices_have_their_english():
    from review.models import Objection

    with translation.override("en"):
        assert [str(label) for label in Objection.Status.labels] == [
            "Open",
            "Objection upheld",
            "Objection dismissed",
        ]
    with translation.override("zh-hans"):
        assert Objection.Status.UPHELD.label == "异议成立"


# --- 好差评 -----------------------------------------------------------------------------------------------


@pytest.fixture
def rejected(applicant, reviewer):
    return build_application(Status.REJECTED, applicant=applicant, reviewer=reviewer)


def _english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def _main(html: str) -> str:
    """The page's own content: the layout's system bar (user name, 用户类型 …) is the applicant pages'."""
    return html[html.index("<main") : html.index("</main>")]


def test_the_rating_form_reads_in_english_empty_and_with_an_error(applicant_client, rejected):
    client = _english(applicant_client)
    url = reverse("rating:rate", kwargs={"public_id": rejected.public_id})
    allowed = [rejected.number, rejected.status_label, *REFERENCE_NAMES]
    page = client.get(url)
    html = page.content.decode()
    assert '<html lang="en">' in html
    assert chinese_left_in(_main(html), allowed=allowed) == []
    assert "Rate the service" in html and ">Submit rating</button>" in html
    for grade in ("Very satisfied (5/5)", "Satisfied (4/5)", "Very dissatisfied (1/5)"):
        assert grade in html
    assert "Optional, up to 500 characters." in html

    poor = client.post(url, {"score": 1, "comment": ""})
    html = poor.content.decode()
    assert poor.status_code == 400
    assert chinese_left_in(_main(html), allowed=allowed) == []
    assert "Your rating was not submitted." in html
    assert (
        'id="rating-comment-error">If you choose "Dissatisfied" or "Very dissatisfied", tell us why'
        in html.replace("&quot;", '"')
    )

    no_grade = client.post(url, {"comment": "Quick reply"})
    assert 'id="rating-score-error">Choose a rating.' in no_grade.content.decode()

    done = client.post(url, {"score": 5, "comment": "Quick reply"}, follow=True)
    assert "Thank you for your rating." in done.content.decode()
    # The audit trail stays Chinese, whoever rated in English.
    from audit.models import AuditEntry

    assert AuditEntry.objects.filter(application=rejected, reason="非常满意（5分）：Quick reply").exists()


def test_the_rating_panel_reads_in_english_before_and_after_rating(rejected):
    panel = Template('{% include "review/_status_rating_panel.html" %}')
    with translation.override("en"):
        before = panel.render(Context({"application": rejected}))
    assert "Rate the service" in before and "Each application can be rated once." in before
    assert chinese_left_in(before, allowed=[rejected.status_label, *REFERENCE_NAMES]) == []

    services.service_rating_submit(application_id=rejected.pk, by=rejected.applicant, score=4, comment="Fine")
    with translation.override("en"):
        after = panel.render(Context({"application": rejected}))
    assert "Satisfied (4/5)" in after and "Comments: Fine" in after
    assert chinese_left_in(after, allowed=REFERENCE_NAMES) == []
    with translation.override("zh-hans"):
        chinese = panel.render(Context({"application": rejected}))
    assert "满意（4分）" in chinese and "评价内容：Fine" in chinese


def test_the_rating_grades_have_their_english():
    with translation.override("en"):
        assert ServiceRating.Score(2).label == "Dissatisfied"
    with translation.override("zh-hans"):
        assert ServiceRating.Score(2).label == "不满意"


# --- error pages -------------------------------------------------------------------------------------------


def test_the_404_page_reads_in_english_and_names_nothing_asked_for(db):
    response = english_client().get("/no-such-page-GZRC202500000001/")
    html = response.content.decode()
    assert response.status_code == 404
    assert_page_in_english(response)
    assert "Page not found" in html
    # Only the language switch carries the address back (to show this page in 中文); nothing else.
    assert html.count("no-such-page-GZRC202500000001") == 1
    assert "?next=/no-such-page-GZRC202500000001/" in html


def test_an_unknown_objection_is_the_same_404(db):
    response = english_client().get(
        reverse("notices:objection", args=["00000000-0000-0000-0000-000000000000"])
    )
    assert response.status_code == 404
    assert_page_in_english(response)
    assert "Page not found" in response.content.decode()


def test_the_404_page_is_chinese_by_default(db):
    html = Client().get("/no-such-page/").content.decode()
    assert '<html lang="zh-CN">' in html and "页面不存在" in html


def test_the_500_page_renders_without_a_request_context_in_english():
    request = RequestFactory().get("/")
    with translation.override("en"):
        response = server_error(request)
    assert response.status_code == 500
    assert_page_in_english(response.content.decode())
    assert "Sorry, something went wrong" in response.content.decode()
    with translation.override("zh-hans"):
        assert "系统出错，请稍后重试" in server_error(request).content.decode()


# --- e-mails, in the recipient's language ---------------------------------------------------------------

PREFIX_EN = "[Guangzhou Personnel E-Government System] "
PREFIX_ZH = "【广州市人事电子政务系统】"


def _speaks(user: User, language: str) -> User:
    User.objects.filter(pk=user.pk).update(language=language)
    user.language = language
    return user


def _assert_english(message, *, allowed=()):
    assert message.subject.startswith(PREFIX_EN), message.subject
    text = message.subject + "\n" + message.body
    for piece in allowed:
        text = text.replace(piece, "")
    assert not CJK.search(text), f"Chinese left in an English e-mail: {text!r}"


def _assert_chinese(message):
    assert message.subject.startswith(PREFIX_ZH), message.subject
    assert CJK.search(message.body)


def _decide(kind: str, app, reviewer, freeze_today):
    """One decision of the reviewer (who works in Chinese), by kind; returns the English subject."""
    if kind == "accept":
        services.application_accept(application_id=app.pk, by=reviewer)
        return "Application accepted"
    if kind == "return":
        services.application_return_for_correction(
            application_id=app.pk, by=reviewer, items=["身份证扫描件不清晰"]
        )
        return "Application returned for correction"
    if kind == "reject":
        services.application_reject(application_id=app.pk, by=reviewer, reason="社保缴费不满6个月")
        return "Application not approved"
    if kind == "approve":
        services.application_approve(application_id=app.pk, by=reviewer)
        return "Application approved and on public notice"
    if kind == "extend":
        services.application_extend_decision(application_id=app.pk, by=reviewer, reason="需核实学历")
        return "Review deadline extended"
    if kind == "publish":
        freeze_today(app.notice_entry.notice.end_date + datetime.timedelta(days=1))
        services.application_publish(application_id=app.pk, by=reviewer)
        return "Application published: household registration card to be issued"
    if kind == "uphold":
        objection = app.notice_entry.objections.get()
        services.objection_uphold(objection_id=objection.pk, by=reviewer, resolution="经核实属实")
        return "Objection upheld: application not approved"
    if kind == "grant":
        services.reapplication_grant(applicant=app.applicant, year=app.year, by=reviewer, reason="材料已补齐")
        return "You can apply again"
    if kind == "bar":
        services.applicant_bar(applicant=app.applicant, by=reviewer, reason="学历证书系伪造", application=app)
        return "Your eligibility to apply has been withdrawn"
    raise AssertionError(kind)


DECISIONS = [
    ("accept", Status.SUBMITTED, {}),
    ("return", Status.UNDER_REVIEW, {}),
    ("reject", Status.UNDER_REVIEW, {}),
    ("approve", Status.UNDER_REVIEW, {}),
    ("extend", Status.UNDER_REVIEW, {}),
    ("publish", Status.IN_NOTICE, {}),
    ("uphold", Status.IN_NOTICE, {"objection": True}),
    ("grant", Status.REJECTED, {}),
    ("bar", Status.UNDER_REVIEW, {}),
]
# What the reviewer typed (quoted as written) and names from the database.
TYPED = [
    "身份证扫描件不清晰",
    "社保缴费不满6个月",
    "需核实学历",
    "经核实属实",
    "材料已补齐",
    "学历证书系伪造",
    *REFERENCE_NAMES,
]


@pytest.mark.parametrize(("kind", "state", "options"), DECISIONS, ids=[d[0] for d in DECISIONS])
def test_an_english_applicant_is_told_in_english_whatever_the_reviewer_works_in(
    kind, state, options, applicant, reviewer, freeze_today, django_capture_on_commit_callbacks
):
    app = build_application(state, applicant=_speaks(applicant, "en"), reviewer=reviewer, **options)
    with translation.override("zh-hans"), django_capture_on_commit_callbacks(execute=True):
        subject = _decide(kind, app, reviewer, freeze_today)
    to_applicant = [message for message in mail.outbox if message.to == [applicant.email]]
    assert to_applicant, "no e-mail to the applicant"
    assert PREFIX_EN + subject in [message.subject for message in to_applicant]
    for message in to_applicant:  # the publication's card e-mail too
        _assert_english(message, allowed=TYPED)
    main = next(message for message in to_applicant if message.subject == PREFIX_EN + subject)
    if kind not in ("grant", "bar"):  # those two concern the applicant, not one application
        assert app.number in main.body


@pytest.mark.parametrize(("kind", "state", "options"), DECISIONS, ids=[d[0] for d in DECISIONS])
def test_a_chinese_applicant_is_still_told_in_chinese_even_from_an_english_request(
    kind, state, options, applicant, reviewer, freeze_today, django_capture_on_commit_callbacks
):
    app = build_application(state, applicant=_speaks(applicant, "zh-hans"), reviewer=reviewer, **options)
    with translation.override("en"), django_capture_on_commit_callbacks(execute=True):
        _decide(kind, app, reviewer, freeze_today)
    to_applicant = [message for message in mail.outbox if message.to == [applicant.email]]
    assert to_applicant
    for message in to_applicant:
        _assert_chinese(message)


def test_the_english_acceptance_e_mail_names_the_bureau_and_the_date_in_english(
    applicant, reviewer, freeze_today, django_capture_on_commit_callbacks
):
    app = build_application(Status.SUBMITTED, applicant=_speaks(applicant, "en"), reviewer=reviewer)
    freeze_today(datetime.date(2025, 10, 1))
    with django_capture_on_commit_callbacks(execute=True):
        services.application_accept(application_id=app.pk, by=reviewer)
    (message,) = mail.outbox
    app.refresh_from_db()
    due = app.decision_due_on
    assert message.subject == PREFIX_EN + "Application accepted"
    assert (
        "has been accepted by the Tianhe District Human Resources and Social Security Bureau, Guangzhou"
        in message.body
    )
    assert f"by {due.day} {due:%B} {due.year}." in message.body


def test_the_reviewers_objection_notice_stays_chinese(
    in_notice, reviewer, django_capture_on_commit_callbacks
):
    with translation.override("en"), django_capture_on_commit_callbacks(execute=True):
        services.objection_raise(
            entry_id=in_notice.notice_entry.pk,
            contact_name="Jane Smith",
            contact_phone="13900139000",
            description="The applicant does not work there.",
        )
    (message,) = [m for m in mail.outbox if m.to == [reviewer.email]]
    assert message.subject == PREFIX_ZH + "公示异议待处理"


# --- the applicant's own steps (applications.services) and employer administrators (accounts.services) ---


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_submission_resubmission_and_withdrawal_e_mails_follow_the_applicant(
    language, applicant, django_capture_on_commit_callbacks
):
    _speaks(applicant, language)
    draft = build_application(Status.DRAFT, applicant=applicant)
    returned = build_application(Status.RETURNED, applicant=factories.UserFactory(language=language))
    with (
        translation.override("zh-hans" if language == "en" else "en"),
        django_capture_on_commit_callbacks(execute=True),
    ):
        application_services.application_submit(application_id=draft.pk, by=applicant)
        application_services.application_submit(application_id=returned.pk, by=returned.applicant)
        application_services.application_withdraw(application_id=draft.pk, by=applicant)
    subjects = [message.subject for message in mail.outbox]
    if language == "en":
        assert subjects == [
            PREFIX_EN + "Talent introduction application submitted",
            PREFIX_EN + "Talent introduction application submitted",
            PREFIX_EN + "Talent introduction application withdrawn",
        ]
        for message in mail.outbox:
            _assert_english(message, allowed=REFERENCE_NAMES)
        assert "has been submitted again" in mail.outbox[1].body
    else:
        assert subjects == [PREFIX_ZH + "人才引进入户申报已提交"] * 2 + [PREFIX_ZH + "人才引进入户申报已撤回"]
        assert "已重新提交" in mail.outbox[1].body


@pytest.fixture
def employer_right(applicant, city_admin):
    from django.core.files.base import ContentFile

    from core.uploads import check_jpeg as checked

    licence = checked(ContentFile(factories.jpeg_bytes(600, 400), name="licence.jpg"))
    employer = factories.EmployerFactory(name="广州天河软件科技有限公司")
    return accounts_services.employer_admin_request_create(user=applicant, employer=employer, licence=licence)


@pytest.mark.parametrize("decision", ["approve", "refuse", "cancel"])
def test_employer_administrator_decisions_reach_an_english_applicant_in_english(
    decision, employer_right, applicant, city_admin, django_capture_on_commit_callbacks
):
    _speaks(applicant, "en")
    if decision == "cancel":
        accounts_services.employer_admin_approve(request_id=employer_right.pk, by=city_admin)
    with translation.override("zh-hans"), django_capture_on_commit_callbacks(execute=True):
        if decision == "approve":
            accounts_services.employer_admin_approve(request_id=employer_right.pk, by=city_admin)
        elif decision == "refuse":
            accounts_services.employer_admin_refuse(
                request_id=employer_right.pk, by=city_admin, note="营业执照不清晰"
            )
        else:
            accounts_services.employer_admin_cancel(
                request_id=employer_right.pk, by=city_admin, note="已离职"
            )
    (message,) = mail.outbox
    _assert_english(message, allowed=["广州天河软件科技有限公司", "营业执照不清晰", "已离职"])
    assert "employer administrator access" in message.subject
    assert '"广州天河软件科技有限公司"' in message.body
