"""Card reads shared by views, the status-page panel and the police desk."""

from __future__ import annotations

import datetime
import hmac

from django.db.models import Exists, OuterRef

from applications.choices import Status
from applications.models import AccompanyingPerson, Application
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


def applications_missing_cards(*, published_before: datetime.datetime) -> list[int]:
    """Published applications (before `published_before`) lacking a card: no main card, a valid
    card without its PDF, or, while the main card is valid, a 随迁人 without a card. Oldest first."""
    cards = HukouCard.objects.filter(application=OuterRef("pk"))
    main = cards.filter(move_type=HukouCard.MoveType.MAIN)
    unrendered = cards.filter(status=HukouCard.Status.VALID, pdf="")
    person_without_card = AccompanyingPerson.objects.filter(application=OuterRef("pk"), hukou_card__isnull=True)
    return list(
        Application.objects.filter(status=Status.PUBLISHED, published_at__lt=published_before)
        .filter(
            ~Exists(main)
            | Exists(unrendered)
            | (Exists(main.filter(status=HukouCard.Status.VALID)) & Exists(person_without_card))
        )
        .order_by("published_at", "pk")
        .values_list("pk", flat=True)
    )
