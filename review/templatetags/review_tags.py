"""The 好差评 panel of the applicant's status page (templates/review/_rating_panel.html)."""

from django import template
from django.template.loader import render_to_string
from django.utils.safestring import SafeString
from django.utils.translation import get_language

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


# A blank 好差评 form's fields are the same for every application: drawn once per process and
# language (as the console's blank decision forms are, review.views.decision_form_html). A form
# posted back with its errors, or given initial values, is drawn for its request only.
_BLANK_FIELDS: dict[str | None, SafeString] = {}


@register.simple_tag
def rating_fields(form) -> SafeString:
    if form.is_bound or form.initial:
        return render_to_string("review/_rating_fields.html", {"form": form})
    language = get_language()
    html = _BLANK_FIELDS.get(language)
    if html is None:
        html = _BLANK_FIELDS[language] = render_to_string("review/_rating_fields.html", {"form": form})
    return html
