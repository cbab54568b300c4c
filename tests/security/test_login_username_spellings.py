"""A username is what the account rule allows (ASCII letter first, letters, digits, underscore).

PostgreSQL's UPPER() folds look-alike letters onto ASCII: the dotless ı of 'sunqı' becomes I, so
`username__iexact` found the account sunqi for a spelling that has a lockout count of its own. With
it an attacker had five fresh guesses per spelling, and a right guess cleared the real account's lock.
"""

import re

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.test import Client

from tests import factories

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]

LOGINS = [("/accounts/login/", factories.UserFactory), ("/console/login/", factories.ReviewerFactory)]
LOOKALIKES = ["sunqı", "ѕunqi", "sunqі"]  # dotless i; Cyrillic dze; Cyrillic i
# Spellings of the same ASCII name: other letter cases, full-width letters (NFKC folds them).
SAME_NAME = ["SUNQI", "SunQi", "ｓｕｎｑｉ", " sunqi ", "ＳunＱi"]


def login(path, username, password, *, ip="198.51.100.5"):
    client = Client(REMOTE_ADDR=ip)
    data = {"username": username, "password": password, "captcha_0": "k", "captcha_1": "PASSED"}
    if path == "/accounts/login/":
        data["user_type"] = "personal"
    return client, client.post(path, data)


@pytest.mark.parametrize("path, make_user", LOGINS)
@pytest.mark.parametrize("spelling", LOOKALIKES)
def test_a_lookalike_spelling_is_refused_beside_the_username(path, make_user, spelling):
    make_user(username="sunqi")
    client, response = login(path, spelling, factories.PASSWORD)
    assert SESSION_KEY not in client.session
    assert response.status_code == 200
    beside = re.search(r'id="id_username_error"[^>]*>(.*?)</div>', response.content.decode(), re.S)
    assert beside and "用户名只能由英文字母、数字和下划线组成" in beside.group(1)
    assert not AccessAttempt.objects.exists()


@pytest.mark.parametrize("path, make_user", LOGINS)
def test_lookalikes_get_no_guesses_of_their_own_and_cannot_lift_the_lock(path, make_user):
    make_user(username="sunqi")
    # Locked through spellings the login does accept, each from a new address: all count for sunqi.
    for n, spelling in enumerate(SAME_NAME[: settings.AXES_FAILURE_LIMIT]):
        login(path, spelling, "Wrong12345", ip=f"198.51.100.{n + 20}")
    assert set(AccessAttempt.objects.values_list("username", flat=True)) == {"sunqi"}
    for n, spelling in enumerate(LOOKALIKES):
        client, response = login(path, spelling, factories.PASSWORD, ip=f"203.0.113.{n + 20}")
        assert SESSION_KEY not in client.session, f"{spelling!r} logged in past the lock"
    _, response = login(path, "sunqi", factories.PASSWORD, ip="192.0.2.44")
    assert response.status_code == 429, "the lock of sunqi was lifted"
