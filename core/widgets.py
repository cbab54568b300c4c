"""Widgets printed in Python where Django prints one template per option.

Django's Select renders each <option> through its own template; the 个人信息 step's eleven selects
(56 民族 among them) spent half of that page's CPU there (docs/performance.md, issue 15). The trade:
this is the markup of django/forms/widgets/select.html and select_option.html written out once more
(tests/core/test_form_fields.py compares the two, option for option), for single choices without
groups; anything else goes to Django's templates.
"""

import html

from django import forms
from django.utils.html import conditional_escape
from django.utils.safestring import SafeData, mark_safe


def as_string_format(value) -> str:
    """`{{ value|stringformat:'s' }}` in a template: the text escaped, unless it was marked safe."""
    text = str(value)  # stringformat turns a tuple into its str() too
    return text if isinstance(value, SafeData) else html.escape(text)


def html_attributes(attrs: dict) -> str:
    """As django/forms/widgets/attrs.html prints them: in order, True as a bare name, False left out."""
    return "".join(
        f" {conditional_escape(name)}"
        if value is True
        else f' {conditional_escape(name)}="{as_string_format(value)}"'
        for name, value in attrs.items()
        if value is not False
    )


class PlainSelect(forms.Select):
    def render(self, name, value, attrs=None, renderer=None):
        if self.allow_multiple_selected:
            return super().render(name, value, attrs, renderer)
        # ChoiceWidget.optgroups() builds a dict of eleven keys per option for the template; only
        # the value, the label and whether it is the (first) selected one are printed.
        chosen_values = self.format_value(value)
        options = []
        chosen = False
        for option_value, option_label in self.choices:
            if isinstance(option_label, (list, tuple)):
                return super().render(name, value, attrs, renderer)  # groups: Django's templates
            if option_value is None:
                option_value = ""
            selected = not chosen and str(option_value) in chosen_values
            chosen = chosen or selected
            options.append(
                f'<option value="{as_string_format(option_value)}"{" selected" if selected else ""}>'
                f"{conditional_escape(option_label)}</option>"
            )
        return mark_safe(  # noqa: S308 - every value and label above is escaped
            f'<select name="{conditional_escape(name)}"{html_attributes(self.build_attrs(self.attrs, attrs))}>'
            f"{''.join(options)}</select>"
        )  # nosec B703, B308
