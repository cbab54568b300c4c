"""The client's address, as an attacker reaching gunicorn directly meets it: X-Forwarded-For is
believed only from a peer inside TRUSTED_PROXIES, and every place that counts or records an
address (login lockout, card-verification throttle, audit trail, objections) uses the same one."""

import importlib.util
import uuid
from pathlib import Path

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.test import Client, RequestFactory
from django.urls import reverse

from core.client_ip import client_ip
from hukou_card import throttle
from tests import factories
from tests.ops.test_deploy_check import run_manage

ROOT = Path(__file__).resolve().parents[2]
NGINX = "172.18.0.5"  # docker-compose's portal network, as docker-compose.yml names it
ATTACKER = "198.51.100.7"  # reaches gunicorn's port directly
LOGINS = [("/accounts/login/", factories.UserFactory), ("/console/login/", factories.ReviewerFactory)]


@pytest.fixture(autouse=True)
def _behind_compose_nginx(settings):
    settings.TRUSTED_PROXIES = ["172.18.0.0/16"]


def login(path, username, password, *, peer, forwarded=None):
    data = {"username": username, "password": password, "captcha_0": "k", "captcha_1": "PASSED"}
    if path == "/accounts/login/":
        data["user_type"] = "personal"
    headers = {"REMOTE_ADDR": peer}
    if forwarded is not None:
        headers["HTTP_X_FORWARDED_FOR"] = forwarded
    return Client(**headers).post(path, data)


@pytest.mark.django_db
@pytest.mark.parametrize("path, make_user", LOGINS)
def test_a_direct_client_cannot_dodge_the_address_lock_with_forwarded_for(path, make_user):
    """Password spraying straight at gunicorn, each request claiming another origin."""
    victims = [make_user() for _ in range(settings.AXES_FAILURE_LIMIT + 1)]
    for n, victim in enumerate(victims[:-1]):
        login(path, victim.username, "Wrong12345", peer=ATTACKER, forwarded=f"203.0.113.{n + 1}")
    response = login(path, victims[-1].username, factories.PASSWORD, peer=ATTACKER, forwarded="192.0.2.99")
    assert response.status_code == 429, "a forged X-Forwarded-For escaped the address lock"
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {ATTACKER}


@pytest.mark.django_db
def test_a_direct_client_cannot_lock_out_another_address():
    victim_address = "203.0.113.77"
    for n in range(settings.AXES_FAILURE_LIMIT + 2):
        login("/accounts/login/", f"nobody{n}", "Wrong12345", peer=ATTACKER, forwarded=victim_address)
    victim = factories.UserFactory()
    # The victim behind nginx: nginx appends the address it saw.
    response = login(
        "/accounts/login/", victim.username, factories.PASSWORD, peer=NGINX, forwarded=victim_address
    )
    assert response.status_code == 302, "the attacker locked out an address that was never theirs"


@pytest.mark.django_db
def test_a_direct_client_cannot_dodge_the_card_verification_throttle():
    def probe(n):
        url = reverse("hukou_card:verify", kwargs={"public_id": uuid.uuid4(), "code": "ZZZZZZ"})
        return Client(REMOTE_ADDR=ATTACKER, HTTP_X_FORWARDED_FOR=f"203.0.113.{n}").get(url)

    for n in range(throttle.FAILURE_LIMIT):
        assert probe(n).status_code == 404
    blocked = probe(200)
    assert blocked.status_code == 429
    assert throttle.BLOCKED_MESSAGE in blocked.content.decode()


@pytest.mark.django_db
def test_behind_the_trusted_proxies_the_real_client_is_locked_not_the_proxy(settings):
    """nginx appends each client's address; one careless user must not lock the portal for everyone,
    and a forged left-hand entry must not hide the attacker."""
    careless, bystander = factories.UserFactory(), factories.UserFactory()
    for n in range(settings.AXES_FAILURE_LIMIT):
        login(
            "/accounts/login/", f"nobody{n}", "Wrong12345", peer=NGINX, forwarded=f"192.0.2.{n}, 203.0.113.9"
        )
    spraying_on = login(
        "/accounts/login/", careless.username, factories.PASSWORD, peer=NGINX, forwarded="203.0.113.9"
    )
    assert spraying_on.status_code == 429
    elsewhere = login(
        "/accounts/login/", bystander.username, factories.PASSWORD, peer=NGINX, forwarded="198.51.100.23"
    )
    assert elsewhere.status_code == 302
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"203.0.113.9"}


@pytest.mark.django_db
def test_an_objection_records_the_client_behind_nginx_and_a_tls_terminator(settings, reviewer):
    """Two trusted hops (a TLS terminator on 10.0.0.0/8, then nginx): the audit of an objection holds
    the address the terminator saw, not a proxy and not what the client wrote into the header."""
    from applications.choices import Status
    from review import services
    from review.models import Objection
    from tests.builders import build_application

    settings.TRUSTED_PROXIES = ["172.18.0.0/16", "10.0.0.0/8"]
    app = build_application(Status.UNDER_REVIEW)
    services.application_approve(application_id=app.pk, by=reviewer)
    data = {
        "contact_name": "王五",
        "contact_phone": "13900139000",
        "contact_email": "wangwu@example.com",
        "description": "申请人并未在该单位实际工作，社保由他人代缴。",
        "captcha_0": "test",
        "captcha_1": "PASSED",
    }
    client = Client(REMOTE_ADDR=NGINX, HTTP_X_FORWARDED_FOR="192.0.2.1, 203.0.113.5, 10.0.0.2")
    response = client.post(reverse("notices:objection", args=[app.public_id]), data)
    assert response.status_code == 302
    assert Objection.objects.get().ip_address == "203.0.113.5"


@pytest.mark.parametrize(
    "trusted, remote, forwarded, expected",
    [
        # Nothing trusted: the header is the client's word.
        ([], "198.51.100.1", "203.0.113.9", "198.51.100.1"),
        (["172.18.0.0/16"], "198.51.100.1", "203.0.113.9", "198.51.100.1"),  # peer not a proxy
        (["172.18.0.0/16"], "172.18.0.5", "203.0.113.9", "203.0.113.9"),
        (["172.18.0.0/16"], "172.18.0.5", "10.0.0.1, 203.0.113.9", "203.0.113.9"),  # forged left entry
        (["172.18.0.0/16", "10.0.0.0/8"], "172.18.0.5", "10.0.0.1, 203.0.113.9, 10.0.0.2", "203.0.113.9"),
        (["172.18.0.0/16"], "172.18.0.5", "203.0.113.9, 172.18.0.2", "203.0.113.9"),  # proxies skipped
        (["172.18.0.0/16"], "172.18.0.5", "172.18.0.3", "172.18.0.3"),  # only proxies: the farthest one
        (["172.18.0.0/16"], "172.18.0.5", "203.0.113.9, not-an-address", "172.18.0.5"),
        (["172.18.0.0/16"], "172.18.0.5", "", "172.18.0.5"),
        (["172.18.0.0/16"], "172.18.0.5", "2001:db8::1", "2001:db8::1"),
        (["127.0.0.1/32"], "::ffff:127.0.0.1", "203.0.113.9", "203.0.113.9"),  # gunicorn on [::]
        (["fd00::/8"], "fd00::5", "203.0.113.9", "203.0.113.9"),
    ],
)
def test_client_address_is_read_from_the_trusted_end(settings, trusted, remote, forwarded, expected):
    settings.TRUSTED_PROXIES = trusted
    request = RequestFactory().get("/", REMOTE_ADDR=remote, HTTP_X_FORWARDED_FOR=forwarded)
    assert client_ip(request) == expected


def test_axes_and_every_view_use_the_one_client_address():
    assert settings.AXES_CLIENT_IP_CALLABLE == "core.client_ip.client_ip"
    assert not hasattr(settings, "TRUSTED_PROXY_COUNT")
    readers = []
    looks = ('"REMOTE_ADDR"', "'REMOTE_ADDR'", "HTTP_X_FORWARDED_FOR", "get_client_ip")
    for path in ROOT.glob("*/**/*.py"):
        if path.parts[len(ROOT.parts)] in {".venv", "build", "tests", "var"} or path.name == "client_ip.py":
            continue
        text = path.read_text(encoding="utf-8")
        if any(look in text for look in looks):
            readers.append(str(path.relative_to(ROOT)))
    assert readers == [], f"read the client address with core.client_ip.client_ip: {readers}"


def _gunicorn_settings(monkeypatch, **env) -> dict:
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    spec = importlib.util.spec_from_file_location(
        "gunicorn_conf_under_test", ROOT / "deploy" / "gunicorn.conf.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return vars(module)


def test_gunicorn_believes_forwarded_headers_only_from_the_same_proxies(monkeypatch):
    monkeypatch.delenv("TRUSTED_PROXIES", raising=False)
    monkeypatch.delenv("FORWARDED_ALLOW_IPS", raising=False)
    assert _gunicorn_settings(monkeypatch)["forwarded_allow_ips"] == ""
    conf = _gunicorn_settings(monkeypatch, TRUSTED_PROXIES="172.18.0.0/16, 10.0.0.0/8")
    assert conf["forwarded_allow_ips"] == "172.18.0.0/16,10.0.0.0/8"


def test_a_mistyped_trusted_proxy_stops_start_up():
    result = run_manage("check", env_overrides={"TRUSTED_PROXIES": "172.18.0.0/16,nginx"})
    assert result.returncode != 0
    assert "TRUSTED_PROXIES" in result.stderr and "nginx" in result.stderr
