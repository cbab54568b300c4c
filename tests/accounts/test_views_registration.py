"""The registration wizard: 1 确认服务协议 → 2 填写帐号信息 → 3 申请应用系统 → 4 注册成功."""

import pytest
from django.urls import reverse

from accounts.models import User, UserSubsystem
from reference.fixtures import TALENT_SUBSYSTEM_SLUG
from reference.models import Subsystem
from tests import factories
from tests.accounts.test_forms_registration import PASSWORD, valid_data

pytestmark = pytest.mark.django_db

STEP1 = "/accounts/register/"
STEP2 = "/accounts/register/account/"
STEP3 = "/accounts/register/systems/"
DONE = "/accounts/register/done/"


@pytest.fixture
def agreed(client):
    client.post(STEP1, {"agree": "on"})
    return client


@pytest.fixture
def at_step3(agreed):
    response = agreed.post(STEP2, {**valid_data(), "action": "next"})
    assert response.status_code == 302 and response.url == STEP3
    return agreed


def test_step1_shows_the_whole_agreement_and_the_steps(client):
    html = client.get(STEP1).content.decode()
    for heading in [
        "1. 信息的录入",
        "2. 信息的使用",
        "3. 信息的公开",
        "4. 信息的准确性",
        "5. 信息更改与删除",
        "6. 版权、商标权",
    ]:
        assert heading in html
    for step in ["确认服务协议", "填写帐号信息", "申请应用系统", "注册成功"]:
        assert step in html
    assert 'aria-current="step"' in html


def test_step1_must_be_ticked_to_go_on(client):
    response = client.post(STEP1, {})
    assert response.status_code == 200
    assert "请先阅读服务协议" in response.content.decode()
    assert client.get(STEP2).url == STEP1


def test_step1_ticked_leads_to_step2(client):
    response = client.post(STEP1, {"agree": "on"})
    assert response.url == STEP2
    html = client.get(STEP2).content.decode()
    for label in ["登录帐号", "检测登录帐号", "该验证码为检测登录帐号时使用", "密码", "确认密码", "注册验证码",
                  "该验证码为确认注册时使用", "姓名", "请用实名注册", "证件类型", "证件号码",
                  "每个证件号码只能注册一个帐户", "所在单位", "固定电话", "XXX-XXXXXXX", "移动电话", "电子邮件",
                  "个人说明", "本人承诺以上填报资料真实准确"]:  # fmt: skip
        assert label in html, label
    for id_type in [
        "居民身份证",
        "港澳居民来往内地通行证",
        "台湾居民来往大陆通行证",
        "港澳台居民居住证",
        "外国人永久居留身份证",
        "护照",
    ]:
        assert id_type in html


def test_the_whole_wizard_creates_the_account(at_step3):
    client = at_step3
    html = client.get(STEP3).content.decode()
    assert "人才引进申办系统" in html and "本安装未提供" in html
    talent = Subsystem.objects.get(slug=TALENT_SUBSYSTEM_SLUG)
    response = client.post(STEP3, {"subsystems": [talent.pk], "action": "submit"})
    assert response.url == DONE
    user = User.objects.get(username="wang_wu01")
    assert user.full_name == "王五" and user.id_number == "11010519491231002X"
    assert user.check_password(PASSWORD)
    assert UserSubsystem.objects.filter(user=user, subsystem=talent).exists()
    done = client.get(DONE).content.decode()
    assert "注册成功" in done and "wang_wu01" in done
    assert reverse("accounts:login") + "?username=wang_wu01" in done
    # The wizard's answers (and the password hash) are gone from the session.
    assert "registration" not in client.session


def test_the_session_never_holds_the_password_in_clear(agreed):
    agreed.post(STEP2, {**valid_data(), "action": "next"})
    wizard = agreed.session["registration"]
    assert PASSWORD not in str(wizard)
    assert wizard["password_hash"].startswith(("md5$", "pbkdf2_sha256$"))


def test_a_failed_step2_shows_every_error_and_keeps_every_entry(agreed):
    data = valid_data(username="1bad", id_number="110105194912310021", landline="12345", promise=None)
    response = agreed.post(STEP2, {**data, "action": "next"})
    html = response.content.decode()
    assert response.status_code == 200
    assert (
        "须以英文字母开头" in html
        and "校验位不正确" in html
        and "XXX-XXXXXXX格式" in html
        and "勾选本人承诺" in html
    )
    assert "请按提示修改标红的项目" in html
    for kept in ['value="1bad"', 'value="110105194912310021"', 'value="王五"', 'value="13900139000"',
                 'value="wangwu@example.com"', 'value="广州天河软件科技有限公司"']:  # fmt: skip
        assert kept in html, kept
    assert PASSWORD not in html  # passwords are never echoed back


def test_back_from_step2_keeps_what_was_typed(agreed):
    agreed.post(STEP2, {**valid_data(username="half_done", mobile="139"), "action": "back"})
    html = agreed.get(STEP2).content.decode()
    assert 'value="half_done"' in html and 'value="139"' in html and 'value="王五"' in html
    assert "checked" in agreed.get(STEP1).content.decode()


def test_back_from_step3_keeps_the_answers_and_the_password(at_step3):
    client = at_step3
    client.post(STEP3, {"action": "back"})
    html = client.get(STEP2).content.decode()
    assert 'value="wang_wu01"' in html and 'value="11010519491231002X"' in html
    assert "已设置密码" in html
    # Looking at step 2 again changes nothing: step 3 is still open with the confirmed answers.
    assert client.get(STEP3).status_code == 200
    # Confirming step 2 again (a new captcha) works with the password fields left empty.
    response = client.post(STEP2, {**valid_data(password="", password2=""), "action": "next"})
    assert response.url == STEP3
    client.post(STEP3, {"action": "submit"})
    assert User.objects.get(username="wang_wu01").check_password(PASSWORD)


def test_step3_cannot_be_reached_without_step2(agreed):
    assert agreed.get(STEP3).url == STEP2


def test_the_talent_system_is_offered_ticked_and_can_be_left_out(at_step3):
    html = at_step3.get(STEP3).content.decode()
    assert "checked" in html
    at_step3.post(STEP3, {"action": "submit"})
    assert not UserSubsystem.objects.filter(user__username="wang_wu01").exists()


def test_someone_taking_the_id_number_meanwhile_sends_the_user_back(at_step3):
    factories.UserFactory(id_number="11010519491231002X")
    response = at_step3.post(STEP3, {"action": "submit"})
    assert response.url == STEP2
    html = at_step3.get(STEP2).content.decode()
    assert "每个证件号码只能注册一个帐户" in html
    assert not User.objects.filter(username="wang_wu01").exists()


def test_username_check_answers_in_json_with_a_fresh_captcha(agreed):
    ajax = {"HTTP_X_REQUESTED_WITH": "XMLHttpRequest"}
    check = {"action": "check_username", "check_captcha_0": "k", "check_captcha_1": "PASSED"}
    free = agreed.post(STEP2, {**check, "username": "free_name"}, **ajax).json()
    assert free["ok"] and free["message"] == "该登录帐号可以使用。"
    assert free["captcha"]["key"] and free["captcha"]["image_url"].startswith("/captcha/image/")
    factories.UserFactory(username="taken_name")
    taken = agreed.post(STEP2, {**check, "username": "TAKEN_NAME"}, **ajax).json()
    assert not taken["ok"] and "已被注册" in taken["message"]
    bad = agreed.post(STEP2, {**check, "username": "9x"}, **ajax).json()
    assert not bad["ok"] and "须以英文字母开头" in bad["message"]
    wrong_captcha = agreed.post(
        STEP2, {**check, "username": "free_name", "check_captcha_1": "x"}, **ajax
    ).json()
    assert not wrong_captcha["ok"] and "验证码错误" in wrong_captcha["message"]


def test_username_check_without_javascript_keeps_the_form(agreed):
    data = {**valid_data(), "action": "check_username", "check_captcha_0": "k", "check_captcha_1": "PASSED"}
    response = agreed.post(STEP2, data)
    html = response.content.decode()
    assert "该登录帐号可以使用。" in html
    assert 'value="王五"' in html and 'value="13900139000"' in html
    # A check is not the step: no field errors appear, and step 3 is not open.
    assert "请按提示修改" not in html
    assert agreed.get(STEP3).url == STEP2


def test_a_logged_in_user_is_not_offered_registration(applicant_client):
    assert applicant_client.get(STEP1).url == reverse("portal:home")


def test_done_page_without_a_registration_goes_to_step1(client):
    assert client.get(DONE).url == STEP1
