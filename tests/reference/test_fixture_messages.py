"""The reference names applicants read (districts, talent categories, subsystems, content page
titles) have their English, and the list makemessages extracts them from follows the fixtures."""

from django.template import Context, Template
from django.utils import translation

from reference.fixtures import FIXTURE_MESSAGES_MODULE, fixture_messages_source, translatable_fixture_texts


def test_the_extracted_list_follows_the_fixtures():
    assert FIXTURE_MESSAGES_MODULE.read_text(encoding="utf-8") == fixture_messages_source(), (
        "fixtures changed: run `make messages` (manage.py fixture_messages) and translate the new names"
    )


def test_every_reference_name_has_its_english():
    texts = translatable_fixture_texts()
    assert "天河区" in texts and "学历类人才" in texts and "人才引进申办系统" in texts
    with translation.override("en"):
        untranslated = [text for text in texts if translation.gettext(text) == text]
    assert not untranslated, untranslated


def test_the_localized_filter_follows_the_page_language():
    template = Template("{% load portal_tags %}{{ name|localized }}")
    with translation.override("en"):
        assert template.render(Context({"name": "天河区"})) == "Tianhe District"
        # A name typed in later by an administrator has no English: it shows as typed.
        assert template.render(Context({"name": "新设区"})) == "新设区"
    with translation.override("zh-hans"):
        assert template.render(Context({"name": "天河区"})) == "天河区"
