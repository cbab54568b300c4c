"""What an ended batch's page promises: the nightly job only where a beat can run (issue 12, 8)."""

import datetime

import pytest
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from review.models import PublicNotice

pytestmark = pytest.mark.django_db


@pytest.fixture
def ended_notice(district):
    today = timezone.localdate()
    return PublicNotice.objects.create(
        district=district,
        title="广州市天河区2026年第1批引进人才入户公示",
        start_date=today - datetime.timedelta(days=10),
        end_date=today - datetime.timedelta(days=3),
    )


def page(client, notice) -> str:
    return client.get(reverse("review:notice_detail", args=[notice.public_id])).content.decode()


@override_settings(CELERY_TASK_ALWAYS_EAGER=True)
def test_without_a_broker_the_page_says_nothing_closes_it_by_itself(reviewer_client, ended_notice):
    html = page(reviewer_client, ended_notice)
    assert "本环境未运行定时任务，不会自动公布" in html
    assert "定时任务将于每日0:05" not in html


@override_settings(CELERY_TASK_ALWAYS_EAGER=False)
def test_with_a_broker_the_page_names_the_nightly_job(reviewer_client, ended_notice):
    html = page(reviewer_client, ended_notice)
    assert "定时任务将于每日0:05结束公示" in html
    assert "不会自动公布" not in html
