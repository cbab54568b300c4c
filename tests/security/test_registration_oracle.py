"""Registration step 2 (填写帐号信息) is no oracle for who has an account.

The attack: the region, birth date and gender of a person leave a few hundred 身份证 numbers with a
valid check character. Posting each with a wrong captcha used to answer "该证件号码已注册帐号" for
the one that is registered, so the full number came out without solving one captcha. Now whether an
ID number or a login account is taken is said only after a solved captcha, and the step and
检测登录帐号 are throttled per session and per address.
"""

import html as html_lib
import re

import pytest
from django.conf import settings
from django.test import Client

from accounts.models import User
from tests import factories
from tests.accounts.test_forms_registration import valid_data

pytestmark = pytest.mark.django_db

STEP1 = "/accounts/register/"
STEP2 = "/accounts/register/account/"
AJAX = {"HTTP_X_REQUESTED_WITH": "XMLHttpRequest"}
TAKEN_WORDS = ("已注册", "已被注册")  # ("每个证件号码只能注册一个帐户" is the field's hint)
WAIT = re.compile(r"请(\d+)分钟后再试")


def agreed_client(ip="198.51.100.30") -> Client:
    client = Client(REMOTE_ADDR=ip)
    client.post(STEP1, {"agree": "on"})
    return client


def field_errors(page: str) -> dict[str, str]:
    """The message shown beside each field: {field name: text}."""
    found = {}
    for name, body in re.findall(r'id="id_(\w+)_error"[^>]*>(.*?)</div>', page, re.S):
        found[name] = " ".join(html_lib.unescape(re.sub(r"<[^>]+>", " ", body)).split())
    return found


def candidates(victim_id: str) -> list[str]:
    """What an attacker tries: the same region and birth date, neighbouring serials of the same gender."""
    from accounts.validators import id_check_char

    region_birth, own = victim_id[:14], int(victim_id[14:17])
    numbers = []
    for sequence in range(max(own - 8, own % 2 or 2), min(own + 8, 999) + 1, 2):
        first17 = f"{region_birth}{sequence:03d}"
        numbers.append(first17 + id_check_char(first17))
    return numbers


@pytest.mark.parametrize(
    "captcha",
    [{"captcha_0": "k", "captcha_1": "WRONG1"}, {"captcha_0": "k", "captcha_1": ""}, {}],
    ids=["wrong captcha", "empty captcha", "no captcha at all"],
)
def test_without_a_solved_captcha_the_step_does_not_tell_a_registered_id_number(captcha):
    victim = factories.UserFactory(username="victim_01")
    guesses = candidates(victim.id_number)
    assert victim.id_number in guesses
    answers = {}
    for guess in guesses:
        client = agreed_client(ip=f"203.0.113.{len(answers) + 1}")
        data = {**valid_data(username="victim_01", id_number=guess), "action": "next"}
        data = {k: v for k, v in data.items() if not k.startswith("captcha")} | captcha
        page = client.post(STEP2, data).content.decode()
        errors = field_errors(page)
        assert "captcha" in errors and "验证码" in errors["captcha"]
        assert not any(word in page for word in TAKEN_WORDS), f"{guess}: the page said it is taken"
        answers[guess] = errors
    # The registered number and the free ones get the very same answer.
    assert len({tuple(sorted(e.items())) for e in answers.values()}) == 1, answers
    assert User.objects.count() == 1


def test_other_field_errors_are_still_shown_with_a_wrong_captcha_and_nothing_is_lost():
    client = agreed_client()
    data = {**valid_data(id_number="440106199005170010", password="abc", password2="abc"), "action": "next"}
    page = client.post(STEP2, {**data, "captcha_1": "WRONG1"}).content.decode()
    errors = field_errors(page)
    assert "验证码错误" in errors["captcha"]
    assert "校验" in errors["id_number"] or "证件号码" in errors["id_number"], errors
    assert "password" in errors
    for name in ("username", "full_name", "id_number", "mobile", "email", "workplace"):
        assert f'value="{html_lib.escape(data[name])}"' in page, name


def test_with_a_solved_captcha_a_taken_id_number_and_account_are_said_beside_their_fields():
    victim = factories.UserFactory(username="victim_01")
    client = agreed_client()
    data = {**valid_data(username="VICTIM_01", id_number=victim.id_number), "action": "next"}
    errors = field_errors(client.post(STEP2, data).content.decode())
    assert "已被注册" in errors["username"]
    assert "每个证件号码只能注册一个帐户" in errors["id_number"]
    assert "captcha" not in errors


def _step(client):
    data = {**valid_data(id_number="440106199005170010"), "captcha_1": "WRONG1", "action": "next"}
    return client.post(STEP2, data)


def _check(client):
    data = {
        "username": "someone_01",
        "action": "check_username",
        "check_captcha_0": "k",
        "check_captcha_1": "x",
    }
    return client.post(STEP2, data, **AJAX)


def assert_refused_with_wait(response, *, json: bool):
    assert response.status_code == 429
    if json:
        message = response.json()["message"]
    else:
        page = response.content.decode()
        match = re.search(r'data-testid="throttled"[^>]*>(.*?)</div>', page, re.S)
        assert match, "no throttle message on the page"
        message = " ".join(re.sub(r"<[^>]+>", " ", match.group(1)).split())
    wait = WAIT.search(message)
    assert wait and 1 <= int(wait.group(1)) <= settings.REGISTRATION_THROTTLE_WINDOW // 60, message
    assert "频繁" in message


@pytest.mark.parametrize("attempt, json", [(_step, False), (_check, True)], ids=["step", "username-check"])
def test_one_session_is_refused_after_the_limit_whatever_its_address(attempt, json):
    client = agreed_client()
    limit = settings.REGISTRATION_THROTTLE_PER_SESSION
    for n in range(limit):
        client.defaults["REMOTE_ADDR"] = f"192.0.2.{n + 1}"  # a new address each time: the session counts
        assert attempt(client).status_code == 200, n
    client.defaults["REMOTE_ADDR"] = "192.0.2.200"
    assert_refused_with_wait(attempt(client), json=json)


@pytest.mark.parametrize("attempt, json", [(_step, False), (_check, True)], ids=["step", "username-check"])
def test_one_address_is_refused_after_the_limit_whatever_its_sessions(attempt, json):
    limit = settings.REGISTRATION_THROTTLE_PER_ADDRESS
    assert limit > settings.REGISTRATION_THROTTLE_PER_SESSION  # a shared office address has room
    for n in range(limit):
        assert attempt(agreed_client(ip="198.51.100.77")).status_code == 200, n
    assert_refused_with_wait(attempt(agreed_client(ip="198.51.100.77")), json=json)
    assert attempt(agreed_client(ip="198.51.100.78")).status_code == 200  # another address is not held up


def test_a_throttled_step_keeps_what_was_typed():
    client = agreed_client()
    for _ in range(settings.REGISTRATION_THROTTLE_PER_SESSION):
        _step(client)
    data = {**valid_data(username="kept_name"), "action": "next"}
    response = client.post(STEP2, data)
    assert response.status_code == 429
    page = response.content.decode()
    for name in ("username", "full_name", "id_number", "mobile", "email", "workplace", "landline"):
        assert f'value="{html_lib.escape(data[name])}"' in page, name
    assert data["password"] not in page
    assert not User.objects.filter(username="kept_name").exists()
