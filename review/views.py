"""The review console (/console/): parse input, call one service, render.

District scoping is in the selectors: every object is looked up through a queryset already
limited to the reviewer's district, so another district's object is a plain 404.
"""

import csv
import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import quote, urlencode

from crispy_forms.templatetags.crispy_forms_filters import as_crispy_form
from django import forms as django_forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth import views as auth_views
from django.core.cache import cache
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language, gettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from accounts.access import role_required
from accounts.models import CONSOLE_ROLES, Role
from applications import form_pdf
from applications.access import access_application
from applications.choices import Status
from applications.models import Application
from applications.policy import FORM_PDF_STATUSES, RATEABLE_STATUSES
from applications.reference import reference_lists
from applications.workflow import Actor, allowed_actions
from audit import access_log
from audit.actions import action_label, role_label
from audit.models import PersonalDataAccess
from audit.selectors import AccessLogFilters, access_log_filtered
from core.cache import version
from core.client_ip import client_ip
from core.csv_export import csv_response
from core.errors import Refused
from core.fragments import render_fragment
from core.private_files import private_content_response, private_file_response
from core.text import csv_cell
from reference.selectors import REFERENCE
from review import selectors, services
from review.access import (
    access_console_application,
    access_console_attachment,
    access_notice,
    access_objection,
    access_statistics_district,
    console_view_purpose,
    console_view_reason_give,
)
from review.deadlines import working_days_left
from review.forms import (
    AccessLogFilterForm,
    AccessReasonForm,
    BarForm,
    ConsoleLoginForm,
    ExtendForm,
    GrantForm,
    ObjectionDecisionForm,
    QueueFilterForm,
    RatingFilterForm,
    RejectForm,
    ReturnForm,
    ServiceRatingForm,
    StatisticsFilterForm,
)
from review.models import Objection, PublicNotice
from review.statistics import StatisticsFilters, build_statistics, counts_are_live, statistics_years

QUEUE_PAGE_SIZE = 50


def paginate(request, queryset, size: int) -> dict:
    """The page, the elided page range and the query string without `page`, for _pagination.html."""
    page = Paginator(queryset, size).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return {
        "page": page,
        "page_range": list(page.paginator.get_elided_page_range(page.number)),
        "querystring": query.urlencode(),
    }


# Reviewers and city administrators only; anyone else signed in is told so (403).
console_required = role_required(
    *CONSOLE_ROLES, login_url_name="review:login", forbidden_template="review/forbidden.html"
)


def _console_home(user) -> str:
    if user.role == Role.POLICE:
        return reverse("hukou_card:police_lookup")
    return reverse("review:queue")


class ConsoleLoginView(auth_views.LoginView):
    template_name = "review/login.html"
    form_class = ConsoleLoginForm
    redirect_authenticated_user = True

    def get_default_redirect_url(self):
        return _console_home(self.request.user)


@require_POST
def console_logout(request):
    logout(request)
    messages.info(request, "您已安全退出审核工作台。")
    return redirect("review:login")


def forbidden(request):
    return render(request, "review/forbidden.html", status=403)


# --- queue --------------------------------------------------------------------------------------


def queue_filters_key(request, *, show_district: bool) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    # An HMAC, not a plain hash: the query string of a search holds a whole ID number.
    digest = salted_hmac("review.queue-filters", query.urlencode()).hexdigest()[:32]
    return f"queue-filters:{version(REFERENCE)}:{int(show_district)}:{digest}"


def queue_filters_html(form: QueueFilterForm, *, key: str, cached: str | None, search: bool) -> str:
    """The rendered filter bar, cached under `key` (queue_filters_key): crispy-forms renders its
    nine fields in ~10 ms, the same HTML every time for the same query string (and reference
    lists). `cached` is what the page's one cache read found, or None. A search's bar shows what
    was searched (an ID number, a name) in its field: kept no longer than the rows it found."""
    html = cached
    if html is None:
        html = render_to_string("review/_queue_filters.html", {"form": form}, request=None)
        cache.set(key, html, selectors.QUEUE_LISTING_TIMEOUT if search else 3600)
    return mark_safe(html)  # nosec B703, B308  # noqa: S308 - our own template's output, values escaped


@dataclass(frozen=True)
class ShownRow:
    """What the access log records of a row shown: kept with a cached page, whose rows are not read."""

    pk: int
    applicant_id: int
    number: str


def queue_listing(request, *, filters, today, key: str, cached) -> tuple[str, list[ShownRow]]:
    """The count, the rows and the pagination of one queue page, rendered, and the rows it shows.

    Kept in the shared cache under `key` (selectors.queue_listing_key: versions the writers bump,
    the scope, the day, the query string and page) for QUEUE_LISTING_TIMEOUT. The 50 rows' query,
    the paginator's COUNT and the rows' template were most of the page's CPU (profile in
    docs/performance.md); on a hit none of them runs. `cached` is what the page's one cache read
    found, or None.
    """
    if cached is None:
        ordered = selectors.review_queue(user=request.user, filters=filters, today=today)
        pagination = paginate(request, ordered.values_list("pk", flat=True), QUEUE_PAGE_SIZE)
        rows = selectors.queue_rows(ids=list(pagination["page"].object_list))
        left = working_days_left([row.due_on for row in rows], today=today)
        for row in rows:
            row.days_left = left.get(row.due_on)
        html = render_to_string("review/_queue_listing.html", {"rows": rows, **pagination}, request=request)
        # Only what the page shows (its HTML) and what the access log needs of each row.
        cached = (html, [(row.pk, row.applicant_id, row.number) for row in rows])
        cache.set(key, cached, selectors.QUEUE_LISTING_TIMEOUT)
    html, shown = cached
    return (
        mark_safe(html),  # nosec B703, B308  # noqa: S308 - our own template's output, values escaped
        [ShownRow(*row) for row in shown],
    )


@console_required
def queue(request):
    user = request.user
    show_district = user.role == Role.CITY_ADMIN
    form = QueueFilterForm(request.GET or None, show_district=show_district)
    filters = selectors.QueueFilters()
    if form.is_bound:
        form.is_valid()  # a bad field shows its error next to it; the valid ones still filter
        filters = form.to_filters()
    today = timezone.localdate()
    # The page's three cached parts in one Redis round trip instead of a GET each (py-spy: the
    # queue's Redis calls were a quarter of its time, each a full round trip).
    filters_key = queue_filters_key(request, show_district=show_district)
    counts_key = selectors.queue_counts_key(user=user, today=today)
    listing_key = selectors.queue_listing_key(user=user, query_string=request.GET.urlencode(), today=today)
    cached = cache.get_many([filters_key, counts_key, listing_key])
    listing_html, shown = queue_listing(
        request, filters=filters, today=today, key=listing_key, cached=cached.get(listing_key)
    )
    if filters.query:
        # A search names people: each one it returned on this page is a view of their data, also
        # when the page came from the cache.
        for row in shown:
            access_log.note_view(
                request, subject_id=row.applicant_id, what=PersonalDataAccess.What.SEARCH,
                purpose=access_log.Purpose("查询"), application=row, item=filters.query[:60],
            )  # fmt: skip
    return render(
        request,
        "review/queue.html",
        {
            "filters_html": queue_filters_html(
                form, key=filters_key, cached=cached.get(filters_key), search=bool(filters.query)
            ),
            "listing_html": listing_html,
            "counts": selectors.queue_counts(
                user=user, today=today, key=counts_key, cached=cached.get(counts_key)
            ),
            "active": "queue",
        },
    )


# --- application detail and decisions -----------------------------------------------------------


def _status_label(value: str) -> str:
    return Status(value).label if value in Status.values else value


def _decision_forms(overrides: dict | None = None) -> dict:
    forms = {
        "return": ReturnForm(prefix="return"),
        "reject": RejectForm(prefix="reject"),
        "extend": ExtendForm(prefix="extend"),
        "grant": GrantForm(prefix="grant"),
        "bar": BarForm(prefix="bar"),
    }
    forms.update(overrides or {})
    return forms


# A blank decision form prints the same HTML on every page: crispy laying out the four or five of
# them was a quarter of the page's CPU (docs/performance.md). So each is laid out once per process
# and language; a form bound with its errors differs per request and is laid out each time.
# Only for forms whose blank HTML depends on their class and prefix alone (no initial values,
# no choices read per request), as the decision forms are.
_BLANK_FORM_HTML: dict[tuple[type, str | None, str | None], SafeString] = {}


def decision_form_html(form: django_forms.Form) -> SafeString:
    if form.is_bound:
        return as_crispy_form(form)
    key = (type(form), form.prefix, get_language())
    html = _BLANK_FORM_HTML.get(key)
    if html is None:
        html = _BLANK_FORM_HTML[key] = as_crispy_form(form)
    return html


def _render_detail(
    request, app: Application, *, forms: dict | None = None, status: int = 200
) -> HttpResponse:
    today = timezone.localdate()
    forms = _decision_forms(forms)
    attachments = list(selectors.application_attachments(application=app))
    trail = list(selectors.application_audit_trail(application=app))
    for row in trail:
        row.action_label = action_label(row.action)
        row.role_label = role_label(row.actor_role)
        row.from_label = _status_label(row.from_status)
        row.to_label = _status_label(row.to_status)
    allowed = set(allowed_actions(app.status, Actor.REVIEWER))
    due = app.accept_due_on if app.status == Status.SUBMITTED else app.decision_due_on
    # Both read with the application (review.selectors.console_application_detail), not queried here.
    bar_until = app.active_bar_until
    unused_grant = app.status == Status.REJECTED and app.has_unused_grant
    # The record (the left column: the answers, 随迁人, attachments, trail) is drawn from what is
    # read here and kept by its digest (core.fragments); the rest of the page holds the request's
    # CSRF token and the day's deadlines, and is drawn on every request.
    record = {
        "application": app,
        "attachments": attachments,
        "retention_deletions": selectors.application_retention_deletions(application=app),
        "accompanying_persons": list(app.accompanying_persons.all()),
        "trail": trail,
    }
    context = {
        "application": app,
        "record_html": render_fragment("review/_detail_record.html", record),
        "facts": selectors.derived_facts(application=app, attachments=attachments),
        "objections": list(selectors.application_objections(application=app)),
        "allowed": allowed,
        "due_on": due if app.status in (Status.SUBMITTED, Status.UNDER_REVIEW) else None,
        "days_left": working_days_left([due], today=today).get(due) if due else None,
        "can_extend": app.status == Status.UNDER_REVIEW and not app.decision_extension_reason,
        "can_grant": app.status == Status.REJECTED and not unused_grant and bar_until is None,
        "unused_grant_year": app.year if unused_grant else None,
        "active_bar_until": bar_until,
        "can_bar": bar_until is None,
        "forms": forms,
        "forms_html": {name: decision_form_html(form) for name, form in forms.items()},
        "has_form_pdf": app.status in FORM_PDF_STATUSES,
        # The applicant's 好差评, once the decision allows one (no query before).
        "rating": selectors.rating_of(application=app) if app.status in RATEABLE_STATUSES else None,
        "active": "queue",
    }
    return render(request, "review/detail.html", context, status=status)


@console_required
@require_http_methods(["GET", "POST"])
def detail(request, public_id):
    app = access_console_application(user=request.user, public_id=public_id)
    purpose = console_view_purpose(request, app)
    if purpose is None:
        # Decided, returned or withdrawn: no open task of the console. Ask why before showing it.
        form = AccessReasonForm(request.POST if request.method == "POST" else None)
        if request.method == "POST" and form.is_valid():
            console_view_reason_give(request, app, form.cleaned_data["reason"])
            return redirect("review:detail", public_id=app.public_id)
        return render(
            request,
            "review/access_reason.html",
            {"application": app, "form": form, "active": "queue"},
            status=200 if request.method == "GET" else 400,
        )
    _note_detail_view(request, app, purpose)
    return _render_detail(request, app)


def _note_detail_view(request, app: Application, purpose: access_log.Purpose) -> None:
    access_log.note_view(
        request, subject_id=app.applicant_id, what=PersonalDataAccess.What.APPLICATION,
        purpose=purpose, application=app,
    )  # fmt: skip


@dataclass(frozen=True)
class Decision:
    form_class: type | None
    run: Callable
    success: str
    label: str


def _run_accept(app, by, ip, data):
    services.application_accept(application_id=app.pk, by=by, ip_address=ip)


def _run_return(app, by, ip, data):
    services.application_return_for_correction(
        application_id=app.pk, by=by, items=data["items"], ip_address=ip
    )


def _run_reject(app, by, ip, data):
    services.application_reject(application_id=app.pk, by=by, reason=data["reason"], ip_address=ip)


def _run_approve(app, by, ip, data):
    services.application_approve(application_id=app.pk, by=by, ip_address=ip)


def _run_extend(app, by, ip, data):
    services.application_extend_decision(application_id=app.pk, by=by, reason=data["reason"], ip_address=ip)


def _run_grant(app, by, ip, data):
    services.reapplication_grant(applicant=app.applicant, year=app.year, by=by, reason=data["reason"])


def _run_bar(app, by, ip, data):
    services.applicant_bar(
        applicant=app.applicant, by=by, reason=data["reason"], application=app, ip_address=ip
    )


DECISIONS = {
    "accept": Decision(None, _run_accept, "已受理该申报。", "受理"),
    "return": Decision(ReturnForm, _run_return, "已退回补正，申请人将收到需补正事项清单。", "退回补正"),
    "reject": Decision(RejectForm, _run_reject, "已作出审核不通过决定。", "审核不通过"),
    "approve": Decision(None, _run_approve, "审核通过，已列入网上公示。", "审核通过"),
    "extend": Decision(ExtendForm, _run_extend, "审核期限已延长10个工作日。", "延长审核期限"),
    "grant": Decision(GrantForm, _run_grant, "已开通再次申报权限。", "开通再次申报权限"),
    "bar": Decision(BarForm, _run_bar, "已取消该申请人的申请资格5年。", "取消申请资格"),
}


@console_required
@require_POST
def decide(request, public_id, decision: str):
    spec = DECISIONS.get(decision)
    if spec is None:
        raise Http404("未知操作")
    app = access_console_application(user=request.user, public_id=public_id)
    form = spec.form_class(request.POST, prefix=decision) if spec.form_class else None
    # A decision re-shows the page when it is refused or incomplete: that too is a view, for the
    # task at hand or, on a decided application, for the decision being taken.
    purpose = console_view_purpose(request, app) or access_log.Purpose(f"作出“{spec.label}”决定")
    if form is not None and not form.is_valid():
        _note_detail_view(request, app, purpose)
        return _render_detail(request, app, forms={decision: form})
    try:
        spec.run(app, request.user, client_ip(request), form.cleaned_data if form else {})
    except Refused as exc:
        messages.error(request, str(exc))
        # Read again as the page reads it (refresh_from_db would drop the rows joined with it).
        app = access_console_application(user=request.user, public_id=public_id)
        response = _render_detail(request, app, forms={decision: form} if form else None, status=409)
        # The middleware writes rows of answers below 400 only; this page did show the application.
        access_log.access_record(
            viewer=request.user, subject_id=app.applicant_id, what=PersonalDataAccess.What.APPLICATION,
            purpose=purpose, application=app, ip_address=client_ip(request),
        )  # fmt: skip
        return response
    messages.success(request, spec.success)
    # The page after the decision is part of the task just done, even when the decision closed it
    # (returned, rejected): the reviewer is not asked for a reason to see what they did.
    console_view_reason_give(request, app, f"本人作出“{spec.label}”决定后查看")
    return redirect("review:detail", public_id=app.public_id)


@console_required
def attachment(request, public_id, attachment_id):
    """An attachment at full size, for reviewers of the application's district (and city administrators)."""
    item = access_console_attachment(
        user=request.user, application_public_id=public_id, public_id=attachment_id
    )
    purpose = console_view_purpose(request, item.application)
    if purpose is None:  # the detail page asks for the reason first
        return redirect("review:detail", public_id=public_id)
    access_log.note_view(
        request, subject_id=item.application.applicant_id, what=PersonalDataAccess.What.ATTACHMENT,
        purpose=purpose, application=item.application, item=item.get_kind_display(),
    )  # fmt: skip
    return private_file_response(
        item.document.file, download_name=f"{item.get_kind_display()}.jpg", content_type="image/jpeg"
    )


@console_required
@never_cache
def application_form_pdf(request, public_id):
    """申报表 (PDF) of an application of the reviewer's district (any district for the city)."""
    app = access_console_application(user=request.user, public_id=public_id)
    if app.status not in FORM_PDF_STATUSES:
        if app.status == Status.RETURNED:
            messages.info(request, "申报已退回补正，申请人正在修改；重新提交后可下载申报表。")
        else:
            messages.info(request, f"申报{app.status_label}，不提供申报表。")
        return redirect("review:detail", public_id=app.public_id)
    return private_content_response(
        form_pdf.application_form_pdf(app),
        download_name=form_pdf.download_name(app),
        content_type="application/pdf",
        as_attachment=True,
    )


# --- objections --------------------------------------------------------------------------------


@console_required
def objections(request):
    show = request.GET.get("show", "open")
    queryset = selectors.console_objections(user=request.user)
    if show != "all":
        queryset = queryset.filter(status=Objection.Status.OPEN)
    pagination = paginate(request, queryset.order_by("status", "due_on", "pk"), 30)
    rows = list(pagination["page"].object_list)
    today = timezone.localdate()
    left = working_days_left([row.due_on for row in rows if row.status == Objection.Status.OPEN], today=today)
    for row in rows:
        row.days_left = left.get(row.due_on) if row.status == Objection.Status.OPEN else None
    return render(
        request, "review/objections.html", {"rows": rows, "show": show, "active": "objections", **pagination}
    )


def _render_objection(request, objection, *, forms: dict | None = None, status: int = 200):
    today = timezone.localdate()
    forms = {
        "uphold": ObjectionDecisionForm(prefix="uphold"),
        "dismiss": ObjectionDecisionForm(prefix="dismiss"),
        **(forms or {}),
    }
    siblings = Objection.objects.filter(entry=objection.entry).exclude(pk=objection.pk).order_by("created_at")
    return render(
        request,
        "review/objection_detail.html",
        {
            "objection": objection,
            "application": objection.entry.application,
            "notice": objection.entry.notice,
            "siblings": list(siblings),
            "days_left": working_days_left([objection.due_on], today=today).get(objection.due_on),
            "forms": forms,
            "active": "objections",
        },
        status=status,
    )


@console_required
def objection_detail(request, public_id):
    objection = access_objection(user=request.user, public_id=public_id)
    application = objection.entry.application
    access_log.note_view(
        request, subject_id=application.applicant_id, what=PersonalDataAccess.What.OBJECTION,
        purpose=access_log.Purpose("异议处理"), application=application,
    )  # fmt: skip
    return _render_objection(request, objection)


@console_required
@require_POST
def objection_decide(request, public_id, decision: str):
    if decision not in ("uphold", "dismiss"):
        raise Http404("未知操作")
    objection = access_objection(user=request.user, public_id=public_id)
    form = ObjectionDecisionForm(request.POST, prefix=decision)
    if not form.is_valid():
        return _render_objection(request, objection, forms={decision: form})
    service = services.objection_uphold if decision == "uphold" else services.objection_dismiss
    try:
        service(
            objection_id=objection.pk,
            by=request.user,
            resolution=form.cleaned_data["resolution"],
            ip_address=client_ip(request),
        )
    except Refused as exc:
        messages.error(request, str(exc))
        objection.refresh_from_db()
        return _render_objection(request, objection, forms={decision: form}, status=409)
    if decision == "uphold":
        messages.success(request, "已认定异议成立：申报不予通过，总量控制指标已释放。")
    else:
        messages.success(request, "已认定异议不成立。")
    return redirect("review:objection_detail", public_id=objection.public_id)


# --- notice batches ------------------------------------------------------------------------------


def _periodic_jobs_run() -> bool:
    """Whether a beat can close ended notices here. With no broker (`make run` on a bare machine)
    tasks run inside the web process and nothing runs on a schedule, so the pages must not promise
    the nightly close-ended-notices job; the city administrator's 结束公示并公布 is the way then."""
    return not settings.CELERY_TASK_ALWAYS_EAGER


@console_required
def notices(request):
    pagination = paginate(request, selectors.console_notices(user=request.user), 30)
    return render(
        request,
        "review/notices.html",
        {"active": "notices", "periodic_jobs": _periodic_jobs_run(), **pagination},
    )


@console_required
def notice_detail(request, public_id):
    notice = access_notice(user=request.user, public_id=public_id)
    return render(
        request,
        "review/notice_detail.html",
        {
            "notice": notice,
            "entries": list(selectors.notice_entries(notice=notice)),
            "active": "notices",
            "periodic_jobs": _periodic_jobs_run(),
        },
    )


@console_required
@require_POST
def notice_close(request, public_id):
    notice = access_notice(user=request.user, public_id=public_id)
    try:
        result = services.notice_close(notice_id=notice.pk, by=request.user)
    except Refused as exc:
        messages.error(request, str(exc))
    else:
        if result.notice.status == PublicNotice.Status.CLOSED:
            text = f"《{notice.title}》已结束：公布{len(result.published)}人"
            if result.held:
                text += f"，{len(result.held)}人因异议尚未处理暂缓公布"
            messages.success(request, text + "。")
    return redirect("review:notice_detail", public_id=notice.public_id)


# --- quota ---------------------------------------------------------------------------------------


@console_required
def quota(request):
    years = selectors.quota_years()
    try:
        year = int(request.GET.get("year") or timezone.localdate().year)
    except ValueError:
        year = timezone.localdate().year
    rows = selectors.quota_overview(user=request.user, year=year)
    allocated = [row for row in rows if row.total is not None and row.employer is None]
    totals = {
        "total": sum(row.total for row in allocated),
        "reserved": sum(row.reserved for row in allocated),
        "used": sum(row.used for row in allocated),
        "left": sum(row.left for row in allocated),
    }
    return render(
        request,
        "review/quota.html",
        {"rows": rows, "year": year, "years": years, "totals": totals, "active": "quota"},
    )


# --- statistics ------------------------------------------------------------------------------------


def _requested_district(request, form: StatisticsFilterForm, *, show_district: bool) -> int | None:
    if show_district:
        return form.value("district")
    # A reviewer has no district field; one in the address is someone else's unless it is theirs.
    raw = request.GET.get("district", "")
    if not raw:
        return None
    try:
        return int(raw)
    except ValueError:
        raise Http404("没有找到该区的统计数据。") from None


# The quota section is read live on every view of the page, but its figures change seldom (a notice
# published, a plan set): its HTML follows from the table's rows (the chart is drawn from them) and
# the CSV links' filters, so each process keeps the last ones it drew, keyed by exactly those.
_QUOTA_HTML: dict[tuple, str] = {}
_QUOTA_HTML_LIMIT = 256


def _quota_section_html(section, csv_query: str) -> str:
    table = section.table
    key = (csv_query, tuple(map(tuple, table.rows)), tuple(table.footer or ()))
    html = _QUOTA_HTML.get(key)
    if html is None:
        html = render_to_string("review/_stats_section.html", {"section": section, "csv_query": csv_query})
        if len(_QUOTA_HTML) >= _QUOTA_HTML_LIMIT:
            _QUOTA_HTML.clear()  # a bound, not an LRU: the filters in use are drawn again at once
        _QUOTA_HTML[key] = html
    return html


@console_required
def statistics(request):
    """统计分析: the figures of the whole city (city administrator) or of the reviewer's district.
    `?csv=<table>` downloads one table, with the same filters, as CSV."""
    user = request.user
    show_district = user.role == Role.CITY_ADMIN
    years, refreshed_at = statistics_years()
    form = StatisticsFilterForm(request.GET or None, years=years, show_district=show_district)
    if form.is_bound:
        form.is_valid()  # a bad field shows its error next to it; the valid ones still filter
    today = timezone.localdate()
    filters = StatisticsFilters(
        # No year in the address: this year; an empty one (全部年度): every year.
        year=form.value("year") if "year" in request.GET else today.year,
        district_id=access_statistics_district(
            user=user, requested=_requested_district(request, form, show_district=show_district)
        ),
        category_id=form.value("category"),
    )
    if not form.is_bound:
        form.initial = {"year": today.year}
    if "csv" in request.GET:
        stats = build_statistics(filters=filters)
        table = stats.table(request.GET["csv"])
        if table is None:
            raise Http404("没有这张统计表。")
        name = f"statistics-{table.key}-{filters.year or 'all'}"
        if filters.district_id:
            name += f"-district{filters.district_id}"
        if filters.category_id:
            name += f"-category{filters.category_id}"
        rows = [*table.rows, *([table.footer] if table.footer else [])]
        return csv_response(filename=f"{name}.csv", header=table.headers, rows=rows)
    csv_query = urlencode(filters.query())
    # The counted sections change only when beat recounts the view: their HTML (most of the
    # page's time is drawing it) is kept per filters and recount. The quota is read live.
    key = None
    if not counts_are_live() and refreshed_at is not None:
        digest = hashlib.sha256(f"{csv_query}|{refreshed_at.isoformat()}".encode()).hexdigest()[:32]
        key = f"statistics:{version(REFERENCE)}:{digest}"
    counted = cache.get(key) if key else None
    stats = build_statistics(filters=filters, counted=counted is None)
    if counted is None:
        sections = stats.sections[1:]
        counted = {
            "html": render_to_string(
                "review/_stats_sections.html", {"sections": sections, "csv_query": csv_query}
            ),
            "toc": [(section.table.key, section.table.title) for section in sections],
        }
        if key:
            cache.set(key, counted, 20 * 60)
    district_name = (
        dict(reference_lists()["districts"]).get(filters.district_id) if filters.district_id else None
    )
    return render(
        request,
        "review/statistics.html",
        {
            "form": form,
            "stats": stats,
            "quota_html": mark_safe(_quota_section_html(stats.sections[0], csv_query)),  # nosec B703, B308  # noqa: S308 - as counted_html
            "counted_html": mark_safe(counted["html"]),  # nosec B703, B308  # noqa: S308 - our own template's output, values escaped
            "toc": [(stats.sections[0].table.key, stats.sections[0].table.title), *counted["toc"]],
            "filters": filters,
            "csv_query": csv_query,
            "scope_label": district_name or "全市",
            "refreshed_at": refreshed_at,
            "live": counts_are_live(),
            "active": "statistics",
        },
    )


# --- 政务服务好差评 ------------------------------------------------------------------------------------

RATINGS_PAGE_SIZE = 30


@console_required
def ratings(request):
    """The applicants' ratings: a reviewer reads their district's, the city administrator every
    district's, with each district's figures."""
    user = request.user
    show_district = user.role == Role.CITY_ADMIN
    form = RatingFilterForm(request.GET or None, show_district=show_district)
    scoped = selectors.console_ratings(user=user)
    filtered = selectors.console_ratings(user=user, filters=form.to_filters())
    pagination = paginate(request, selectors.rating_rows(filtered), RATINGS_PAGE_SIZE)
    return render(
        request,
        "review/ratings.html",
        {
            "form": form,
            "summary": selectors.rating_summary(scoped),
            "districts": selectors.ratings_by_district(scoped) if show_district else None,
            "rows": list(pagination["page"].object_list),
            "filtered": form.is_bound and any(form.data.get(name) for name in ("score", "district")),
            "active": "ratings",
            **pagination,
        },
    )


applicant_required = role_required(
    Role.APPLICANT, forbidden_message="好差评由申请人本人对办理服务作出，工作人员请使用审核系统。"
)


@applicant_required
@require_http_methods(["GET", "POST"])
def rate(request, public_id):
    """评价办理服务: the applicant's own decided application (anyone else's is 404)."""
    application = access_application(user=request.user, public_id=public_id)
    status_url = reverse("applications:status_detail", kwargs={"public_id": application.public_id})
    existing = selectors.rating_of(application=application)
    if existing is not None:
        messages.info(request, gettext("您已评价过本次办理，每个申报只能评价一次。"))
        return redirect(status_url)
    if application.status not in RATEABLE_STATUSES:
        messages.info(request, gettext("办理结果作出后（核发入户信息卡或审核不通过）才能评价。"))
        return redirect(status_url)
    form = ServiceRatingForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.service_rating_submit(
                application_id=application.pk,
                by=request.user,
                score=form.cleaned_data["score"],
                comment=form.cleaned_data["comment"],
                ip_address=client_ip(request),
            )
        except Refused as exc:
            if exc.field not in form.fields:
                messages.info(request, exc.message)
                return redirect(status_url)
            form.add_error(exc.field, exc.message)
        else:
            messages.success(request, gettext("感谢您的评价！区人社局将据此改进服务。"))
            return redirect(status_url)
    return render(
        request,
        "review/rate.html",
        {
            "application": application,
            "form": form,
            "status_url": status_url,
            "system_name": gettext("人才引进申办系统"),
            "system_home_url": reverse("applications:home"),
        },
        status=400 if form.is_bound and form.errors else 200,
    )


# --- the access log of personal data (city administrator) ---------------------------------------

city_admin_required = role_required(
    Role.CITY_ADMIN, login_url_name="review:login", forbidden_template="review/forbidden.html"
)

ACCESS_LOG_CSV_HEADER = [
    "查阅时间", "查阅人帐号", "查阅人姓名", "查阅人角色", "查阅人所属单位", "信息主体帐号", "信息主体姓名",
    "申报编号", "查阅内容", "具体项目", "用途", "查阅理由", "IP地址",
]  # fmt: skip


class _Echo:
    def write(self, value):
        return value


def _access_log_csv(rows) -> StreamingHttpResponse:
    writer = csv.writer(_Echo())

    def lines():
        yield "\ufeff"  # Excel opens UTF-8 CSV as Chinese only with the byte-order mark
        yield writer.writerow(ACCESS_LOG_CSV_HEADER)
        for row in rows.iterator(chunk_size=2000):
            yield writer.writerow([csv_cell(value) for value in (
                timezone.localtime(row.created_at).strftime("%Y-%m-%d %H:%M:%S"), row.viewer.username,
                row.viewer.display_name, role_label(row.viewer_role), row.viewer_bureau, row.subject.username,
                row.subject.full_name, row.application_number, row.get_what_display(), row.item, row.purpose,
                row.reason, row.ip_address or "",
            )])  # fmt: skip

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    stamp = timezone.localdate().strftime("%Y%m%d")
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(f'个人信息查阅记录_{stamp}.csv')}"
    response["Cache-Control"] = "private, no-store"
    return response


@city_admin_required
def access_log_page(request):
    """Who looked at whose personal data: by period, member of staff and applicant; CSV export."""
    form = AccessLogFilterForm(request.GET or None)
    filters = AccessLogFilters()
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        filters = AccessLogFilters(
            date_from=data["date_from"],
            date_to=data["date_to"],
            viewer=data["viewer"],
            subject=data["subject"],
        )
    rows = access_log_filtered(filters=filters)
    if request.GET.get("export") == "csv" and not form.errors:
        return _access_log_csv(rows)
    pagination = paginate(request, rows, 50)
    for row in pagination["page"].object_list:
        row.role_text = role_label(row.viewer_role)
    query = request.GET.copy()
    query.pop("page", None)
    query["export"] = "csv"
    return render(
        request,
        "review/access_log.html",
        {"form": form, "csv_query": query.urlencode(), "active": "access_log", **pagination},
    )
