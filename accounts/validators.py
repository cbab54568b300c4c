"""Identity and account rules (DESIGN.md §5), with the messages the forms show beside each field."""

import datetime
import re
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

# ISO 7064 MOD 11-2, as used by GB 11643 (居民身份证) and the 港澳台/外国人 documents built on it.
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK_CHARS = "10X98765432"

# GB/T 2260 province-level codes that a 居民身份证 can start with.
_PROVINCE_CODES = {
    "11", "12", "13", "14", "15", "21", "22", "23", "31", "32", "33", "34", "35", "36", "37",
    "41", "42", "43", "44", "45", "46", "50", "51", "52", "53", "54", "61", "62", "63", "64", "65",
}  # fmt: skip

USERNAME_RE = re.compile(r"^[A-Za-z][A-Za-z0-9_]{1,19}$")
PASSWORD_RE = re.compile(r"^[A-Za-z0-9]{6,20}$")
LANDLINE_RE = re.compile(r"^0\d{2,3}-\d{7,8}(-\d{1,6})?$")
MOBILE_RE = re.compile(r"^1[3-9]\d{9}$")
HK_MACAO_PERMIT_RE = re.compile(r"^[HM](\d{8}|\d{10})$")
TAIWAN_PERMIT_RE = re.compile(r"^(\d{8}|\d{10})$")
PASSPORT_RE = re.compile(r"^[A-Z0-9]{5,17}$")

USERNAME_HELP = _("登录帐号只能由字母、下划线、数字组成，只能以字母开头，长度为2~20位。")
# The hint names every check the password meets: this validator and Django's CommonPasswordValidator
# (settings.AUTH_PASSWORD_VALIDATORS), which refuses the 20,000 most common passwords.
PASSWORD_HELP = _(
    "密码长度6~20位（数字-字母），请不要使用特殊符号，如：【^*%/!=$&】；常见的简单密码（如 123456、abc123、password）不能使用。"
)  # noqa: S105,E501 - a help text, not a password
LANDLINE_HELP = _("请填写固定电话，电话号码按XXX-XXXXXXX格式填写。")
MOBILE_HELP = _("请填写手机号码。")


@dataclass(frozen=True)
class IdFacts:
    """What an identity number itself tells: birth date and gender ("男"/"女")."""

    birth_date: datetime.date
    gender: str


def id_check_char(first17: str) -> str:
    total = sum(int(digit) * weight for digit, weight in zip(first17, _ID_WEIGHTS, strict=True))
    return _ID_CHECK_CHARS[total % 11]


def normalize_id_number(number: str) -> str:
    return (number or "").strip().replace(" ", "").upper()


def _birth_date(digits: str) -> datetime.date | None:
    try:
        born = datetime.date(int(digits[0:4]), int(digits[4:6]), int(digits[6:8]))
    except ValueError:
        return None
    try:
        validate_birth_date(born)
    except ValidationError:
        return None
    return born


def validate_birth_date(value: datetime.date | None) -> None:
    """A typed birth date (documents without one in the number) is held to the same bounds as a
    birth date read from an identity number."""
    if value is None:
        return
    if value.year < 1900:
        raise ValidationError(_("出生日期不能早于1900年1月1日，请按证件填写。"), code="birth_date")
    if value > timezone.localdate():
        raise ValidationError(_("出生日期不能晚于今天，请按证件填写。"), code="birth_date")


def _check_mod11_number(number: str, *, kind: str) -> IdFacts:
    """Shared checks of 18-character numbers with a birth date at 7–14 and a MOD 11-2 check character."""
    if len(number) != 18:
        raise ValidationError(
            gettext("%(kind)s号码应为18位，当前为%(count)d位。") % {"kind": kind, "count": len(number)},
            code="length",
        )
    if not re.fullmatch(r"\d{17}[\dX]", number):
        raise ValidationError(
            gettext("%(kind)s号码前17位应为数字，最后一位为数字或字母X。") % {"kind": kind}, code="format"
        )
    born = _birth_date(number[6:14])
    if born is None:
        raise ValidationError(
            gettext("%(kind)s号码中的出生日期（第7~14位）无效。") % {"kind": kind}, code="birth_date"
        )
    if id_check_char(number[:17]) != number[17]:
        raise ValidationError(
            gettext("%(kind)s号码校验位不正确，请核对后重新填写。") % {"kind": kind}, code="checksum"
        )
    # A stored value compared with the 申报表's choices, not a text: never translated.
    gender = "男" if int(number[16]) % 2 == 1 else "女"
    return IdFacts(birth_date=born, gender=gender)


def validate_resident_id(number: str) -> IdFacts:
    number = normalize_id_number(number)
    facts = _check_mod11_number(number, kind=_("居民身份证"))
    if number[:2] not in _PROVINCE_CODES:
        raise ValidationError(_("居民身份证号码的地区码（前6位）无效。"), code="region")
    return facts


def validate_hmt_residence_permit(number: str) -> IdFacts:
    number = normalize_id_number(number)
    if number[:6] not in {"810000", "820000", "830000"}:
        raise ValidationError(_("港澳台居民居住证号码应以810000、820000或830000开头。"), code="region")
    return _check_mod11_number(number, kind=_("港澳台居民居住证"))


def validate_foreign_permanent_id(number: str) -> IdFacts:
    number = normalize_id_number(number)
    if not number.startswith("9"):
        raise ValidationError(_("外国人永久居留身份证号码（2023版）应以9开头。"), code="format")
    return _check_mod11_number(number, kind=_("外国人永久居留身份证"))


def validate_id_number(id_type: str, number: str) -> IdFacts | None:
    """Validate `number` as a document of `id_type` (accounts.models.IdType values).

    Returns the birth date and gender when the number carries them, None otherwise.
    """
    number = normalize_id_number(number)
    if not number:
        raise ValidationError(_("请填写证件号码。"), code="required")
    if id_type == "resident_id":
        return validate_resident_id(number)
    if id_type == "hmt_residence":
        return validate_hmt_residence_permit(number)
    if id_type == "foreign_permanent":
        return validate_foreign_permanent_id(number)
    if id_type == "hk_macao_permit":
        if not HK_MACAO_PERMIT_RE.match(number):
            raise ValidationError(
                _("港澳居民来往内地通行证号码应为H或M开头，后接8位或10位数字。"), code="format"
            )
        return None
    if id_type == "taiwan_permit":
        if not TAIWAN_PERMIT_RE.match(number):
            raise ValidationError(_("台湾居民来往大陆通行证号码应为8位或10位数字。"), code="format")
        return None
    if id_type == "passport":
        if not PASSPORT_RE.match(number):
            raise ValidationError(_("护照号码应为5~17位字母或数字。"), code="format")
        return None
    raise ValidationError(_("请正确选择证件类型。"), code="id_type")


def id_facts(id_type: str, number: str) -> IdFacts | None:
    """Birth date and gender from a number already validated; None when the document has none."""
    try:
        return validate_id_number(id_type, number)
    except ValidationError:
        return None


def validate_username(value: str) -> None:
    if not USERNAME_RE.match(value or ""):
        raise ValidationError(USERNAME_HELP, code="username")


def validate_landline(value: str) -> None:
    if value and not LANDLINE_RE.match(value):
        raise ValidationError(
            _("固定电话格式不正确，请按XXX-XXXXXXX格式填写，如020-83123456。"), code="landline"
        )


def validate_mobile(value: str) -> None:
    if value and not MOBILE_RE.match(value):
        raise ValidationError(_("手机号码应为以1开头的11位数字。"), code="mobile")


# GB 32100-2015 统一社会信用代码: 18 characters of this 31-character alphabet (no I, O, Z, S, V).
_CREDIT_CODE_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_CREDIT_CODE_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def credit_code_check_char(first17: str) -> str:
    total = sum(_CREDIT_CODE_CHARS.index(c) * w for c, w in zip(first17, _CREDIT_CODE_WEIGHTS, strict=True))
    return _CREDIT_CODE_CHARS[(31 - total % 31) % 31]


def validate_credit_code(value: str) -> None:
    code = normalize_id_number(value)
    if len(code) != 18 or any(c not in _CREDIT_CODE_CHARS for c in code):
        raise ValidationError(
            _("统一社会信用代码应为18位数字或大写字母（不含I、O、Z、S、V）。"), code="credit_code_format"
        )
    if not code[2:8].isdigit():
        raise ValidationError(
            _("统一社会信用代码第3~8位应为登记管理机关行政区划码。"), code="credit_code_region"
        )
    if credit_code_check_char(code[:17]) != code[17]:
        raise ValidationError(
            _("统一社会信用代码校验位不正确，请核对营业执照。"), code="credit_code_checksum"
        )


class PortalPasswordValidator:
    """Seed rule: letters and digits only, 6–20 characters; we also ask for at least one of each."""

    def validate(self, password: str, user=None) -> None:
        if not PASSWORD_RE.match(password or ""):
            raise ValidationError(
                _("密码长度应为6~20位，只能由数字和字母组成，请不要使用特殊符号。"), code="password_format"
            )
        if password.isdigit() or password.isalpha():
            raise ValidationError(_("密码须同时包含字母和数字。"), code="password_mix")

    def get_help_text(self) -> str:
        return PASSWORD_HELP


# 实名制 (seed: 请用实名注册): the name as printed on the identity document. Chinese names may carry
# the interpunct of minority and foreign names (阿依古丽·买买提); foreign names use Latin letters.
FULL_NAME_RE = re.compile(r"^(?:[\u3400-\u9fff\uf900-\ufaff·•．.]{2,30}|[A-Za-z][A-Za-z .'\-·]{1,49})$")
FULL_NAME_HELP = _("必填项。请用实名注册，填写证件上的姓名。")


def validate_full_name(value: str) -> None:
    name = (value or "").strip()
    if not name:
        raise ValidationError(_("请填写姓名。"), code="required")
    if not FULL_NAME_RE.match(name) or name[0] in "·•．.":
        raise ValidationError(
            _(
                "姓名应与证件一致：2~30个汉字（少数民族姓名可含间隔号“·”），或证件上的外文姓名，不能含数字或其他符号。"
            ),
            code="full_name",
        )
