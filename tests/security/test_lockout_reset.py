"""A successful login lifts the lock of the account that logged in, and nobody else's.

The attack: from one address, four wrong passwords for the victim, then one good login to one's own
account, and again. If a success cleared every failure of the address, the victim's count would
never reach the limit and the guessing would be unlimited.
"""

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.test import Client

from tests import factories

pytestmark = pytest.mark.django_db

ATTACKER_IP = "198.51.100.66"
LOGINS = [("/accounts/login/", factories.UserFactory), ("/console/login/", factories.ReviewerFactory)]


def login(path, username, password, *, ip=ATTACKER_IP):
    data = {"username": username, "password": password, "captcha_0": "k", "captcha_1": "PASSED"}
    if path == "/accounts/login/":
        data["user_type"] = "personal"
    return Client(REMOTE_ADDR=ip).post(path, data)


@pytest.mark.parametrize("path, make_user", LOGINS)
def test_own_logins_between_guesses_do_not_reset_the_victims_count(path, make_user):
    victim, own = make_user(), make_user()
    answers = []
    for _ in range(12):
        answers.append(login(path, victim.username, "Wrong12345").status_code)
        login(path, own.username, factories.PASSWORD)
    limit = settings.AXES_FAILURE_LIMIT
    # The 5th wrong password locks the account (that answer already says so); every later guess is refused.
    assert answers[: limit - 1] == [200] * (limit - 1), answers
    assert answers[limit - 1 :] == [429] * (12 - limit + 1), answers
    # Even the right password, from another address, no longer gets in.
    response = login(path, victim.username, factories.PASSWORD, ip="203.0.113.80")
    assert response.status_code == 429
    assert "已暂时锁定" in response.content.decode()


def test_a_success_clears_only_the_account_that_logged_in():
    victim, own = factories.UserFactory(), factories.UserFactory()
    for _ in range(2):
        login("/accounts/login/", victim.username, "Wrong12345")
        login("/accounts/login/", own.username, "Wrong12345")
    client = Client(REMOTE_ADDR=ATTACKER_IP)
    response = client.post(
        "/accounts/login/",
        {
            "user_type": "personal",
            "username": own.username,
            "password": factories.PASSWORD,
            "captcha_0": "k",
            "captcha_1": "PASSED",
        },
    )
    assert response.status_code == 302 and client.session[SESSION_KEY] == str(own.pk)
    left = dict(AccessAttempt.objects.values_list("username", "failures_since_start"))
    assert left == {victim.username.lower(): 2}
