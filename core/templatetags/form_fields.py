"""`{{ form.x|form_field }}`: one Bootstrap 5 field block, the markup crispy-forms' `as_crispy_field`
prints (tests/core/test_form_fields.py compares the two), built in Python.

Why not crispy on every page: on the 个人信息 step crispy's nested field templates were 58 % of the
request's CPU (docs/performance.md, issue 15). The trade is that this markup now lives here as well
as in crispy's templates; it covers the plain widgets the hot forms use (text, number, date, e-mail,
select, textarea, hidden) and hands every other widget to crispy unchanged.
"""

from crispy_forms.templatetags.crispy_forms_filters import as_crispy_field
from django import forms, template
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

from core.widgets import PlainSelect

register = template.Library()

# crispy's class for a widget: its class name in lower case, then Bootstrap's control class.
_CONTROL_CLASS = {
    forms.TextInput: "textinput form-control",
    forms.NumberInput: "numberinput form-control",
    forms.DateInput: "dateinput form-control",
    forms.EmailInput: "emailinput form-control",
    forms.Textarea: "textarea form-control",
    forms.Select: "select form-select",
    PlainSelect: "select form-select",
}


@register.filter
def form_field(field: forms.BoundField) -> SafeString:
    if field.is_hidden:
        return field.as_widget()
    control_class = _CONTROL_CLASS.get(type(field.field.widget))
    if control_class is None or field.use_fieldset:
        return as_crispy_field(field)
    widget_class = " ".join(part for part in (control_class, "is-invalid" if field.errors else "") if part)
    own_class = field.field.widget.attrs.get("class")
    if own_class:
        widget_class = f"{own_class} {widget_class}"
    required = field.field.required
    label = format_html(
        '<label for="{}" class="form-label{}">{}{}</label>',
        field.id_for_label,
        " requiredField" if required else "",
        field.label,
        format_html('<span class="asteriskField">{}</span>', "*") if required else "",
    )
    errors = ""
    if field.errors:
        errors = format_html(
            '<div id="{}_error" class="invalid-feedback">{}</div>',
            field.auto_id,
            format_html_join(
                "",
                '<p id="error_{}_{}"><strong>{}</strong></p>',
                ((number, field.auto_id, error) for number, error in enumerate(field.errors, 1)),
            ),
        )
    help_text = ""
    if field.help_text:
        # As crispy prints it (|safe): help texts are the forms' own strings, never user input.
        own_help_text = mark_safe(field.help_text)  # nosec B703, B308  # noqa: S308 - the form's own text
        help_text = format_html('<div id="{}_helptext" class="form-text">{}</div>', field.auto_id, own_help_text)
    css_classes = field.css_classes()
    return format_html(
        '<div id="div_{}" class="mb-3{}">{}{}{}{}</div>',
        field.auto_id,
        f" {css_classes}" if css_classes else "",
        label,
        field.as_widget(attrs={"class": widget_class}),
        errors,
        help_text,
    )
