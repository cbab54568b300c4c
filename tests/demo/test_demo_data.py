"""`make run` loads demo data through the real services: every demo state is reachable and consistent."""

import io

import pytest
from django.core.management import call_command

from accounts.models import EmployerAdmin, User
from applications.choices import Status
from applications.models import Application
from hukou_card.models import HukouCard
from review.models import NoticeEntry

pytestmark = pytest.mark.django_db(transaction=True)


def test_demo_data_covers_each_state_and_is_idempotent(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        call_command("load_demo", stdout=io.StringIO())
    states = dict(Application.objects.values_list("applicant__username", "status"))
    assert states == {
        "zhangsan": Status.PUBLISHED,
        "wangwu": Status.IN_NOTICE,
        "zhaoliu": Status.SUBMITTED,
        "sunqi": Status.RETURNED,
        "lisi": Status.DRAFT,
    }
    cards = HukouCard.objects.filter(application__applicant__username="zhangsan")
    assert cards.count() == 3 and all(card.pdf for card in cards)
    assert NoticeEntry.objects.filter(application__applicant__username="wangwu").exists()
    assert EmployerAdmin.objects.filter(user__username="lisi", status=EmployerAdmin.Status.APPROVED).exists()
    assert User.objects.get(username="reviewer06").district.name == "天河区"

    call_command("load_demo", stdout=io.StringIO())
    assert Application.objects.count() == 5 and HukouCard.objects.count() == 3
