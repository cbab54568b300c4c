"""Login, logout, lockout, password reset, the registration wizard and the employer-admin pages.

Views parse input, call one service and render; the rules live in accounts.forms/services.
"""

import uuid
from urllib.parse import urlencode

from captcha import views as captcha_views
from captcha.models import CaptchaStore
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login as auth_login
from django.contrib.auth import password_validation
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.hashers import make_password
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts import selectors, services
from accounts.access import access_employer_admin, employers_administered
from accounts.forms import (
    ACCOUNT_DRAFT_FIELDS,
    AccountInfoForm,
    AgreementForm,
    CertificateBindForm,
    CertificateLoginForm,
    EmployerAdminCancelForm,
    EmployerAdminRequestForm,
    PortalLoginForm,
    PortalPasswordChangeForm,
    PortalPasswordResetForm,
    PortalSetPasswordForm,
    SubsystemChoiceForm,
    UsernameCheckForm,
    UserType,
)
from accounts.models import Role, User
from core.client_certificate import CertificateState, client_certificate
from core.client_ip import client_ip
from core.errors import Refused
from core.private_files import private_file_response
from core.throttle import throttle_hit, wait_minutes
from reference.models import Subsystem
from reference.selectors import subsystem_names

USER_TYPE_SESSION_KEY = "portal_user_type"  # read by templates/partials/system_bar.html
REGISTRATION_SESSION_KEY = "registration"
REGISTERED_SESSION_KEY = "registration_done"
LICENCE_STASH_SESSION_KEY = "employer_admin_licence"
REGISTRATION_STEPS = [_("确认服务协议"), _("填写帐号信息"), _("申请应用系统"), _("注册成功")]


# --- Login, logout, lockout ----------------------------------------------------------------------


def lockout_response(request, original_response=None, credentials=None, *args, **kwargs):
    """django-axes calls this when a username or address is locked: say so, and for how long."""
    from axes.helpers import get_cool_off

    cool_off = get_cool_off(request)
    minutes = max(1, int(round(cool_off.total_seconds() / 60))) if cool_off else None
    return render(
        request,
        "accounts/locked_out.html",
        {"cooloff_minutes": minutes, "failure_limit": settings.AXES_FAILURE_LIMIT},
        status=429,
    )


class LoginView(auth_views.LoginView):
    """广州市人事电子政务系统 用户登录. Passes the request into authenticate() (django-axes needs it)."""

    template_name = "accounts/login.html"
    form_class = PortalLoginForm

    def get_initial(self):
        initial = super().get_initial()
        username = self.request.GET.get("username", "")
        if username and len(username) <= 20:
            initial["username"] = username
        if self.request.GET.get("user_type") in UserType.LABELS:
            initial["user_type"] = self.request.GET["user_type"]
        return initial

    def form_valid(self, form):
        response = super().form_valid(form)
        self.request.session[USER_TYPE_SESSION_KEY] = UserType.LABELS[form.cleaned_data["user_type"]]
        return response

    def get_default_redirect_url(self):
        form_user_type = self.request.POST.get("user_type")
        if form_user_type == UserType.EMPLOYER:
            return reverse("accounts:employer_home")
        return super().get_default_redirect_url()

    def get_redirect_url(self):
        # An employer administrator lands on their employers, whatever page asked for a login.
        if self.request.POST.get("user_type") == UserType.EMPLOYER:
            return ""
        return super().get_redirect_url()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["timed_out"] = self.request.GET.get("timeout") == "1"
        context["ca_login_url"] = _certificate_server_url(
            "accounts:certificate_login", next_url=context["next"]
        )
        context["subsystems"] = subsystem_names()  # the 系统说明, from fixtures/subsystems.json's rows
        form = context["form"]
        context["staff_refused"] = form.is_bound and form.has_error(NON_FIELD_ERRORS, code="staff")
        return context


class LogoutView(auth_views.LogoutView):
    def post(self, request, *args, **kwargs):
        response = super().post(request, *args, **kwargs)
        messages.success(request, gettext("您已安全退出系统。"))
        return response


def face_login(request):
    """微警认证（刷脸）登录: named on the seed's login page; the provider is not connected here."""
    return render(request, "accounts/face_login.html")


def captcha_refresh(request):
    """/captcha/refresh/ (点击获取): simple-captcha's view, at most CAPTCHA_REFRESH_LIMIT per address
    per window, since each call stores a new challenge row and needs no login."""
    wait = throttle_hit(
        scope="captcha-refresh",
        who=client_ip(request),
        limit=settings.CAPTCHA_REFRESH_LIMIT,
        window=settings.CAPTCHA_REFRESH_WINDOW,
    )
    if wait:
        message = gettext("获取验证码过于频繁，请%(seconds)d秒后再试。") % {"seconds": wait}
        response = JsonResponse({"message": message}, status=429)
        response["Retry-After"] = str(wait)
        return response
    return captcha_views.captcha_refresh(request)


# --- CA登录: certificate login and binding, on nginx's certificate server ------------------------------
# TLS with a client certificate ends at a server of its own (CA_LOGIN_URL, another port of the same
# host), since nginx asks for the certificate in the handshake. Its pages read nginx's verdict
# (core.client_certificate) and send the user back to the main site (SITE_URL) when done; the
# session cookie belongs to the host, so it holds on both ports.


def _certificate_server_url(name: str, *, next_url: str = "") -> str:
    """The address of a page on nginx's certificate server; empty when no CA is connected."""
    if not settings.CA_LOGIN_URL:
        return ""
    url = settings.CA_LOGIN_URL + reverse(name)
    return f"{url}?{urlencode({'next': next_url})}" if _safe_next(next_url) else url


def _safe_next(next_url: str) -> bool:
    # Only a path of this site: the certificate server and the main site are different origins, so
    # the allowed "host" is none at all.
    return bool(next_url) and url_has_allowed_host_and_scheme(next_url, allowed_hosts=set())


def _main_site(path: str):
    """A redirect from the certificate server back to the main site."""
    return redirect(settings.SITE_URL + path)


CERTIFICATE_STATE_MESSAGES = {
    CertificateState.ABSENT: _("未能读取CA数字证书：本页须经CA登录专用地址访问。请从登录页的“CA登录”进入。"),
    CertificateState.NONE: _(
        "未检测到CA数字证书。请插入USB Key（或在浏览器中安装个人证书），关闭所有浏览器窗口后重新打开本页，"
        "在浏览器弹出的窗口中选择您的证书。"
    ),
    CertificateState.FAILED: _(
        "CA数字证书校验未通过：证书不是本系统认可的CA机构签发，或已过期、已吊销。请更换有效证书后重试。"
    ),
}


def _certificate_context(reading) -> dict:
    return {
        "site_url": settings.SITE_URL,
        "reading": reading,
        "certificate": reading.certificate,
        "certificate_problem": CERTIFICATE_STATE_MESSAGES.get(reading.state, ""),
    }


@require_http_methods(["GET", "POST"])
def certificate_login(request):
    """CA登录: the certificate nginx verified logs in the account it is bound to."""
    if not settings.CA_LOGIN_URL:
        context = {"ca_connected": False, "site_url": settings.SITE_URL}
        return render(request, "accounts/certificate_login.html", context, status=404)
    reading = client_certificate(request)
    next_url = request.POST.get("next") or request.GET.get("next") or ""
    if not _safe_next(next_url):
        next_url = ""
    verified = reading.state is CertificateState.VERIFIED
    form = CertificateLoginForm(
        request, reading.certificate, data=request.POST if request.method == "POST" and verified else None
    )
    if form.is_bound and form.is_valid() and form.get_user() is not None:
        user = form.get_user()
        auth_login(request, user)  # the backend authenticate() chose: accounts.backends.CertificateBackend
        user_type = form.cleaned_data["user_type"]
        request.session[USER_TYPE_SESSION_KEY] = UserType.LABELS[user_type]
        if user_type == UserType.EMPLOYER:
            return _main_site(reverse("accounts:employer_home"))
        return _main_site(next_url or reverse(settings.LOGIN_REDIRECT_URL))
    context = {"ca_connected": True, "form": form, "next": next_url, **_certificate_context(reading)}
    refused = request.method == "POST" and not verified
    return render(request, "accounts/certificate_login.html", context, status=403 if refused else 200)


@require_http_methods(["GET", "POST"])
def certificate_bind(request):
    """绑定CA证书, on the certificate server: the certificate presented now, confirmed by the password."""
    if not settings.CA_LOGIN_URL:
        raise Http404(gettext("本系统未接入CA数字证书认证服务"))
    if not request.user.is_authenticated:
        # The password login is on the main site; come back through the account page.
        login = reverse(settings.LOGIN_URL)
        return _main_site(f"{login}?{urlencode({'next': reverse('accounts:certificate')})}")
    if request.user.role != Role.APPLICANT:
        raise PermissionDenied(gettext("只有个人用户可以绑定CA证书。"))
    reading = client_certificate(request)
    verified = reading.state is CertificateState.VERIFIED
    form = CertificateBindForm(
        request, request.user, data=request.POST if request.method == "POST" and verified else None
    )
    if form.is_bound and form.is_valid():
        try:
            services.certificate_bind(
                user=request.user, certificate=reading.certificate, ip_address=client_ip(request)
            )
        except Refused as refusal:
            form.add_error(None, refusal.message)
        else:
            messages.success(request, gettext("CA证书已绑定。以后可在登录页选择“CA登录”，插入证书即可登录。"))
            return _main_site(reverse("accounts:certificate"))
    context = {
        "form": form,
        "binding": selectors.certificate_binding_of(user=request.user),
        **_certificate_context(reading),
    }
    refused = request.method == "POST" and not verified
    return render(request, "accounts/certificate_bind.html", context, status=403 if refused else 200)


@login_required
def certificate(request):
    """常用功能 → CA证书: the bound certificate, the way to bind one, and to remove it."""
    _require_applicant(request.user, gettext("只有个人用户可以绑定CA证书。"))
    return render(
        request,
        "accounts/certificate.html",
        {
            "ca_connected": bool(settings.CA_LOGIN_URL),
            "bind_url": _certificate_server_url("accounts:certificate_bind"),
            "binding": selectors.certificate_binding_of(user=request.user),
        },
    )


@login_required
@require_POST
def certificate_unbind(request):
    _require_applicant(request.user, gettext("只有个人用户可以绑定CA证书。"))
    if services.certificate_unbind(user=request.user, ip_address=client_ip(request)):
        messages.success(request, gettext("已解除CA证书绑定，该证书不能再用于登录本帐号。"))
    return redirect("accounts:certificate")


# --- Password reset (Django's flow, by the registered e-mail) -----------------------------------------


class PasswordResetView(auth_views.PasswordResetView):
    form_class = PortalPasswordResetForm
    template_name = "accounts/password_reset_form.html"
    email_template_name = "accounts/email/password_reset_email.txt"
    subject_template_name = "accounts/email/password_reset_subject.txt"
    success_url = reverse_lazy("accounts:password_reset_done")


class PasswordResetDoneView(auth_views.PasswordResetDoneView):
    template_name = "accounts/password_reset_done.html"


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    form_class = PortalSetPasswordForm
    template_name = "accounts/password_reset_confirm.html"
    success_url = reverse_lazy("accounts:password_reset_complete")

    def form_valid(self, form):
        response = super().form_valid(form)
        # Whoever proves control of the mailbox is no longer held back by earlier failed logins.
        from axes.utils import reset

        from accounts.lockout import normalize_username

        reset(username=normalize_username(form.user.get_username()))
        return response


class PasswordResetCompleteView(auth_views.PasswordResetCompleteView):
    template_name = "accounts/password_reset_complete.html"


class PasswordChangeView(auth_views.PasswordChangeView):
    form_class = PortalPasswordChangeForm
    template_name = "accounts/password_change.html"
    success_url = reverse_lazy("portal:home")

    def form_valid(self, form):
        response = super().form_valid(form)
        messages.success(self.request, gettext("密码已修改，下次登录请使用新密码。"))
        return response


# --- Registration wizard (统一身份认证平台) ------------------------------------------------------------
# The answers live in the session between steps; the account is created only at step 3. The password
# is kept as a hash (make_password), never in clear.


def _wizard(request) -> dict:
    return dict(request.session.get(REGISTRATION_SESSION_KEY) or {})


def _save_wizard(request, wizard: dict) -> None:
    request.session[REGISTRATION_SESSION_KEY] = wizard


def _registration_context(current: int, **extra) -> dict:
    return {"steps": REGISTRATION_STEPS, "current_step": current, **extra}


def _raw_account_draft(post) -> dict:
    """What was typed at step 2, unvalidated, so "上一步" or a check loses nothing."""
    draft = {name: post.get(name, "") for name in ACCOUNT_DRAFT_FIELDS if name != "promise"}
    draft["promise"] = post.get("promise") in ("on", "true", "1")
    return draft


def _hash_if_acceptable(post, wizard: dict) -> None:
    password, password2 = post.get("password", ""), post.get("password2", "")
    if not password or password != password2:
        return
    try:
        password_validation.validate_password(password)
    except ValidationError:
        return
    wizard["password_hash"] = make_password(password)


def _redirect_if_logged_in(request):
    if request.user.is_authenticated:
        messages.info(request, gettext("您已登录，无需重新注册。"))
        return redirect("portal:home")
    return None


def register(request):
    """Step 1 确认服务协议."""
    if (response := _redirect_if_logged_in(request)) is not None:
        return response
    wizard = _wizard(request)
    if request.method == "POST":
        form = AgreementForm(request.POST)
        if form.is_valid():
            wizard["agreed"] = True
            _save_wizard(request, wizard)
            return redirect("accounts:register_account")
    else:
        form = AgreementForm(initial={"agree": wizard.get("agreed", False)})
    return render(request, "accounts/register_agreement.html", _registration_context(1, form=form))


def _new_captcha() -> dict:
    key = CaptchaStore.generate_key()
    return {"key": key, "image_url": reverse("captcha-image", kwargs={"key": key})}


def _check_username(data) -> dict:
    """检测登录帐号: is the name free? The answer needs the check's own captcha (seed)."""
    check_form = UsernameCheckForm(data)
    if check_form.is_valid():
        available = check_form.is_available()
        return {
            "ok": available,
            "message": gettext("该登录帐号可以使用。") if available else str(services.USERNAME_TAKEN),
        }
    errors = check_form.errors
    first = errors.get("username") or errors.get("check_captcha") or [gettext("请检查输入。")]
    return {"ok": False, "message": first[0], "errors": {name: list(errs) for name, errs in errors.items()}}


REGISTRATION_THROTTLED = _("提交过于频繁，为保护帐号安全，请%(minutes)d分钟后再试。已填写的内容已为您保留。")
USERNAME_CHECK_THROTTLED = _("检测过于频繁，为保护帐号安全，请%(minutes)d分钟后再试。")


def _registration_wait(request) -> int | None:
    """Count this check of step 2; the seconds to wait if the session or the address is over its limit.

    Both the step and 检测登录帐号 tell whether an account exists, so both count, per session (one
    person) and per address (many sessions from one machine).
    """
    window = settings.REGISTRATION_THROTTLE_WINDOW
    counted = [(f"address:{client_ip(request)}", settings.REGISTRATION_THROTTLE_PER_ADDRESS)]
    if request.session.session_key:
        counted.append((f"session:{request.session.session_key}", settings.REGISTRATION_THROTTLE_PER_SESSION))
    waits = [
        throttle_hit(scope="registration", who=who, limit=limit, window=window) for who, limit in counted
    ]
    return max((wait for wait in waits if wait), default=None)


def _registration_throttled(request, wizard: dict, *, action: str, wait: int):
    """Refused for now: say how long to wait, with everything typed still in the boxes (429)."""
    message = (USERNAME_CHECK_THROTTLED if action == "check_username" else REGISTRATION_THROTTLED) % {
        "minutes": wait_minutes(wait)
    }
    if action == "check_username" and request.headers.get("X-Requested-With") == "XMLHttpRequest":
        return JsonResponse({"ok": False, "message": message, "retry_after": wait}, status=429)
    form = AccountInfoForm(initial=wizard["account"], has_stored_password=bool(wizard.get("password_hash")))
    context = _registration_context(2, form=form, check_form=UsernameCheckForm(), throttled=message)
    if action == "check_username":
        context["check_result"] = {"ok": False, "message": message}
    response = render(request, "accounts/register_account.html", context, status=429)
    response["Retry-After"] = str(wait)
    return response


def register_account(request):
    """Step 2 填写帐号信息, with 检测登录帐号 (its own captcha)."""
    if (response := _redirect_if_logged_in(request)) is not None:
        return response
    wizard = _wizard(request)
    if not wizard.get("agreed"):
        messages.warning(request, gettext("请先阅读并同意服务协议。"))
        return redirect("accounts:register")
    has_password = bool(wizard.get("password_hash"))
    check_result = None

    if request.method == "POST":
        action = request.POST.get("action", "next")
        wait = _registration_wait(request) if action != "back" else None
        if action == "back" or action == "check_username" or wait:
            wizard["account"] = _raw_account_draft(request.POST)
            wizard["account_valid"] = False
            _hash_if_acceptable(request.POST, wizard)
            _save_wizard(request, wizard)
        if action == "back":
            return redirect("accounts:register")
        if wait:
            return _registration_throttled(request, wizard, action=action, wait=wait)
        if action == "check_username":
            check_result = _check_username(request.POST)
            if request.headers.get("X-Requested-With") == "XMLHttpRequest":
                return JsonResponse({**check_result, "captcha": _new_captcha()})
            form = AccountInfoForm(
                initial=wizard["account"], has_stored_password=bool(wizard.get("password_hash"))
            )
        else:
            form = AccountInfoForm(request.POST, has_stored_password=has_password)
            if form.is_valid():
                wizard["account"] = form.draft()
                if form.cleaned_data.get("password"):
                    wizard["password_hash"] = make_password(form.cleaned_data["password"])
                wizard["account_valid"] = True
                _save_wizard(request, wizard)
                return redirect("accounts:register_systems")
    else:
        form = AccountInfoForm(initial=wizard.get("account") or {}, has_stored_password=has_password)
    check_form = UsernameCheckForm()
    return render(
        request,
        "accounts/register_account.html",
        _registration_context(2, form=form, check_form=check_form, check_result=check_result),
    )


def register_systems(request):
    """Step 3 申请应用系统; 完成注册 creates the account."""
    if (response := _redirect_if_logged_in(request)) is not None:
        return response
    wizard = _wizard(request)
    if not wizard.get("account_valid") or not wizard.get("password_hash"):
        messages.warning(request, gettext("请先完整填写帐号信息。"))
        return redirect("accounts:register_account" if wizard.get("agreed") else "accounts:register")

    if request.method == "POST":
        form = SubsystemChoiceForm(request.POST)
        if request.POST.get("action") == "back":
            wizard["subsystem_ids"] = [int(pk) for pk in request.POST.getlist("subsystems") if pk.isdigit()]
            _save_wizard(request, wizard)
            return redirect("accounts:register_account")
        if form.is_valid():
            account = {name: wizard["account"][name] for name in ACCOUNT_DRAFT_FIELDS if name != "promise"}
            try:
                user = services.user_register(
                    data=services.RegistrationData(**account),
                    password_hash=wizard["password_hash"],
                    subsystems=form.cleaned_data["subsystems"],
                )
            except ValidationError as error:
                # Someone took the account or the ID number since step 2: back to fix it.
                for message in error.messages:
                    messages.error(request, message)
                wizard["account_valid"] = False
                _save_wizard(request, wizard)
                return redirect("accounts:register_account")
            request.session.pop(REGISTRATION_SESSION_KEY, None)
            request.session[REGISTERED_SESSION_KEY] = {
                "username": user.username,
                "full_name": user.full_name,
                "systems": [s.name for s in form.cleaned_data["subsystems"]],
            }
            return redirect("accounts:register_done")
    else:
        # The 人才引进申办系统 is why people register here: offer it ticked until they decide otherwise.
        chosen = wizard.get("subsystem_ids")
        if chosen is None:
            chosen = list(Subsystem.objects.filter(is_provided=True).values_list("pk", flat=True))
        form = SubsystemChoiceForm(initial={"subsystems": chosen})
    others = Subsystem.objects.filter(is_provided=False).order_by("sort_order").values_list("name", flat=True)
    return render(
        request,
        "accounts/register_systems.html",
        _registration_context(3, form=form, other_systems=list(others), account=wizard["account"]),
    )


def register_done(request):
    """Step 4 注册成功."""
    done = request.session.get(REGISTERED_SESSION_KEY)
    if not done:
        return redirect("accounts:register")
    login_url = f"{reverse('accounts:login')}?username={done['username']}"
    # The names were kept in Chinese (the catalogue's msgids); shown in the page's language.
    systems = gettext("、").join(gettext(name) for name in done.get("systems") or [])
    return render(
        request,
        "accounts/register_done.html",
        _registration_context(4, done=done, login_url=login_url, systems=systems),
    )


# --- Employers and 单位系统管理员权限 ----------------------------------------------------------------


@login_required
@require_GET
def employer_search(request):
    """JSON for the employer pickers (迁入单位 in the 申报, the employer-admin request)."""
    district = request.GET.get("district")
    found = selectors.employer_search(
        query=request.GET.get("q", ""), district_id=int(district) if district and district.isdigit() else None
    )
    return JsonResponse(
        {
            "results": [
                {
                    "id": str(e.public_id),
                    "name": e.name,
                    "credit_code": e.credit_code,
                    "district": e.district.name,
                }
                for e in found
            ]
        }
    )


def _require_applicant(user: User, message: str = "") -> None:
    if user.role != Role.APPLICANT:
        raise PermissionDenied(message or gettext("单位系统管理员权限须由个人用户申请。"))


@login_required
def employer_admin_requests(request):
    """我的单位系统管理员权限: every request with its decision, and cancel for the open ones."""
    _require_applicant(request.user)
    return render(
        request,
        "accounts/employer_admin_requests.html",
        {
            "rights": selectors.employer_admin_requests_for_user(user=request.user),
            "cancel_form": EmployerAdminCancelForm(),
        },
    )


def _stash_licence(request, content: bytes, original_name: str) -> None:
    """A licence that passed the check survives a form error elsewhere: the user need not pick it again."""
    _drop_stash(request)
    storage = storages["private"]
    name = storage.save(f"business_licences/pending/{uuid.uuid4().hex}.jpg", ContentFile(content))
    request.session[LICENCE_STASH_SESSION_KEY] = {"name": name, "original": original_name[:100]}


def _drop_stash(request) -> None:
    stash = request.session.pop(LICENCE_STASH_SESSION_KEY, None)
    if stash:
        storages["private"].delete(stash["name"])


def _stashed_licence(request) -> dict | None:
    stash = request.session.get(LICENCE_STASH_SESSION_KEY)
    if not stash or not storages["private"].exists(stash["name"]):
        return None
    return stash


def _read_stash(request) -> bytes | None:
    stash = _stashed_licence(request)
    if stash is None:
        return None
    with storages["private"].open(stash["name"], "rb") as handle:
        return handle.read()


@login_required
def employer_admin_request(request):
    """单位系统管理员权限申请 (申请前先注册为个人用户)."""
    _require_applicant(request.user)
    query = (request.GET.get("q") or request.POST.get("q") or "").strip()
    results = list(selectors.employer_search(query=query)) if query else []
    chosen = ""
    if request.method == "POST":
        chosen = request.POST.get("employer", "")
        form = EmployerAdminRequestForm(request.POST, request.FILES, stashed_licence=_read_stash(request))
        valid = form.is_valid()
        if form.uploaded_name:
            _stash_licence(request, form.checked_licence.content, form.uploaded_name)
        if valid:
            try:
                right = services.employer_admin_request_create(user=request.user, **form.service_arguments())
            except ValidationError as error:
                form.add_service_error(error)
            else:
                _drop_stash(request)
                messages.success(
                    request,
                    gettext(
                        "已提交“%(name)s”的单位系统管理员权限申请，市人社局审核后将以邮件通知您，也可在本页查看审核结果。"
                    )
                    % {"name": right.employer.name},
                )
                return redirect("accounts:employer_admin_requests")
    else:
        form = EmployerAdminRequestForm()
    return render(
        request,
        "accounts/employer_admin_request.html",
        {
            "form": form,
            "query": query,
            "results": results,
            "chosen": chosen,
            "stash": _stashed_licence(request),
        },
    )


@login_required
@require_POST
def employer_admin_cancel(request, public_id):
    right = access_employer_admin(user=request.user, public_id=public_id)
    if right is None or right.user_id != request.user.pk:
        raise Http404(gettext("申请不存在"))
    form = EmployerAdminCancelForm(request.POST)
    note = form.cleaned_data["note"] if form.is_valid() else ""
    try:
        services.employer_admin_cancel(request_id=right.pk, by=request.user, note=note)
    except ValidationError as error:
        messages.error(request, error.messages[0])
    else:
        messages.success(
            request, gettext("已取消“%(name)s”的单位系统管理员权限。") % {"name": right.employer.name}
        )
    return redirect("accounts:employer_admin_requests")


@login_required
def employer_admin_licence(request, public_id):
    """The business licence: only its requester and city administrators may see it."""
    right = access_employer_admin(user=request.user, public_id=public_id)
    if right is None:
        raise Http404(gettext("文件不存在"))
    return private_file_response(
        right.business_licence, download_name=f"营业执照-{right.employer.name}.jpg", content_type="image/jpeg"
    )


@login_required
def employer_home(request):
    """Where a 单位 login lands: the employers this user administers."""
    employers = list(employers_administered(user=request.user))
    return render(request, "accounts/employer_home.html", {"employers": employers})
