"""The public notice's search never confirms the name behind a mask (issue 9, finding 9).

The notice prints 张*三; if a name search narrows the list, an attacker who guesses 张小三 learns
whether the person behind 张*三 is 张小三 (one row) or not (none). The page may only be searched by
what it already shows (the employer) or by what only the applicant knows (the 申报编号), so a
guessed name, alone or with anything else, gets exactly the page an unguessed one gets.
"""

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from applications.choices import Status
from review import services
from review.models import PublicNotice
from tests import factories
from tests.builders import build_application

pytestmark = pytest.mark.django_db

LIST = reverse("notices:list")


@pytest.fixture
def two_in_notice(reviewer):
    # Same mask (张*三), same employer: only a name filter could tell them apart.
    employer = factories.EmployerFactory(name="广州珠江数码集团股份有限公司")
    apps = []
    for name in ("张小三", "张大三"):
        app = build_application(Status.UNDER_REVIEW, full_name=name, employer=employer)
        services.application_approve(application_id=app.pk, by=reviewer)
        app.refresh_from_db()
        apps.append(app)
    return apps


def rows(client, params):
    page = client.get(LIST, params).content.decode()
    return re.findall(r'data-testid="masked-name">([^<]*)<', page), page


@pytest.mark.parametrize(
    "probe",
    [
        {"name": "张小三"},
        {"name": "小"},
        {"name": "张小三", "employer": "珠江数码"},
        {"name": "张小三", "tab": "current"},
        {"q": "张小三"},
        {"full_name": "张小三"},
    ],
)
def test_guessed_name_gets_the_same_page_as_a_wrong_guess(client, two_in_notice, probe):
    wrong = {
        key: ("王五五" if value == "张小三" else "大" if value == "小" else value)
        for key, value in probe.items()
    }
    guessed_rows, guessed_page = rows(client, probe)
    wrong_rows, wrong_page = rows(client, wrong)
    assert guessed_rows == wrong_rows
    assert sorted(guessed_rows) == ["张*三", "张*三"]
    assert "没有找到符合条件的公示人员" not in guessed_page + wrong_page


def test_name_together_with_number_confirms_nothing(client, two_in_notice):
    first, _ = two_in_notice
    right, _ = rows(client, {"number": first.number, "name": first.full_name})
    wrong, _ = rows(client, {"number": first.number, "name": "王五五"})
    assert right == wrong == ["张*三"]


def test_past_tab_does_not_filter_by_name_either(client, two_in_notice, monkeypatch):
    monkeypatch.setattr("review.services.issue_cards_for_application.apply_async", lambda *a, **k: None)
    notice = two_in_notice[0].notice_entry.notice
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    PublicNotice.objects.filter(pk=notice.pk).update(start_date=yesterday, end_date=yesterday)
    services.notice_close(notice_id=notice.pk)
    guessed, _ = rows(client, {"tab": "past", "name": "张小三"})
    wrong, _ = rows(client, {"tab": "past", "name": "王五五"})
    assert guessed == wrong and len(guessed) == 2


def test_search_offers_no_name_field(client, two_in_notice):
    page = client.get(LIST).content.decode()
    assert 'name="name"' not in page
    assert 'name="employer"' in page and 'name="number"' in page
