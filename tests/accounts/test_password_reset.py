"""Forgotten password by the registered e-mail (Django's reset flow)."""

import re

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.core import mail

from tests import factories
from tests.accounts.test_views_login import login_post

pytestmark = pytest.mark.django_db

RESET_URL = "/accounts/password/reset/"


def ask_reset(client, email, captcha="PASSED"):
    return client.post(RESET_URL, {"email": email, "captcha_0": "k", "captcha_1": captcha})


def test_reset_link_goes_to_the_registered_address_and_sets_a_new_password(client, applicant):
    response = ask_reset(client, applicant.email.upper())
    assert response.status_code == 302 and response.url == "/accounts/password/reset/sent/"
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [applicant.email]
    assert "重置登录密码" in message.subject and applicant.username in message.body
    link = re.search(r"http://testserver(/accounts/password/reset/\S+/)", message.body).group(1)
    form_page = client.get(link, follow=True)
    assert "设置新密码" in form_page.content.decode()
    set_url = form_page.redirect_chain[-1][0]
    done = client.post(set_url, {"new_password1": "Gz2026new", "new_password2": "Gz2026new"})
    assert done.status_code == 302
    applicant.refresh_from_db()
    assert applicant.check_password("Gz2026new")
    # The link works once.
    assert "该重置链接无效或已过期" in client.get(link, follow=True).content.decode()


def test_an_unknown_address_gets_the_same_answer_and_no_mail(client):
    response = ask_reset(client, "nobody@example.com")
    assert response.status_code == 302
    assert mail.outbox == []


def test_reset_needs_the_captcha(client, applicant):
    response = ask_reset(client, applicant.email, captcha="WRONG")
    assert "验证码错误" in response.content.decode()
    assert mail.outbox == []


def test_the_new_password_follows_the_portal_rules(client, applicant):
    ask_reset(client, applicant.email)
    link = re.search(r"http://testserver(/accounts/password/reset/\S+/)", mail.outbox[0].body).group(1)
    set_url = client.get(link, follow=True).redirect_chain[-1][0]
    response = client.post(set_url, {"new_password1": "abc!@#123", "new_password2": "abc!@#123"})
    assert "不要使用特殊符号" in response.content.decode()


def test_resetting_the_password_lifts_a_lockout(client, applicant):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        login_post(client, applicant.username, "Wrong12345")
    assert AccessAttempt.objects.filter(username=applicant.username).exists()
    ask_reset(client, applicant.email)
    link = re.search(r"http://testserver(/accounts/password/reset/\S+/)", mail.outbox[0].body).group(1)
    set_url = client.get(link, follow=True).redirect_chain[-1][0]
    client.post(set_url, {"new_password1": "Gz2026new", "new_password2": "Gz2026new"})
    assert not AccessAttempt.objects.filter(username=applicant.username).exists()


def test_password_change_for_a_logged_in_user(applicant_client, applicant):
    response = applicant_client.post(
        "/accounts/password/change/",
        {"old_password": factories.PASSWORD, "new_password1": "Gz2026chg", "new_password2": "Gz2026chg"},
    )
    assert response.status_code == 302
    applicant.refresh_from_db()
    assert applicant.check_password("Gz2026chg")
