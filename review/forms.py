"""Forms of the review console and the public notice: parse and check input, nothing more."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from accounts.forms import CaptchaLoginForm, captcha_field
from accounts.models import STAFF_ROLES
from accounts.validators import LANDLINE_RE, MOBILE_RE
from applications.choices import Status
from applications.reference import reference_lists
from core.widgets import PlainSelect
from review.models import ServiceRating
from review.selectors import APPLICATION_NUMBER_RE, QueueFilters, RatingFilters


class ConsoleLoginForm(CaptchaLoginForm):
    """Staff login (/console/login/): the portal's username + password + captcha form, staff roles only.

    AuthenticationForm passes the request to authenticate(), which django-axes needs; a wrong
    captcha stops before the password is tried (accounts.forms.CaptchaLoginForm).
    """

    error_messages = {
        **CaptchaLoginForm.error_messages,
        "not_staff": "该帐号不是工作人员帐号。个人用户和单位系统管理员请从门户登录。",
    }

    def confirm_login_allowed(self, user):
        super().confirm_login_allowed(user)
        if user.role not in STAFF_ROLES:
            raise ValidationError(self.error_messages["not_staff"], code="not_staff")


def _subcategory_label(category_numeral: str, numeral: str, name: str) -> str:
    name = name if len(name) <= 24 else name[:24] + "…"
    return f"{category_numeral}{numeral}{name}"


STATUS_FILTER_CHOICES = [
    ("todo", "待办（待受理和审核中）"),
    ("all", "全部状态"),
    *[(value, label) for value, label in Status.choices if value != Status.DRAFT],
]


class QueueFilterForm(forms.Form):
    q = forms.CharField(
        label="搜索", required=False, max_length=50,
        widget=forms.TextInput(attrs={"placeholder": "申报编号、姓名或证件号码", "type": "search"}),
    )  # fmt: skip
    status = forms.ChoiceField(
        label="办理状态", choices=STATUS_FILTER_CHOICES, required=False, widget=PlainSelect
    )
    # Plain choices from the cached reference lists: the filter bar costs no query per page view.
    category = forms.TypedChoiceField(label="引进人才类别", coerce=int, required=False, empty_value=None, widget=PlainSelect)
    subcategory = forms.TypedChoiceField(label="具体类别", coerce=int, required=False, empty_value=None, widget=PlainSelect)
    district = forms.TypedChoiceField(label="入户所属区", coerce=int, required=False, empty_value=None, widget=PlainSelect)
    employer = forms.CharField(label="迁入单位", required=False, max_length=60)
    submitted_from = forms.DateField(
        label="提交日期自", required=False, widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"invalid": "请输入正确的日期，如 2025-10-09。"},
    )  # fmt: skip
    submitted_to = forms.DateField(
        label="至", required=False, widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"invalid": "请输入正确的日期，如 2025-10-09。"},
    )  # fmt: skip
    overdue = forms.BooleanField(label="只看已逾期", required=False)

    def __init__(self, *args, show_district: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        lists = reference_lists()
        self.fields["category"].choices = [("", "全部类别"), *lists["categories"]]
        self.fields["subcategory"].choices = [
            ("", "全部具体类别"),
            *[(pk, _subcategory_label(cat, num, name)) for pk, cat, num, name, _ in lists["subcategories"]],
        ]
        self.fields["district"].choices = [("", "全部区"), *lists["districts"]]
        if not show_district:
            del self.fields["district"]

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("submitted_from"), cleaned.get("submitted_to")
        if start and end and end < start:
            self.add_error("submitted_to", "结束日期不能早于开始日期。")
        return cleaned

    def to_filters(self) -> QueueFilters:
        """The filters to apply; fields that did not validate are left out (and shown with their error)."""
        data = self.cleaned_data if hasattr(self, "cleaned_data") else {}

        def value(name):
            return None if name in self.errors else data.get(name)

        return QueueFilters(
            status=value("status") or "todo",
            category_id=value("category"),
            subcategory_id=value("subcategory"),
            district_id=value("district"),
            employer=value("employer") or "",
            submitted_from=value("submitted_from"),
            submitted_to=value("submitted_to"),
            overdue=bool(value("overdue")),
            query=value("q") or "",
        )


class ReturnForm(forms.Form):
    items = forms.CharField(
        label="需补正事项（每行一项，请一次列全）",
        widget=forms.Textarea(
            attrs={"rows": 5, "placeholder": "例如：身份证附件不清晰，请重新上传彩色扫描件"}
        ),
        max_length=3000,
        error_messages={"required": "请列出需要申请人补正的全部事项（至少一项）。"},
    )

    def clean_items(self) -> list[str]:
        lines = []
        for line in self.cleaned_data["items"].splitlines():
            line = line.strip().lstrip("0123456789.、） ").strip()
            if line and line not in lines:
                lines.append(line)
        if not lines:
            raise ValidationError("请列出需要申请人补正的全部事项（至少一项）。")
        if any(len(line) > 200 for line in lines):
            raise ValidationError("每项补正事项请控制在200字以内。")
        return lines


def _reason_field(label: str, required_message: str, *, rows: int = 3) -> forms.CharField:
    return forms.CharField(
        label=label,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": rows}),
        error_messages={"required": required_message, "max_length": "请控制在1000字以内。"},
    )


class RejectForm(forms.Form):
    reason = _reason_field("审核不通过的理由", "请填写审核不通过的理由。")


class ExtendForm(forms.Form):
    reason = _reason_field("延长审核期限的理由", "请填写延长审核期限的理由。", rows=2)


class GrantForm(forms.Form):
    reason = _reason_field("开通再次申报权限的理由", "请填写开通再次申报权限的理由。", rows=2)


class BarForm(forms.Form):
    reason = _reason_field("查实提供虚假材料的事实和理由", "请填写认定提供虚假材料的事实和理由。")
    confirm = forms.BooleanField(
        label="已查实申请人存在隐瞒、欺骗或提供虚假证明材料的情形，取消其申请资格5年（办法第十一条）",
        error_messages={"required": "请确认已查实虚假材料情形。"},
    )


class ObjectionDecisionForm(forms.Form):
    resolution = _reason_field("核查情况及处理意见", "请填写异议处理意见。")


class ObjectionRaiseForm(forms.Form):
    """Anyone may object during the notice (DESIGN.md §4); contact details let the bureau follow up."""

    contact_name = forms.CharField(
        label=_("联系人姓名"), max_length=50, error_messages={"required": _("请填写联系人姓名。")}
    )
    contact_phone = forms.CharField(
        label=_("联系电话"),
        max_length=30,
        help_text=_("手机号码，或按XXX-XXXXXXX格式填写的固定电话。"),
        error_messages={"required": _("请填写联系电话。")},
    )
    contact_email = forms.EmailField(
        label=_("电子邮件"), required=False, error_messages={"invalid": _("请填写正确的电子邮件地址。")}
    )
    description = forms.CharField(
        label=_("异议内容"),
        min_length=10,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("请写明异议的事实和依据（10～2000字）。区人社局将在20个工作日内核查处理。"),
        error_messages={
            "required": _("请填写异议内容。"),
            "min_length": _("异议内容请至少写10个字，写明事实和依据。"),
            "max_length": _("异议内容请控制在2000字以内。"),
        },
    )
    # The public form words its captcha here: accounts.forms.captcha_field's texts serve the login.
    captcha = captcha_field(label=_("验证码"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        captcha = self.fields["captcha"]
        captcha.widget.attrs["class"] = "form-control"
        captcha.error_messages.update(
            {
                "required": _("请输入验证码。"),
                "incomplete": _("请输入验证码。"),
                "invalid": _("验证码错误，请重新输入（看不清可点击“点击获取”换一张）。"),
            }
        )

    def clean_contact_phone(self) -> str:
        phone = self.cleaned_data["contact_phone"].strip().replace(" ", "")
        if not (MOBILE_RE.match(phone) or LANDLINE_RE.match(phone)):
            raise ValidationError(_("请填写11位手机号码，或按XXX-XXXXXXX格式填写固定电话。"))
        return phone


NUMBER_FORMAT_ERROR = _("申报编号格式不正确，应为GZRC加12位数字，如GZRC202500000001。")


class NoticeSearchForm(forms.Form):
    """Search the notice only by what cannot unmask a name.

    The list prints 张*三; a name search would confirm a guessed full name (one row or none), alone
    or with anything else. The employer is printed anyway and the 申报编号 is the applicant's own.
    """

    employer = forms.CharField(label=_("单位名称"), required=False, max_length=60)
    number = forms.CharField(
        label=_("申报编号"),
        required=False,
        max_length=24,
        error_messages={"max_length": NUMBER_FORMAT_ERROR},
    )

    def clean_number(self):
        number = self.cleaned_data["number"].replace(" ", "").upper()
        if number and not APPLICATION_NUMBER_RE.fullmatch(number):
            raise ValidationError(NUMBER_FORMAT_ERROR)
        return number


class StatisticsFilterForm(forms.Form):
    """The 统计分析 page's filters: year, district (city administrators only), category."""

    CHOICE_ERROR = {"invalid_choice": "请从列表中选择。"}

    # PlainSelect here and |form_field in statistics.html: the markup of Django's Select and of
    # crispy's field, printed in Python (core.widgets, core.templatetags.form_fields).
    year = forms.TypedChoiceField(
        label="申报年度", coerce=int, required=False, empty_value=None, error_messages=CHOICE_ERROR,
        widget=PlainSelect,
    )  # fmt: skip
    district = forms.TypedChoiceField(
        label="入户所属区", coerce=int, required=False, empty_value=None, error_messages=CHOICE_ERROR,
        widget=PlainSelect,
    )  # fmt: skip
    category = forms.TypedChoiceField(
        label="引进人才类别", coerce=int, required=False, empty_value=None, error_messages=CHOICE_ERROR,
        widget=PlainSelect,
    )  # fmt: skip

    def __init__(self, *args, years: list[int], show_district: bool, **kwargs):
        super().__init__(*args, **kwargs)
        lists = reference_lists()
        self.fields["year"].choices = [("", "全部年度"), *[(y, f"{y}年") for y in years]]
        self.fields["category"].choices = [("", "全部类别"), *lists["categories"]]
        self.fields["district"].choices = [("", "全市（全部区）"), *lists["districts"]]
        if not show_district:
            del self.fields["district"]

    def value(self, name: str, default=None):
        """A field's cleaned value; an invalid field (shown with its error) filters nothing."""
        if not self.is_bound:
            return default
        if name in self.errors or not hasattr(self, "cleaned_data"):
            return None
        return self.cleaned_data.get(name)
class ServiceRatingForm(forms.Form):
    """政务服务好差评: the grade and, for a 差评 at least, what went wrong (the service decides)."""

    score = forms.TypedChoiceField(
        label=_("评价等级"),
        coerce=int,
        # Lazy: each grade in the reader's language when the form is drawn.
        choices=[
            (value, format_lazy(_("{label}（{score}分）"), label=label, score=value))
            for value, label in ServiceRating.Score.choices
        ],
        widget=forms.RadioSelect,
        error_messages={"required": _("请选择评价等级。"), "invalid_choice": _("请选择评价等级。")},
    )
    comment = forms.CharField(
        label=_("评价内容"),
        required=False,
        max_length=ServiceRating.COMMENT_MAX,
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": ServiceRating.COMMENT_MAX}),
        help_text=format_lazy(
            _("选填，不超过{limit}字；评价为“不满意”或“非常不满意”的请写明原因。"),
            limit=ServiceRating.COMMENT_MAX,
        ),
        error_messages={
            "max_length": format_lazy(_("评价内容不超过{limit}字。"), limit=ServiceRating.COMMENT_MAX)
        },
    )


class RatingFilterForm(forms.Form):
    """The 好差评 list's filters: a grade or all 差评, and (for the city) one district."""

    POOR = "poor"

    score = forms.ChoiceField(
        label="评价等级",
        required=False,
        choices=[("", "全部"), (POOR, "差评（不满意、非常不满意）")]
        + [(str(value), label) for value, label in ServiceRating.Score.choices],
    )
    district = forms.TypedChoiceField(label="办理区", required=False, coerce=int, empty_value=None, choices=())

    def __init__(self, *args, show_district: bool, **kwargs):
        super().__init__(*args, **kwargs)
        if show_district:
            self.fields["district"].choices = [("", "全部区"), *reference_lists()["districts"]]
        else:
            del self.fields["district"]

    def to_filters(self) -> RatingFilters:
        data = self.cleaned_data if self.is_bound and self.is_valid() else {}
        score = data.get("score") or ""
        return RatingFilters(
            score=int(score) if score.isdigit() else None,
            poor_only=score == self.POOR,
            district_id=data.get("district"),
        )
class AccessReasonForm(forms.Form):
    """Why a member of staff opens an application that is no open task of theirs (个人信息查阅记录)."""

    reason = forms.CharField(
        label="查阅理由",
        min_length=4,
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="该申报不在您的待办审核事项中。查阅理由将记入个人信息查阅记录，申请人本人可以看到。",
        error_messages={
            "required": "请填写查阅理由。",
            "min_length": "请具体说明查阅理由（至少4个字）。",
            "max_length": "请控制在300字以内。",
        },
    )


class AccessLogFilterForm(forms.Form):
    """The city administrator's filter of the access log: period, member of staff, applicant."""

    date_from = forms.DateField(label="起始日期", required=False, widget=forms.DateInput(attrs={"type": "date"}),
                                error_messages={"invalid": "请输入有效日期，例如2026-12-01。"})  # fmt: skip
    date_to = forms.DateField(label="截止日期", required=False, widget=forms.DateInput(attrs={"type": "date"}),
                              error_messages={"invalid": "请输入有效日期，例如2026-12-31。"})  # fmt: skip
    viewer = forms.CharField(label="工作人员帐号", required=False, max_length=20)
    subject = forms.CharField(label="申请人（帐号或证件号码）", required=False, max_length=20)

    def clean(self):
        data = super().clean()
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", "截止日期不能早于起始日期。")
        return data
