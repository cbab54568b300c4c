from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext

from core.middleware import session_seconds_left
from core.sms import sms_enabled


def _seconds_left(request) -> int:
    session = getattr(request, "session", None)
    if session is None or not session.session_key:
        return settings.SESSION_COOKIE_AGE
    return session_seconds_left(session)


def portal(request):
    return {
        "SITE_NAME": gettext("广州市人事电子政务系统"),
        "SUPPORT_EMAIL": "hrssgz@gz.gov.cn",
        "today": timezone.localdate(),
        "SESSION_COOKIE_AGE": settings.SESSION_COOKIE_AGE,
        "session_seconds_left": _seconds_left(request),
        # False with SMS_BACKEND=none: a template promises 短信 only under {% if sms_enabled %}.
        "sms_enabled": sms_enabled(),
    }
