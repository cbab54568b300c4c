"""Forms of the card pages: parse and explain, nothing else."""

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from accounts.forms import PortalCaptchaField
from hukou_card import numbers

NUMBER_HELP = _("入户卡左上方的17位数字。")
CODE_HELP = _("入户卡右上方的6位验证码（字母和数字，不区分大小写）。")


def clean_card_number(value: str) -> str:
    number = "".join((value or "").split())
    if not (number.isascii() and number.isdigit()) or len(number) != numbers.CARD_NUMBER_LENGTH:
        raise forms.ValidationError(
            gettext("入户卡卡号应为%(length)s位数字，请对照入户卡核对后重新输入。")
            % {"length": numbers.CARD_NUMBER_LENGTH}
        )
    if not numbers.is_valid_card_number(number):
        raise forms.ValidationError(gettext("入户卡卡号有误（校验位不符），请逐位核对。"))
    return number


class VerifyForm(forms.Form):
    """The public check by card number and the code printed on the card (captcha against guessing)."""

    number = forms.CharField(
        label=_("入户卡卡号"),
        max_length=30,
        help_text=NUMBER_HELP,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    code = forms.CharField(
        label=_("卡面验证码"),
        max_length=12,
        help_text=CODE_HELP,
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters"}),
    )
    captcha = PortalCaptchaField(
        label=_("验证码"), error_messages={"invalid": _("验证码不正确，请重新输入。")}
    )

    def clean_number(self):
        return clean_card_number(self.cleaned_data["number"])

    def clean_code(self):
        code = numbers.normalise_code(self.cleaned_data["code"])
        if len(code) != numbers.CODE_LENGTH or any(c not in numbers.CODE_ALPHABET for c in code):
            raise forms.ValidationError(
                gettext("卡面验证码为%(length)s位字母和数字，请对照入户卡重新输入。")
                % {"length": numbers.CODE_LENGTH}
            )
        return code


class PoliceLookupForm(forms.Form):
    number = forms.CharField(
        label="入户卡卡号",
        max_length=30,
        help_text=NUMBER_HELP,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off", "autofocus": True}),
    )

    def clean_number(self):
        return clean_card_number(self.cleaned_data["number"])


class CancelForm(forms.Form):
    """放弃入户: the applicant must say they understand what is lost."""

    confirm = forms.BooleanField(
        label=_("本人确认放弃入户，知悉注销主迁人入户卡时随迁人入户卡将一并注销，且注销后不能恢复。"),
        error_messages={"required": _("请勾选确认后再提交注销申请。")},
    )
    reason = forms.CharField(
        label=_("放弃原因（选填）"),
        required=False,
        max_length=150,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
