"""The 门户 and the public pages in English: home, 添加应用, a content page (its policy text stays
Chinese, marked lang="zh-CN", with a note that the official text is Chinese), help, 政务服务网, my
personal information, the access log, and the 409, 413 and 503 pages."""

import pytest
from django.conf import settings
from django.test import Client, RequestFactory
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy

from accounts.models import UserSubsystem
from audit.models import PersonalDataAccess
from config.urls import urlpatterns as portal_urlpatterns
from core.errors import Refused
from core.middleware import database_unavailable
from reference.models import ContentPage, Subsystem
from tests.accounts.test_english import back_to_chinese, logged_in_in_english, names_from_the_catalogue
from tests.i18n_support import assert_page_in_english

pytestmark = pytest.mark.django_db
back_to_chinese = back_to_chinese  # autouse: the thread goes back to Chinese after each test


def refusing_view(request):
    raise Refused(
        [gettext("您有单位系统管理员权限或其申请，请先取消。"), gettext_lazy("该操作当前不能进行。")],
        code="test",
    )


# This module is also the URLconf of the 409 test: the portal's URLs plus a view whose service says no.
urlpatterns = [path("refuses/", refusing_view), *portal_urlpatterns]


@pytest.fixture
def allowed(applicant):
    return [applicant.full_name, *names_from_the_catalogue()]


def test_the_portal_home_is_english(applicant, allowed):
    response = logged_in_in_english(applicant).get("/")
    assert_page_in_english(response, allowed=allowed)
    html = response.content.decode()
    for text in ["My applications", "Add applications", "Account details", "User type", "Individual",
                 "Shortcuts", "Change password", "Back to portal", "Log out", "Please note:"]:  # fmt: skip
        assert text in html, text
    assert '<span data-testid="user-type">Individual</span>' in html


def test_the_portal_home_with_an_application_added_is_english(applicant, allowed):
    talent = Subsystem.objects.filter(is_provided=True).first()
    UserSubsystem.objects.create(user=applicant, subsystem=talent)
    response = logged_in_in_english(applicant).get("/")
    assert_page_in_english(response, allowed=allowed)
    assert "Open system" in response.content.decode()


def test_the_portal_home_stays_chinese_by_default(applicant_client):
    html = applicant_client.get("/").content.decode()
    assert '<html lang="zh-CN">' in html and "我的应用" in html and "温馨提示" in html
    assert '<span data-testid="user-type">个人</span>' in html


def test_the_catalogue_and_adding_are_english(applicant, allowed):
    client = logged_in_in_english(applicant)
    response = client.get("/apps/")
    assert_page_in_english(response, allowed=allowed)
    html = response.content.decode()
    assert "Applications provided by this system" in html and "Not provided here" in html
    talent = Subsystem.objects.filter(is_provided=True).first()
    response = client.post(f"/apps/{talent.slug}/add/", follow=True)
    assert_page_in_english(response, allowed=allowed)
    assert "has been added. Open it from “My applications”." in response.content.decode()


def test_a_subsystem_not_provided_is_refused_in_english(applicant, allowed):
    other = Subsystem.objects.filter(is_provided=False).first()
    response = logged_in_in_english(applicant).post(f"/apps/{other.slug}/add/", follow=True)
    assert_page_in_english(response, allowed=allowed)
    assert "is not provided by this installation and cannot be added." in response.content.decode()


def test_a_content_page_is_english_around_its_chinese_policy_text():
    page = ContentPage.objects.get(slug="guide-faq")
    response = Client(HTTP_ACCEPT_LANGUAGE="en").get(f"/pages/{page.slug}/")
    assert_page_in_english(response, allowed=names_from_the_catalogue())
    html = response.content.decode()
    assert "The official text is published in Chinese." in html
    assert '<div class="content-body" lang="zh-CN">' in html
    assert "Updated:" in html
    # The note sits above the text it is about.
    assert html.index("The official text is published in Chinese.") < html.index('class="content-body"')


def test_a_content_page_in_chinese_has_no_english_note():
    html = Client().get("/pages/guide-faq/").content.decode()
    assert "The official text" not in html and "更新日期：" in html


def test_help_and_gov_service_are_english(applicant, allowed):
    client = logged_in_in_english(applicant)
    response = client.get("/help/")
    assert_page_in_english(response, allowed=allowed)
    assert "How to use the system" in response.content.decode()
    response = client.get("/gov-service/")
    assert_page_in_english(response, allowed=allowed)
    assert "Guangdong Government Services Online" in response.content.decode()


def test_the_privacy_page_and_its_password_error_are_english(applicant, allowed):
    client = logged_in_in_english(applicant)
    response = client.get("/privacy/")
    assert_page_in_english(response, allowed=allowed)
    assert "Download my personal information" in response.content.decode()
    response = client.post("/privacy/export/", {"export-password": "Wrong2026x"})
    assert response.status_code == 400
    assert_page_in_english(response, allowed=allowed)
    assert "The password is wrong. Enter it again." in response.content.decode()


def test_a_closed_account_is_told_in_english(applicant):
    from tests.factories import PASSWORD

    client = logged_in_in_english(applicant)
    response = client.post("/privacy/close/", {"close-password": PASSWORD, "close-confirm": "on"})
    assert response.status_code == 200
    assert_page_in_english(response)
    assert "Your account has been closed." in response.content.decode()


def test_the_access_log_is_english_empty_and_with_a_row(applicant, reviewer, allowed):
    client = logged_in_in_english(applicant)
    response = client.get("/privacy/access-log/")
    assert_page_in_english(response, allowed=allowed)
    assert "No staff member has viewed your personal information." in response.content.decode()
    PersonalDataAccess.objects.create(
        subject=applicant, viewer=reviewer, viewer_role=reviewer.role, viewer_bureau="天河区人力资源和社会保障局",
        what=PersonalDataAccess.What.ATTACHMENT, item="身份证", purpose="审核", reason="", created_at=timezone.now(),
    )  # fmt: skip
    response = client.get("/privacy/access-log/")
    # The row's words come from the audit app (its labels) and the staff member's bureau: data to
    # this page, shown in English where the catalogue has it.
    row = PersonalDataAccess.objects.get(subject=applicant)
    data = [row.viewer_bureau, row.item, row.purpose, str(row.get_what_display())]
    assert_page_in_english(response, allowed=[*allowed, *[d for d in data if gettext(d) == d]])
    html = response.content.decode()
    assert "What was viewed" in html and "Office and staff" in html and "District bureau reviewer" in html


@pytest.mark.urls(__name__)
def test_the_409_page_is_english():
    client = Client(HTTP_ACCEPT_LANGUAGE="en", raise_request_exception=False)
    response = client.get("/refuses/", HTTP_REFERER="http://testserver/")
    assert response.status_code == 409
    assert_page_in_english(response)
    html = response.content.decode()
    assert "The action could not be completed" in html and "Back to previous page" in html
    assert "You have employer administrator rights or a request for them." in html
    assert "This action is not possible at the moment." in html
    scripted = client.get("/refuses/", HTTP_X_REQUESTED_WITH="XMLHttpRequest")
    assert scripted.json()["message"] == (
        "You have employer administrator rights or a request for them. Cancel them first.; "
        "This action is not possible at the moment."
    )


def test_the_503_page_is_english_without_the_database(django_assert_num_queries):
    request = RequestFactory().post("/accounts/register/account/", {"full_name": "王五", "password": "x"})
    request.META["HTTP_ACCEPT_LANGUAGE"] = "en"
    with django_assert_num_queries(0):
        response = database_unavailable(request)
    assert response.status_code == 503
    assert_page_in_english(response.content.decode(), allowed=["王五"])
    html = response.content.decode()
    assert "The system is busy. Try again shortly" in html and "Submit again" in html
    assert "your password was not kept" in html


def test_the_503_page_follows_the_language_cookie():
    request = RequestFactory().get("/notice/")
    request.COOKIES[settings.LANGUAGE_COOKIE_NAME] = "en"
    assert_page_in_english(database_unavailable(request).content.decode())
    assert "系统繁忙" in database_unavailable(RequestFactory().get("/notice/")).content.decode()


def test_the_413_page_is_english(settings):
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    response = client.generic(
        "POST", "/accounts/login/", b"x", CONTENT_LENGTH=str(settings.REQUEST_BODY_MAX_SIZE + 1)
    )
    assert response.status_code == 413
    assert_page_in_english(response)
    assert "Your submission was too large and was not accepted" in response.content.decode()


def test_the_csrf_failure_page_is_english():
    client = Client(HTTP_ACCEPT_LANGUAGE="en", enforce_csrf_checks=True)
    response = client.post("/accounts/login/", {"username": "x"})
    assert response.status_code == 403
    assert_page_in_english(response)
    assert "This page has expired" in response.content.decode()
