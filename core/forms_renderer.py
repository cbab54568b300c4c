"""The form renderer: Django's own, with the plain <input> widgets printed in Python.

Why: each text, number, date or e-mail field is three template renders in Django (text.html
includes input.html, which includes attrs.html); on the 个人信息 step those were a sixth of the
page's CPU (docs/performance.md, issue 15). Every other template (selects, checkboxes, files, the
form layouts, crispy's field templates) is Django's, unchanged.

The trade: input.html and attrs.html are written out here once more. tests/core/test_forms_renderer.py
prints every widget below both ways and compares them, and checks that each of these templates is
still Django's one-line include of input.html, so an upgrade that changes them fails there.
"""

from django.forms.renderers import DjangoTemplates
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe

from core.widgets import as_string_format, html_attributes

# The widgets whose template is `{% include "django/forms/widgets/input.html" %}` and nothing else.
INPUT_WIDGET_TEMPLATES = frozenset(
    f"django/forms/widgets/{name}.html"
    for name in (
        "input", "text", "number", "email", "url", "password", "hidden", "date", "datetime", "time",
        "search", "tel", "color",
    )
)  # fmt: skip


def input_html(widget: dict) -> str:
    """django/forms/widgets/input.html for a widget's template context."""
    value = widget["value"]
    shown_value = "" if value is None else f' value="{as_string_format(value)}"'
    return mark_safe(  # noqa: S308 - the type, name, value and attributes are escaped
        f'<input type="{conditional_escape(widget["type"])}" name="{conditional_escape(widget["name"])}"'
        f"{shown_value}{html_attributes(widget['attrs'])}>"
    )  # nosec B703, B308


class FormRenderer(DjangoTemplates):
    def render(self, template_name, context, request=None):
        if template_name in INPUT_WIDGET_TEMPLATES:
            return input_html(context["widget"])
        return super().render(template_name, context, request)
