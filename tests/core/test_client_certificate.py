"""core.client_certificate: nginx's verdict on the client certificate, read from its headers only
when the connection comes from a trusted proxy, with the DNs' Chinese readable however nginx
spelled it."""

import pytest
from django.test import RequestFactory

from core.client_certificate import CertificateState, client_certificate, normalize_serial, readable_dn
from tests.ops.test_deploy_check import run_manage

ESCAPED = r"CN=\E5\BC\A0\E4\B8\89,O=\E4\B8\AA\E4\BA\BA\E7\94\A8\E6\88\B7,C=CN"  # nginx 1.22's spelling


@pytest.fixture(autouse=True)
def behind_nginx(settings):
    settings.TRUSTED_PROXIES = ["172.28.1.0/28"]


def reading(remote="172.28.1.2", **headers):
    meta = {f"HTTP_{name.upper().replace('-', '_')}": value for name, value in headers.items()}
    return client_certificate(RequestFactory().get("/accounts/ca/login/", REMOTE_ADDR=remote, **meta))


def verified(**overrides):
    headers = {
        "X-SSL-Client-Verify": "SUCCESS",
        "X-SSL-Client-S-DN": ESCAPED,
        "X-SSL-Client-I-DN": "CN=Test CA,C=CN",
        "X-SSL-Client-Serial": "00AB12",
    }
    return reading(**{**headers, **overrides})


def test_nginx_escaped_utf8_and_raw_utf8_read_as_the_same_name():
    assert readable_dn(ESCAPED) == "CN=张三,O=个人用户,C=CN"
    raw = "CN=张三,O=个人用户,C=CN".encode().decode("latin-1")  # raw UTF-8 bytes through WSGI
    assert verified(**{"X-SSL-Client-S-DN": raw}).certificate.subject == "CN=张三,O=个人用户,C=CN"
    assert verified().certificate.subject == "CN=张三,O=个人用户,C=CN"


def test_the_dns_own_escapes_stay_and_broken_utf8_is_left_as_sent():
    assert readable_dn(r"CN=Li\, Si,O=A\+B") == r"CN=Li\, Si,O=A\+B"
    assert readable_dn(r"CN=a\\E5\\BC") == r"CN=a\\E5\\BC"  # escaped backslashes, then plain text
    assert readable_dn(r"CN=\E5\BC") == r"CN=\E5\BC"  # half a character


def test_serials_have_one_spelling():
    assert normalize_serial("00:ab:12") == normalize_serial("AB12") == "AB12"
    assert normalize_serial("00") == "0" and normalize_serial("") == ""
    assert verified().certificate.serial == "AB12"


def test_headers_count_only_from_a_trusted_proxy():
    assert verified().state is CertificateState.VERIFIED
    forged = reading(
        remote="203.0.113.9",
        **{"X-SSL-Client-Verify": "SUCCESS", "X-SSL-Client-S-DN": ESCAPED, "X-SSL-Client-I-DN": "CN=CA"},
    )
    assert forged.state is CertificateState.ABSENT and forged.certificate is None
    assert reading().state is CertificateState.ABSENT  # through nginx's main site: no verdict at all


def test_no_certificate_a_refused_one_and_incomplete_headers():
    assert reading(**{"X-SSL-Client-Verify": "NONE"}).state is CertificateState.NONE
    failed = reading(**{"X-SSL-Client-Verify": "FAILED:certificate revoked"})
    assert failed.state is CertificateState.FAILED and failed.reason == "certificate revoked"
    for broken in (
        {"X-SSL-Client-Serial": "xyz"},
        {"X-SSL-Client-I-DN": ""},
        {"X-SSL-Client-S-DN": "C" * 501},
    ):
        assert verified(**broken).state is CertificateState.FAILED, broken


def test_production_refuses_a_ca_login_address_it_could_never_use():
    result = run_manage("check", env_overrides={"CA_LOGIN_URL": "http://rc.example.gov.cn:8443"})
    assert result.returncode != 0 and "CA_LOGIN_URL" in result.stderr and "https://" in result.stderr
    result = run_manage("check", env_overrides={"CA_LOGIN_URL": "https://rc.example.gov.cn:8443/ca"})
    assert result.returncode != 0 and "no path" in result.stderr
    result = run_manage(
        "check", env_overrides={"CA_LOGIN_URL": "https://rc.example.gov.cn:8443", "TRUSTED_PROXIES": ""}
    )
    assert result.returncode != 0 and "TRUSTED_PROXIES" in result.stderr
    result = run_manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        env_overrides={"CA_LOGIN_URL": "https://rc.example.gov.cn:8443", "TRUSTED_PROXIES": "172.28.1.0/28"},
    )
    assert result.returncode == 0, result.stdout + result.stderr
