"""Lockout (django-axes) as an attacker meets it: both logins, any spelling of the username, any
X-Forwarded-For header the client makes up. The client address behind nginx, and a client reaching
gunicorn directly, are in test_client_ip.py."""

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.test import Client, RequestFactory
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from accounts.lockout import lockout_username
from tests import factories

pytestmark = pytest.mark.django_db

LOGINS = [("/accounts/login/", factories.UserFactory), ("/console/login/", factories.ReviewerFactory)]


def login(path, username, password, *, ip="198.51.100.1", forwarded=None):
    data = {"username": username, "password": password, "captcha_0": "k", "captcha_1": "PASSED"}
    if path == "/accounts/login/":
        data["user_type"] = "personal"
    headers = {"REMOTE_ADDR": ip}
    if forwarded is not None:
        headers["HTTP_X_FORWARDED_FOR"] = forwarded
    return Client(**headers).post(path, data)


def spellings(name: str) -> list[str]:
    """The same account in other letter cases; the login accepts every one of them."""
    variants = [name, name.upper(), name.capitalize(), name.swapcase().capitalize()]
    variants += [name[:i] + name[i].upper() + name[i + 1 :] for i in range(len(name))]
    return list(dict.fromkeys(variants))


@pytest.mark.parametrize("path, make_user", LOGINS)
def test_case_variants_of_a_username_share_one_lock(path, make_user):
    user = make_user(username="zhangsan")
    names = iter(spellings(user.username))
    # Every guess from a new address: only the username lock can stop this.
    for n in range(settings.AXES_FAILURE_LIMIT):
        login(path, next(names), "Wrong12345", ip=f"198.51.100.{n + 10}")
    response = login(path, next(names), factories.PASSWORD, ip="203.0.113.50")
    assert response.status_code == 429, "a differently-cased username got round the lockout"
    assert set(AccessAttempt.objects.values_list("username", flat=True)) == {"zhangsan"}


@pytest.mark.parametrize("path, make_user", LOGINS)
def test_made_up_forwarded_for_headers_do_not_escape_the_address_lock(path, make_user, settings):
    """Password spraying from one address, each request claiming another origin."""
    settings.TRUSTED_PROXIES = []
    victims = [make_user() for _ in range(settings.AXES_FAILURE_LIMIT + 1)]
    for n, victim in enumerate(victims[:-1]):
        login(path, victim.username, "Wrong12345", ip="198.51.100.7", forwarded=f"203.0.113.{n + 1}")
    response = login(
        path, victims[-1].username, factories.PASSWORD, ip="198.51.100.7", forwarded="192.0.2.99"
    )
    assert response.status_code == 429


def test_lock_username_ignores_case_and_surrounding_spaces():
    request = RequestFactory().post("/", {"username": "  ZhangSan "})
    assert lockout_username(request, None) == "zhangsan"
    assert lockout_username(request, {"username": "LiSi"}) == "lisi"


def test_password_reset_lifts_the_lock_of_a_mixed_case_account(client):
    user = factories.UserFactory(username="WangWu")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        login("/accounts/login/", "wangwu", "Wrong12345")
    assert login("/accounts/login/", "WangWu", factories.PASSWORD).status_code == 429
    url = f"/accounts/password/reset/{urlsafe_base64_encode(force_bytes(user.pk))}/{default_token_generator.make_token(user)}/"
    form_url = client.get(url)["Location"]
    response = client.post(form_url, {"new_password1": "Newpass2024", "new_password2": "Newpass2024"})
    assert response.status_code == 302
    assert not AccessAttempt.objects.exists()
    assert login("/accounts/login/", "WANGWU", "Newpass2024").status_code == 302
