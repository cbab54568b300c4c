"""Forms of the 门户: login, the registration wizard, password reset and the employer-admin request.

Every rule comes from the seed's screens or DESIGN.md §5; the messages are what users read beside
the field, so they say what is wrong and how to put it right.
"""

from captcha.conf import settings as captcha_settings
from captcha.fields import CaptchaField, CaptchaTextInput
from django import forms
from django.conf import settings
from django.contrib.auth import authenticate, password_validation
from django.contrib.auth.forms import (
    AuthenticationForm,
    PasswordChangeForm,
    PasswordResetForm,
    SetPasswordForm,
)
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils.text import format_lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from accounts.models import STAFF_ROLES, IdType, User
from accounts.selectors import certificate_binding_for, user_has_employer_right
from accounts.services import ID_NUMBER_TAKEN, USERNAME_TAKEN, captcha_consume
from accounts.validators import (
    FULL_NAME_HELP,
    LANDLINE_HELP,
    MOBILE_HELP,
    PASSWORD_HELP,
    USERNAME_HELP,
    USERNAME_RE,
    normalize_id_number,
    validate_credit_code,
    validate_full_name,
    validate_id_number,
    validate_landline,
    validate_mobile,
    validate_username,
)
from core.client_certificate import ClientCertificate
from core.sms import sms_enabled
from core.uploads import CheckedJpeg, check_jpeg
from reference.models import District, Subsystem

CONSOLE_LOGIN_PATH = "/console/login/"
LOGIN_USERNAME_RULE = _("用户名只能由英文字母、数字和下划线组成，以英文字母开头，长度为2~20位，请检查输入。")


class PortalCaptchaInput(CaptchaTextInput):
    """The captcha picture with "点击获取" beside the answer box (static/portal/portal.js refreshes it)."""

    template_name = "accounts/widgets/captcha.html"
    # One <label for=...> pointing at the answer box, not a <fieldset>: screen readers and the
    # browser tests find the field by its label 验证码.
    use_fieldset = False

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        context["refresh_url"] = reverse("captcha-refresh")
        return context


class PortalCaptchaField(CaptchaField):
    """simple-captcha's field with a check that uses the captcha up atomically (services.captcha_consume).

    Every captcha in the project is one of these (tests/security/test_captcha_single_use.py). The
    library's purge of expired rows on every check is left to the beat task (accounts.tasks).
    """

    def clean(self, value):
        forms.MultiValueField.clean(self, value)  # required, incomplete
        key, answer = value[0] or "", (value[1] or "").strip().lower()
        value[1] = ""  # the answer is never drawn back into the box
        if captcha_settings.CAPTCHA_TEST_MODE and answer == "passed":
            captcha_consume(key=key, answer=answer)  # test settings only (config/test_settings.py)
            return value
        if not self.required and not answer:
            return value
        if not captcha_consume(key=key, answer=answer):
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        return value


def captcha_field(*, label: str = _("验证码"), help_text: str = "") -> PortalCaptchaField:
    return PortalCaptchaField(
        label=label,
        help_text=help_text,
        widget=PortalCaptchaInput(attrs={"inputmode": "latin", "maxlength": 8}),
        error_messages={
            "required": _("请输入验证码。"),
            "incomplete": _("请输入验证码。"),
            "invalid": _("验证码错误，请重新输入（看不清可点击“点击获取”换一张）。"),
        },
    )


class BootstrapMixin:
    """Bootstrap classes for forms drawn field by field (templates/accounts/_field.html) rather than by crispy."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._apply_bootstrap()

    def _apply_bootstrap(self) -> None:
        for name, field in self.fields.items():
            widget = field.widget
            if isinstance(widget, forms.HiddenInput):
                continue
            if isinstance(widget, forms.CheckboxInput | forms.CheckboxSelectMultiple | forms.RadioSelect):
                base = "form-check-input"
            elif isinstance(widget, forms.Select):
                base = "form-select"
            else:
                base = "form-control"
            invalid = " is-invalid" if self.is_bound and self._errors and name in self._errors else ""
            widget.attrs["class"] = base + invalid

    def full_clean(self):
        super().full_clean()
        self._apply_bootstrap()


# --- Login -------------------------------------------------------------------------------------


class CaptchaLoginForm(BootstrapMixin, AuthenticationForm):
    """Username, password and captcha. Shared with the staff console login (review engineer)."""

    captcha = captcha_field()

    error_messages = {
        "invalid_login": _("用户名或密码错误，请重新输入。"),
        "inactive": _("该帐号已停用，请联系广州市人力资源和社会保障局。"),
    }

    def __init__(self, request=None, *args, **kwargs):
        super().__init__(request, *args, **kwargs)
        self.fields["username"].label = _("用户名")
        self.fields["username"].error_messages["required"] = _("请输入用户名。")
        self.fields["username"].widget.attrs.update({"autocapitalize": "none", "spellcheck": "false"})
        self.fields["password"].label = _("密码")
        self.fields["password"].error_messages["required"] = _("请输入密码。")

    def clean_username(self) -> str:
        # Only what the account rule allows reaches the database: PostgreSQL's UPPER() folds
        # look-alikes onto ASCII ('sunqı' matched sunqi under username__iexact), and such a
        # spelling would have had a lockout count of its own. UsernameField has applied NFKC
        # already, so full-width letters arrive as the ASCII they stand for.
        username = self.cleaned_data["username"].strip()
        if not USERNAME_RE.match(username):
            raise ValidationError(LOGIN_USERNAME_RULE, code="username")
        return username

    def clean(self):
        # A wrong captcha stops here: the password is not even tried, so scripted guessing without
        # solving the captcha learns nothing and does not lock real users out.
        if self.has_error("captcha"):
            return self.cleaned_data
        try:
            return super().clean()
        except ValidationError as error:
            if getattr(error, "code", None) != "invalid_login":
                raise
            self.add_error("password", self._invalid_login_message())
            return self.cleaned_data

    def _invalid_login_message(self) -> str:
        return with_failures_left(self.request, self.error_messages["invalid_login"])


def with_failures_left(request, message: str) -> str:
    """`message`, plus how many more failures django-axes allows before it locks the account."""
    failures = getattr(request, "axes_failures_since_start", None)
    if failures is None:
        return message
    left = settings.AXES_FAILURE_LIMIT - failures
    if left <= 0:
        return message
    minutes = int(round(settings.AXES_COOLOFF_TIME * 60))
    return gettext("%(message)s再连续输错%(left)d次，帐号将被锁定%(minutes)d分钟。") % {
        "message": message,
        "left": left,
        "minutes": minutes,
    }


class AdminLoginForm(CaptchaLoginForm):
    """The Django admin's login (admin.site.login_form): the console's captcha and lockout, staff only."""

    error_messages = {
        **CaptchaLoginForm.error_messages,
        # The same words whether the password or the right was missing: nothing to learn here.
        "not_staff": _("用户名或密码错误，或该帐号无权使用管理后台。审核员和公安窗口请从审核工作台登录。"),
    }

    def confirm_login_allowed(self, user: User) -> None:
        super().confirm_login_allowed(user)
        if not user.is_staff:
            raise ValidationError(self.error_messages["not_staff"], code="not_staff")


class UserType:
    PERSONAL = "personal"
    EMPLOYER = "employer"
    CHOICES = [(PERSONAL, _("个人")), (EMPLOYER, _("单位"))]
    # Kept in the session in Chinese (the msgid): the system bar shows it in the page's language
    # (|localized), whichever language the user switches to after logging in.
    LABELS = {PERSONAL: "个人", EMPLOYER: "单位"}


class PortalLoginForm(CaptchaLoginForm):
    """The 门户's 用户登录 tab: 用户类型 decides who may come in and where they land."""

    user_type = forms.ChoiceField(label=_("用户类型"), choices=UserType.CHOICES, initial=UserType.PERSONAL)

    field_order = ["user_type", "username", "password", "captcha"]

    error_messages = {
        **CaptchaLoginForm.error_messages,
        "staff": (
            format_lazy(
                _("工作人员帐号（区人社局审核员、市人社局管理员、公安窗口）请从审核工作台登录：{path}"),
                path=CONSOLE_LOGIN_PATH,
            )
        ),
        "no_employer_right": (
            _(
                "该帐号尚未获批任何单位的单位系统管理员权限。请选择用户类型“个人”登录，"
                "再办理“单位系统管理员权限申请”。"
            )
        ),
    }

    def confirm_login_allowed(self, user: User) -> None:
        super().confirm_login_allowed(user)
        refuse_portal_login(user, user_type=self.cleaned_data.get("user_type"), messages=self.error_messages)


def refuse_portal_login(user: User, *, user_type: str, messages: dict) -> None:
    """The 门户's rule on who may come in as which 用户类型, for the password and the CA login alike."""
    if user.role in STAFF_ROLES:
        raise ValidationError(messages["staff"], code="staff")
    if user_type == UserType.EMPLOYER and not user_has_employer_right(user=user):
        raise ValidationError(messages["no_employer_right"], code="no_employer_right")


# --- CA登录: the certificate nginx verified, in place of the password -------------------------------


class CertificateLoginForm(BootstrapMixin, forms.Form):
    """CA登录 on nginx's certificate server: the certificate is the credential, 用户类型 the only field.

    authenticate() runs the certificate through the same backends as a password (accounts.backends),
    so django-axes refuses a locked account or address and counts a certificate bound to nobody.
    """

    user_type = forms.ChoiceField(label=_("用户类型"), choices=UserType.CHOICES, initial=UserType.PERSONAL)

    error_messages = {
        "unbound": (
            _(
                "该CA证书尚未绑定本系统帐号。请先使用“用户登录”以用户名和密码登录，"
                "在门户首页“常用功能 → CA证书”中绑定本证书，以后即可使用CA登录。"
            )
        ),
        "inactive": CaptchaLoginForm.error_messages["inactive"],
        "staff": PortalLoginForm.error_messages["staff"],
        "no_employer_right": PortalLoginForm.error_messages["no_employer_right"],
    }

    def __init__(self, request, certificate: ClientCertificate, *args, **kwargs):
        self.request = request
        self.certificate = certificate
        self.user_cache: User | None = None
        super().__init__(*args, **kwargs)

    def clean(self):
        cleaned = super().clean()
        if self.errors or self.certificate is None:
            return cleaned
        binding = certificate_binding_for(certificate=self.certificate)
        # The bound account's username goes to axes, so a locked account stays locked here too.
        username = binding.user.username if binding else None
        user = authenticate(self.request, username=username, certificate=self.certificate)
        if user is None:
            if getattr(self.request, "axes_locked_out", False):
                return cleaned  # axes' middleware answers with the lockout page
            inactive = binding is not None and not binding.user.is_active
            code = "inactive" if inactive else "unbound"
            raise ValidationError(self.error_messages[code], code=code)
        refuse_portal_login(user, user_type=cleaned.get("user_type"), messages=self.error_messages)
        self.user_cache = user
        return cleaned

    def get_user(self) -> User | None:
        return self.user_cache


class CertificateBindForm(BootstrapMixin, forms.Form):
    """绑定CA证书: the account's password once more, checked through django-axes, so a session
    left open (or stolen) cannot tie an outsider's certificate to the account, nor guess the
    password here without the lockout."""

    password = forms.CharField(
        label=_("登录密码"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        help_text=_("为确认是您本人操作，请输入本帐号的登录密码。"),
        error_messages={"required": _("请输入登录密码。")},
    )

    def __init__(self, request, user: User, *args, **kwargs):
        self.request = request
        self.user = user
        super().__init__(*args, **kwargs)

    def clean_password(self) -> str:
        password = self.cleaned_data["password"]
        checked = authenticate(self.request, username=self.user.get_username(), password=password)
        if checked is None or checked.pk != self.user.pk:
            raise ValidationError(
                with_failures_left(self.request, _("密码错误，请重新输入。")), code="invalid_password"
            )
        return password


# --- Password reset ----------------------------------------------------------------------------


class PortalPasswordResetForm(BootstrapMixin, PasswordResetForm):
    email = forms.EmailField(
        label=_("注册邮箱"),
        max_length=254,
        help_text=_("请填写注册帐号时登记的电子邮件，系统将向该邮箱发送重置密码的链接。"),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
        error_messages={"required": _("请填写注册邮箱。"), "invalid": _("请填写有效的电子邮件地址。")},
    )
    captcha = captcha_field()


class PortalSetPasswordForm(SetPasswordForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["new_password1"].label = _("新密码")
        self.fields["new_password1"].help_text = PASSWORD_HELP
        self.fields["new_password2"].label = _("确认新密码")
        self.fields["new_password2"].help_text = _("请再次输入新密码。")


class PortalPasswordChangeForm(PasswordChangeForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["old_password"].label = _("原密码")
        self.fields["new_password1"].label = _("新密码")
        self.fields["new_password1"].help_text = PASSWORD_HELP
        self.fields["new_password2"].label = _("确认新密码")
        self.fields["new_password2"].help_text = _("请再次输入新密码。")


# --- Registration wizard -----------------------------------------------------------------------


class AgreementForm(forms.Form):
    agree = forms.BooleanField(
        label=_("我已仔细阅读并同意以上服务协议"),
        error_messages={
            "required": _("请先阅读服务协议，勾选“我已仔细阅读并同意以上服务协议”后再点击“下一步”。")
        },
    )


def explain_username(username: str) -> None:
    """The seed's account rule, with the particular reason a name breaks it."""
    try:
        validate_username(username)
    except ValidationError:
        if not 2 <= len(username) <= 20:
            reason = gettext("登录帐号长度应为2~20位，当前为%(count)d位。") % {"count": len(username)}
        elif not username[0].isascii() or not username[0].isalpha():
            reason = _("登录帐号须以英文字母开头。")
        else:
            reason = _("登录帐号只能由英文字母、数字和下划线组成，不能含汉字、空格或其他符号。")
        raise ValidationError(reason, code="username") from None


# Fields of step 2 kept in the session between steps (never the passwords or captchas).
ACCOUNT_DRAFT_FIELDS = (
    "username",
    "full_name",
    "id_type",
    "id_number",
    "workplace",
    "landline",
    "mobile",
    "email",
    "personal_note",
    "promise",
)


class AccountInfoForm(BootstrapMixin, forms.Form):
    """Step 2 填写帐号信息: every field of the seed's screen with its rule and hint."""

    username = forms.CharField(
        label=_("登录帐号"),
        help_text=USERNAME_HELP,
        widget=forms.TextInput(
            attrs={
                "autocomplete": "username",
                "autocapitalize": "none",
                "spellcheck": "false",
                "maxlength": 20,
            }
        ),
        error_messages={"required": _("请填写登录帐号。")},
    )
    password = forms.CharField(
        label=_("密码"),
        strip=False,
        required=False,
        help_text=PASSWORD_HELP,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password", "maxlength": 20}),
    )
    password2 = forms.CharField(
        label=_("确认密码"),
        strip=False,
        required=False,
        help_text=_("请再次输入密码。"),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password", "maxlength": 20}),
    )
    captcha = captcha_field(label=_("注册验证码"), help_text=_("该验证码为确认注册时使用。"))
    full_name = forms.CharField(
        label=_("姓名"),
        max_length=50,
        help_text=FULL_NAME_HELP,
        validators=[validate_full_name],
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
        error_messages={"required": _("请填写姓名。")},
    )
    id_type = forms.ChoiceField(
        label=_("证件类型"),
        choices=IdType.choices,
        initial=IdType.RESIDENT_ID,
        help_text=_("请正确选择证件类型。"),
        error_messages={"required": _("请选择证件类型。"), "invalid_choice": _("请正确选择证件类型。")},
    )
    id_number = forms.CharField(
        label=_("证件号码"),
        max_length=20,
        help_text=_("请正确填写证件号码，每个证件号码只能注册一个帐户。"),
        error_messages={"required": _("请填写证件号码。"), "max_length": _("证件号码不能超过20位。")},
    )
    workplace = forms.CharField(label=_("所在单位"), max_length=100, required=False, help_text=_("选填。"))
    landline = forms.CharField(
        label=_("固定电话"),
        max_length=30,
        required=False,
        help_text=LANDLINE_HELP,
        validators=[validate_landline],
        widget=forms.TextInput(attrs={"inputmode": "tel", "placeholder": _("如：020-83123456")}),
    )
    mobile = forms.CharField(
        label=_("移动电话"),
        max_length=11,
        help_text=MOBILE_HELP,  # + the SMS promise in __init__, only when SMS is enabled
        validators=[validate_mobile],
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "tel"}),
        error_messages={
            "required": _("请填写手机号码。"),
            "max_length": _("手机号码应为以1开头的11位数字。"),
        },
    )
    email = forms.EmailField(
        label=_("电子邮件"),
        max_length=254,
        help_text=_("用于找回密码和接收办理通知，请填写本人常用邮箱。"),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
        error_messages={
            "required": _("请填写电子邮件。"),
            "invalid": _("电子邮件格式不正确，如：zhangsan@example.com。"),
        },
    )
    personal_note = forms.CharField(
        label=_("个人说明"),
        max_length=500,
        required=False,
        help_text=_("选填，500字以内。"),
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"max_length": _("个人说明不能超过500字（当前%(show_value)d字）。")},
    )
    promise = forms.BooleanField(
        label=_(
            "本人承诺以上填报资料真实准确，如因个人填报信息失实，本人愿意承担由此产生的一切后果和相关责任。"
        ),
        error_messages={"required": _("请阅读并勾选本人承诺后再点击“下一步”。")},
    )

    def __init__(self, *args, has_stored_password: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.has_stored_password = has_stored_password
        if sms_enabled():
            self.fields["mobile"].help_text = MOBILE_HELP + _("办理进度将以短信通知。")
        # Required unless a password from an earlier pass through this step is kept (as a hash).
        for name in ("password", "password2"):
            self.fields[name].show_required = not has_stored_password
        if has_stored_password:
            self.fields["password"].help_text = (
                _("已设置密码；如需修改请重新填写两次，不修改请留空。") + PASSWORD_HELP
            )

    def clean_username(self) -> str:
        username = self.cleaned_data["username"].strip()
        explain_username(username)
        return username

    def clean_full_name(self) -> str:
        return " ".join(self.cleaned_data["full_name"].split())

    def clean_id_number(self) -> str:
        return normalize_id_number(self.cleaned_data["id_number"])

    def clean_email(self) -> str:
        return User.objects.normalize_email(self.cleaned_data["email"])

    def clean(self):
        cleaned = super().clean()
        id_type, id_number = cleaned.get("id_type"), cleaned.get("id_number")
        if id_type and id_number:
            try:
                validate_id_number(id_type, id_number)
            except ValidationError as error:
                self.add_error("id_number", error)
        self._clean_passwords(cleaned)
        # Whether an account or an ID number is taken is said only to someone who solved the captcha:
        # region, birth date and gender leave a few hundred 身份证 numbers, and without this the
        # step answered "registered" for the right one without a single captcha solved.
        if not self.has_error("captcha"):
            self._clean_taken(cleaned)
        return cleaned

    def _clean_taken(self, cleaned) -> None:
        username, id_number = cleaned.get("username"), cleaned.get("id_number")
        if username and User.objects.filter(username__iexact=username).exists():
            self.add_error("username", ValidationError(USERNAME_TAKEN, code="username_taken"))
        if (
            id_number
            and not self.has_error("id_number")
            and User.objects.filter(id_number=id_number).exists()
        ):
            self.add_error("id_number", ValidationError(ID_NUMBER_TAKEN, code="id_number_taken"))

    def _clean_passwords(self, cleaned) -> None:
        password, password2 = cleaned.get("password") or "", cleaned.get("password2") or ""
        if not password and not password2:
            if not self.has_stored_password:
                self.add_error("password", ValidationError(_("请填写密码。"), code="required"))
                self.add_error("password2", ValidationError(_("请再次输入密码。"), code="required"))
            return
        if not password:
            self.add_error("password", ValidationError(_("请填写密码。"), code="required"))
            return
        candidate = User(
            username=cleaned.get("username") or "",
            full_name=cleaned.get("full_name") or "",
            email=cleaned.get("email") or "",
        )
        try:
            password_validation.validate_password(password, candidate)
        except ValidationError as error:
            self.add_error("password", error)
            return
        if password != password2:
            self.add_error(
                "password2",
                ValidationError(_("两次输入的密码不一致，请重新输入。"), code="password_mismatch"),
            )

    def draft(self) -> dict:
        """What to keep in the session after a valid step: the cleaned answers, no secrets."""
        return {name: self.cleaned_data.get(name) for name in ACCOUNT_DRAFT_FIELDS}


class UsernameCheckForm(BootstrapMixin, forms.Form):
    """检测登录帐号: availability of a login account, behind its own captcha (seed)."""

    username = forms.CharField(
        label=_("登录帐号"), error_messages={"required": _("请先填写登录帐号再检测。")}
    )
    check_captcha = captcha_field(label=_("验证码"), help_text=_("该验证码为检测登录帐号时使用。"))

    def clean_username(self) -> str:
        username = self.cleaned_data["username"].strip()
        explain_username(username)
        return username

    def is_available(self) -> bool:
        return not User.objects.filter(username__iexact=self.cleaned_data["username"].strip()).exists()


class SubsystemChoiceForm(forms.Form):
    """Step 3 申请应用系统: the systems this installation provides; the others are listed, not offered."""

    subsystems = forms.ModelMultipleChoiceField(
        label=_("申请应用系统"),
        queryset=Subsystem.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}),
        help_text=_("可多选；注册后也可在门户“添加应用”中随时添加。"),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["subsystems"].queryset = Subsystem.objects.filter(is_provided=True).order_by("sort_order")


# --- Employers ---------------------------------------------------------------------------------


class EmployerAdminRequestForm(BootstrapMixin, forms.Form):
    """单位系统管理员权限申请: pick the employer found by the search, or register it, plus the licence."""

    employer = forms.UUIDField(
        required=False,
        widget=forms.HiddenInput,
        error_messages={"invalid": _("所选单位无效，请重新搜索选择。")},
    )
    new_employer_name = forms.CharField(
        label=_("单位名称"),
        max_length=120,
        required=False,
        help_text=_("与营业执照（或法人登记证书）上的名称一致。"),
    )
    new_employer_credit_code = forms.CharField(
        label=_("统一社会信用代码"),
        max_length=18,
        required=False,
        help_text=_("18位，见营业执照；字母须大写，不含I、O、Z、S、V。"),
        widget=forms.TextInput(attrs={"autocapitalize": "characters", "spellcheck": "false"}),
    )
    new_employer_district = forms.ModelChoiceField(
        label=_("所在区"),
        queryset=District.objects.all(),
        required=False,
        empty_label=_("请选择单位所在区"),
        error_messages={"invalid_choice": _("请从列表中选择单位所在区。")},
    )
    new_employer_address = forms.CharField(
        label=_("单位地址"), max_length=200, required=False, help_text=_("选填。")
    )
    business_licence = forms.FileField(
        label=_("营业执照"),
        required=False,
        help_text=_("营业执照（或法人登记证书）原件的彩色扫描件或照片，JPG格式，500KB以下。"),
        widget=forms.FileInput(attrs={"accept": ".jpg,.jpeg,image/jpeg", "data-file-input": ""}),
    )
    applicant_note = forms.CharField(
        label=_("申请说明"),
        max_length=300,
        required=False,
        help_text=_("选填，如您在单位的职务、联系电话。"),
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    confirm = forms.BooleanField(
        label=_("本人承诺已获单位授权，提交的营业执照真实有效。"),
        error_messages={"required": _("请勾选承诺后再提交。")},
    )

    def __init__(self, *args, stashed_licence: bytes | None = None, **kwargs):
        """`stashed_licence`: a licence that passed the check on an earlier submission (kept by the view)."""
        super().__init__(*args, **kwargs)
        self.stashed_licence = stashed_licence
        self.checked_licence: CheckedJpeg | None = None  # what the service will store
        self.uploaded_name = ""  # set when this submission brought a new file that passed the check

    def clean_business_licence(self):
        upload = self.cleaned_data.get("business_licence")
        if upload:
            # JPG judged by content, ≤500 KB, metadata removed (seed: 格式JPG，规格500KB以下).
            self.checked_licence = check_jpeg(upload)
            self.uploaded_name = upload.name
        return upload

    def clean_new_employer_credit_code(self) -> str:
        code = normalize_id_number(self.cleaned_data["new_employer_credit_code"])
        if code:
            validate_credit_code(code)
        return code

    def clean(self):
        from accounts.models import Employer

        cleaned = super().clean()
        chosen = cleaned.get("employer")
        new_fields = ("new_employer_name", "new_employer_credit_code", "new_employer_district")
        typed_new = any(cleaned.get(name) for name in new_fields) or self.has_error(
            "new_employer_credit_code"
        )
        if chosen:
            employer = Employer.objects.filter(public_id=chosen).first()
            if employer is None:
                self.add_error(
                    "employer",
                    ValidationError(_("所选单位不存在，请重新搜索选择。"), code="employer_missing"),
                )
            cleaned["employer_obj"] = employer
        elif typed_new:
            for name, message in (
                ("new_employer_name", _("请填写单位名称。")),
                ("new_employer_credit_code", _("请填写统一社会信用代码。")),
                ("new_employer_district", _("请选择单位所在区。")),
            ):
                if not cleaned.get(name) and not self.has_error(name):
                    self.add_error(name, ValidationError(message, code="required"))
            code = cleaned.get("new_employer_credit_code")
            existing = Employer.objects.filter(credit_code=code).first() if code else None
            if existing is not None:
                self.add_error(
                    "new_employer_credit_code",
                    ValidationError(
                        gettext(
                            "该统一社会信用代码已登记为“%(name)s”，请在上方搜索该单位并选择，无需重复登记。"
                        )
                        % {"name": existing.name},
                        code="credit_code_taken",
                    ),
                )
        else:
            self.add_error(
                "employer",
                ValidationError(
                    _("请先搜索并选择单位；搜索不到时，请在“登记新单位”中填写单位信息。"),
                    code="employer_required",
                ),
            )
        if self.checked_licence is None and not self.has_error("business_licence"):
            if self.stashed_licence:
                self.checked_licence = check_jpeg(ContentFile(self.stashed_licence))
            else:
                self.add_error(
                    "business_licence",
                    ValidationError(_("请上传营业执照（JPG格式，500KB以下）。"), code="required"),
                )
        return cleaned

    def service_arguments(self) -> dict:
        """Keyword arguments for accounts.services.employer_admin_request_create (after is_valid())."""
        from accounts.services import NewEmployerData

        data = self.cleaned_data
        new_employer = None
        if not data.get("employer_obj"):
            new_employer = NewEmployerData(
                name=data["new_employer_name"],
                credit_code=data["new_employer_credit_code"],
                district=data["new_employer_district"],
                address=data["new_employer_address"],
            )
        return {
            "employer": data.get("employer_obj"),
            "new_employer": new_employer,
            "licence": self.checked_licence,
            "note": data["applicant_note"],
        }

    def add_service_error(self, error: ValidationError) -> None:
        """Show a refusal from the service beside the field it is about."""
        if hasattr(error, "error_dict"):
            for field, errors in error.error_dict.items():
                self.add_error(
                    f"new_employer_{field}" if field in ("name", "credit_code") else "employer", errors
                )
        else:
            self.add_error("employer", error)


class EmployerAdminCancelForm(BootstrapMixin, forms.Form):
    note = forms.CharField(label=_("取消原因"), max_length=300, required=False, widget=forms.TextInput)


class AdminDecisionForm(forms.Form):
    """The note a city administrator gives with an approval, refusal or cancellation (admin actions)."""

    note = forms.CharField(
        label=_("审核意见"), max_length=300, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, note_required: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if note_required:
            self.fields["note"].required = True
            self.fields["note"].error_messages["required"] = _("请填写理由，申请人将看到这段说明。")
