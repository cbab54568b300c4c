"""Fixtures of the card tests: a published application with a spouse and a child, and its cards."""

import datetime

import pytest
from django.utils import timezone

from applications.choices import Relation, Status
from tests import factories


@pytest.fixture
def published_application(db, applicant):
    """三、职称类人才 (二) 中级, published today, with a spouse and a son."""
    application = factories.ApplicationFactory(
        applicant=applicant,
        submitted=True,
        status=Status.PUBLISHED,
        published_at=timezone.now(),
        subcategory=factories.subcategory("3.2"),
        professional_title="中级",
        professional_title_name="工程师",
        graduate_school="华南理工大学",
        position="高级软件工程师",
        district=factories.district("440112"),  # 黄埔区, as the seed's sample
        intended_address="广州市黄埔区科学大道100号",
    )
    factories.AccompanyingPersonFactory(application=application, full_name="李晓红", relation=Relation.SPOUSE)
    factories.AccompanyingPersonFactory(
        application=application,
        full_name="张小宝",
        relation=Relation.SON,
        gender="男",
        id_number=factories.make_resident_id(datetime.date(2018, 3, 9)),
        birth_date=datetime.date(2018, 3, 9),
    )
    return application


@pytest.fixture
def issued_cards(published_application, django_capture_on_commit_callbacks):
    from hukou_card.services import cards_issue_for_application

    with django_capture_on_commit_callbacks(execute=True):
        return cards_issue_for_application(application_id=published_application.pk)


@pytest.fixture
def main_card(issued_cards):
    return next(card for card in issued_cards if card.is_main)
