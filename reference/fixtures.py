"""The reference data every installation has lives in the top-level `fixtures/` directory (the design
card's layout), as Django fixtures: districts, talent categories and sub-categories, the subsystem
catalogue and the content pages (政策依据, 业务办理指南, 政策问答). This module only loads them;
there is no second copy of the rows in code.

Records carry natural keys, never primary keys (District.code, Subsystem.slug, ContentPage.slug,
TalentCategory.code, TalentSubcategory.code), so `manage.py loaddata districts` finds and updates
the existing rows instead of adding a second 天河区.

The data migrations (applications 0002, portal 0002) cannot call `loaddata`: it deserialises into
the current models, and a migration must use the historical ones of its point in history. So
`load_fixtures(apps, ...)` reads the same JSON and writes rows through `apps.get_model`: a record's
fields that the historical model does not have yet are left out (the migration that adds such a
field fills it), and models that lived in `portal` before `reference` owned them are found there.
`load_demo` and the test fixtures (after a transactional test flushed the tables) call it with
the current models.

The sub-category eligibility rules are code (applications.eligibility), keyed by the codes in
`talent_categories.json`; a code without a rule is refused at submit (fail closed).
"""

import functools
import json
from pathlib import Path

from django.apps import apps as global_apps
from django.conf import settings

# The 人才引进申办系统's entry in subsystems.json: code links to it by this key (添加应用, registration).
TALENT_SUBSYSTEM_SLUG = "talent-introduction"

DISTRICTS = "districts"
TALENT_CATEGORIES = "talent_categories"
SUBSYSTEMS = "subsystems"
CONTENT_PAGES = "content_pages"
# Every fixture a new installation needs, in loading order (a sub-category names its category).
REFERENCE_FIXTURES = (DISTRICTS, TALENT_CATEGORIES, SUBSYSTEMS, CONTENT_PAGES)

# Each fixture model's natural key: the one unique field a record is found by.
NATURAL_KEYS = {
    "district": "code",
    "subsystem": "slug",
    "contentpage": "slug",
    "talentcategory": "code",
    "talentsubcategory": "code",
}
# Where a model lived before the package moves (reference/ took these from portal/).
_FORMER_APP = {"reference": "portal"}
# The city administrator may edit a content page in the admin: a rerun (load_demo, a later
# migration) adds missing pages and leaves existing ones as they are. Other rows follow the file.
_CREATE_ONLY = frozenset({"contentpage"})


def fixture_path(name: str) -> Path:
    """`fixtures/<name>.json`, looked up in FIXTURE_DIRS as `loaddata` looks it up."""
    for folder in settings.FIXTURE_DIRS:
        path = Path(folder) / f"{name}.json"
        if path.is_file():
            return path
    raise FileNotFoundError(f"fixture {name}.json not found in FIXTURE_DIRS {settings.FIXTURE_DIRS}")


def fixture_records(name: str) -> list[dict]:
    with fixture_path(name).open(encoding="utf-8") as handle:
        return json.load(handle)


def _model(apps, label: str):
    app_label, model_name = label.split(".")
    try:
        return apps.get_model(app_label, model_name)
    except LookupError:
        if app_label not in _FORMER_APP:
            raise
        return apps.get_model(_FORMER_APP[app_label], model_name)


def load_fixtures(apps=None, names: tuple[str, ...] = REFERENCE_FIXTURES) -> None:
    """Create or update the rows of the named fixtures through `apps` (historical or current)."""
    apps = apps or global_apps
    for name in names:
        for record in fixture_records(name):
            model = _model(apps, record["model"])
            model_name = model._meta.model_name
            key = NATURAL_KEYS[model_name]
            fields = {f.name: f for f in model._meta.get_fields() if getattr(f, "concrete", False)}
            values = {}
            for field_name, value in record["fields"].items():
                field = fields.get(field_name)
                if field is None or field_name == key:
                    continue  # not in the model at this point of history (see the docstring)
                if field.is_relation:
                    related = field.related_model
                    [natural] = value
                    value = related._default_manager.get(**{NATURAL_KEYS[related._meta.model_name]: natural})
                elif getattr(field, "auto_now", False):
                    continue  # the time of this write, as any save sets it
                values[field_name] = value
            manager = model._default_manager
            lookup = {key: record["fields"][key]}
            if model_name in _CREATE_ONLY:
                manager.get_or_create(**lookup, defaults=values)
            else:
                manager.update_or_create(**lookup, defaults=values)


@functools.cache
def _record_counts() -> dict[str, int]:
    counts: dict[str, int] = {}
    for name in REFERENCE_FIXTURES:
        for record in fixture_records(name):
            counts[record["model"]] = counts.get(record["model"], 0) + 1
    return counts


def reference_data_present() -> bool:
    """Whether the database holds at least as many rows of each fixture model as the fixtures (a
    transactional test flushes them; the tests then load them again)."""
    return all(
        _model(global_apps, label)._default_manager.count() >= count
        for label, count in _record_counts().items()
    )


# --- English names (locale/en) ---------------------------------------------------------------
# The fields of the fixtures an applicant reads. makemessages cannot read JSON, so their Chinese
# is written out as gettext_noop calls in reference/fixture_messages.py (`make messages` runs
# `manage.py fixture_messages` first); screens show them with the `localized` filter or gettext.
# A name the administrator types in later has no English and shows as typed.
TRANSLATED_FIELDS = {
    "district": ("name",),
    "subsystem": ("name", "description"),
    "contentpage": ("title",),
    "talentcategory": ("name",),
    "talentsubcategory": ("name",),
}
FIXTURE_MESSAGES_MODULE = Path(__file__).with_name("fixture_messages.py")


def translatable_fixture_texts() -> list[str]:
    """Every Chinese text of TRANSLATED_FIELDS in the reference fixtures, once, in file order."""
    texts: dict[str, None] = {}
    for name in REFERENCE_FIXTURES:
        for record in fixture_records(name):
            model = record["model"].split(".")[1]
            for field in TRANSLATED_FIELDS.get(model, ()):
                if record["fields"].get(field):
                    texts[record["fields"][field]] = None
    return list(texts)


def fixture_messages_source() -> str:
    lines = [
        '"""Written by `manage.py fixture_messages` from fixtures/*.json: do not edit by hand.',
        "",
        "The reference names applicants read, for makemessages to extract (reference.fixtures).",
        '"""',
        "",
        "from django.utils.translation import gettext_noop",
        "",
        "FIXTURE_MESSAGES = [",
    ]
    lines += [
        f"    gettext_noop({json.dumps(text, ensure_ascii=False)})," for text in translatable_fixture_texts()
    ]
    lines += ["]", ""]
    return "\n".join(lines)
