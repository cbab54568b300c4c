"""CA登录 and 绑定CA证书 at Django's side of nginx: the certificate headers count only from a trusted
proxy, a bound certificate logs its account in through django-axes (the password login's lockout and
access log), binding takes the password, and every change is on the audit trail.

nginx itself, with a real TLS handshake and client certificates, is in
tests/security/test_certificate_login_nginx.py."""

import pytest
from axes.models import AccessAttempt, AccessLog
from django.contrib.auth import BACKEND_SESSION_KEY
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.urls import reverse

from accounts import services
from accounts.backends import CERTIFICATE_BACKEND
from accounts.models import CertificateBinding, EmployerAdmin
from audit.actions import AuditAction
from audit.models import AuditEntry
from core.client_certificate import ClientCertificate, normalize_serial
from core.errors import Refused
from tests import factories
from tests.accounts.test_views_login import login_post

pytestmark = pytest.mark.django_db

PROXY = "10.0.0.2"  # nginx, inside TRUSTED_PROXIES below
OUTSIDER = "203.0.113.9"  # anyone reaching gunicorn directly
SUBJECT = "CN=张三,OU=个人,O=广东省数字证书认证中心,C=CN"
ISSUER = "CN=GDCA Test Personal CA,O=GDCA,C=CN"
SERIAL = "3F2A9C01"
LOGIN = "/accounts/ca/login/"
BIND = "/accounts/ca/bind/"


@pytest.fixture(autouse=True)
def ca_connected(settings):
    settings.CA_LOGIN_URL = "https://rc.example.gov.cn:8443"
    settings.SITE_URL = "https://rc.example.gov.cn"
    settings.TRUSTED_PROXIES = ["10.0.0.0/24"]


def _latin1(text: str) -> str:
    # nginx writes UTF-8 bytes into the header; WSGI hands them to Django as Latin-1 characters.
    return text.encode("utf-8").decode("latin-1")


def cert_headers(*, verify="SUCCESS", subject=SUBJECT, issuer=ISSUER, serial=SERIAL) -> dict:
    return {
        "HTTP_X_SSL_CLIENT_VERIFY": verify,
        "HTTP_X_SSL_CLIENT_S_DN": _latin1(subject),
        "HTTP_X_SSL_CLIENT_I_DN": _latin1(issuer),
        "HTTP_X_SSL_CLIENT_SERIAL": serial,
    }


def through(address: str) -> Client:
    return Client(REMOTE_ADDR=address)


def bind(user, *, serial=SERIAL, subject=SUBJECT) -> CertificateBinding:
    certificate = ClientCertificate(subject=subject, issuer=ISSUER, serial=normalize_serial(serial))
    return services.certificate_bind(user=user, certificate=certificate)


def test_the_login_tab_links_to_the_certificate_server_when_a_ca_is_connected(client):
    html = client.get("/accounts/login/?next=/talent/").content.decode()
    assert "未接入CA数字证书认证服务" not in html
    assert 'href="https://rc.example.gov.cn:8443/accounts/ca/login/?next=%2Ftalent%2F"' in html
    assert "使用CA证书登录" in html


def test_without_a_ca_the_tab_and_the_pages_say_it_is_not_connected(client, settings, applicant):
    settings.CA_LOGIN_URL = ""
    assert "未接入CA数字证书认证服务" in client.get("/accounts/login/").content.decode()
    response = through(PROXY).get(LOGIN, **cert_headers())
    assert response.status_code == 404 and "未接入CA数字证书认证服务" in response.content.decode()
    client.force_login(applicant, backend="django.contrib.auth.backends.ModelBackend")
    page = client.get(reverse("accounts:certificate")).content.decode()
    assert "未接入CA数字证书认证服务" in page and "绑定CA证书</a>" not in page


def test_a_bound_certificate_logs_its_account_in_with_the_access_log_of_a_password_login(applicant):
    bind(applicant)
    browser = through(PROXY)
    page = browser.get(LOGIN, **cert_headers()).content.decode()
    assert "张三" in page and "GDCA Test Personal CA" in page and SERIAL in page

    response = browser.post(LOGIN, {"user_type": "personal", "next": "/talent/"}, **cert_headers())

    assert response.status_code == 302
    assert response.url == "https://rc.example.gov.cn/talent/"  # back to the main site
    assert browser.session["_auth_user_id"] == str(applicant.pk)
    assert browser.session[BACKEND_SESSION_KEY] == CERTIFICATE_BACKEND
    assert browser.session["portal_user_type"] == "个人"
    log = AccessLog.objects.get(username=applicant.username)
    assert log.path_info == LOGIN and log.ip_address == PROXY


def test_an_employer_administrator_lands_on_their_employers(applicant):
    bind(applicant)
    browser = through(PROXY)
    refused = browser.post(LOGIN, {"user_type": "employer"}, **cert_headers())
    assert "尚未获批任何单位的单位系统管理员权限" in refused.content.decode()
    assert "_auth_user_id" not in browser.session

    factories.EmployerAdminFactory(user=applicant, status=EmployerAdmin.Status.APPROVED)
    response = browser.post(LOGIN, {"user_type": "employer"}, **cert_headers())
    assert response.url == "https://rc.example.gov.cn" + reverse("accounts:employer_home")


def test_forged_certificate_headers_from_outside_the_trusted_proxies_log_nobody_in(applicant):
    bind(applicant)
    forger = through(OUTSIDER)
    response = forger.post(LOGIN, {"user_type": "personal"}, **cert_headers())
    assert response.status_code == 403
    assert "本页须经CA登录专用地址访问" in response.content.decode()
    assert "_auth_user_id" not in forger.session
    assert not AccessLog.objects.exists()


@pytest.mark.parametrize(
    ("verify", "shown"),
    [
        ("NONE", "未检测到CA数字证书"),
        ("FAILED:certificate has expired", "certificate has expired"),
        ("FAILED:unable to get local issuer certificate", "校验未通过"),
    ],
)
def test_no_certificate_or_a_refused_one_says_why_and_logs_nobody_in(applicant, verify, shown):
    bind(applicant)
    browser = through(PROXY)
    assert shown in browser.get(LOGIN, **cert_headers(verify=verify)).content.decode()
    response = browser.post(LOGIN, {"user_type": "personal"}, **cert_headers(verify=verify))
    assert response.status_code == 403 and shown in response.content.decode()
    assert "_auth_user_id" not in browser.session


def test_an_unbound_certificate_is_a_failed_login_counted_against_the_address(settings):
    browser = through(PROXY)
    response = browser.post(LOGIN, {"user_type": "personal"}, **cert_headers(serial="0BADC0DE"))
    assert "该CA证书尚未绑定本系统帐号" in response.content.decode()
    assert "_auth_user_id" not in browser.session
    attempt = AccessAttempt.objects.get()
    assert attempt.failures_since_start == 1 and attempt.path_info == LOGIN

    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        response = browser.post(LOGIN, {"user_type": "personal"}, **cert_headers(serial="0BADC0DE"))
    assert response.status_code == 429 and "已暂时锁定" in response.content.decode()


def test_an_account_locked_by_wrong_passwords_is_locked_for_the_certificate_too(settings, applicant):
    bind(applicant)
    guesser = Client(REMOTE_ADDR="198.51.100.7")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        login_post(guesser, applicant.username, "WrongPass1")

    browser = through(PROXY)
    response = browser.post(LOGIN, {"user_type": "personal"}, **cert_headers())

    assert response.status_code == 429 and "已暂时锁定" in response.content.decode()
    assert "_auth_user_id" not in browser.session


def test_a_deactivated_account_cannot_log_in_by_its_certificate(applicant):
    bind(applicant)
    applicant.is_active = False
    applicant.save(update_fields=["is_active"])
    browser = through(PROXY)
    response = browser.post(LOGIN, {"user_type": "personal"}, **cert_headers())
    assert "该帐号已停用" in response.content.decode()
    assert "_auth_user_id" not in browser.session


def test_binding_needs_the_password_and_is_audited(settings, applicant):
    browser = through(PROXY)
    browser.force_login(applicant, backend="django.contrib.auth.backends.ModelBackend")
    page = browser.get(BIND, **cert_headers()).content.decode()
    assert "张三" in page and "登录密码" in page

    wrong = browser.post(BIND, {"password": "WrongPass1"}, **cert_headers())
    assert "密码错误，请重新输入。" in wrong.content.decode()
    assert f"再连续输错{settings.AXES_FAILURE_LIMIT - 1}次" in wrong.content.decode()
    assert not CertificateBinding.objects.exists()
    assert AccessAttempt.objects.get(username=applicant.username).failures_since_start == 1

    response = browser.post(BIND, {"password": factories.PASSWORD}, **cert_headers())

    assert response.status_code == 302
    assert response.url == "https://rc.example.gov.cn" + reverse("accounts:certificate")
    binding = CertificateBinding.objects.get(user=applicant)
    assert (binding.subject_dn, binding.issuer_dn, binding.serial) == (SUBJECT, ISSUER, SERIAL)
    row = AuditEntry.objects.get(action=AuditAction.CERTIFICATE_BIND)
    assert row.subject_user == applicant and row.actor == applicant and row.ip_address == PROXY
    assert SERIAL in row.reason and "张三" in row.reason
    page = browser.get(reverse("accounts:certificate")).content.decode()
    assert "已绑定的证书" in page and "张三" in page


def test_guessing_the_password_on_the_bind_page_locks_the_account(settings, applicant):
    browser = through(PROXY)
    browser.force_login(applicant, backend="django.contrib.auth.backends.ModelBackend")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        response = browser.post(BIND, {"password": "WrongPass1"}, **cert_headers())
    assert response.status_code == 429
    response = browser.post(BIND, {"password": factories.PASSWORD}, **cert_headers())
    assert response.status_code == 429
    assert not CertificateBinding.objects.exists()


def test_forged_headers_cannot_bind_a_certificate(applicant):
    browser = through(OUTSIDER)
    browser.force_login(applicant, backend="django.contrib.auth.backends.ModelBackend")
    response = browser.post(BIND, {"password": factories.PASSWORD}, **cert_headers())
    assert response.status_code == 403 and "本页须经CA登录专用地址访问" in response.content.decode()
    assert not CertificateBinding.objects.exists()


def test_binding_without_a_session_goes_to_the_password_login_on_the_main_site():
    response = through(PROXY).get(BIND, **cert_headers())
    assert response.status_code == 302
    assert response.url == "https://rc.example.gov.cn/accounts/login/?next=%2Faccounts%2Fcertificate%2F"


def test_a_certificate_bound_to_someone_else_is_refused_beside_the_form(applicant, other_applicant):
    bind(other_applicant)
    browser = through(PROXY)
    browser.force_login(applicant, backend="django.contrib.auth.backends.ModelBackend")
    response = browser.post(BIND, {"password": factories.PASSWORD}, **cert_headers())
    assert "该CA证书已绑定其他帐号" in response.content.decode()
    assert CertificateBinding.objects.get().user == other_applicant


def test_a_new_certificate_replaces_the_old_one_and_the_audit_names_both(applicant):
    bind(applicant, serial="01")
    bind(applicant, serial="00:02")
    binding = CertificateBinding.objects.get(user=applicant)
    assert binding.serial == "2"
    rows = list(AuditEntry.objects.filter(action=AuditAction.CERTIFICATE_BIND))
    assert len(rows) == 2 and "替换原证书" in rows[1].reason and "序列号：1" in rows[1].reason
    # The old certificate logs nobody in any more.
    response = through(PROXY).post(LOGIN, {"user_type": "personal"}, **cert_headers(serial="01"))
    assert "尚未绑定" in response.content.decode()


def test_unbinding_ends_certificate_login_and_is_audited(applicant):
    bind(applicant)
    owner = Client()
    owner.force_login(applicant, backend="django.contrib.auth.backends.ModelBackend")
    response = owner.post(reverse("accounts:certificate_unbind"))
    assert response.status_code == 302
    assert not CertificateBinding.objects.exists()
    assert AuditEntry.objects.get(action=AuditAction.CERTIFICATE_UNBIND).subject_user == applicant
    browser = through(PROXY)
    browser.post(LOGIN, {"user_type": "personal"}, **cert_headers())
    assert "_auth_user_id" not in browser.session


def test_staff_cannot_bind_a_certificate(reviewer):
    with pytest.raises(Refused):
        bind(reviewer)
    browser = through(PROXY)
    browser.force_login(reviewer, backend="django.contrib.auth.backends.ModelBackend")
    assert browser.get(BIND, **cert_headers()).status_code == 403
    assert browser.get(reverse("accounts:certificate")).status_code == 403


def test_the_account_page_offers_binding_on_the_certificate_server(applicant):
    owner = Client()
    owner.force_login(applicant, backend="django.contrib.auth.backends.ModelBackend")
    page = owner.get(reverse("accounts:certificate")).content.decode()
    assert "本帐号尚未绑定CA证书" in page
    assert 'href="https://rc.example.gov.cn:8443/accounts/ca/bind/"' in page
    assert reverse("accounts:certificate") in owner.get(reverse("portal:home")).content.decode()


def test_the_city_administrator_removes_a_binding_in_the_admin_on_the_record(
    login_client, city_admin, applicant
):
    binding = bind(applicant)
    admin = login_client(city_admin)
    url = reverse("admin:accounts_certificatebinding_delete", args=[binding.pk])
    assert admin.post(url, {"post": "yes"}).status_code == 302
    assert not CertificateBinding.objects.exists()
    row = AuditEntry.objects.get(action=AuditAction.CERTIFICATE_UNBIND)
    assert row.subject_user == applicant and row.actor == city_admin
    # Nobody binds or edits one there: only the holder, with their password and the certificate.
    assert admin.get(reverse("admin:accounts_certificatebinding_add")).status_code == 403


def test_nobody_else_unbinds_a_certificate(applicant, other_applicant):
    bind(applicant)
    with pytest.raises(PermissionDenied):
        services.certificate_unbind(user=applicant, by=other_applicant)
    assert CertificateBinding.objects.filter(user=applicant).exists()
