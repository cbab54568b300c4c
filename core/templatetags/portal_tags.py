from django import template
from django.conf import settings
from django.utils import translation
from django.utils.html import format_html

from core import text

register = template.Library()


@register.filter
def mask_name(value: str) -> str:
    return text.mask_name(value)


@register.filter
def mask_id(value: str) -> str:
    return text.mask_id_number(value)


def _english() -> bool:
    return translation.get_language() == "en"


@register.filter
def cn_date(value) -> str:
    """2026年12月02日, or 2 December 2026 on an English page (the card stays Chinese: core.text)."""
    if not value:
        return ""
    return text.en_date(value) if _english() else text.cn_date(value)


@register.filter
def cn_date_weekday(value) -> str:
    if not value:
        return ""
    return text.en_date_with_weekday(value) if _english() else text.cn_date_with_weekday(value)


@register.filter
def localized(value) -> str:
    """A reference name (district, talent category, subsystem, content page title) in the page's
    language: the fixtures' Chinese names are in the catalogue (reference/fixture_messages.py)."""
    return translation.gettext(value) if value else ""


# BCP 47 for <html lang> and lang="…": Django's zh-hans is the written language, browsers and
# screen readers expect zh-CN.
_HTML_LANG = {"zh-hans": "zh-CN", "en": "en"}


@register.simple_tag
def html_lang() -> str:
    return _HTML_LANG.get(translation.get_language(), "zh-CN")


@register.inclusion_tag("partials/language_switch.html", takes_context=True)
def language_switch(context):
    """The other language as a link back to this page (portal.views.switch_language)."""
    request = context.get("request")
    current = translation.get_language()
    next_url = request.get_full_path() if request is not None else "/"
    return {
        "choices": [
            {"code": code, "name": name, "lang": _HTML_LANG[code], "next": next_url}
            for code, name in settings.LANGUAGES
            if code != current
        ]
    }


_STATUS_STYLES = {
    "draft": "secondary",
    "submitted": "info",
    "under_review": "primary",
    "returned": "warning",
    "in_notice": "primary",
    "published": "success",
    "rejected": "danger",
    "withdrawn": "secondary",
    "valid": "success",
    "used": "primary",
    "expired": "secondary",
    "cancelled": "danger",
    "open": "warning",
    "upheld": "danger",
    "dismissed": "success",
    "closed": "secondary",
}


@register.simple_tag
def status_badge(status: str, label: str):
    style = _STATUS_STYLES.get(status, "secondary")
    return format_html(
        '<span class="badge status-badge text-bg-{}" data-status="{}">{}</span>', style, status, label
    )


@register.inclusion_tag("partials/step_bar.html")
def step_bar(steps, current: int, done=()):
    """steps: list of labels; current: 1-based index of the step being shown."""
    return {
        "steps": [
            {"number": i, "label": label, "current": i == current, "done": i < current or i in done}
            for i, label in enumerate(steps, start=1)
        ]
    }
