"""core.forms_renderer prints the <input> widgets exactly as Django's templates print them."""

import datetime
from pathlib import Path

import django
import pytest
from django import forms
from django.forms.renderers import DjangoTemplates
from django.utils.safestring import mark_safe

from core.forms_renderer import INPUT_WIDGET_TEMPLATES, FormRenderer

DJANGO_WIDGET_TEMPLATES = Path(django.__file__).parent / "forms" / "templates"

WIDGETS = [
    forms.TextInput(),
    forms.TextInput(attrs={"class": "a b", "maxlength": 60, "data-flag": True, "hidden-flag": False}),
    forms.NumberInput(attrs={"min": 0, "step": "any"}),
    forms.EmailInput(),
    forms.URLInput(),
    forms.PasswordInput(render_value=True),
    forms.HiddenInput(),
    forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    forms.DateTimeInput(),
    forms.TimeInput(),
    forms.SearchInput(),
    forms.TelInput(),
    forms.ColorInput(),
]

VALUES = [
    None,
    "",
    "张三",
    0,
    12,
    '"><script>alert(1)</script>',
    "a & b",
    mark_safe("<b>x</b>"),
    datetime.date(2026, 12, 3),
]


@pytest.mark.parametrize("widget", WIDGETS, ids=lambda widget: type(widget).__name__)
@pytest.mark.parametrize("value", VALUES, ids=repr)
def test_each_input_prints_what_django_templates_print(widget, value):
    attrs = {"id": "id_x", "required": True, "aria-describedby": 'id_x_helptext "q"', "disabled": False}
    django_html = widget.render("x", value, attrs=attrs, renderer=DjangoTemplates())
    ours = widget.render("x", value, attrs=attrs, renderer=FormRenderer())
    assert ours == django_html


def test_the_templates_printed_in_python_are_still_django_s_one_line_include():
    # An upgrade of Django that changes one of these templates must fail here, not print old markup.
    for name in INPUT_WIDGET_TEMPLATES - {"django/forms/widgets/input.html"}:
        source = (DJANGO_WIDGET_TEMPLATES / name).read_text()
        assert source.strip() == '{% include "django/forms/widgets/input.html" %}', name
    input_source = (DJANGO_WIDGET_TEMPLATES / "django/forms/widgets/input.html").read_text().strip()
    assert input_source == (
        '<input type="{{ widget.type }}" name="{{ widget.name }}"{% if widget.value != None %}'
        " value=\"{{ widget.value|stringformat:'s' }}\"{% endif %}"
        '{% include "django/forms/widgets/attrs.html" %}>'
    )


def test_no_installed_app_overrides_those_templates():
    renderer = DjangoTemplates()
    for name in INPUT_WIDGET_TEMPLATES:
        origin = Path(renderer.get_template(name).template.origin.name)
        assert origin.is_relative_to(DJANGO_WIDGET_TEMPLATES), (name, origin)


def test_the_portal_uses_this_renderer_and_other_widgets_are_django_s():
    form = forms.Form()
    assert isinstance(form.renderer, FormRenderer)
    choices = [("a", "甲")]
    for widget in (
        forms.Textarea(),
        forms.CheckboxInput(),
        forms.RadioSelect(choices=choices),
        forms.FileInput(),
    ):
        assert widget.render("x", "a", renderer=FormRenderer()) == widget.render(
            "x", "a", renderer=DjangoTemplates()
        )
