"""Fixtures of the card tests: a published application with a spouse and a child, and its cards.

The application is built through the services (tests.builders): it has its audit trail, its closed
notice and its quota history; only the worker has not run yet, so each test issues the cards."""

import datetime

import pytest

from applications.choices import ProfessionalTitle, Relation, Status
from tests import factories
from tests.builders import build_application


@pytest.fixture
def published_application(db, applicant):
    """三、职称类人才 (二) 中级, published today, with a spouse and a son; the card task not yet run."""
    return build_application(
        Status.PUBLISHED,
        applicant=applicant,
        subcategory="3.2",
        district="440112",  # 黄埔区, as the seed's sample
        family=[
            ("李晓红", factories.make_resident_id(factories.years_ago(29), male=False), Relation.SPOUSE),
            ("张小宝", factories.make_resident_id(datetime.date(2018, 3, 9)), Relation.SON),
        ],
        professional_title=ProfessionalTitle.INTERMEDIATE,
        professional_title_name="工程师",
        graduate_school="华南理工大学",
        position="高级软件工程师",
        intended_address="广州市黄埔区科学大道100号",
        issue_cards=False,
    )


@pytest.fixture
def issued_cards(published_application, django_capture_on_commit_callbacks):
    from hukou_card.services import cards_issue_for_application

    with django_capture_on_commit_callbacks(execute=True):
        return cards_issue_for_application(application_id=published_application.pk)


@pytest.fixture
def main_card(issued_cards):
    return next(card for card in issued_cards if card.is_main)
