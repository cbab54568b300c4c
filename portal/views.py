"""The 门户: home after login, the 添加应用 catalogue, content pages, help, health."""

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from accounts.services import LANGUAGE_CODES, user_choose_language
from core.middleware import session_refresh, session_seconds_left
from portal import selectors, services
from reference.models import ContentPage, Subsystem

PORTAL_CONTEXT = {"system_name": "", "system_home_url": "/"}


def _entry_url(subsystem: Subsystem) -> str:
    return reverse(subsystem.entry_url_name) if subsystem.entry_url_name else ""


@login_required
def home(request):
    """The 门户 after login: 我的应用, 添加应用 and the 温馨提示 (seed)."""
    from accounts.selectors import user_has_employer_right

    apps = list(selectors.added_subsystems(user=request.user))
    for app in apps:
        app.entry_url = _entry_url(app)
    return render(
        request,
        "portal/home.html",
        {
            **PORTAL_CONTEXT,
            "system_home_url": reverse("portal:home"),
            "my_apps": apps,
            "has_employer_right": user_has_employer_right(user=request.user),
            "guides": selectors.content_pages_in(section=ContentPage.Section.GUIDE),
        },
    )


@login_required
def catalogue(request):
    """添加应用: every subsystem of the seed's 系统说明; only the provided ones can be added."""
    subsystems = list(selectors.subsystems_for_user(user=request.user))
    for subsystem in subsystems:
        subsystem.entry_url = _entry_url(subsystem)
    return render(
        request,
        "portal/catalogue.html",
        {
            **PORTAL_CONTEXT,
            "system_home_url": reverse("portal:home"),
            "provided": [s for s in subsystems if s.is_provided],
            "not_provided": [s for s in subsystems if not s.is_provided],
        },
    )


@login_required
@require_POST
def subsystem_add(request, slug):
    subsystem = get_object_or_404(Subsystem, slug=slug)
    try:
        services.subsystem_add(user=request.user, subsystem=subsystem)
    except ValidationError as error:
        messages.error(request, error.messages[0])
        return redirect("portal:catalogue")
    messages.success(
        request, gettext("已添加“%(name)s”，可在“我的应用”中进入。") % {"name": gettext(subsystem.name)}
    )
    return redirect("portal:home")


def content_page(request, slug):
    """A policy, guide or Q&A page of the 人才引进申办系统. Public: anyone may read policy."""
    page = get_object_or_404(ContentPage, slug=slug)
    return render(
        request,
        "portal/content_page.html",
        {"page": page, "system_name": "人才引进申办系统", "system_home_url": _talent_home_url()},
    )


def _talent_home_url() -> str:
    return reverse("applications:home")


def help_page(request):
    return render(
        request,
        "portal/help.html",
        {
            **PORTAL_CONTEXT,
            "system_home_url": reverse("portal:home"),
            "guides": selectors.content_pages_in(section=ContentPage.Section.GUIDE),
            "help_pages": selectors.content_pages_in(section=ContentPage.Section.HELP),
        },
    )


def gov_service(request):
    return render(
        request, "portal/gov_service.html", {**PORTAL_CONTEXT, "system_home_url": reverse("portal:home")}
    )


@login_required
def keepalive(request):
    """继续办理 in the timeout warning: renew the session now, and say how long it lasts."""
    session_refresh(request.session)
    return JsonResponse({"ok": True, "seconds_left": session_seconds_left(request.session)})


# --- 我的个人信息: who looked at it (个人信息查阅记录) -------------------------------------------


@login_required
def access_log(request):
    """The applicant's own access log: which bureau's staff viewed what of theirs, when and why.
    Only the signed-in person's rows: the subject is the user, never a parameter."""
    from django.conf import settings
    from django.core.paginator import Paginator

    from audit.actions import role_label
    from audit.selectors import access_log_for_subject

    page = Paginator(access_log_for_subject(subject=request.user), 30).get_page(request.GET.get("page"))
    rows = list(page.object_list)
    for row in rows:
        row.role_text = role_label(row.viewer_role)
        if settings.PRIVACY_SHOW_STAFF_NAMES:
            row.viewer_name = row.viewer.display_name
    return render(
        request,
        "portal/access_log.html",
        {
            **PORTAL_CONTEXT,
            "system_home_url": reverse("portal:home"),
            "rows": rows,
            "page": page,
            "page_range": list(page.paginator.get_elided_page_range(page.number)),
            "show_names": settings.PRIVACY_SHOW_STAFF_NAMES,
        },
    )


def switch_language(request, code):
    """The 中文 / English switch: remember the language in Django's language cookie and go back.

    A link, not Django's set_language form: the anonymous pages are cached without a CSRF cookie
    (core.cache), and no view here opts out of CSRF. Choosing a language changes nothing but the
    wording, so a plain GET is safe; `next` is checked like set_language checks it.
    """
    if code not in LANGUAGE_CODES:
        raise Http404
    next_url = request.GET.get("next", "")
    if not url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        next_url = reverse("portal:home") if request.user.is_authenticated else reverse("accounts:login")
    response = redirect(next_url)
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        code,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        path=settings.LANGUAGE_COOKIE_PATH,
        domain=settings.LANGUAGE_COOKIE_DOMAIN,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
    )
    if request.user.is_authenticated:
        user_choose_language(user=request.user, language=code)
    return response


def healthz(request):
    """For the load balancer and docker-compose: 503 when the database or broker is unreachable;
    200 "degraded" with the reasons when production runs on a stand-in (portal.services)."""
    report = services.health_report()
    return JsonResponse(report.as_json(), status=200 if report.healthy else 503)


def csrf_failure(request, reason=""):
    return render(request, "portal/csrf_failure.html", status=403)


# --- 我的个人信息: the applicant's copy and closing the account -----------------------------------


class PasswordAgainForm(forms.Form):
    password = forms.CharField(
        label=_("登录密码"),
        widget=forms.PasswordInput,
        error_messages={"required": _("请再次输入登录密码。")},
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_password(self):
        password = self.cleaned_data["password"]
        if not self.user.check_password(password):
            raise forms.ValidationError(gettext("密码不正确，请重新输入。"))
        return password


class CloseAccountForm(PasswordAgainForm):
    confirm = forms.BooleanField(
        label=_("我已了解注销后帐号不可恢复，并已阅读上述保留信息的说明"),
        error_messages={"required": _("请勾选确认后再注销帐号。")},
    )


def _privacy_page(request, *, export_form=None, close_form=None, status=200):
    from django.conf import settings

    from portal.models import PersonalDataExport

    latest = PersonalDataExport.objects.filter(user=request.user).first()
    return render(
        request,
        "portal/privacy.html",
        {
            **PORTAL_CONTEXT,
            "system_home_url": reverse("portal:home"),
            "export": latest,
            "export_form": export_form or PasswordAgainForm(user=request.user, prefix="export"),
            "close_form": close_form or CloseAccountForm(user=request.user, prefix="close"),
            "blockers": services.account_close_blockers(user=request.user),
            "hours": settings.PERSONAL_DATA_EXPORT_HOURS,
            "scan_years": settings.RETENTION_CLOSED_SCANS_DAYS // 365,
        },
        status=status,
    )


@login_required
def privacy(request):
    return _privacy_page(request)


@login_required
@require_POST
def privacy_export(request):
    from core.client_ip import client_ip
    from core.errors import Refused
    from portal.exports import export_request

    form = PasswordAgainForm(request.POST, user=request.user, prefix="export")
    if not form.is_valid():
        return _privacy_page(request, export_form=form, status=400)
    try:
        export_request(user=request.user, ip_address=client_ip(request))
    except Refused as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, gettext("已开始生成您的个人信息下载包，生成后可在本页下载。"))
    return redirect("portal:privacy")


@login_required
def privacy_export_download(request, public_id):
    from django.http import Http404
    from django.utils import timezone

    from core.client_ip import client_ip
    from core.private_files import private_file_response
    from portal.exports import export_download_record
    from portal.models import PersonalDataExport

    export = PersonalDataExport.objects.filter(user=request.user, public_id=public_id).first()
    if export is None:
        raise Http404(gettext("下载包不存在"))
    if export.status != PersonalDataExport.Status.READY or export.expires_at < timezone.now():
        messages.error(request, gettext("该下载包已过期或尚未生成，请重新申请。"))
        return redirect("portal:privacy")
    export_download_record(export=export, ip_address=client_ip(request))
    return private_file_response(
        export.file, download_name=f"我的个人信息_{timezone.localdate():%Y%m%d}.zip", as_attachment=True,
        content_type="application/zip",
    )  # fmt: skip


@login_required
@require_POST
def account_close(request):
    from django.contrib.auth import logout

    from core.client_ip import client_ip
    from core.errors import Refused

    form = CloseAccountForm(request.POST, user=request.user, prefix="close")
    if not form.is_valid():
        return _privacy_page(request, close_form=form, status=400)
    try:
        services.account_close(user=request.user, ip_address=client_ip(request))
    except Refused as exc:
        form.add_error(None, exc.message)
        return _privacy_page(request, close_form=form, status=409)
    logout(request)
    return render(request, "portal/account_closed.html", {**PORTAL_CONTEXT})
