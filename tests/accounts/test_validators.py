import datetime

import pytest
from django.core.exceptions import ValidationError

from accounts.validators import (
    PortalPasswordValidator,
    id_check_char,
    validate_credit_code,
    validate_full_name,
    validate_id_number,
    validate_landline,
    validate_mobile,
    validate_username,
)


def test_design_sample_resident_id_is_valid_and_tells_birth_and_gender():
    facts = validate_id_number("resident_id", "11010519491231002X")
    assert facts.birth_date == datetime.date(1949, 12, 31)
    assert facts.gender == "女"


def test_lowercase_x_is_accepted():
    assert validate_id_number("resident_id", "11010519491231002x").gender == "女"


@pytest.mark.parametrize(
    "number, message",
    [
        ("110105194912310021", "校验位不正确"),
        ("11010519491231002", "应为18位"),
        ("1101051949123100AX", "前17位应为数字"),
        ("110105194913310020", "出生日期"),
        ("990105194912310020", None),
    ],
)
def test_bad_resident_ids_are_refused_with_a_reason(number, message):
    with pytest.raises(ValidationError) as excinfo:
        validate_id_number("resident_id", number)
    if message:
        assert message in excinfo.value.messages[0]


def test_resident_id_from_the_future_is_refused():
    first17 = f"440106{datetime.date.today().year + 1}0101001"
    with pytest.raises(ValidationError, match="出生日期"):
        validate_id_number("resident_id", first17 + id_check_char(first17))


@pytest.mark.parametrize("number", ["H12345678", "M1234567890"])
def test_hk_macao_permit(number):
    assert validate_id_number("hk_macao_permit", number) is None


@pytest.mark.parametrize("number", ["X12345678", "H1234567", "H123456789"])
def test_bad_hk_macao_permit(number):
    with pytest.raises(ValidationError, match="H或M开头"):
        validate_id_number("hk_macao_permit", number)


def test_taiwan_permit():
    assert validate_id_number("taiwan_permit", "12345678") is None
    with pytest.raises(ValidationError, match="8位或10位"):
        validate_id_number("taiwan_permit", "123456789")


def test_hmt_residence_permit_uses_the_id_check_character():
    first17 = "81000019900101001"
    assert validate_id_number("hmt_residence", first17 + id_check_char(first17)).gender == "男"
    with pytest.raises(ValidationError, match="810000、820000或830000"):
        validate_id_number("hmt_residence", "11010519491231002X")


def test_foreign_permanent_residence_id():
    first17 = "93315619850506001"
    assert validate_id_number(
        "foreign_permanent", first17 + id_check_char(first17)
    ).birth_date == datetime.date(1985, 5, 6)
    with pytest.raises(ValidationError, match="应以9开头"):
        validate_id_number("foreign_permanent", "11010519491231002X")


def test_passport():
    assert validate_id_number("passport", "E12345678") is None
    with pytest.raises(ValidationError):
        validate_id_number("passport", "E1-23")


@pytest.mark.parametrize("name", ["ab", "zhang_san1", "A" + "b" * 19])
def test_good_usernames(name):
    validate_username(name)


@pytest.mark.parametrize("name", ["a", "1abc", "_abc", "zhang-san", "A" + "b" * 20, "张三"])
def test_bad_usernames(name):
    with pytest.raises(ValidationError, match="只能以字母开头"):
        validate_username(name)


@pytest.mark.parametrize("password", ["", "ab12", "abc123!", "a" * 21 + "1", "abcdefg", "1234567"])
def test_bad_passwords(password):
    with pytest.raises(ValidationError):
        PortalPasswordValidator().validate(password)


def test_good_password():
    PortalPasswordValidator().validate("Abc12345")


def test_phones():
    validate_landline("020-83123456")
    validate_mobile("13800138000")
    with pytest.raises(ValidationError, match="XXX-XXXXXXX"):
        validate_landline("83123456")
    with pytest.raises(ValidationError, match="11位"):
        validate_mobile("2380013800")


def test_credit_code():
    validate_credit_code("91350100M000100Y43")
    with pytest.raises(ValidationError, match="校验位"):
        validate_credit_code("91350100M000100Y44")
    with pytest.raises(ValidationError, match="18位"):
        validate_credit_code("91350100M000100Y4O")


@pytest.mark.parametrize("name", ["王五", "欧阳小明", "阿依古丽·买买提", "John Smith", "Mary-Jane O'Neil"])
def test_real_names_are_accepted(name):
    validate_full_name(name)


@pytest.mark.parametrize("name", ["", "王", "王5", "张三@", "·王五", "12", "王 五 ！"])
def test_names_that_cannot_be_on_an_identity_document_are_refused(name):
    with pytest.raises(ValidationError) as excinfo:
        validate_full_name(name)
    assert "姓名" in excinfo.value.messages[0]


@pytest.mark.parametrize(
    "id_type, number",
    [
        ("resident_id", "11010519491231002X"),
        ("hk_macao_permit", "H12345678"),
        ("taiwan_permit", "1234567890"),
        ("hmt_residence", "810000199001010010"),
        ("foreign_permanent", "933156198505060019"),
        ("passport", "E12345678"),
    ],
)
def test_each_id_type_has_a_valid_example(id_type, number):
    if id_type in ("hmt_residence", "foreign_permanent"):
        number = number[:17] + id_check_char(number[:17])
    validate_id_number(id_type, number)


def test_unknown_id_type_is_refused():
    with pytest.raises(ValidationError, match="证件类型"):
        validate_id_number("driving_licence", "123456")


def test_the_password_hint_names_the_common_password_check_that_applies():
    from django.conf import settings
    from django.contrib.auth.password_validation import validate_password
    from django.core.exceptions import ValidationError

    from accounts.validators import PASSWORD_HELP

    validators = [v["NAME"] for v in settings.AUTH_PASSWORD_VALIDATORS]
    assert "django.contrib.auth.password_validation.CommonPasswordValidator" in validators
    assert "常见的简单密码" in PASSWORD_HELP
    # The examples in the hint are refused, as the hint says.
    for example in ("123456", "abc123", "password"):
        try:
            validate_password(example)
        except ValidationError as exc:
            assert any("常见" in m for m in exc.messages), (example, exc.messages)
        else:
            raise AssertionError(f"{example} was accepted")
