"""Card reads shared by views, the status-page panel and the police desk."""

from __future__ import annotations

import hmac

from hukou_card import numbers
from hukou_card.models import HukouCard


def cards_for_application(*, application) -> list[HukouCard]:
    """The application's cards, main card first; uses a prefetch of `hukou_cards` when the caller
    made one (a status page listing several applications), else one query."""
    cache = getattr(application, "_prefetched_objects_cache", {})
    if "hukou_cards" in cache:
        cards = list(cache["hukou_cards"])
    else:
        cards = list(HukouCard.objects.filter(application=application))
    return sorted(cards, key=lambda c: (not c.is_main, c.pk))


def _code_matches(card: HukouCard, code: str) -> bool:
    return hmac.compare_digest(card.verification_code.encode(), numbers.normalise_code(code).encode())


def card_for_verification(*, number: str, code: str) -> HukouCard | None:
    """The public check: both the number and its code must match, or nothing is revealed."""
    number = "".join((number or "").split())
    if not numbers.is_valid_card_number(number):
        return None
    card = HukouCard.objects.select_related("application__district").filter(number=number).first()
    if card is None or not _code_matches(card, code):
        return None
    return card


def card_for_verification_link(*, public_id, code: str) -> HukouCard | None:
    card = HukouCard.objects.select_related("application__district").filter(public_id=public_id).first()
    if card is None or not _code_matches(card, code):
        return None
    return card


def card_by_number(*, number: str) -> HukouCard | None:
    number = "".join((number or "").split())
    return HukouCard.objects.filter(number=number).first()


def family_cards(*, card: HukouCard) -> list[HukouCard]:
    """All cards of the card's application (the family moving together), main card first."""
    cards = list(HukouCard.objects.filter(application_id=card.application_id))
    return sorted(cards, key=lambda c: (not c.is_main, c.pk))
