"""The Django admin's login takes the same captcha and lockout as the console login, and its address
is a setting (DJANGO_ADMIN_URL), so staff passwords cannot be guessed there by script.
"""

import os
import re
import subprocess
import sys

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.test import Client
from django.urls import reverse

from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff():
    return factories.CityAdminFactory(is_staff=True, is_superuser=True)


def admin_login(username, password, *, captcha="PASSED", ip="198.51.100.90", client=None):
    client = client or Client(REMOTE_ADDR=ip)
    data = {"username": username, "password": password, "next": reverse("admin:index")}
    if captcha is not None:
        data |= {"captcha_0": "k", "captcha_1": captcha}
    return client, client.post(reverse("admin:login"), data)


def test_the_admin_login_page_asks_for_a_captcha():
    page = Client().get(reverse("admin:login")).content.decode()
    assert 'name="captcha_1"' in page and 'name="captcha_0"' in page
    assert "验证码" in page and "/captcha/image/" in page


@pytest.mark.parametrize("captcha", ["WRONG1", "", None], ids=["wrong", "empty", "missing"])
def test_without_a_solved_captcha_the_right_password_does_not_get_in(staff, captcha):
    client, response = admin_login(staff.username, factories.PASSWORD, captcha=captcha)
    assert response.status_code == 200
    assert SESSION_KEY not in client.session
    page = response.content.decode()
    row = re.search(
        r'<div class="form-row[^"]*" id="captcha-row">(.*?)</div>\s*<div class="submit-row"', page, re.S
    )
    assert row and ("验证码错误" in row.group(1) or "请输入验证码" in row.group(1)), (
        "no message by the captcha"
    )
    assert not AccessAttempt.objects.exists(), "the password was tried"


def test_with_the_captcha_staff_get_in(staff):
    client, response = admin_login(staff.username, factories.PASSWORD)
    assert response.status_code == 302 and response["Location"] == reverse("admin:index")
    assert client.get(reverse("admin:index")).status_code == 200


def test_wrong_passwords_count_down_and_lock_the_staff_account(staff):
    _, response = admin_login(staff.username, "Wrong12345")
    assert f"再连续输错{settings.AXES_FAILURE_LIMIT - 1}次" in response.content.decode()
    for n in range(settings.AXES_FAILURE_LIMIT - 1):
        _, response = admin_login(staff.username, "Wrong12345", ip=f"203.0.113.{n + 1}")
    assert response.status_code == 429
    assert "已暂时锁定" in response.content.decode()
    _, response = admin_login(staff.username, factories.PASSWORD, ip="192.0.2.9")
    assert response.status_code == 429


def test_an_applicant_is_not_let_into_the_admin(applicant):
    client, response = admin_login(applicant.username, factories.PASSWORD)
    assert response.status_code == 200
    assert "无权使用管理后台" in response.content.decode()
    assert SESSION_KEY not in client.session


def _urls_with(admin_url: str) -> str:
    code = (
        "import django; django.setup();"
        "from django.urls import reverse, resolve, Resolver404;"
        "print(reverse('admin:login'));"
        "\ntry:\n    resolve('/admin/login/'); print('old address answers')"
        "\nexcept Resolver404:\n    print('old address gone')"
    )
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.test_settings", "DJANGO_ADMIN_URL": admin_url}
    result = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_the_admin_address_comes_from_the_environment():
    assert _urls_with("gz-backoffice-7f3/").split() == ["/gz-backoffice-7f3/login/", "old", "address", "gone"]
    assert _urls_with("/ops/console-admin").split()[0] == "/ops/console-admin/login/"
    assert reverse("admin:login") == "/admin/login/"  # the default
