from django.conf import settings
from django.utils import timezone


def portal(request):
    return {
        "SITE_NAME": "广州市人事电子政务系统",
        "SUPPORT_EMAIL": "hrssgz@gz.gov.cn",
        "today": timezone.localdate(),
        "SESSION_COOKIE_AGE": settings.SESSION_COOKIE_AGE,
    }
