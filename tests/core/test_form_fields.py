"""core.templatetags.form_fields prints what crispy-forms' as_crispy_field prints, field for field."""

import re

import pytest
from django import forms
from django.template import Context, Template
from django.utils import translation
from django.utils.safestring import mark_safe

from applications.forms import PersonalForm
from applications.models import Application
from core.widgets import PlainSelect
from review.forms import QueueFilterForm

pytestmark = pytest.mark.django_db


def _normalised(html: str) -> str:
    # crispy's templates indent and break lines; the browser ignores whitespace between tags and
    # inside a tag's text edges, so both sides are compared without it.
    html = re.sub(r">\s+", ">", html)
    html = re.sub(r"\s+<", "<", html)
    return re.sub(r"\s+", " ", html).strip()


def _both(make_form) -> list[tuple[str, str, str]]:
    """Each field printed by crispy and by form_field, each from a form of its own: crispy writes its
    classes into the widget's attrs, so a form it has printed is no longer as built."""
    crispy = Template("{% load crispy_forms_tags %}{{ field|as_crispy_field }}")
    ours = Template("{% load form_fields %}{{ field|form_field }}")
    crispy_form, our_form = make_form(), make_form()
    return [
        (
            name,
            # crispy names the class after the widget's class; the page keeps the "select" it had.
            _normalised(crispy.render(Context({"field": crispy_form[name]}))).replace(
                'class="plainselect ', 'class="select '
            ),
            _normalised(ours.render(Context({"field": our_form[name]}))),
        )
        for name in our_form.fields
    ]


def _assert_same(make_form) -> None:
    for name, crispy_html, our_html in _both(make_form):
        assert our_html == crispy_html, name


@pytest.mark.parametrize("identity_from_number", [True, False])
def test_the_personal_step_unfilled_is_printed_as_crispy_prints_it(identity_from_number):
    _assert_same(lambda: PersonalForm(instance=Application(), identity_from_number=identity_from_number))


def test_the_personal_step_with_errors_is_printed_as_crispy_prints_it():
    def make_form():
        form = PersonalForm(
            data={
                "education": "大学本科（全日制）",
                "social_insurance_months": "-1",
                "contact_mobile": "123",
                "birth_date": "not a date",
                "intended_address": "<script>alert(1)</script>",
            },
            instance=Application(),
            identity_from_number=False,
        )
        assert not form.is_valid()
        return form

    _assert_same(make_form)
    printed = {name: ours for name, _, ours in _both(make_form)}
    assert 'id="error_1_id_graduate_school"' in printed["graduate_school"]
    assert "有学历的请填写毕业学校" in printed["graduate_school"]
    assert 'class="textinput form-control is-invalid"' in printed["contact_mobile"]
    # What the applicant typed comes back escaped, in the field.
    assert 'value="&lt;script&gt;alert(1)&lt;/script&gt;"' in printed["intended_address"]


@pytest.mark.parametrize(
    "data",
    [
        None,
        {
            "status": "submitted",
            "submitted_from": "2026-12-02",
            "submitted_to": "2026-01-01",
            "overdue": "on",
        },
    ],
)
def test_the_queue_filter_bar_is_printed_as_crispy_prints_it(data):
    def make_form():
        form = QueueFilterForm(data=data, show_district=True)
        if data:
            form.is_valid()
        return form

    _assert_same(make_form)


class _OtherWidgets(forms.Form):
    note = forms.CharField(widget=forms.Textarea(attrs={"class": "note", "rows": 3}), help_text="说明")
    email = forms.EmailField(required=False)
    agreed = forms.BooleanField()
    scan = forms.FileField()
    choice = forms.ChoiceField(choices=[("a", "甲"), ("b", "乙")], widget=forms.RadioSelect)
    secret = forms.CharField(widget=forms.HiddenInput)


@pytest.mark.parametrize("data", [None, {"email": "x"}])
def test_other_widgets_are_printed_as_crispy_prints_them(data):
    def make_form():
        form = _OtherWidgets(data=data)
        if data:
            form.is_valid()
        return form

    _assert_same(make_form)


@pytest.mark.parametrize("value", [None, "", "b", '"><x', ["a"], 3, ["a", "b"]])
def test_plain_select_prints_what_django_select_prints(value):
    choices = [
        ("", "—— 请选择 ——"), ("a", "甲 & 乙"), ("b", "<b>丙</b>"), ('"><x', "引号"), (None, "空"), (3, "三"),
        ("s", mark_safe("<i>已转义</i>")), ("a", "同值第二项"),
    ]  # fmt: skip
    attrs = {"class": "select form-select", "required": True, "data-x": "1", "id": "id_x"}
    django_html = forms.Select(choices=choices).render("x", value, attrs=attrs)
    assert _normalised(PlainSelect(choices=choices).render("x", value, attrs=attrs)) == _normalised(
        django_html
    )
    assert "<b>" not in PlainSelect(choices=choices).render("x", value)


def test_plain_select_leaves_groups_and_multiple_choices_to_django():
    grouped = [("组一", [("a", "甲")]), ("b", "乙")]
    assert 'optgroup label="组一"' in PlainSelect(choices=grouped).render("x", "a")
    multiple = forms.SelectMultiple(choices=[("a", "甲")])
    assert "multiple" in multiple.render("x", ["a"])


def test_the_personal_step_draws_its_choices_with_plain_select():
    form = PersonalForm(instance=Application(), identity_from_number=False)
    selects = [name for name, field in form.fields.items() if isinstance(field.widget, forms.Select)]
    assert selects and all(type(form.fields[name].widget) is PlainSelect for name in selects)


def test_the_personal_step_s_choices_are_in_the_page_s_language_each_time():
    # The labels are translated once per language and process (applications.forms._select_choices).
    for language, unmarried, please_choose in [
        ("zh-hans", "未婚", "—— 请选择 ——"),
        ("en", "Unmarried", "— Select —"),
        ("zh-hans", "未婚", "—— 请选择 ——"),
    ]:
        with translation.override(language):
            form = PersonalForm(instance=Application(), identity_from_number=False)
            labels = [label for _, label in form.fields["marital_status"].choices]
            html = Template("{% load form_fields %}{{ field|form_field }}").render(
                Context({"field": form["marital_status"]})
            )
        assert labels[0] == please_choose and unmarried in labels, language
        assert f">{unmarried}</option>" in html
