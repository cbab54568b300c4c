"""The login, CA登录, registration, password reset and employer-administrator pages in English.

Each page is rendered as an English-speaking visitor sees it (Accept-Language: en, or the language
cookie once logged in), in its empty and error states, and must carry no Chinese outside what the
visitor typed and the reference names the catalogue gives English to (see `names_from_the_catalogue`).
"""

import re

import pytest
from django.conf import settings
from django.core import mail
from django.test import Client
from django.utils import translation

from accounts.models import IdType
from reference.models import ContentPage, District, Subsystem
from tests import factories
from tests.accounts.test_forms_registration import valid_data
from tests.accounts.test_views_certificate import cert_headers
from tests.accounts.test_views_login import LOGIN_URL, login_post
from tests.i18n_support import assert_page_in_english, chinese_left_in

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def back_to_chinese():
    """LocaleMiddleware activates English for the thread and nothing deactivates it after the
    response: without this, tests that run later outside a request (forms, services) would meet
    English messages where they expect the default Chinese."""
    yield
    translation.deactivate()


STEP1 = "/accounts/register/"
STEP2 = "/accounts/register/account/"
STEP3 = "/accounts/register/systems/"
DONE = "/accounts/register/done/"
RESET_URL = "/accounts/password/reset/"


def names_from_the_catalogue() -> list[str]:
    """Reference names (subsystems and their descriptions, districts, content page titles) whose
    English the lead engineer adds to the catalogue (reference/fixture_messages.py), shown through
    |localized. Only those still without English are let through, so once a name has its English,
    a page that showed it in Chinese fails here."""
    names = [*Subsystem.objects.values_list("name", flat=True)]
    names += [d for d in Subsystem.objects.values_list("description", flat=True) if d]
    names += [*District.objects.values_list("name", flat=True)]
    names += [*ContentPage.objects.values_list("title", flat=True)]
    names += [str(label) for _value, label in ContentPage._meta.get_field("section").choices]
    with translation.override("en"):
        return [name for name in names if translation.gettext(name) == name]


def english_client(**extra) -> Client:
    return Client(HTTP_ACCEPT_LANGUAGE="en", **extra)


def logged_in_in_english(user) -> Client:
    client = Client()
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def error_beside(html: str, field_id: str) -> str:
    """The text of the error shown under a field (templates/accounts/_field.html, _row_field.html)."""
    match = re.search(
        rf'<div class="invalid-feedback d-block[^"]*" id="{field_id}_error"[^>]*>(.*?)</div>', html, re.S
    )
    assert match, f"no error beside {field_id}"
    return re.sub(r"<[^>]+>", "", match.group(1)).strip()


# --- Login ---------------------------------------------------------------------------------------


def test_the_login_page_is_english_for_an_english_browser():
    response = english_client().get(LOGIN_URL)
    assert response.status_code == 200
    assert_page_in_english(response, allowed=names_from_the_catalogue())
    html = response.content.decode()
    for text in ["User login", "CA login", "User type", "Individual", "Employer", "User name", "Password",
                 "Captcha", "New image", "Register as an individual", "Forgot password", "Public services"]:  # fmt: skip
        assert text in html, text
    # What portal.js says after a captcha refresh comes from the page, in its language.
    assert 'data-captcha-announce="The captcha image has changed.' in html
    assert 'data-captcha-failed="Could not get a new captcha.' in html


def test_the_login_page_stays_chinese_by_default():
    html = Client().get(LOGIN_URL).content.decode()
    assert '<html lang="zh-CN">' in html
    assert "用户登录" in html and "点击获取" in html and "个人用户注册" in html


def test_a_wrong_password_is_said_in_english_beside_the_password(applicant):
    response = login_post(english_client(), applicant.username, "Wrong2026x")
    html = response.content.decode()
    assert_page_in_english(response, allowed=names_from_the_catalogue())
    assert error_beside(html, "id_password").startswith("The user name or password is wrong.")
    assert "There is a problem" in html  # the error summary


def test_a_wrong_captcha_is_said_in_english_beside_the_captcha(applicant):
    response = login_post(english_client(), applicant.username, captcha="WRONG")
    assert_page_in_english(response, allowed=names_from_the_catalogue())
    assert "The captcha is wrong" in error_beside(response.content.decode(), "id_captcha")


def test_the_lockout_page_is_english(applicant):
    client = english_client()
    for _attempt in range(settings.AXES_FAILURE_LIMIT):
        login_post(client, applicant.username, "Wrong2026x")
    response = login_post(client, applicant.username)
    assert response.status_code == 429
    assert_page_in_english(response)
    html = response.content.decode()
    assert "Too many failed logins" in html and "minutes</strong>" in html


def test_the_face_login_page_is_english():
    response = english_client().get("/accounts/login/face/")
    assert_page_in_english(response)
    assert "Weijing" in response.content.decode()


# --- CA登录 ----------------------------------------------------------------------------------------


def test_the_ca_login_page_without_a_ca_is_english(settings):
    settings.CA_LOGIN_URL = ""
    response = english_client().get("/accounts/ca/login/")
    assert response.status_code == 404
    assert_page_in_english(response)
    assert "not connected to a CA digital certificate service" in response.content.decode()


@pytest.fixture
def ca_connected(settings):
    settings.CA_LOGIN_URL = "https://rc.example.gov.cn:8443"
    settings.SITE_URL = "https://rc.example.gov.cn"
    settings.TRUSTED_PROXIES = ["10.0.0.0/24"]


@pytest.mark.usefixtures("ca_connected")
def test_the_ca_login_page_with_a_certificate_is_english():
    from tests.accounts.test_views_certificate import ISSUER, PROXY, SUBJECT

    response = english_client(REMOTE_ADDR=PROXY).get("/accounts/ca/login/", **cert_headers())
    # The certificate's own subject and issuer are data, printed as the CA wrote them.
    assert_page_in_english(response, allowed=[SUBJECT, ISSUER])
    html = response.content.decode()
    assert "Your CA digital certificate has been read" in html and "Certificate serial number" in html


@pytest.mark.usefixtures("ca_connected")
def test_an_unbound_certificate_is_refused_in_english():
    from tests.accounts.test_views_certificate import ISSUER, PROXY, SUBJECT

    client = english_client(REMOTE_ADDR=PROXY)
    response = client.post("/accounts/ca/login/", {"user_type": "personal"}, **cert_headers())
    assert_page_in_english(response, allowed=[SUBJECT, ISSUER])
    assert "This CA certificate is not linked to an account" in response.content.decode()


@pytest.mark.usefixtures("ca_connected")
def test_no_certificate_is_explained_in_english():
    from tests.accounts.test_views_certificate import PROXY

    response = english_client(REMOTE_ADDR=PROXY).get("/accounts/ca/login/", **cert_headers(verify="NONE"))
    assert_page_in_english(response)
    assert "No CA digital certificate was found" in response.content.decode()


def test_the_certificate_page_of_the_account_is_english(applicant, settings):
    settings.CA_LOGIN_URL = ""
    response = logged_in_in_english(applicant).get("/accounts/certificate/")
    assert_page_in_english(response, allowed=[applicant.full_name])
    assert "CA certificate" in response.content.decode()


# --- Registration: 服务协议 → 帐号信息 → 申请应用系统 → 注册成功 -------------------------------------------


def test_step1_the_agreement_is_english_and_its_error_too():
    client = english_client()
    response = client.get(STEP1)
    assert_page_in_english(response)
    html = response.content.decode()
    assert "Service agreement" in html and "1. Entering information" in html
    assert 'aria-current="step"' in html and "Account details" in html
    response = client.post(STEP1, {})
    assert_page_in_english(response)
    assert "Read the service agreement, tick" in response.content.decode()


def test_step2_the_account_form_is_english():
    client = english_client()
    client.post(STEP1, {"agree": "on"})
    response = client.get(STEP2)
    assert_page_in_english(response)
    html = response.content.decode()
    for text in ["User name", "Check user name", "Registration captcha", "Confirm password", "ID type",
                 "Resident ID card", "Foreign Permanent Resident ID Card", "Passport", "ID number",
                 "Mobile phone", "I declare that the information above is true"]:  # fmt: skip
        assert text in html, text


def test_step2_an_error_is_english_beside_its_field():
    client = english_client()
    client.post(STEP1, {"agree": "on"})
    data = valid_data(id_number="44010619900101", workplace="广州天河软件科技有限公司")
    response = client.post(STEP2, {**data, "action": "next"})
    assert response.status_code == 200
    html = response.content.decode()
    # What the visitor typed comes back as typed.
    assert_page_in_english(response, allowed=[data["full_name"], data["workplace"]])
    assert error_beside(html, "id_id_number") == (
        "The Resident ID card number must be 18 characters long. You entered 14."
    )
    assert "Correct the items marked in red as shown, then submit again." in html


def test_step2_the_username_check_answers_in_english(applicant):
    client = english_client()
    client.post(STEP1, {"agree": "on"})
    data = {"username": applicant.username, "check_captcha_0": "k", "check_captcha_1": "PASSED"}
    response = client.post(
        STEP2, {**data, "action": "check_username"}, HTTP_X_REQUESTED_WITH="XMLHttpRequest"
    )
    assert response.json()["message"] == "This user name is already taken. Choose another."


def test_step3_and_done_are_english():
    client = english_client()
    client.post(STEP1, {"agree": "on"})
    data = valid_data()
    assert client.post(STEP2, {**data, "action": "next"}).url == STEP3
    allowed = [data["full_name"], *names_from_the_catalogue()]
    response = client.get(STEP3)
    assert_page_in_english(response, allowed=allowed)
    assert "Choose application systems" in response.content.decode()
    # One error: a system that is not offered.
    response = client.post(STEP3, {"subsystems": ["999999"], "action": "submit"})
    assert response.status_code == 200
    assert_page_in_english(response, allowed=allowed)
    assert "Select a valid choice" in response.content.decode()
    talent = Subsystem.objects.filter(is_provided=True).first()
    assert client.post(STEP3, {"subsystems": [talent.pk], "action": "submit"}).url == DONE
    response = client.get(DONE)
    assert_page_in_english(response, allowed=allowed)
    html = response.content.decode()
    assert "Registration complete" in html and data["username"] in html
    assert "Applications chosen:" in html


def test_the_account_registered_in_english_gets_its_emails_in_english():
    client = english_client()
    client.post(STEP1, {"agree": "on"})
    client.post(STEP2, {**valid_data(), "action": "next"})
    client.post(STEP3, {"action": "submit"})
    from accounts.models import User

    assert User.objects.get(username=valid_data()["username"]).language == "en"


# --- Password reset, the reset e-mail and password change ----------------------------------------


def ask_reset(client, email, captcha="PASSED"):
    return client.post(RESET_URL, {"email": email, "captcha_0": "k", "captcha_1": captcha})


def test_the_reset_form_and_its_captcha_error_are_english(applicant):
    client = english_client()
    response = client.get(RESET_URL)
    assert_page_in_english(response)
    assert "Registered e-mail address" in response.content.decode()
    response = ask_reset(client, applicant.email, captcha="WRONG")
    assert_page_in_english(response)
    assert "The captcha is wrong" in error_beside(response.content.decode(), "id_captcha")
    response = ask_reset(client, "not-an-address")
    assert error_beside(response.content.decode(), "id_email") == "Enter a valid e-mail address."


def test_the_reset_email_and_pages_are_english_for_an_english_visitor(applicant):
    client = english_client()
    response = ask_reset(client, applicant.email)
    done = client.get(response.url)
    assert_page_in_english(done)
    assert "Check your e-mail" in done.content.decode()

    message = mail.outbox[0]
    assert message.subject == "[Guangzhou Personnel E-Government System] Reset your password"
    body = message.body
    assert body.startswith(f"Dear {applicant.full_name},")
    assert (
        f"Someone (probably you) asked the Guangzhou Personnel E-Government System to reset the password of the account “{applicant.username}”"
        in body
    )  # noqa: E501
    assert not chinese_left_in(body.replace(applicant.full_name, ""))

    link = re.search(r"http://testserver(/accounts/password/reset/\S+/)", body).group(1)
    form_page = client.get(link, follow=True)
    assert_page_in_english(form_page)
    assert "Set a new password" in form_page.content.decode()
    set_url = form_page.redirect_chain[-1][0]
    mismatch = client.post(set_url, {"new_password1": "Gz2026new", "new_password2": "Gz2026old"})
    assert_page_in_english(mismatch)
    assert "There is a problem" in mismatch.content.decode()
    complete = client.post(set_url, {"new_password1": "Gz2026new", "new_password2": "Gz2026new"}, follow=True)
    assert_page_in_english(complete)
    assert "Password reset" in complete.content.decode()
    # The link works once: the invalid-link page too.
    expired = client.get(link, follow=True)
    assert_page_in_english(expired)
    assert "This reset link is not valid or has expired" in expired.content.decode()


def test_the_reset_email_stays_chinese_for_a_chinese_visitor(applicant):
    ask_reset(Client(), applicant.email)
    message = mail.outbox[0]
    assert message.subject == "【广州市人事电子政务系统】重置登录密码"
    assert "有人（可能是您本人）在广州市人事电子政务系统申请重置登录帐号" in message.body


def test_password_change_and_its_error_are_english(applicant):
    client = logged_in_in_english(applicant)
    response = client.get("/accounts/password/change/")
    assert_page_in_english(response, allowed=[applicant.full_name])
    assert "Current password" in response.content.decode()
    response = client.post(
        "/accounts/password/change/",
        {"old_password": "Wrong2026x", "new_password1": "Gz2026new", "new_password2": "Gz2026new"},
    )
    assert_page_in_english(response, allowed=[applicant.full_name])
    assert "Your old password was entered incorrectly" in response.content.decode()


# --- Employer administrators ----------------------------------------------------------------------


def test_the_employer_admin_request_page_and_its_errors_are_english(applicant):
    client = logged_in_in_english(applicant)
    allowed = [applicant.full_name, *names_from_the_catalogue()]
    response = client.get("/accounts/employer-admin/apply/")
    assert_page_in_english(response, allowed=allowed)
    assert "Step 1: Search for the employer" in response.content.decode()
    response = client.get("/accounts/employer-admin/apply/", {"q": "没有这个单位"})
    assert_page_in_english(response, allowed=[*allowed, "没有这个单位"])
    assert "No employer matches" in response.content.decode()
    response = client.post("/accounts/employer-admin/apply/", {"q": ""})
    html = response.content.decode()
    assert_page_in_english(response, allowed=allowed)
    assert error_beside(html, "id_employer").startswith("Search for and choose the employer.")
    assert "Tick the declaration before you submit." in html


def test_the_employer_admin_list_and_employer_home_are_english(applicant):
    right = factories.EmployerAdminFactory(user=applicant)
    client = logged_in_in_english(applicant)
    allowed = [applicant.full_name, right.employer.name, *names_from_the_catalogue()]
    response = client.get("/accounts/employer-admin/")
    assert_page_in_english(response, allowed=allowed)
    html = response.content.decode()
    assert "My employer administrator rights" in html and str(right.get_status_display()) in html
    response = client.get("/accounts/employer/")
    assert_page_in_english(response, allowed=allowed)
    assert "Employers I administer" in response.content.decode()


def test_id_types_have_english_labels():
    with translation.override("en"):
        labels = [str(label) for label in IdType.labels]
    assert labels == [
        "Resident ID card",
        "Mainland Travel Permit for Hong Kong and Macao Residents",
        "Mainland Travel Permit for Taiwan Residents",
        "Residence Permit for Hong Kong, Macao and Taiwan Residents",
        "Foreign Permanent Resident ID Card",
        "Passport",
    ]
