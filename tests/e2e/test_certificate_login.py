"""CA登录 and 绑定CA证书 in the browser, on desktop and phone: the screens a person sees.

Chromium here has no USB Key, so the browser context carries the headers nginx writes after
verifying a certificate, and the live server counts 127.0.0.1 as the trusted proxy for this test
alone. Real TLS with real client certificates, and forged headers, are proven through nginx in
tests/security/test_certificate_login_nginx.py; this journey is about labels, messages and layout.
"""

import re

import pytest
from playwright.sync_api import expect

from accounts.models import CertificateBinding
from tests import factories
from tests.e2e.conftest import login, screenshot, scripts_ready

pytestmark = pytest.mark.django_db(transaction=True)

NGINX_HEADERS = {
    "X-SSL-Client-Verify": "SUCCESS",
    # nginx 1.22's spelling of the DN's UTF-8.
    "X-SSL-Client-S-DN": r"CN=\E5\BC\A0\E4\B8\89,OU=\E4\B8\AA\E4\BA\BA,O=GDCA,C=CN",
    "X-SSL-Client-I-DN": "CN=GDCA Test Personal CA,O=GDCA,C=CN",
    "X-SSL-Client-Serial": "3F2A9C01",
}


@pytest.fixture
def ca_connected(settings, live_server):
    settings.CA_LOGIN_URL = live_server.url  # the certificate server is nginx in production
    settings.SITE_URL = live_server.url
    settings.TRUSTED_PROXIES = ["127.0.0.1/32"]


def test_bind_a_certificate_then_log_in_with_it(page, phone_page, ca_connected):
    user = factories.UserFactory(username="zhangsan_ca", full_name="张三")
    page.context.set_extra_http_headers(NGINX_HEADERS)

    login(page, "zhangsan_ca", factories.PASSWORD)
    page.get_by_role("link", name="CA证书").click()
    expect(page.get_by_text("本帐号尚未绑定CA证书")).to_be_visible()
    page.get_by_role("link", name="绑定CA证书").click()
    expect(page.get_by_role("heading", name="绑定CA证书")).to_be_visible()
    scripts_ready(page)
    expect(page.get_by_text("CN=张三,OU=个人,O=GDCA,C=CN")).to_be_visible()
    page.get_by_label("登录密码").fill("WrongPass1")
    page.get_by_role("button", name="确认绑定").click()
    expect(page.get_by_text(re.compile("^密码错误，请重新输入。"))).to_be_visible()  # beside the field
    screenshot(page, "accounts-certificate-bind-desktop")
    page.get_by_label("登录密码").fill(factories.PASSWORD)
    page.get_by_role("button", name="确认绑定").click()
    expect(page.get_by_text("CA证书已绑定")).to_be_visible()
    expect(page.get_by_role("heading", name="已绑定的证书")).to_be_visible()
    assert CertificateBinding.objects.get(user=user).serial == "3F2A9C01"
    screenshot(page, "accounts-certificate-desktop")

    # Another browser, only the certificate: the login page's CA登录 tab.
    phone_page.context.set_extra_http_headers(NGINX_HEADERS)
    phone_page.goto("/accounts/login/")
    scripts_ready(phone_page)
    phone_page.get_by_role("tab", name="CA登录").click()
    phone_page.get_by_role("link", name="使用CA证书登录").click()
    expect(phone_page.get_by_role("heading", name="CA数字证书登录")).to_be_visible()
    expect(phone_page.get_by_text("CN=张三,OU=个人,O=GDCA,C=CN")).to_be_visible()
    screenshot(phone_page, "accounts-certificate-login-phone")
    assert phone_page.evaluate("document.documentElement.scrollWidth") <= 390
    phone_page.get_by_label("用户类型").select_option(label="个人")
    phone_page.get_by_role("button", name="登录").click()
    expect(phone_page.get_by_text("zhangsan_ca").first).to_be_visible()
    assert phone_page.url.rstrip("/") == page.url.split("/accounts/")[0]


def test_without_a_certificate_the_page_says_what_to_do(page, ca_connected):
    page.context.set_extra_http_headers({"X-SSL-Client-Verify": "NONE"})
    page.goto("/accounts/ca/login/")
    expect(page.get_by_text("未检测到CA数字证书")).to_be_visible()
    expect(page.get_by_role("button", name="登录")).to_have_count(0)
    screenshot(page, "accounts-certificate-login-none-desktop")
