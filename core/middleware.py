import io
import logging
import re
import time
import uuid

from django.conf import settings
from django.core.exceptions import DisallowedHost
from django.core.handlers.wsgi import LimitedStream
from django.http import JsonResponse
from django.shortcuts import render
from django.utils.http import url_has_allowed_host_and_scheme

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


def request_too_large(request):
    response = render(
        request,
        "portal/request_too_large.html",
        {"limit_mb": settings.REQUEST_BODY_MAX_SIZE // (1024 * 1024), "back_url": same_site_referer(request)},
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
