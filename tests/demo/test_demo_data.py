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


def test_load_demo_refuses_in_production_and_creates_nothing(settings):
    from django.core.management.base import CommandError

    settings.PRODUCTION, settings.PORTAL_DEMO = True, False
    with pytest.raises(CommandError) as refused:
        call_command("load_demo", stdout=io.StringIO())
    assert "load_demo refuses to run in production (DJANGO_DEBUG=0)" in str(refused.value)
    assert "PORTAL_DEMO=1" in str(refused.value)
    assert not User.objects.exists()
    assert not Application.objects.exists()


def test_load_demo_runs_in_a_demonstration_stack_that_says_so(settings):
    settings.PRODUCTION, settings.PORTAL_DEMO = True, True
    call_command("load_demo", "--skip-applications", stdout=io.StringIO())
    assert User.objects.get(username="cityadmin").is_superuser
