"""The card sweep (hukou_card.services.cards_issue_missing, hourly): a published application whose
cards never came (the card task exhausted its retries, its job never reached a worker) gets them,
through the card service, exactly once."""

import datetime

import pytest
from django.utils import timezone

from applications.choices import Relation, Status
from hukou_card import services
from hukou_card.models import HukouCard
from hukou_card.tasks import issue_missing_cards
from tests import factories
from tests.builders import build_application

pytestmark = pytest.mark.django_db

AFTER_THE_GRACE = services.CARD_SWEEP_GRACE + datetime.timedelta(minutes=1)


def _later():
    return timezone.now() + AFTER_THE_GRACE


def _cards(application):
    return {
        c.pk: (c.number, c.move_type, c.approval_number, c.pdf_sha256) for c in application.hukou_cards.all()
    }


def test_the_sweep_issues_missing_cards_once_and_a_second_run_changes_nothing(published_application):
    assert not published_application.hukou_cards.exists()
    assert services.cards_issue_missing(now=_later()) == [published_application.pk]
    cards = list(published_application.hukou_cards.all())
    assert sorted(c.move_type for c in cards) == ["主迁", "随迁", "随迁"]
    assert all(c.pdf and c.pdf_sha256 for c in cards)
    assert len({c.approval_number for c in cards}) == 1
    first = _cards(published_application)

    assert services.cards_issue_missing(now=_later()) == []
    assert _cards(published_application) == first


def test_the_sweep_leaves_a_fresh_publication_to_its_card_task(published_application):
    # Published a moment ago: its job is most likely queued or running.
    assert services.cards_issue_missing() == []
    assert not published_application.hukou_cards.exists()


def test_applications_with_their_cards_and_unpublished_ones_are_left_alone(
    published_application, issued_cards
):
    in_notice = build_application(Status.IN_NOTICE)
    before = _cards(published_application)
    assert services.cards_issue_missing(now=_later()) == []
    assert _cards(published_application) == before
    assert not in_notice.hukou_cards.exists()


def test_cards_created_but_never_rendered_are_rendered(published_application):
    # A worker that died between creating the rows and signing the PDFs, and never came back.
    created = services._cards_create(application_id=published_application.pk)
    assert not any(c.pdf for c in created)
    assert services.cards_issue_missing(now=_later()) == [published_application.pk]
    cards = list(published_application.hukou_cards.all())
    assert {c.pk for c in cards} == {c.pk for c in created}
    assert all(c.pdf for c in cards)


def test_an_accompanying_person_without_a_card_gets_one_under_the_same_approval_number(
    published_application, issued_cards
):
    main = next(c for c in issued_cards if c.is_main)
    daughter = factories.AccompanyingPersonFactory(
        application=published_application,
        full_name="张小雨",
        relation=Relation.DAUGHTER,
        id_number=factories.make_resident_id(datetime.date(2020, 5, 1), male=False),
        gender="女",
        birth_date=datetime.date(2020, 5, 1),
    )
    assert services.cards_issue_missing(now=_later()) == [published_application.pk]
    card = HukouCard.objects.get(accompanying_person=daughter)
    assert (card.main_card, card.approval_number, card.valid_until) == (
        main,
        main.approval_number,
        main.valid_until,
    )
    assert card.pdf and card.holder_name == "张小雨"
    assert published_application.hukou_cards.count() == 4
    assert services.cards_issue_missing(now=_later()) == []
    assert published_application.hukou_cards.count() == 4


def test_a_cancelled_main_card_gets_no_new_companions(published_application, issued_cards, applicant):
    main = next(c for c in issued_cards if c.is_main)
    services.card_cancel(card_id=main.pk, by=applicant, reason="放弃入户")
    factories.AccompanyingPersonFactory(application=published_application, relation=Relation.DAUGHTER)
    assert services.cards_issue_missing(now=_later()) == []
    assert published_application.hukou_cards.count() == 3


def test_the_hourly_task_runs_the_sweep(published_application, monkeypatch):
    monkeypatch.setattr(services, "CARD_SWEEP_GRACE", datetime.timedelta(0))
    assert issue_missing_cards.delay().get() == [published_application.pk]
    assert published_application.hukou_cards.count() == 3
    assert issue_missing_cards.delay().get() == []
