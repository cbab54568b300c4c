"""The 入户卡下载 panel of the applicant's status page (templates/hukou_card/_status_panel.html)."""

from django import template
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from applications.choices import Status
from hukou_card.models import HukouCard
from hukou_card.selectors import cards_for_application
from hukou_card.services import APPROVED_MESSAGE

register = template.Library()

# The card stores the move type and the holder's relation in Chinese, as it prints them (the card
# stays Chinese); the pages show them in the reader's language.
_CARD_TERMS = {
    "主迁": _("主迁"),
    "随迁": _("随迁"),
    "配偶": _("配偶"),
    "儿子": _("儿子"),
    "女儿": _("女儿"),
}


@register.filter
def card_term(value: str) -> str:
    return _CARD_TERMS.get(value, value)


@register.inclusion_tag("hukou_card/_panel.html")
def hukou_card_panel(application, today=None):
    """Nothing (and no query) before publication; afterwards the cards, one query at most (none
    when they were prefetched). `today` decides which valid card has expired: the status page gives
    it, as the page is kept under a key its date is part of (core.fragments)."""
    if application is None or application.status != Status.PUBLISHED:
        return {"show": False}
    today = today or timezone.localdate()
    cards = cards_for_application(application=application)
    rows = []
    for card in cards:
        status = card.effective_status(today)
        rows.append({"card": card, "status": status, "status_label": HukouCard.Status(status).label})
    main = next((row for row in rows if row["card"].is_main), None)
    return {
        "show": True,
        "application": application,
        "rows": rows,
        "main": main,
        "approved_message": gettext(APPROVED_MESSAGE),
        "can_cancel": main is not None and main["status"] == HukouCard.Status.VALID,
        "days_left": (main["card"].valid_until - today).days if main and main["status"] == "valid" else None,
    }
