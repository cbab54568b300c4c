"""中文 / English: the catalogue is complete and compiled, and the language is chosen as promised.

Chinese is the default and the source text; locale/en holds the English (`make messages`).
"""

import gettext
import shutil
import subprocess
import sys
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from accounts.models import User
from tests.i18n_support import assert_page_in_english, chinese_left_in

ROOT = Path(settings.BASE_DIR)
CATALOGUE = ROOT / "locale" / "en" / "LC_MESSAGES" / "django.po"
COMPILED = CATALOGUE.with_suffix(".mo")


def _entries():
    return [entry for entry in polib.pofile(str(CATALOGUE)) if not entry.obsolete]


def test_every_english_message_is_there_and_not_fuzzy():
    untranslated = [
        entry.msgid
        for entry in _entries()
        if entry.fuzzy
        or (entry.msgid_plural and not all(entry.msgstr_plural.values()))
        or (not entry.msgid_plural and not entry.msgstr.strip())
    ]
    assert not untranslated, f"{len(untranslated)} messages without English: {untranslated[:10]}"


def test_the_english_keeps_every_placeholder():
    """A %(name)s lost in translation would raise at render time (or print the wrong value)."""
    import re

    placeholder = re.compile(r"%\(\w+\)[sd]|\{\w*\}|%[sd]")
    broken = [
        entry.msgid
        for entry in _entries()
        if not entry.msgid_plural
        and sorted(placeholder.findall(entry.msgid)) != sorted(placeholder.findall(entry.msgstr))
    ]
    assert not broken, broken[:10]


def test_the_compiled_catalogue_is_the_one_written():
    """The .mo is committed so that `make run` needs no gettext; it must say what the .po says."""
    with COMPILED.open("rb") as handle:
        compiled = gettext.GNUTranslations(handle)
    stale = []
    for entry in _entries():
        key = f"{entry.msgctxt}\x04{entry.msgid}" if entry.msgctxt else entry.msgid
        if entry.msgid_plural:
            ok = (
                compiled.ngettext(entry.msgid, entry.msgid_plural, 1) == entry.msgstr_plural[0]
                if not entry.msgctxt
                else True
            )
        else:
            ok = compiled._catalog.get(key) == entry.msgstr
        if not ok:
            stale.append(entry.msgid)
    assert not stale, f"locale/en/LC_MESSAGES/django.mo is out of date (make messages): {stale[:10]}"


@pytest.fixture(scope="module")
def fresh_extraction(tmp_path_factory):
    """makemessages over a copy of the source: what a translator would be handed today."""
    if shutil.which("xgettext") is None:
        pytest.skip("gettext is not installed (apt-get install gettext)")
    copy = tmp_path_factory.mktemp("source")
    for item in ROOT.iterdir():
        if item.name in {
            ".venv",
            ".git",
            "var",
            "tests",
            "bench",
            "deploy",
            "docs",
            "fixtures",
            "node_modules",
        }:
            continue
        if item.is_dir():
            shutil.copytree(item, copy / item.name, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        else:
            shutil.copy2(item, copy / item.name)
    subprocess.run(
        [sys.executable, "manage.py", "makemessages", "-l", "en", "--no-obsolete", "--no-location"],
        cwd=copy,
        check=True,
        capture_output=True,
        env={"PATH": "/usr/bin:/bin", "DJANGO_SETTINGS_MODULE": "config.settings"},
    )
    return polib.pofile(str(copy / "locale" / "en" / "LC_MESSAGES" / "django.po"))


def test_every_marked_string_has_its_english(fresh_extraction):
    """A string marked for translation in a template or in code but missing from the catalogue
    (or left empty there) would show in Chinese on an English page."""
    missing = [
        entry.msgid
        for entry in fresh_extraction
        if not entry.obsolete and not (entry.msgstr or any(entry.msgstr_plural.values()))
    ]
    assert not missing, (
        f"{len(missing)} strings without English (run make messages, then translate): {missing[:10]}"
    )


# --- Choosing the language ---------------------------------------------------------------------



@pytest.mark.django_db
def test_chinese_is_the_default():
    html = Client().get(reverse("accounts:login")).content.decode()
    assert '<html lang="zh-CN">' in html and "跳到主要内容" in html


@pytest.mark.django_db
def test_accept_language_is_honoured_on_the_first_visit():
    response = Client(HTTP_ACCEPT_LANGUAGE="en-GB,en;q=0.9").get(reverse("accounts:login"))
    html = response.content.decode()
    assert '<html lang="en">' in html and "Skip to main content" in html
    # The way back to Chinese, named in Chinese and marked as such.
    assert 'lang="zh-CN" hreflang="zh-CN">中文</a>' in html


@pytest.mark.django_db
def test_the_switch_remembers_the_choice_and_returns_to_the_page():
    client = Client()
    response = client.get(reverse("portal:language", args=["en"]), {"next": "/accounts/login/?next=/talent/"})
    assert response.status_code == 302 and response.url == "/accounts/login/?next=/talent/"
    cookie = response.cookies[settings.LANGUAGE_COOKIE_NAME]
    assert cookie.value == "en" and int(cookie["max-age"]) == settings.LANGUAGE_COOKIE_AGE
    # The cookie wins over the browser's Accept-Language from then on.
    html = client.get(reverse("accounts:login"), HTTP_ACCEPT_LANGUAGE="zh-CN").content.decode()
    assert '<html lang="en">' in html
    client.get(reverse("portal:language", args=["zh-hans"]))
    assert '<html lang="zh-CN">' in client.get(reverse("accounts:login")).content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("next_url", ["https://evil.example/", "//evil.example/x", "javascript:alert(1)"])
def test_the_switch_never_sends_the_visitor_elsewhere(next_url):
    response = Client().get(reverse("portal:language", args=["en"]), {"next": next_url})
    assert response.status_code == 302 and response.url == reverse("accounts:login")


@pytest.mark.django_db
def test_an_unknown_language_is_not_found():
    assert Client().get("/language/fr/").status_code == 404


@pytest.mark.django_db
def test_a_logged_in_choice_is_kept_on_the_account_for_its_emails(applicant_client, applicant):
    assert applicant.language == "zh-hans"
    applicant_client.get(reverse("portal:language", args=["en"]), {"next": "/"})
    assert User.objects.get(pk=applicant.pk).language == "en"


@pytest.mark.django_db
def test_the_console_stays_chinese_whatever_was_chosen(reviewer_client):
    reviewer_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    html = reviewer_client.get(reverse("review:queue"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert '<html lang="zh-CN">' in html and "跳到主要内容" in html
    assert 'hreflang="en"' not in html  # no switch on staff pages


@pytest.mark.django_db
def test_the_cached_public_notice_is_kept_per_language():
    chinese = Client().get(reverse("notices:list")).content.decode()
    english = Client(HTTP_ACCEPT_LANGUAGE="en").get(reverse("notices:list")).content.decode()
    again = Client().get(reverse("notices:list")).content.decode()
    assert '<html lang="zh-CN">' in chinese and '<html lang="en">' in english
    assert again == chinese


def test_the_english_check_sees_chinese_where_it_is_not_meant():
    page = '<html lang="en"><body><p>Name</p><p lang="zh-CN">入户信息卡</p><button title="提交">Go</button>王小明</body></html>'
    assert chinese_left_in(page, allowed=["王小明"]) == ["<button title='提交'>"]
    with pytest.raises(AssertionError):
        assert_page_in_english(page)
