"""CA登录 end to end through the real nginx: deploy/nginx/portal.conf with its certificate-login server
uncommented, exactly as docs/operations.md says to turn it on, in front of the live server.

The test makes its own CA, nginx's server certificate and the applicants' client certificates
(cryptography), and speaks TLS with them (Python's ssl and http.client, as a browser with a USB Key
would). nginx reaches Django from 127.0.0.2, the only trusted proxy; everyone else, this test
included, comes from 127.0.0.1, so a request sent to Django directly carries no certificate we
believe, whatever its headers say.
"""

import datetime
import http.client
import ipaddress
import os
import re
import shutil
import socket
import ssl
import subprocess
import tempfile
import time
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode, urlsplit

import pytest
from axes.models import AccessLog
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from django.conf import settings as django_settings
from django.test import Client

from accounts.models import CertificateBinding
from audit.actions import AuditAction
from audit.models import AuditEntry
from tests import factories
from tests.conftest import STRICT

ROOT = Path(__file__).resolve().parents[2]
PROXY_ADDRESS = "127.0.0.2"  # nginx's side of its connections to Django: TRUSTED_PROXIES
BEGIN, END = "# BEGIN CA登录\n", "# END CA登录"


# --- The test's PKI ----------------------------------------------------------------------------------


def _name(common_name: str, organisation: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "CN"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, organisation),
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
        ]
    )


def _issue(subject, key, issuer, issuer_key, *, ca=False, usage=None, san=None, days=(-1, 365), serial=None):
    now = datetime.datetime.now(datetime.UTC)
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer)
        .public_key(key.public_key())
        .serial_number(serial or x509.random_serial_number())
        .not_valid_before(now + datetime.timedelta(days=days[0]))
        .not_valid_after(now + datetime.timedelta(days=days[1]))
        .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
    )
    if usage:
        builder = builder.add_extension(x509.ExtendedKeyUsage([usage]), critical=False)
    if san:
        builder = builder.add_extension(x509.SubjectAlternativeName(san), critical=False)
    return builder.sign(issuer_key, hashes.SHA256())


def _write(directory: Path, name: str, cert, key=None) -> tuple[Path, Path | None]:
    cert_path = directory / f"{name}.crt"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    if key is None:
        return cert_path, None
    key_path = directory / f"{name}.key"
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    key_path.chmod(0o600)
    return cert_path, key_path


@pytest.fixture(scope="module")
def pki():
    """A CA the portal trusts, another it does not, and certificates from both."""
    directory = Path(tempfile.mkdtemp(prefix="portal-ca-login-"))
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = _name("广州测试个人CA", "广东测试数字证书认证中心")
    ca = _issue(ca_name, ca_key, ca_name, ca_key, ca=True, days=(-2, 3650))
    rogue_key = ec.generate_private_key(ec.SECP256R1())
    rogue_name = _name("Rogue CA", "Nobody")
    rogue = _issue(rogue_name, rogue_key, rogue_name, rogue_key, ca=True, days=(-2, 3650))

    def client(label, common_name, issuer=ca, issuer_key=ca_key, **kwargs):
        key = ec.generate_private_key(ec.SECP256R1())
        cert = _issue(
            _name(common_name, "个人用户"),
            key,
            issuer.subject,
            issuer_key,
            usage=ExtendedKeyUsageOID.CLIENT_AUTH,
            **kwargs,
        )
        return cert, _write(directory, f"client-{label}", cert, key)

    server_key = ec.generate_private_key(ec.SECP256R1())
    server = _issue(
        _name("127.0.0.1", "广州市人力资源和社会保障局"),
        server_key,
        ca.subject,
        ca_key,
        usage=ExtendedKeyUsageOID.SERVER_AUTH,
        san=[x509.IPAddress(ipaddress.ip_address("127.0.0.1"))],
    )
    nginx_dir = directory / "nginx"
    nginx_dir.mkdir()
    _write(nginx_dir, "server", server, server_key)
    (nginx_dir / "client-ca.pem").write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    zhang = client("zhang", "张三")
    yield {
        "dir": directory,
        "nginx_dir": nginx_dir,
        "ca_file": _write(directory, "ca", ca)[0],
        "zhang": zhang,
        "li": client("li", "李四"),
        # Same subject and serial as 张三's, from a CA nginx does not trust.
        "forged": client("forged", "张三", issuer=rogue, issuer_key=rogue_key, serial=zhang[0].serial_number),
        "expired": client("expired", "张三", days=(-400, -35)),
    }
    shutil.rmtree(directory, ignore_errors=True)


# --- nginx with the certificate-login server turned on ------------------------------------------------


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def certificate_server_block(conf: str) -> str:
    """The commented-out certificate-login server of portal.conf, turned on as the docs say: one
    "# " removed from each line between BEGIN and END."""
    assert BEGIN in conf and END in conf, "deploy/nginx/portal.conf lost its CA登录 block"
    lines = conf[conf.index(BEGIN) + len(BEGIN) : conf.index(END)].splitlines()
    assert all(line == "#" or line.startswith("# ") for line in lines), "every line of the block is commented"
    return "\n".join(line[2:] for line in lines) + "\n"


def _nginx_conf(workdir: Path, *, http_port: int, tls_port: int, upstream: str, cert_dir: Path) -> Path:
    conf = (ROOT / "deploy" / "nginx" / "portal.conf").read_text(encoding="utf-8")
    conf += certificate_server_block(conf)
    replacements = {
        "server web:8000;": f"server {upstream};",
        "listen 80;": f"listen 127.0.0.1:{http_port};",
        "listen 8443 ssl;": f"listen 127.0.0.1:{tls_port} ssl;",
        "/etc/nginx/ca-login/": f"{cert_dir}/",
        "alias /app/var/private/;": f"alias {django_settings.PRIVATE_MEDIA_ROOT}/;",
        "alias /app/var/staticfiles/;": f"alias {django_settings.STATIC_ROOT}/;",
    }
    for old, new in replacements.items():
        assert old in conf, f"deploy/nginx/portal.conf changed: {old!r} not found"
        conf = conf.replace(old, new)
    temp = workdir / "temp"
    temp.mkdir()
    path = workdir / "nginx.conf"
    path.write_text(
        ("user root;\n" if os.geteuid() == 0 else "")
        + f"pid {workdir}/nginx.pid;\nerror_log {workdir}/error.log warn;\nworker_processes 1;\n"
        + "events { worker_connections 64; }\nhttp {\n"
        + f"  client_body_temp_path {temp}/body;\n  proxy_temp_path {temp}/proxy;\n"
        + f"  fastcgi_temp_path {temp}/fastcgi;\n  uwsgi_temp_path {temp}/uwsgi;\n  scgi_temp_path {temp}/scgi;\n"
        + f"  default_type application/octet-stream;\n  proxy_bind {PROXY_ADDRESS};\n"
        + conf
        + "\n}\n",
        encoding="utf-8",
    )
    return path


@pytest.fixture
def portal(live_server, settings, pki):
    """nginx in front of the live server: the main site (plain HTTP, TLS ends in front of it in
    production) and the certificate-login server (TLS with client certificates)."""
    binary = shutil.which("nginx") or ("/usr/sbin/nginx" if os.path.exists("/usr/sbin/nginx") else None)
    if binary is None:
        reason = "needs nginx (apt-get install nginx) to verify client certificates end to end"
        if STRICT:
            pytest.fail(f"PORTAL_STRICT_SERVICES=1 but the service is missing: {reason}", pytrace=False)
        pytest.skip(reason)
    http_port, tls_port = _free_port(), _free_port()
    workdir = Path(tempfile.mkdtemp(prefix="portal-nginx-ca-"))
    workdir.chmod(0o755)
    upstream = urlsplit(live_server.url)
    config = _nginx_conf(
        workdir,
        http_port=http_port,
        tls_port=tls_port,
        upstream=f"127.0.0.1:{upstream.port}",
        cert_dir=pki["nginx_dir"],
    )
    settings.TRUSTED_PROXIES = [f"{PROXY_ADDRESS}/32"]
    settings.CA_LOGIN_URL = f"https://127.0.0.1:{tls_port}"
    settings.SITE_URL = f"http://127.0.0.1:{http_port}"
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    process = subprocess.Popen(
        [binary, "-p", str(workdir), "-c", str(config), "-g", "daemon off;"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 30
        for port in (http_port, tls_port):
            while True:
                assert process.poll() is None, f"nginx did not start: {process.stderr.read().decode()}"
                try:
                    socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                    break
                except OSError:
                    assert time.monotonic() < deadline, "nginx did not listen within 30 s"
                    time.sleep(0.05)
        yield {
            "main": settings.SITE_URL,
            "ca": settings.CA_LOGIN_URL,
            "django": f"http://127.0.0.1:{upstream.port}",
        }
    finally:
        process.terminate()
        process.wait(timeout=10)
        shutil.rmtree(workdir, ignore_errors=True)


# --- A browser: cookies per host (as browsers keep them, whatever the port), TLS with a certificate ---


class Browser:
    def __init__(self, pki, *, certificate: str | None = None):
        self.cookies: dict[str, str] = {}
        self.tls = ssl.create_default_context(cafile=str(pki["ca_file"]))
        if certificate:
            _, (cert_path, key_path) = pki[certificate]
            self.tls.load_cert_chain(str(cert_path), str(key_path))

    def request(self, method: str, url: str, *, form: dict | None = None, headers: dict | None = None):
        parts = urlsplit(url)
        if parts.scheme == "https":
            connection = http.client.HTTPSConnection(parts.hostname, parts.port, timeout=15, context=self.tls)
        else:
            connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=15)
        sent = {"Host": parts.netloc, **(headers or {})}
        if self.cookies:
            sent["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if form is not None:
            body = urlencode(form)
            sent["Content-Type"] = "application/x-www-form-urlencoded"
            sent["Origin"] = f"{parts.scheme}://{parts.netloc}"
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        connection.request(method, path, body=body, headers=sent)
        response = connection.getresponse()
        content = response.read().decode("utf-8", errors="replace")
        for header in response.headers.get_all("Set-Cookie") or []:
            for name, morsel in SimpleCookie(header).items():
                self.cookies[name] = morsel.value
        connection.close()
        return response.status, response.headers, content

    def get(self, url, **kwargs):
        return self.request("GET", url, **kwargs)

    def post_form(self, url, data: dict, *, token_from: str = "", **kwargs):
        """GET the page (or `token_from`) for its CSRF token, then POST the form, as a person clicking would."""
        status, _, page = self.get(token_from or url, **kwargs)
        found = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
        assert found, f"no form on {url} ({status}): {page[:2000]}"
        return self.request("POST", url, form={"csrfmiddlewaretoken": found.group(1), **data}, **kwargs)

    def logged_in_as(self, main: str) -> str:
        """The name on the 门户's 帐号信息, or "" when the main site does not know us."""
        status, _, page = self.get(main + "/")
        found = re.search(r"<th scope=\"row\">登录帐号</th><td>([^<]+)</td>", page)
        return found.group(1) if status == 200 and found else ""


def _text(page: str) -> str:
    """The page's words, for an assertion message."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page.split("<main", 1)[-1]))[:1500]


def _forged_headers(pki, who="zhang") -> dict:
    """The headers nginx would write for this person's certificate (the DNs' UTF-8 as raw bytes)."""
    cert = pki[who][0]
    return {
        "X-SSL-Client-Verify": "SUCCESS",
        "X-SSL-Client-S-DN": cert.subject.rfc4514_string().encode().decode("latin-1"),
        "X-SSL-Client-I-DN": cert.issuer.rfc4514_string().encode().decode("latin-1"),
        "X-SSL-Client-Serial": f"{cert.serial_number:X}",
    }


def _password_session(user) -> dict:
    client = Client()
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    return {django_settings.SESSION_COOKIE_NAME: client.cookies[django_settings.SESSION_COOKIE_NAME].value}


@pytest.mark.django_db(transaction=True)
def test_bind_once_by_password_then_log_in_by_certificate_through_nginx(portal, pki):
    user = factories.UserFactory(username="zhangsan_ca", full_name="张三")

    # Logged in by password on the main site, 张三 opens 绑定CA证书 on the certificate server.
    browser = Browser(pki, certificate="zhang")
    browser.cookies.update(_password_session(user))
    status, _, page = browser.get(portal["main"] + "/accounts/certificate/")
    assert status == 200 and f'href="{portal["ca"]}/accounts/ca/bind/"' in page
    status, _, page = browser.get(portal["ca"] + "/accounts/ca/bind/")
    assert status == 200 and "张三" in page and "广州测试个人CA" in page, _text(page)

    status, headers, _ = browser.post_form(
        portal["ca"] + "/accounts/ca/bind/", {"password": factories.PASSWORD}
    )
    assert status == 302 and headers["Location"] == portal["main"] + "/accounts/certificate/"
    binding = CertificateBinding.objects.get(user=user)
    assert binding.serial == f"{pki['zhang'][0].serial_number:X}"
    assert "CN=张三" in binding.subject_dn and "CN=广州测试个人CA" in binding.issuer_dn
    assert AuditEntry.objects.filter(action=AuditAction.CERTIFICATE_BIND, subject_user=user).count() == 1

    # Another day, another browser with only the USB Key: CA登录 from the login page's tab.
    fresh = Browser(pki, certificate="zhang")
    status, _, page = fresh.get(portal["main"] + "/accounts/login/")
    assert f'href="{portal["ca"]}/accounts/ca/login/"' in page
    assert fresh.logged_in_as(portal["main"]) == ""
    status, headers, _ = fresh.post_form(portal["ca"] + "/accounts/ca/login/", {"user_type": "personal"})
    assert status == 302 and headers["Location"] == portal["main"] + "/"
    assert fresh.logged_in_as(portal["main"]) == "zhangsan_ca"  # the session holds on the main site
    log = AccessLog.objects.get(username="zhangsan_ca", path_info="/accounts/ca/login/")
    assert log.ip_address == "127.0.0.1"  # the client nginx saw, not nginx


@pytest.mark.django_db(transaction=True)
def test_no_certificate_an_untrusted_ca_or_an_expired_one_logs_nobody_in(portal, pki):
    user = factories.UserFactory(username="zhangsan_ca")
    CertificateBinding.objects.create(
        user=user,
        subject_dn="CN=张三,O=个人用户,C=CN",
        issuer_dn="CN=广州测试个人CA,O=广东测试数字证书认证中心,C=CN",
        serial=f"{pki['zhang'][0].serial_number:X}",
    )
    unbound = Browser(pki, certificate="li")
    status, _, page = unbound.post_form(portal["ca"] + "/accounts/ca/login/", {"user_type": "personal"})
    assert status == 200 and "该CA证书尚未绑定本系统帐号" in page
    assert unbound.logged_in_as(portal["main"]) == ""

    status, _, page = Browser(pki).get(portal["ca"] + "/accounts/ca/login/")
    assert status == 200 and "未检测到CA数字证书" in page and "csrfmiddlewaretoken" not in page

    # nginx refuses the handshake's certificate (495) and the portal's page says why, in Chinese.
    for name, reason in (("forged", "unable to"), ("expired", "certificate has expired")):
        browser = Browser(pki, certificate=name)
        status, _, page = browser.get(portal["ca"] + "/accounts/ca/login/")
        assert "CA数字证书校验未通过" in page and reason in page, (name, status, page[:3000])
        assert "csrfmiddlewaretoken" not in page
        assert browser.logged_in_as(portal["main"]) == ""
    assert not AccessLog.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_forged_certificate_headers_log_nobody_in_by_any_way_round(portal, pki):
    user = factories.UserFactory(username="zhangsan_ca")
    zhang = pki["zhang"][0]
    CertificateBinding.objects.create(
        user=user,
        subject_dn=zhang.subject.rfc4514_string(),
        issuer_dn=zhang.issuer.rfc4514_string(),
        serial=f"{zhang.serial_number:X}",
    )
    forged = _forged_headers(pki)

    # Straight to Django (gunicorn's port): the peer is no trusted proxy, the headers count for nothing.
    direct = Browser(pki)
    status, _, page = direct.get(portal["django"] + "/accounts/ca/login/", headers=forged)
    assert "本页须经CA登录专用地址访问" in page and "csrfmiddlewaretoken" not in page
    status, _, page = direct.post_form(
        portal["django"] + "/accounts/ca/login/",
        {"user_type": "personal"},
        token_from=portal["django"] + "/accounts/login/",  # a valid CSRF token, so only the headers decide
        headers=forged,
    )
    assert status == 403 and "本页须经CA登录专用地址访问" in page
    assert direct.logged_in_as(portal["main"]) == ""

    # Through nginx's main site (a trusted proxy): nginx drops the client's copies.
    main = Browser(pki)
    status, _, page = main.get(portal["main"] + "/accounts/ca/login/", headers=forged)
    assert "本页须经CA登录专用地址访问" in page and "csrfmiddlewaretoken" not in page

    # Through the certificate server without a certificate: nginx writes its own verdict, NONE.
    bare = Browser(pki)
    status, _, page = bare.get(portal["ca"] + "/accounts/ca/login/", headers=forged)
    assert "未检测到CA数字证书" in page and "csrfmiddlewaretoken" not in page
    # ... and with someone else's genuine certificate, nginx's verdict names that one.
    li = Browser(pki, certificate="li")
    status, _, page = li.post_form(
        portal["ca"] + "/accounts/ca/login/", {"user_type": "personal"}, headers=forged
    )
    assert "该CA证书尚未绑定本系统帐号" in page
    for browser in (main, bare, li):
        assert browser.logged_in_as(portal["main"]) == ""
    assert not AccessLog.objects.exists()
