"""Login, logout, lockout, password reset, the registration wizard and the employer-admin pages.

Views parse input, call one service and render; the rules live in accounts.forms/services.
"""

import uuid

from captcha import views as captcha_views
from captcha.models import CaptchaStore
from django.conf import settings
from django.contrib import messages
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
from django.views.decorators.http import require_GET, require_POST

from accounts import selectors, services
from accounts.access import access_employer_admin, employers_administered
from accounts.forms import (
    ACCOUNT_DRAFT_FIELDS,
    AccountInfoForm,
    AgreementForm,
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
from core.client_ip import client_ip
from core.private_files import private_file_response
from core.throttle import throttle_hit, wait_minutes
from reference.models import Subsystem

USER_TYPE_SESSION_KEY = "portal_user_type"  # read by templates/partials/system_bar.html
REGISTRATION_SESSION_KEY = "registration"
REGISTERED_SESSION_KEY = "registration_done"
LICENCE_STASH_SESSION_KEY = "employer_admin_licence"
REGISTRATION_STEPS = ["确认服务协议", "填写帐号信息", "申请应用系统", "注册成功"]


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
        form = context["form"]
        context["staff_refused"] = form.is_bound and form.has_error(NON_FIELD_ERRORS, code="staff")
        return context


class LogoutView(auth_views.LogoutView):
    def post(self, request, *args, **kwargs):
        response = super().post(request, *args, **kwargs)
        messages.success(request, "您已安全退出系统。")
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
        response = JsonResponse({"message": f"获取验证码过于频繁，请{wait}秒后再试。"}, status=429)
        response["Retry-After"] = str(wait)
        return response
    return captcha_views.captcha_refresh(request)


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
        messages.success(self.request, "密码已修改，下次登录请使用新密码。")
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
        messages.info(request, "您已登录，无需重新注册。")
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
            "message": "该登录帐号可以使用。" if available else "该登录帐号已被注册，请换一个。",
        }
    errors = check_form.errors
    first = errors.get("username") or errors.get("check_captcha") or ["请检查输入。"]
    return {"ok": False, "message": first[0], "errors": {name: list(errs) for name, errs in errors.items()}}


REGISTRATION_THROTTLED = "提交过于频繁，为保护帐号安全，请{minutes}分钟后再试。已填写的内容已为您保留。"
USERNAME_CHECK_THROTTLED = "检测过于频繁，为保护帐号安全，请{minutes}分钟后再试。"


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
    message = (USERNAME_CHECK_THROTTLED if action == "check_username" else REGISTRATION_THROTTLED).format(
        minutes=wait_minutes(wait)
    )
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
        messages.warning(request, "请先阅读并同意服务协议。")
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
        messages.warning(request, "请先完整填写帐号信息。")
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
    return render(
        request, "accounts/register_done.html", _registration_context(4, done=done, login_url=login_url)
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


def _require_applicant(user: User) -> None:
    if user.role != Role.APPLICANT:
        raise PermissionDenied("单位系统管理员权限须由个人用户申请。")


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
                    f"已提交“{right.employer.name}”的单位系统管理员权限申请，市人社局审核后将以邮件通知您，也可在本页查看审核结果。",
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
        raise Http404("申请不存在")
    form = EmployerAdminCancelForm(request.POST)
    note = form.cleaned_data["note"] if form.is_valid() else ""
    try:
        services.employer_admin_cancel(request_id=right.pk, by=request.user, note=note)
    except ValidationError as error:
        messages.error(request, error.messages[0])
    else:
        messages.success(request, f"已取消“{right.employer.name}”的单位系统管理员权限。")
    return redirect("accounts:employer_admin_requests")


@login_required
def employer_admin_licence(request, public_id):
    """The business licence: only its requester and city administrators may see it."""
    right = access_employer_admin(user=request.user, public_id=public_id)
    if right is None:
        raise Http404("文件不存在")
    return private_file_response(
        right.business_licence, download_name=f"营业执照-{right.employer.name}.jpg", content_type="image/jpeg"
    )


@login_required
def employer_home(request):
    """Where a 单位 login lands: the employers this user administers."""
    employers = list(employers_administered(user=request.user))
    return render(request, "accounts/employer_home.html", {"employers": employers})
