"""The 好差评 panel of the applicant's status page (templates/review/_rating_panel.html)."""

from django import template

from applications.policy import RATEABLE_STATUSES
from review.forms import ServiceRatingForm
from review.selectors import rating_of

register = template.Library()


@register.inclusion_tag("review/_rating_panel.html", takes_context=True)
def service_rating_panel(context, application):
    """Nothing (and no query) before the decision; afterwards the rating given, or the form."""
    if application is None or application.status not in RATEABLE_STATUSES:
        return {"show": False}
    return {
        "show": True,
        "application": application,
        "rating": rating_of(application=application),
        "form": ServiceRatingForm(),
        "csrf_token": context.get("csrf_token"),
    }
