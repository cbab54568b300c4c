"""Widgets printed in Python where Django prints one template per option.

Django's Select renders each <option> through its own template; the 个人信息 step's eleven selects
(56 民族 among them) spent half of that page's CPU there (docs/performance.md, issue 15). The trade:
this is the markup of django/forms/widgets/select.html and select_option.html written out once more
(tests/core/test_form_fields.py compares the two, option for option), for single choices without
groups; anything else goes to Django's templates.
"""

from django import forms
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString


def _attributes(attrs: dict) -> SafeString:
    # As django/forms/widgets/attrs.html prints them: in order, True as a bare name, False left out.
    return format_html_join(
        "",
        "{}",
        (
            (format_html(" {}", name) if value is True else format_html(' {}="{}"', name, str(value)),)
            for name, value in attrs.items()
            if value is not False
        ),
    )


class PlainSelect(forms.Select):
    def render(self, name, value, attrs=None, renderer=None):
        context = self.get_context(name, value, attrs)["widget"]
        groups = context["optgroups"]
        if self.allow_multiple_selected or any(group_name for group_name, _, _ in groups):
            return super().render(name, value, attrs, renderer)
        options = format_html_join(
            "",
            '<option value="{}"{}>{}</option>',
            (
                (str(option["value"]), _attributes(option["attrs"]), option["label"])
                for _, group_options, _ in groups
                for option in group_options
            ),
        )
        return format_html(
            '<select name="{}"{}>{}</select>', context["name"], _attributes(context["attrs"]), options
        )
