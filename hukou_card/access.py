"""Cards fetched and authorised together: another person's card is 404, as if it did not exist."""

from django.http import Http404

from accounts.access import has_role
from accounts.models import Role
from hukou_card.models import HukouCard


def access_card(*, user, public_id) -> HukouCard:
    """A card of the user's own application, or 404 (another user's card must look absent)."""
    card = (
        HukouCard.objects.select_related("application")
        .filter(public_id=public_id, application__applicant_id=user.pk)
        .first()
    )
    if card is None:
        raise Http404("入户卡不存在")
    return card


def access_card_for_police(*, user, public_id) -> HukouCard:
    """Any card, for the 公安窗口 only; 404 for everybody else (the view's gate says 403 first)."""
    if not has_role(user, Role.POLICE):
        raise Http404("入户卡不存在")
    card = (
        HukouCard.objects.select_related(
            "application__district",
            "application__employer",
            "application__category",
            "application__applicant",
            "main_card",
            "used_recorded_by",
        )
        .filter(public_id=public_id)
        .first()
    )
    if card is None:
        raise Http404("入户卡不存在")
    return card
