"""The console login: staff only, captcha first, django-axes lockout, its own logout."""

import pytest
from django.urls import reverse

from tests import factories
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

LOGIN = reverse("review:login")


def post_login(client, username, password=PASSWORD, captcha="PASSED", **extra):
    client.get(LOGIN)
    return client.post(
        LOGIN,
        {"username": username, "password": password, "captcha_0": "test", "captcha_1": captcha, **extra},
        REMOTE_ADDR="198.51.100.7",
    )


def test_login_page_has_username_password_and_captcha(client):
    page = client.get(LOGIN).content.decode()
    for label in ("用户名", "密码", "验证码"):
        assert f">{label}</label>" in page
    assert 'name="csrfmiddlewaretoken"' in page


def test_reviewer_logs_in_to_the_queue(client, reviewer):
    response = post_login(client, reviewer.username)
    assert response.status_code == 302 and response["Location"] == reverse("review:queue")
    assert client.get(reverse("review:queue")).status_code == 200


def test_login_follows_a_safe_next(client, reviewer):
    response = post_login(client, reviewer.username, next=reverse("review:quota"))
    assert response["Location"] == reverse("review:quota")
    client.post(reverse("review:logout"))
    response = post_login(client, reviewer.username, next="https://evil.example/")
    assert response["Location"] == reverse("review:queue")


def test_police_land_on_their_desk(client):
    police = factories.PoliceFactory()
    response = post_login(client, police.username)
    assert response.status_code == 302
    assert response["Location"] == reverse("hukou_card:police_lookup")


def test_applicants_are_told_to_use_the_portal(client, applicant):
    response = post_login(client, applicant.username)
    assert response.status_code == 200
    assert "不是工作人员帐号" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_wrong_captcha_is_refused_before_the_password_is_tried(client, reviewer):
    response = post_login(client, reviewer.username, password="wrong", captcha="nope")
    page = response.content.decode()
    assert "验证码错误" in page
    assert "用户名或密码错误" not in page
    assert f'value="{reviewer.username}"' in page  # what was typed is kept


def test_wrong_password_is_explained_and_repeated_failures_lock_the_account(client, reviewer, settings):
    response = post_login(client, reviewer.username, password="wrong1")
    assert "用户名或密码错误" in response.content.decode()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        response = post_login(client, reviewer.username, password="wrong1")
    assert response.status_code == 429
    # Locked: even the right password does not get in now.
    assert post_login(client, reviewer.username).status_code == 429


def test_console_logout_is_a_post_and_returns_to_the_console_login(login_client, reviewer):
    client = login_client(reviewer)
    assert client.get(reverse("review:logout")).status_code == 405
    response = client.post(reverse("review:logout"))
    assert response["Location"] == LOGIN
    assert client.get(reverse("review:queue")).status_code == 302
