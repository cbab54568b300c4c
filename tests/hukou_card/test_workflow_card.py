"""Every card status × every card action (cancel, the police desk's record, the nightly expiry):
the allowed moves change the cards and write the application's one audit row; every other one is
refused with a message (the nightly run skips it) and changes nothing."""

import datetime

import pytest

from applications.models import Application
from audit.actions import AuditAction
from audit.models import AuditEntry
from core.errors import Refused
from hukou_card import services, workflow
from hukou_card.models import HukouCard

pytestmark = pytest.mark.django_db

S = HukouCard.Status
ACTIONS = [AuditAction.CARD_CANCEL, AuditAction.CARD_USED, AuditAction.CARD_EXPIRE]
ACTOR = {
    AuditAction.CARD_CANCEL: workflow.Actor.APPLICANT,
    AuditAction.CARD_USED: workflow.Actor.POLICE,
    AuditAction.CARD_EXPIRE: workflow.Actor.SYSTEM,
}
# What the main card of a family of three becomes, and its two accompanying cards with it.
AFTER_VALID = {
    AuditAction.CARD_CANCEL: [S.CANCELLED, S.CANCELLED, S.CANCELLED],
    AuditAction.CARD_USED: [S.USED, S.VALID, S.VALID],
    AuditAction.CARD_EXPIRE: [S.EXPIRED, S.EXPIRED, S.EXPIRED],
}


def _snapshot(application):
    return {
        "cards": list(
            HukouCard.objects.filter(application=application)
            .order_by("move_type", "id")
            .values_list("status", "status_reason", "cancelled_at", "used_at")
        ),
        "audit": list(AuditEntry.objects.filter(application=application).values_list("action", flat=True)),
        "hukou_completed_at": Application.objects.values_list("hukou_completed_at", flat=True).get(
            pk=application.pk
        ),
    }


def _run(action, main_card, *, applicant, police_officer):
    if action == AuditAction.CARD_CANCEL:
        services.card_cancel(card_id=main_card.pk, by=applicant)
    elif action == AuditAction.CARD_USED:
        services.card_record_used(card_id=main_card.pk, by=police_officer)
    else:
        day_after_deadline = main_card.valid_until + datetime.timedelta(days=1)
        if services.cards_expire_overdue(today=day_after_deadline) == 0:
            raise AssertionError("nothing expired")


@pytest.mark.parametrize("status", S.values)
@pytest.mark.parametrize("action", ACTIONS)
def test_every_card_status_and_action(status, action, main_card, applicant, police_officer):
    HukouCard.objects.filter(pk=main_card.pk).update(status=status)
    main_card.refresh_from_db()
    application = main_card.application
    before = _snapshot(application)
    if status == S.VALID:
        _run(action, main_card, applicant=applicant, police_officer=police_officer)
        after = _snapshot(application)
        assert [card[0] for card in after["cards"]] == AFTER_VALID[action]
        assert after["audit"] == [*before["audit"], action], "one audit row for the decision"
        assert after["cards"][0][1], "the card says why its status changed"
        assert (after["hukou_completed_at"] is not None) == (action == AuditAction.CARD_USED)
    elif action == AuditAction.CARD_EXPIRE:
        # The nightly run moves only valid cards: the main card stays exactly as it is, and its
        # accompanying cards, still valid and as overdue, expire on their own deadline.
        services.cards_expire_overdue(today=main_card.valid_until + datetime.timedelta(days=1))
        after = _snapshot(application)
        assert after["cards"][0] == before["cards"][0]
        assert [card[0] for card in after["cards"][1:]] == [S.EXPIRED, S.EXPIRED]
    else:
        with pytest.raises(services.CardActionRefused, match=f"“{S(status).label}”"):
            _run(action, main_card, applicant=applicant, police_officer=police_officer)
        assert _snapshot(application) == before


@pytest.mark.parametrize("status", S.values)
@pytest.mark.parametrize("action", ACTIONS)
def test_guarded_function_refuses_every_move_outside_the_table(status, action, main_card):
    HukouCard.objects.filter(pk=main_card.pk).update(status=status)
    main_card.refresh_from_db()
    application = main_card.application
    before = _snapshot(application)
    if status == S.VALID:
        entry = workflow.transition([main_card], action=action, actor=ACTOR[action], application=application)
        assert entry.action == action and entry.application == application
        assert _snapshot(application)["cards"][0][0] == AFTER_VALID[action][0]
    else:
        with pytest.raises(Refused, match=f"入户卡当前状态为“{S(status).label}”"):
            workflow.transition([main_card], action=action, actor=ACTOR[action], application=application)
        assert _snapshot(application) == before


@pytest.mark.parametrize("action", ACTIONS)
def test_guarded_function_refuses_the_wrong_actor(action, main_card):
    wrong = next(actor for actor in workflow.Actor.values if actor != ACTOR[action])
    before = _snapshot(main_card.application)
    with pytest.raises(Refused, match="您无权执行"):
        workflow.transition([main_card], action=action, actor=wrong, application=main_card.application)
    assert _snapshot(main_card.application) == before


def test_guarded_function_moves_none_of_the_cards_when_one_may_not_move(issued_cards):
    main, spouse, son = issued_cards
    HukouCard.objects.filter(pk=son.pk).update(status=S.USED)
    son.refresh_from_db()
    before = _snapshot(main.application)
    with pytest.raises(Refused):
        workflow.transition(
            [main, spouse, son],
            action=AuditAction.CARD_CANCEL,
            actor=workflow.Actor.APPLICANT,
            application=main.application,
        )
    assert _snapshot(main.application) == before
