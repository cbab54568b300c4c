"""/captcha/refresh/ (点击获取) is anonymous and each call stores a new challenge row: it is throttled
per address, and expired challenges are purged by a beat task instead of piling up.

The attack measured by the probe: 100 refreshes in 0.2 s, 100 new rows.
"""

import datetime
import re

import pytest
from captcha.models import CaptchaStore
from django.conf import settings
from django.test import Client
from django.utils import timezone

pytestmark = pytest.mark.django_db

REFRESH = "/captcha/refresh/"
AJAX = {"HTTP_X_REQUESTED_WITH": "XMLHttpRequest"}


def refresh(ip="198.51.100.40"):
    return Client(REMOTE_ADDR=ip).get(REFRESH, **AJAX)


def test_refreshes_from_one_address_are_refused_after_the_limit_with_a_chinese_answer():
    limit = settings.CAPTCHA_REFRESH_LIMIT
    for n in range(limit):
        response = refresh()
        assert response.status_code == 200, n
        assert response.json()["key"]
    before = CaptchaStore.objects.count()
    refused = refresh()
    assert refused.status_code == 429
    body = refused.json()
    wait = re.search(r"请(\d+)秒后再试", body["message"])
    assert wait and 1 <= int(wait.group(1)) <= settings.CAPTCHA_REFRESH_WINDOW, body
    assert "验证码" in body["message"] and "频繁" in body["message"]
    assert "key" not in body
    assert int(refused["Retry-After"]) == int(wait.group(1))
    assert CaptchaStore.objects.count() == before, "a refused refresh still stored a row"
    # Someone else is not held up.
    assert refresh(ip="198.51.100.41").status_code == 200


def test_a_burst_of_refreshes_stores_no_more_rows_than_the_limit():
    answers = [refresh().status_code for _ in range(100)]
    assert answers.count(200) == settings.CAPTCHA_REFRESH_LIMIT
    assert answers.count(429) == 100 - settings.CAPTCHA_REFRESH_LIMIT
    assert CaptchaStore.objects.count() == settings.CAPTCHA_REFRESH_LIMIT


def test_the_beat_schedule_purges_expired_captchas_and_keeps_live_ones():
    from config.celery import app

    keys = [refresh(ip=f"203.0.113.{n}").json()["key"] for n in range(4)]
    expired, live = keys[:3], keys[3:]
    CaptchaStore.objects.filter(hashkey__in=expired).update(
        expiration=timezone.now() - datetime.timedelta(seconds=1)
    )
    app.loader.import_default_modules()  # what a worker does at start: every app's tasks.py
    purge = [e for e in settings.CELERY_BEAT_SCHEDULE.values() if "captcha" in e["task"]]
    assert len(purge) == 1, "no beat entry purges expired captchas"
    assert purge[0]["task"] in app.tasks
    assert app.tasks[purge[0]["task"]].delay().get() == 3
    assert set(CaptchaStore.objects.values_list("hashkey", flat=True)) == set(live)
