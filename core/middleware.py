import io
import logging
import re
import sys
import time
import uuid

from django.conf import settings
from django.core.exceptions import DisallowedHost
from django.core.handlers.wsgi import LimitedStream
from django.core.signals import got_request_exception
from django.db import InterfaceError, OperationalError
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.template import loader
from django.utils import timezone, translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext

from core.cache import end_request_memo, start_request_memo
from core.errors import Refused
from core.logging import reset_request_id, set_request_id

logger = logging.getLogger(__name__)

_SAFE_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")


class RequestIdMiddleware:
    """Takes nginx's X-Request-ID (or makes one) and echoes it, so a user's error report can be traced."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        incoming = request.headers.get("X-Request-ID", "")
        request_id = incoming if _SAFE_ID.match(incoming) else uuid.uuid4().hex
        request.request_id = request_id
        token = set_request_id(request_id)
        versions = start_request_memo()  # core.cache: each cache version read once per request
        try:
            response = self.get_response(request)
        finally:
            end_request_memo(versions)
            reset_request_id(token)
        response["X-Request-ID"] = request_id
        return response


SESSION_REFRESHED_KEY = "_refreshed_at"


def session_seconds_left(session) -> int:
    """Seconds until the server forgets this session: the page's timeout warning counts these."""
    refreshed = session.get(SESSION_REFRESHED_KEY)
    if refreshed is None:
        return settings.SESSION_COOKIE_AGE
    return max(0, int(settings.SESSION_COOKIE_AGE - (time.time() - refreshed)))


class SessionRefreshMiddleware:
    """Sliding session expiry with at most one session write per SESSION_REFRESH_INTERVAL.

    Saving the session moves its expiry to now + SESSION_COOKIE_AGE; doing it on every request
    (SESSION_SAVE_EVERY_REQUEST) costs a database write per page view.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        session = getattr(request, "session", None)
        # Renewed before the view runs, so the page's countdown starts from the new expiry. Only an
        # existing session is renewed: an anonymous visitor without one is not given one.
        if session is not None and session.session_key:
            refreshed = session.get(SESSION_REFRESHED_KEY, 0)
            if time.time() - refreshed >= settings.SESSION_REFRESH_INTERVAL:
                session_refresh(session)
        return self.get_response(request)


def session_refresh(session) -> None:
    session[SESSION_REFRESHED_KEY] = time.time()


class ChineseOnlyPagesMiddleware:
    """The console, the police desk and the admin answer in Chinese whatever the visitor chose.

    English serves foreign talent applying; staff work in Chinese, and a console page half in
    English (the shared layout, Django's own messages) and half in Chinese would serve nobody.
    Right after LocaleMiddleware, which has chosen from the cookie and Accept-Language.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path_info.startswith(settings.CHINESE_ONLY_PATH_PREFIXES):
            translation.activate(settings.LANGUAGE_CODE)
            request.LANGUAGE_CODE = settings.LANGUAGE_CODE
        return self.get_response(request)


class RequestBodyLimitMiddleware:
    """Refuses a body over REQUEST_BODY_MAX_SIZE with 413 before anything reads it.

    Django's DATA_UPLOAD_MAX_MEMORY_SIZE leaves files out, so a 10 MB multipart upload was parsed to
    disk; nginx refuses it, but gunicorn's port may be reached directly. A declared Content-Length is
    judged unread. A chunked body (no Content-Length) is one Django would ignore altogether; where
    the server marks its end (gunicorn: wsgi.input_terminated) at most the limit plus one byte is
    read, and a body within the limit is handed on as if its length had been declared.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        limit = settings.REQUEST_BODY_MAX_SIZE
        declared = request.META.get("CONTENT_LENGTH")
        if declared:
            try:
                too_large = int(declared) > limit
            except ValueError:
                too_large = False  # Django reads such a body as empty
            if too_large:
                return request_too_large(request)
        elif "chunked" in request.META.get("HTTP_TRANSFER_ENCODING", "").lower() and request.META.get(
            "wsgi.input_terminated"
        ):
            body = request.META["wsgi.input"].read(limit + 1)
            if len(body) > limit:
                return request_too_large(request)
            request.META["CONTENT_LENGTH"] = str(len(body))
            request._stream = LimitedStream(io.BytesIO(body), len(body))
        return self.get_response(request)


def same_site_referer(request) -> str:
    """The page the user came from, when it is on this site (a link back); otherwise ""."""
    back = request.META.get("HTTP_REFERER", "")
    try:
        same_site = url_has_allowed_host_and_scheme(
            back, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        )
    except DisallowedHost:
        same_site = False
    return back if same_site else ""


def visitor_language(request) -> str:
    """The language LocaleMiddleware would choose (cookie, then Accept-Language), read without the
    session or the database: the 413 and 503 pages answer before LocaleMiddleware has run. The
    console keeps Chinese, as ChineseOnlyPagesMiddleware has it."""
    if request.path_info.startswith(settings.CHINESE_ONLY_PATH_PREFIXES):
        return settings.LANGUAGE_CODE
    return translation.get_language_from_request(request)


def request_too_large(request):
    with translation.override(visitor_language(request)):
        response = render(
            request,
            "portal/request_too_large.html",
            {
                "limit_mb": settings.REQUEST_BODY_MAX_SIZE // (1024 * 1024),
                "back_url": same_site_referer(request),
            },
            status=413,
        )
    # The page is answered without the inner middleware; a length lets the client read it whole.
    response["Content-Length"] = str(len(response.content))
    return response


class RefusedMiddleware:
    """The one place a service's `Refused` that no view turned into a field message becomes an answer:
    409 with the message, as a page with the way back, or as JSON to a script. Never a 500."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, Refused):
            return None
        logger.info("refused %s %s: %s", request.method, request.path, exception.code)
        if request.headers.get("X-Requested-With") == "XMLHttpRequest":
            return JsonResponse({"ok": False, "message": exception.message}, status=exception.status_code)
        return render(
            request,
            "core/refused.html",
            {"messages_list": exception.messages, "back_url": same_site_referer(request)},
            status=exception.status_code,
        )


# --- The database unavailable (PostgreSQL restarting, a failover): 503 系统繁忙, nothing typed lost ----

_DATABASE_ERRORS = (OperationalError, InterfaceError)
_DATABASE_ERROR_SEEN = "_database_error"
# Never written back into a page: a password is typed again, files must be chosen again. The CSRF
# token is re-offered as the browser sent it: it matches that browser's own cookie, and a forged
# cross-site POST's does not, so 重新提交 cannot complete a forgery.
_NOT_REOFFERED = ("password",)
_CSRF_FIELD = "csrfmiddlewaretoken"
RETRY_AFTER_SECONDS = 30


def _note_database_error(sender, request=None, **kwargs):
    """got_request_exception: Django turns an exception raised in a middleware (a session loaded
    from the database, say) into a 500 before an outer middleware could catch it; mark the request
    so DatabaseUnavailableMiddleware can answer 503 instead."""
    error = sys.exc_info()[1]
    if request is not None and isinstance(error, _DATABASE_ERRORS):
        setattr(request, _DATABASE_ERROR_SEEN, error)


got_request_exception.connect(_note_database_error, dispatch_uid="core.middleware.database_error")


def _reoffered_fields(request) -> tuple[list[tuple[str, str]], str, bool, bool]:
    """The POSTed fields to submit again, the CSRF token, and whether files or a password were dropped."""
    if request.method != "POST":
        return [], "", False, False
    try:
        data, files = request.POST, request.FILES
    except Exception:  # noqa: BLE001 - an unreadable body has nothing to re-offer
        return [], "", False, False
    fields, password_dropped = [], False
    for name in data:
        if name == _CSRF_FIELD:
            continue
        if any(word in name.lower() for word in _NOT_REOFFERED):
            password_dropped = password_dropped or any(data.getlist(name))
            continue
        fields.extend((name, value) for value in data.getlist(name))
    return fields, data.get(_CSRF_FIELD, ""), bool(files), password_dropped


def database_unavailable(request) -> HttpResponse:
    """系统繁忙，请稍后重试 (503), rendered without the database: no request.user, no session, no
    context processor, so it renders while PostgreSQL is down. A POST's fields come back as hidden
    inputs behind 重新提交, which sends them to the same address once the database is back."""
    fields, csrf_token, files_dropped, password_dropped = _reoffered_fields(request)
    with translation.override(visitor_language(request)):
        content = _database_unavailable_page(request, fields, csrf_token, files_dropped, password_dropped)
    response = HttpResponse(content, status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    # It may echo what the user typed: never stored by a browser or proxy.
    response["Cache-Control"] = "no-store, private"
    response["X-Frame-Options"] = "DENY"
    return response


def _database_unavailable_page(request, fields, csrf_token, files_dropped, password_dropped) -> str:
    context = {
        "SITE_NAME": gettext("广州市人事电子政务系统"),
        "SUPPORT_EMAIL": "hrssgz@gz.gov.cn",
        "today": timezone.localdate(),
        "action": request.get_full_path(),
        "is_post": request.method == "POST",
        "fields": fields,
        "csrf_token_value": csrf_token,
        "files_dropped": files_dropped,
        "password_dropped": password_dropped,
        "request_id": getattr(request, "request_id", ""),
    }
    try:
        return loader.render_to_string("core/database_unavailable.html", context)
    except Exception:  # noqa: BLE001 - the page of last resort must not fail in turn
        logger.exception("database unavailable page failed to render")
        title, heading = gettext("系统繁忙"), gettext("系统繁忙，请稍后重试")
        return f"<!doctype html><meta charset='utf-8'><title>{title}</title><h1>{heading}</h1>"


class DatabaseUnavailableMiddleware:
    """The one place a database outage (django.db OperationalError or InterfaceError, wherever it
    was raised: a view, a template, a middleware) becomes the 503 page instead of a 500. Logged as
    an error. Listed outside the session, authentication and CSRF middleware, which may themselves
    be what touches the database.

    After a PostgreSQL restart the next request reconnects by itself (CONN_HEALTH_CHECKS); this page
    covers the seconds while the database refuses connections.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        error = getattr(request, _DATABASE_ERROR_SEEN, None)
        if error is not None and response.status_code >= 500:
            logger.error(
                "database unavailable: %s %s answered 503 (%s: %s)",
                request.method,
                request.path,
                type(error).__name__,
                str(error).strip().splitlines()[0] if str(error).strip() else "",
            )
            return database_unavailable(request)
        return response

    def process_exception(self, request, exception):
        if not isinstance(exception, _DATABASE_ERRORS):
            return None
        logger.error(
            "database unavailable: %s %s answered 503", request.method, request.path, exc_info=exception
        )
        return database_unavailable(request)
