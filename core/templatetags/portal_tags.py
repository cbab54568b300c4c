from django import template
from django.utils.html import format_html

from core import text

register = template.Library()


@register.filter
def mask_name(value: str) -> str:
    return text.mask_name(value)


@register.filter
def mask_id(value: str) -> str:
    return text.mask_id_number(value)


@register.filter
def cn_date(value) -> str:
    return text.cn_date(value) if value else ""


@register.filter
def cn_date_weekday(value) -> str:
    return text.cn_date_with_weekday(value) if value else ""


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
