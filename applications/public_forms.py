"""Forms of the two public services without login: 一键测试 and 申报进度查询.

They parse input only. The self-test's verdict comes from applications.eligibility (the rules that
decide at submission); the progress query's answer from applications.selectors.
"""

import datetime

from django import forms
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from accounts.forms import captcha_field
from accounts.validators import normalize_id_number, validate_birth_date
from applications.choices import Degree, Education, ProfessionalTitle, SkillLevel
from applications.eligibility import ANSWER_FIELDS, Answers
from applications.forms import CategoryForm
from applications.models import Application

# The first 申报年度 the progress query offers: the 办法 (穗府办规〔2020〕10号) took effect in 2020.
FIRST_YEAR = 2020


def _select(label: str, choices, *, help_text: str = "") -> forms.ChoiceField:
    return forms.ChoiceField(
        label=label,
        choices=[("", _("—— 请选择 ——")), *choices],
        help_text=help_text,
        error_messages={
            "required": format_lazy(_("请选择{label}。"), label=label),
            "invalid_choice": format_lazy(_("请重新选择{label}。"), label=label),
        },
    )


def _text(name: str, help_text: str) -> forms.CharField:
    label = Application._meta.get_field(name).verbose_name
    return forms.CharField(
        label=label,
        required=False,
        max_length=Application._meta.get_field(name).max_length,
        help_text=help_text,
        error_messages={
            # %(limit_value)d is Django's own placeholder, filled when the error is raised.
            "max_length": format_lazy(_("{label}不能超过%(limit_value)d个字符。"), label=label)
        },
    )


class SelfTestForm(CategoryForm):
    """一键测试: the person's answers the rules read (eligibility.ANSWER_FIELDS), as in 个人信息."""

    birth_date = forms.DateField(
        label=_("出生日期"),
        validators=[validate_birth_date],
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=_("年龄按今天提交申报计算（“45周岁以下”含45周岁）。"),
        error_messages={
            "required": _("请填写出生日期。"),
            "invalid": _("出生日期格式不正确，请按年-月-日填写，如1990-06-01。"),
        },
    )
    education = _select(
        _("学历"), Education.choices, help_text=_("填写最高学历；申报学历类（三）须为全日制本科。")
    )
    degree = _select(_("学位"), Degree.choices, help_text=_("国（境）外学位须经教育部留学服务中心认证。"))
    professional_title = _select(_("职称"), ProfessionalTitle.choices, help_text=_("没有职称的请选择“无”。"))
    skill_qualification = _select(
        _("技能人员职业资格"), SkillLevel.choices, help_text=_("国家职业资格等级；没有的请选择“无”。")
    )
    professional_qualification = _text(
        "professional_qualification", _("申报技能类（一）时填写，如：注册会计师、一级建造师。")
    )
    skill_occupation = _text(
        "skill_occupation", _("技能类人才填写，须列入《广州市引进技术技能人才职业目录》。")
    )
    shortage_occupation = _text("shortage_occupation", _("申报技能类（五）时填写。"))
    high_level_title = _text("high_level_title", _("申报高层次、高技能人才时填写所获称号或荣誉的全称。"))
    position = _text("position", _("申报五、其他（四）时填写在用人单位担任的职务。"))
    social_insurance_months = forms.IntegerField(
        label=_("在穗社保缴费月数"),
        min_value=0,
        max_value=600,
        help_text=_("截至今天在广州市缴纳社会保险的月数；技能类人才须满6个月。"),
        error_messages={
            "required": _("请填写在穗社保缴费月数（没有的填0）。"),
            "invalid": _("请填写整数月数，如：12。"),
            "min_value": _("月数不能为负数。"),
            "max_value": _("月数不能超过600。"),
        },
    )

    def answers(self) -> Answers:
        """The cleaned answers as the rules read them (call after is_valid())."""
        data = self.cleaned_data
        values = {name: data.get(name) for name in ANSWER_FIELDS}
        for name, value in values.items():
            if isinstance(value, str):
                values[name] = value.strip()
        return Answers(**values)

    def session_data(self) -> dict:
        """The answers as the form posts them, JSON-safe: kept in the session across the login."""
        data = self.cleaned_data
        stored = {"category": data["subcategory"].category.code, "subcategory": data["subcategory"].code}
        for name in ANSWER_FIELDS:
            if name == "subcategory":
                continue
            value = data.get(name)
            if isinstance(value, datetime.date):
                value = value.isoformat()
            stored[name] = "" if value is None else str(value)
        return stored


class ProgressQueryForm(forms.Form):
    """申报进度查询: the four facts only the applicant (or their employer) knows together, and a captcha."""

    year = forms.TypedChoiceField(
        label=_("申报年度"),
        coerce=int,
        error_messages={"required": _("请选择申报年度。"), "invalid_choice": _("请重新选择申报年度。")},
    )
    employer_name = forms.CharField(
        label=_("单位名称"),
        max_length=120,
        help_text=_("申报时所填迁入单位的全称，与营业执照一致。"),
        error_messages={"required": _("请填写单位名称。"), "max_length": _("单位名称不能超过120个字符。")},
    )
    full_name = forms.CharField(
        label=_("姓名"),
        max_length=50,
        error_messages={"required": _("请填写姓名。"), "max_length": _("姓名不能超过50个字符。")},
    )
    id_number = forms.CharField(
        label=_("证件号码"),
        max_length=20,
        help_text=_("申报时所用证件的号码，如居民身份证号码。"),
        error_messages={"required": _("请填写证件号码。"), "max_length": _("证件号码不能超过20位。")},
    )
    captcha = captcha_field()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        this_year = timezone.localdate().year
        years = [
            (year, gettext("%(year)s年") % {"year": year}) for year in range(this_year, FIRST_YEAR - 1, -1)
        ]
        self.fields["year"].choices = [("", _("—— 请选择 ——")), *years]

    def clean_employer_name(self) -> str:
        return " ".join(self.cleaned_data["employer_name"].split())

    def clean_full_name(self) -> str:
        return " ".join(self.cleaned_data["full_name"].split())

    def clean_id_number(self) -> str:
        return normalize_id_number(self.cleaned_data["id_number"])
