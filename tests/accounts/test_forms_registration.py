"""Registration step 2 (填写帐号信息): each field's rule and the message shown beside it."""

import pytest

from accounts.forms import AccountInfoForm, UsernameCheckForm
from tests import factories

pytestmark = pytest.mark.django_db

PASSWORD = "Gz2026abc"


def valid_data(**changes) -> dict:
    data = {
        "username": "wang_wu01",
        "password": PASSWORD,
        "password2": PASSWORD,
        "captcha_0": "anykey",
        "captcha_1": "PASSED",
        "full_name": "王五",
        "id_type": "resident_id",
        "id_number": "11010519491231002X",
        "workplace": "广州天河软件科技有限公司",
        "landline": "020-83123456",
        "mobile": "13900139000",
        "email": "wangwu@example.com",
        "personal_note": "",
        "promise": "on",
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


def test_valid_answers_pass_and_the_draft_keeps_no_secret():
    form = AccountInfoForm(valid_data())
    assert form.is_valid(), form.errors
    draft = form.draft()
    assert draft["id_number"] == "11010519491231002X"
    assert "password" not in draft and "password2" not in draft and "captcha" not in draft


def test_id_number_is_normalised_to_upper_case():
    form = AccountInfoForm(valid_data(id_number=" 11010519491231002x "))
    assert form.is_valid(), form.errors
    assert form.cleaned_data["id_number"] == "11010519491231002X"


@pytest.mark.parametrize(
    "field, value, message",
    [
        ("username", "", "请填写登录帐号"),
        ("username", "1wang", "须以英文字母开头"),
        ("username", "_wang", "须以英文字母开头"),
        ("username", "wang-wu", "只能由英文字母、数字和下划线组成"),
        ("username", "王五", "须以英文字母开头"),
        ("username", "w", "长度应为2~20位，当前为1位"),
        ("username", "w" * 21, "长度应为2~20位，当前为21位"),
        ("password", "abc12", "6~20位"),
        ("password", "abc123!@", "不要使用特殊符号"),
        ("password", "abcdefgh", "同时包含字母和数字"),
        ("password", "a1" * 11, "6~20位"),
        ("captcha_1", "WRONG", "验证码错误"),
        ("captcha_1", "", "请输入验证码"),
        ("full_name", "", "请填写姓名"),
        ("full_name", "王5", "姓名应与证件一致"),
        ("id_number", "", "请填写证件号码"),
        ("id_number", "110105194912310021", "校验位不正确"),
        ("id_number", "11010519491231002", "应为18位"),
        ("id_number", "110105194913310028", "出生日期"),
        ("landline", "83123456", "XXX-XXXXXXX"),
        ("landline", "020-83", "XXX-XXXXXXX"),
        ("mobile", "", "请填写手机号码"),
        ("mobile", "23900139000", "以1开头的11位数字"),
        ("mobile", "1390013900", "以1开头的11位数字"),
        ("email", "", "请填写电子邮件"),
        ("email", "wangwu@", "电子邮件格式不正确"),
        ("personal_note", "说" * 501, "不能超过500字"),
        ("promise", None, "勾选本人承诺"),
    ],
)
def test_each_field_rule_gives_its_own_message(field, value, message):
    form = AccountInfoForm(valid_data(**{field: value}))
    assert not form.is_valid()
    target = "captcha" if field.startswith("captcha") else field
    shown = " ".join(form.errors.get(target, []))
    assert message in shown, form.errors
    # Only the broken field complains.
    others = set(form.errors) - {target}
    assert not others, form.errors


def test_password_confirmation_must_match():
    form = AccountInfoForm(valid_data(password2="Gz2026abd"))
    assert not form.is_valid()
    assert "两次输入的密码不一致" in form.errors["password2"][0]


def test_common_password_is_refused():
    form = AccountInfoForm(valid_data(password="abc12345", password2="abc12345"))
    assert not form.is_valid()
    assert "password" in form.errors


@pytest.mark.parametrize(
    "id_type, number, message",
    [
        ("hk_macao_permit", "X12345678", "H或M开头"),
        ("taiwan_permit", "123", "8位或10位"),
        ("hmt_residence", "11010519491231002X", "810000、820000或830000"),
        ("foreign_permanent", "11010519491231002X", "应以9开头"),
        ("passport", "E1-23", "5~17位"),
        ("driving_licence", "E12345678", "请正确选择证件类型"),
    ],
)
def test_each_id_type_checks_its_own_format(id_type, number, message):
    form = AccountInfoForm(valid_data(id_type=id_type, id_number=number))
    assert not form.is_valid()
    shown = " ".join(form.errors.get("id_number", []) + form.errors.get("id_type", []))
    assert message in shown


def test_hk_macao_permit_holder_can_register():
    form = AccountInfoForm(valid_data(id_type="hk_macao_permit", id_number="h12345678"))
    assert form.is_valid(), form.errors
    assert form.cleaned_data["id_number"] == "H12345678"


def test_an_id_number_already_registered_is_refused():
    factories.UserFactory(id_number="11010519491231002X")
    form = AccountInfoForm(valid_data())
    assert not form.is_valid()
    assert "每个证件号码只能注册一个帐户" in form.errors["id_number"][0]


def test_a_taken_username_is_refused_whatever_its_case():
    factories.UserFactory(username="Wang_Wu01")
    form = AccountInfoForm(valid_data(username="wang_wu01"))
    assert not form.is_valid()
    assert "已被注册" in form.errors["username"][0]


def test_every_error_is_reported_at_once():
    form = AccountInfoForm({"captcha_0": "k", "captcha_1": "", "id_type": "resident_id"})
    assert not form.is_valid()
    assert {"username", "password", "password2", "captcha", "full_name", "id_number", "mobile", "email",
            "promise"} <= set(form.errors)  # fmt: skip


def test_a_kept_password_lets_the_step_pass_without_retyping():
    form = AccountInfoForm(valid_data(password="", password2=""), has_stored_password=True)
    assert form.is_valid(), form.errors
    assert form.cleaned_data["password"] == ""


def test_username_check_form_needs_its_own_captcha():
    form = UsernameCheckForm({"username": "wang_wu01", "check_captcha_0": "k", "check_captcha_1": "nope"})
    assert not form.is_valid()
    assert "验证码错误" in form.errors["check_captcha"][0]
    form = UsernameCheckForm({"username": "wang_wu01", "check_captcha_0": "k", "check_captcha_1": "passed"})
    assert form.is_valid()
    assert form.is_available()
    factories.UserFactory(username="WANG_WU01")
    assert not form.is_available()
