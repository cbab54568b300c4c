"""The 门户 login: captcha, user types, staff sent to the console, lockout, logout, CSRF."""

import datetime

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import EmployerAdmin
from tests import factories

pytestmark = pytest.mark.django_db

LOGIN_URL = "/accounts/login/"


def login_post(
    client, username, password=factories.PASSWORD, *, user_type="personal", captcha="PASSED", **extra
):
    data = {
        "user_type": user_type,
        "username": username,
        "password": password,
        "captcha_0": "anykey",
        "captcha_1": captcha,
        **extra,
    }
    return client.post(LOGIN_URL, data)


def test_login_page_reproduces_the_seed_screen(client):
    html = client.get(LOGIN_URL).content.decode()
    for text in [
        "用户登录", "CA登录", "用户类型", "个人", "单位", "用户名", "密码", "验证码", "点击获取",
        ">登录<", ">重置<", ">取消<", "个人用户注册", "忘记密码", "单位系统管理员权限申请",
        "申请前先注册为个人用户", "申请和取消法人单位管理员权限操作指引", "微警认证（刷脸）登录",
        "系统说明", "人才引进申办系统", "应用安全基础平台", "服务对象", "出归国留学人员或准备出国人员",
        "本系统采用实名制，个人注册后申请相应应用系统便可申请办理相关业务",
        "主办单位：广州市人力资源和社会保障局", "维护及技术支持：广州市人力资源和社会保障数据服务中心",
    ]:  # fmt: skip
        assert text in html, text
    # CA login is honest about not being connected, and has no working submit.
    assert "未接入CA数字证书认证服务" in html
    assert 'name="csrfmiddlewaretoken"' in html


def test_face_login_says_the_provider_is_not_connected(client):
    response = client.get(reverse("accounts:face_login"))
    assert "未接入微警认证服务" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_an_applicant_logs_in_as_personal_user_and_lands_on_the_portal(client, applicant):
    response = login_post(client, applicant.username)
    assert response.status_code == 302
    assert response.url == reverse("portal:home")
    assert client.session["_auth_user_id"] == str(applicant.pk)
    assert client.session["portal_user_type"] == "个人"


def test_login_accepts_the_username_in_any_case(client, applicant):
    response = login_post(client, applicant.username.upper())
    assert response.status_code == 302


def test_wrong_password_says_so_keeps_the_username_and_counts_down(client, applicant):
    response = login_post(client, applicant.username, "Wrong12345")
    html = response.content.decode()
    assert response.status_code == 200
    assert "用户名或密码错误，请重新输入。" in html
    assert f"再连续输错{settings.AXES_FAILURE_LIMIT - 1}次" in html
    assert f'value="{applicant.username}"' in html
    assert "Wrong12345" not in html
    assert "_auth_user_id" not in client.session


def test_wrong_captcha_says_so_keeps_the_username_and_does_not_try_the_password(client, applicant):
    response = login_post(client, applicant.username, captcha="WRONG")
    html = response.content.decode()
    assert "验证码错误" in html
    assert f'value="{applicant.username}"' in html
    assert "_auth_user_id" not in client.session
    assert not AccessAttempt.objects.exists()


def test_empty_fields_each_get_a_message(client):
    response = client.post(LOGIN_URL, {"user_type": "personal", "captcha_0": "k", "captcha_1": ""})
    html = response.content.decode()
    assert "请输入用户名。" in html and "请输入密码。" in html and "请输入验证码。" in html


@pytest.mark.parametrize(
    "factory", [factories.ReviewerFactory, factories.CityAdminFactory, factories.PoliceFactory]
)
def test_staff_are_sent_to_the_console_and_not_logged_in(client, factory):
    staff = factory()
    response = login_post(client, staff.username)
    html = response.content.decode()
    assert response.status_code == 200
    assert "/console/login/" in html and "审核工作台" in html
    assert "前往审核工作台登录" in html
    assert "_auth_user_id" not in client.session


def test_employer_login_needs_an_approved_right(client, applicant):
    factories.EmployerAdminFactory(user=applicant, status=EmployerAdmin.Status.PENDING)
    response = login_post(client, applicant.username, user_type="employer")
    assert "尚未获批任何单位的单位系统管理员权限" in response.content.decode()
    assert "前往审核工作台登录" not in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_employer_admin_lands_on_the_employer_home(client, applicant):
    factories.EmployerAdminFactory(user=applicant, status=EmployerAdmin.Status.APPROVED)
    response = login_post(client, applicant.username, user_type="employer", next="/talent/")
    assert response.status_code == 302
    assert response.url == reverse("accounts:employer_home")
    assert client.session["portal_user_type"] == "单位"


def test_next_is_followed_only_within_the_site(client, applicant):
    assert login_post(client, applicant.username, next="/apps/").url == "/apps/"
    client.logout()
    assert login_post(client, applicant.username, next="https://evil.example/").url == reverse("portal:home")


def test_repeated_failures_lock_the_account_and_show_the_wait(client, applicant):
    limit = settings.AXES_FAILURE_LIMIT
    for _ in range(limit - 1):
        assert login_post(client, applicant.username, "Wrong12345").status_code == 200
    locked = login_post(client, applicant.username, "Wrong12345")
    assert locked.status_code == 429
    html = locked.content.decode()
    minutes = int(settings.AXES_COOLOFF_TIME * 60)
    assert f"{minutes}分钟" in html and "后再试" in html
    # Even the right password does not get in while locked.
    again = login_post(client, applicant.username)
    assert again.status_code == 429
    assert "_auth_user_id" not in client.session


def test_the_lock_lifts_after_the_cool_off(client, applicant):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        login_post(client, applicant.username, "Wrong12345")
    assert login_post(client, applicant.username).status_code == 429
    AccessAttempt.objects.update(attempt_time=timezone.now() - datetime.timedelta(hours=1))
    assert login_post(client, applicant.username).status_code == 302


def test_a_successful_login_resets_the_failure_count(client, applicant):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        login_post(client, applicant.username, "Wrong12345")
    assert login_post(client, applicant.username).status_code == 302
    assert not AccessAttempt.objects.filter(username=applicant.username).exists()


def test_login_without_csrf_token_is_refused(applicant):
    client = Client(enforce_csrf_checks=True)
    response = login_post(client, applicant.username)
    assert response.status_code == 403
    assert "页面已过期" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_logout_is_post_only(applicant_client):
    assert applicant_client.get("/accounts/logout/").status_code == 405
    response = applicant_client.post("/accounts/logout/")
    assert response.status_code == 302 and response.url == reverse("accounts:login")
    assert "_auth_user_id" not in applicant_client.session


def test_login_page_prefills_the_username_after_registration(client):
    html = client.get(LOGIN_URL + "?username=wang_wu01").content.decode()
    assert 'value="wang_wu01"' in html


def test_captcha_refresh_gives_a_new_picture(client):
    response = client.get(reverse("captcha-refresh"), HTTP_X_REQUESTED_WITH="XMLHttpRequest")
    payload = response.json()
    assert payload["key"] and payload["image_url"].startswith("/captcha/image/")
    assert client.get(payload["image_url"]).status_code == 200
