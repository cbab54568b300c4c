"""Every form that faces the public or a login has a captcha, and a wrong answer is refused with
the message beside the captcha box, everything else the user typed kept (never the password),
and nothing done: no login, no e-mail, no account, no objection, no card lookup.

The table is checked against the code: every form class in the project with a CaptchaField must
have a row here, so a captcha added later is tested the same way.
"""

import datetime
import html as html_lib
import importlib
import inspect
import re
from dataclasses import dataclass, field

import pytest
from captcha.fields import CaptchaField
from django import forms as django_forms
from django.contrib.auth import SESSION_KEY
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from applications.choices import Status
from review.models import Objection
from tests import factories

pytestmark = pytest.mark.django_db

WRONG = "WRONG1"
REFUSALS = ("验证码错误", "验证码不正确")
CONTROL = re.compile(r"<(?:input|select|textarea)\b(?![^>]*type=\"hidden\")[^>]*>")


@dataclass
class CaptchaForm:
    form_class: str  # "app.module.Class": ties the row to the code
    url: str
    data: dict
    captcha: str  # the answer box's name
    kept: dict  # typed values that must come back
    secrets: tuple = ()  # typed values that must never come back
    setup: object = None  # callable(client) run before the POST
    headers: dict = field(default_factory=dict)


def _agree(client):
    client.post("/accounts/register/", {"agree": "on"})


def _objection_url():
    app = factories.ApplicationFactory(submitted=True, status=Status.IN_NOTICE)
    notice = factories.PublicNoticeFactory(start_date=timezone.localdate())
    factories.NoticeEntryFactory(notice=notice, application=app)
    return f"/notice/objection/{app.public_id}/"


REGISTRATION = {
    "username": "wang_wu01",
    "password": "Secret2024abc",
    "password2": "Secret2024abc",
    "full_name": "王五",
    "id_type": "resident_id",
    "id_number": "11010519491231002X",
    "workplace": "广州天河软件科技有限公司",
    "landline": "020-83123456",
    "mobile": "13900139000",
    "email": "wangwu@example.com",
    "personal_note": "人才引进",
    "promise": "on",
}


def forms_table(user) -> dict[str, CaptchaForm]:
    return {
        "portal login": CaptchaForm(
            "accounts.forms.PortalLoginForm",
            "/accounts/login/",
            {"user_type": "personal", "username": user.username, "password": factories.PASSWORD},
            "captcha_1",
            {"username": user.username},
            secrets=(factories.PASSWORD,),
        ),
        "console login": CaptchaForm(
            "review.forms.ConsoleLoginForm",
            "/console/login/",
            {"username": user.username, "password": factories.PASSWORD},
            "captcha_1",
            {"username": user.username},
            secrets=(factories.PASSWORD,),
        ),
        "admin login": CaptchaForm(
            "accounts.forms.AdminLoginForm",
            reverse("admin:login"),
            {"username": user.username, "password": factories.PASSWORD},
            "captcha_1",
            {"username": user.username},
            secrets=(factories.PASSWORD,),
        ),
        "password reset": CaptchaForm(
            "accounts.forms.PortalPasswordResetForm",
            "/accounts/password/reset/",
            {"email": user.email},
            "captcha_1",
            {"email": user.email},
        ),
        "registration (注册验证码)": CaptchaForm(
            "accounts.forms.AccountInfoForm",
            "/accounts/register/account/",
            {**REGISTRATION, "action": "next"},
            "captcha_1",
            {
                k: v
                for k, v in REGISTRATION.items()
                if k not in ("password", "password2", "promise", "id_type")
            },
            secrets=("Secret2024abc",),
            setup=_agree,
        ),
        "检测登录帐号": CaptchaForm(
            "accounts.forms.UsernameCheckForm",
            "/accounts/register/account/",
            {**REGISTRATION, "action": "check_username"},
            "check_captcha_1",
            {"username": "wang_wu01", "full_name": "王五", "id_number": "11010519491231002X"},
            secrets=("Secret2024abc",),
            setup=_agree,
        ),
        "objection": CaptchaForm(
            "review.forms.ObjectionRaiseForm",
            "",  # made by setup
            {
                "contact_name": "赵六",
                "contact_phone": "13712345678",
                "contact_email": "zhaoliu@example.com",
                "description": "申请人并未在该单位实际工作，社保由他人代缴。",
            },
            "captcha_1",
            {
                "contact_name": "赵六",
                "contact_phone": "13712345678",
                "contact_email": "zhaoliu@example.com",
                "description": "申请人并未在该单位实际工作，社保由他人代缴。",
            },
        ),
        "card verification": CaptchaForm(
            "hukou_card.forms.VerifyForm",
            "/cards/verify/",
            {"number": "", "code": ""},  # filled from a real card
            "captcha_1",
            {},
        ),
    }


PROJECT_APPS = ("accounts", "applications", "review", "hukou_card", "portal")


def _captcha_form_classes() -> set[str]:
    """Every form class defined in the project's apps that has a CaptchaField."""
    found = set()
    for app in PROJECT_APPS:
        try:
            module = importlib.import_module(f"{app}.forms")
        except ModuleNotFoundError:
            continue
        for name, cls in inspect.getmembers(module, inspect.isclass):
            if cls.__module__ != module.__name__ or not issubclass(cls, django_forms.BaseForm):
                continue
            if any(isinstance(f, CaptchaField) for f in cls.base_fields.values()):
                found.add(f"{module.__name__}.{name}")
    return found


def test_every_captcha_form_in_the_code_is_in_the_table():
    table = {row.form_class for row in forms_table(factories.UserFactory.build()).values()}
    missing = _captcha_form_classes() - table
    # Abstract bases shared by two forms (the login) are covered by their concrete forms.
    missing.discard("accounts.forms.CaptchaLoginForm")
    assert not missing, f"Add a row to tests/security/test_captcha.py for: {sorted(missing)}"


def _value_shown(page: str, name: str, value: str) -> bool:
    escaped = html_lib.escape(value)
    text_input = re.search(rf'<input[^>]*name="{name}"[^>]*value="{re.escape(escaped)}"', page)
    text_input = text_input or re.search(rf'<input[^>]*value="{re.escape(escaped)}"[^>]*name="{name}"', page)
    textarea = re.search(rf'<textarea[^>]*name="{name}"[^>]*>\s*{re.escape(escaped)}\s*</textarea>', page)
    return bool(text_input or textarea)


def message_beside(page: str, answer_box: str) -> str:
    """The text between the captcha answer box and the next form control a user types into."""
    match = re.search(rf'<input[^>]*name="{answer_box}"[^>]*>', page)
    assert match, f"no {answer_box} on the page"
    rest = page[match.end() :]
    nxt = CONTROL.search(rest)
    segment = rest[: nxt.start() if nxt else 2000][:2500]
    return " ".join(html_lib.unescape(re.sub(r"<[^>]+>", " ", segment)).split())


@pytest.mark.parametrize(
    "key",
    [
        "portal login",
        "console login",
        "admin login",
        "password reset",
        "registration (注册验证码)",
        "检测登录帐号",
        "objection",
        "card verification",
    ],
)
def test_a_wrong_captcha_is_refused_beside_the_box_and_the_rest_kept(client, key):
    applicant = {"console login": factories.ReviewerFactory, "admin login": factories.CityAdminFactory}.get(
        key, factories.UserFactory
    )()
    row = forms_table(applicant)[key]
    data = dict(row.data)
    if key == "objection":
        row.url = _objection_url()
    if key == "card verification":
        card = factories.HukouCardFactory(number=_valid_card_number())
        data.update(number=card.number, code=card.verification_code)
        row.kept = {"number": card.number, "code": card.verification_code}
    if row.setup:
        row.setup(client)
    prefix = row.captcha.rsplit("_", 1)[0]
    users_before, objections_before = User.objects.count(), Objection.objects.count()

    response = client.post(row.url, {**data, f"{prefix}_0": "somekey", row.captcha: WRONG})

    page = response.content.decode()
    assert response.status_code in (200, 400), response.status_code
    beside = message_beside(page, row.captcha)
    # Right after the box (its picture, "点击获取" and the 检测 button come first), not elsewhere.
    assert any(0 <= beside.find(refusal) < 30 for refusal in REFUSALS), (
        f"{key}: no message beside the box: {beside!r}"
    )
    for name, value in row.kept.items():
        assert _value_shown(page, name, value), f"{key}: {name}={value!r} was not kept"
    for secret in row.secrets:
        assert secret not in page, f"{key}: a password came back in the page"
    # ...and nothing happened.
    assert SESSION_KEY not in client.session
    assert mail.outbox == []
    assert User.objects.count() == users_before
    assert Objection.objects.count() == objections_before
    assert 'data-testid="verify-result"' not in page  # the card was not looked up


def _valid_card_number() -> str:
    from hukou_card import numbers

    first16 = "4401062026000123"
    return first16 + numbers.luhn_check_digit(first16)


def test_the_username_check_does_not_tell_who_is_registered_without_the_captcha(client):
    """Account enumeration: with a wrong captcha the answer is the same for a taken and a free name."""
    factories.UserFactory(username="taken_name")
    _agree(client)
    answers = []
    for name in ("taken_name", "free_name_77"):
        response = client.post(
            "/accounts/register/account/",
            {"username": name, "action": "check_username", "check_captcha_0": "k", "check_captcha_1": WRONG},
            HTTP_X_REQUESTED_WITH="XMLHttpRequest",
        )
        body = response.json()
        assert body["ok"] is False and "验证码错误" in body["message"]
        assert "check_captcha" in body["errors"]
        answers.append(body["message"])
    assert answers[0] == answers[1]


def test_a_wrong_login_captcha_does_not_count_towards_the_lockout(client, settings):
    from axes.models import AccessAttempt

    user = factories.UserFactory()
    for _ in range(settings.AXES_FAILURE_LIMIT + 2):
        client.post(
            "/accounts/login/",
            {
                "user_type": "personal",
                "username": user.username,
                "password": "Wrong12345",
                "captcha_0": "k",
                "captcha_1": WRONG,
            },
        )
    assert not AccessAttempt.objects.exists()
    response = client.post(
        "/accounts/login/",
        {
            "user_type": "personal",
            "username": user.username,
            "password": factories.PASSWORD,
            "captcha_0": "k",
            "captcha_1": "PASSED",
        },
    )
    assert response.status_code == 302


def test_a_captcha_answer_works_once(client):
    """Outside test mode the stored challenge is deleted when checked: no replaying one solution."""
    from captcha.models import CaptchaStore

    key = CaptchaStore.generate_key()
    store = CaptchaStore.objects.get(hashkey=key)
    field = CaptchaField()
    field.clean([key, store.response])
    assert not CaptchaStore.objects.filter(hashkey=key).exists()
    with pytest.raises(django_forms.ValidationError):
        field.clean([key, store.response])


def test_an_expired_captcha_is_refused():
    from captcha.models import CaptchaStore

    key = CaptchaStore.generate_key()
    store = CaptchaStore.objects.get(hashkey=key)
    CaptchaStore.objects.filter(pk=store.pk).update(expiration=timezone.now() - datetime.timedelta(seconds=1))
    with pytest.raises(django_forms.ValidationError):
        CaptchaField().clean([key, store.response])
