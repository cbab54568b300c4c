"""core.fragments: a fragment is kept under a digest of everything it is drawn from, and only then."""

import dataclasses
import datetime

import pytest
from django.core.cache import caches
from django.test import override_settings
from django.test.signals import template_rendered
from django.utils import timezone, translation
from django.utils.safestring import SafeString

from applications.models import Application
from applications.selectors import applications_for_status
from core.fragments import FRAGMENT_CACHE, FragmentQueried, fragment_key, render_fragment
from tests.factories import ApplicationFactory, HukouCardFactory

pytestmark = pytest.mark.django_db

RECORD = "applications/_status_history.html"


@pytest.fixture
def renders():
    """The templates the engine rendered (the test environment sends template_rendered)."""
    seen: list[str] = []

    def note(sender, template, context, **kwargs):
        seen.append(template.name)

    template_rendered.connect(note)
    yield seen
    template_rendered.disconnect(note)


def history(application, **extra):
    """The status page's history fragment's context, the applications read as the page reads them
    (the table of 我的全部申报 is shown from two on)."""
    if Application.objects.filter(applicant=application.applicant).count() == 1:
        ApplicationFactory(applicant=application.applicant, year=application.year - 1, status="withdrawn")
    read = applications_for_status(user=application.applicant)
    return {"timeline": [], "applications": read, "current_pk": application.pk, **extra}


QUERYING = "tests/fragment_that_queries.html"


@pytest.fixture
def querying_template(settings):
    # A template that follows a relation the view did not read (the row's district).
    settings.TEMPLATES = [
        {
            "BACKEND": "django.template.backends.django.DjangoTemplates",
            "OPTIONS": {
                "loaders": [
                    ("django.template.loaders.locmem.Loader", {QUERYING: "{{ probe.district.name }}"})
                ]
            },
        }
    ]
    return QUERYING


def test_a_repeat_is_served_from_memory_and_the_same(renders):
    application = ApplicationFactory(number="GZ2026TH000001")
    first = render_fragment(RECORD, history(application))
    assert "GZ2026TH000001" in first and RECORD in renders
    renders.clear()
    again = render_fragment(RECORD, history(application))
    assert again == first and isinstance(again, SafeString)  # not escaped again where it is placed
    assert renders == []  # read afresh, the same row: the same key, no template work


def test_any_column_read_changes_the_key_even_when_written_by_update():
    application = ApplicationFactory(number="GZ2026TH000002", status="submitted")
    assert "GZ2026TH000002" in render_fragment(RECORD, history(application))
    # .update() sends no signal and bumps no version: the digest sees the new column all the same.
    Application.objects.filter(pk=application.pk).update(number="GZ2026TH000003")
    page = render_fragment(RECORD, history(application))
    assert "GZ2026TH000003" in page and "GZ2026TH000002" not in page


def test_related_and_prefetched_rows_are_part_of_the_key():
    application = ApplicationFactory(status="published")
    card = HukouCardFactory(application=application, holder_name="张三")

    def read():
        related = Application.objects.select_related("district").prefetch_related("hukou_cards")
        return {"current": related.get(pk=application.pk)}

    before = fragment_key(RECORD, read())
    assert fragment_key(RECORD, read()) == before
    card.holder_name = "李四"
    card.save(update_fields=["holder_name"])
    after = read()
    assert fragment_key(RECORD, after) != before  # a prefetched row (the cycle card → application ends)
    changed = fragment_key(RECORD, after)
    after["current"].district.name = "另一区"
    assert fragment_key(RECORD, after) != changed  # a joined row's column


def test_the_language_the_time_zone_the_day_and_the_template_are_part_of_the_key():
    application = ApplicationFactory()
    context = {"current": application, "today": datetime.date(2026, 12, 3)}
    key = fragment_key(RECORD, context)
    assert fragment_key(RECORD, {**context, "today": datetime.date(2026, 12, 4)}) != key
    assert fragment_key("applications/_status_record.html", context) != key
    with translation.override("en"):
        assert fragment_key(RECORD, context) != key
    with timezone.override("UTC"):  # the trail's times are shown in the current time zone
        assert fragment_key(RECORD, context) != key


def test_values_of_unknown_kinds_are_refused():
    class Opaque:
        pass

    with pytest.raises(TypeError, match="cannot key a"):
        fragment_key(RECORD, {"thing": Opaque()})

    @dataclasses.dataclass
    class Item:
        title: str

    # A dataclass is keyed by its fields.
    assert fragment_key(RECORD, {"items": [Item("a")]}) != fragment_key(RECORD, {"items": [Item("b")]})


def test_a_fragment_that_queries_while_rendering_fails_under_strict_and_is_never_kept(
    renders, querying_template
):
    application = ApplicationFactory(status="submitted")
    template = querying_template

    def context():
        return {"probe": Application.objects.get(pk=application.pk)}  # no district read with it

    with pytest.raises(FragmentQueried):
        render_fragment(template, context())
    with override_settings(FRAGMENT_STRICT=False):
        first = render_fragment(template, context())
        assert first == application.district.name
        renders.clear()
        assert render_fragment(template, context()) == first
    assert template in renders  # drawn again: what it queried is not in its key
    assert caches[FRAGMENT_CACHE].get(fragment_key(template, context())) is None
