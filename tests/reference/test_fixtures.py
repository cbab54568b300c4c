"""The reference data lives in fixtures/ (the design card's layout) and only there: the migrations
load it, `loaddata` can load it again without a second row, and the code keeps only keys into it
(eligibility rules by sub-category code, the talent subsystem's slug)."""

import re
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from applications import eligibility
from applications.models import TalentCategory, TalentSubcategory
from reference.fixtures import (
    CONTENT_PAGES,
    DISTRICTS,
    REFERENCE_FIXTURES,
    SUBSYSTEMS,
    TALENT_CATEGORIES,
    TALENT_SUBSYSTEM_SLUG,
    fixture_path,
    fixture_records,
    load_fixtures,
)
from reference.models import ContentPage, District, Subsystem

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
MODELS = [District, Subsystem, ContentPage, TalentCategory, TalentSubcategory]


def _rows():
    return {model: sorted(model.objects.values_list("pk", flat=True)) for model in MODELS}


def test_the_fixtures_are_in_the_top_level_fixtures_directory():
    assert Path(settings.FIXTURE_DIRS[0]) == ROOT / "fixtures"
    for name in REFERENCE_FIXTURES:
        assert fixture_path(name) == ROOT / "fixtures" / f"{name}.json"


def test_the_migrations_loaded_every_record_as_the_fixture_says():
    for name in REFERENCE_FIXTURES:
        for record in fixture_records(name):
            model = apps.get_model(record["model"])
            fields = dict(record["fields"])
            fields.pop("updated_at", None)  # set by the write, as any save sets it
            if "category" in fields:
                fields["category__code"] = fields.pop("category")[0]
            assert model.objects.filter(**fields).count() == 1, (name, record["fields"].get("code"))
    assert District.objects.get(code="440106").name == "天河区"
    assert TalentSubcategory.objects.get(code="5.4").category.is_quota_controlled


def test_loaddata_finds_the_existing_rows_by_natural_key_and_adds_none():
    before = _rows()
    District.objects.filter(code="440111").update(contact_phone="020-00000000")
    call_command("loaddata", *REFERENCE_FIXTURES, verbosity=0)
    assert _rows() == before
    assert District.objects.get(code="440111").contact_phone == "020-86555114"


def test_loading_again_puts_back_deleted_rows_and_keeps_the_others():
    TalentSubcategory.objects.filter(code="4.5").delete()
    Subsystem.objects.filter(slug="job-fair").delete()
    kept = District.objects.get(code="440103").pk
    load_fixtures()
    assert TalentSubcategory.objects.get(code="4.5").category.code == "4"
    assert Subsystem.objects.filter(slug="job-fair").exists()
    assert District.objects.get(code="440103").pk == kept


def test_every_sub_category_has_its_rule_in_code_with_the_same_age_limit():
    records = [
        r["fields"] for r in fixture_records(TALENT_CATEGORIES) if r["model"].endswith("talentsubcategory")
    ]
    codes = {record["code"] for record in records}
    assert codes == set(eligibility.RULES)
    for record in records:
        assert eligibility.RULES[record["code"]].max_age == record["max_age"], record["code"]


def test_the_talent_subsystem_key_names_the_one_provided_entry():
    provided = [r["fields"] for r in fixture_records(SUBSYSTEMS) if r["fields"]["is_provided"]]
    assert [entry["slug"] for entry in provided] == [TALENT_SUBSYSTEM_SLUG]
    assert provided[0]["entry_url_name"] == "applications:home"


def test_the_login_page_lists_the_catalogue_from_its_rows():
    Subsystem.objects.filter(slug="job-fair").update(name="招聘会管理系统（测试改名）")
    html = Client().get(reverse("accounts:login")).content.decode()
    listed = re.search(r'data-testid="subsystem-list">(.*?)</p>', html, re.S).group(1)
    assert "招聘会管理系统（测试改名）" in listed
    assert "<strong>人才引进申办系统</strong>" in listed
    assert listed.endswith("人才资源库和应用安全基础平台。")


@pytest.mark.parametrize(
    ("name", "sample"),
    [
        (DISTRICTS, "rlzx@by.gov.cn"),
        (TALENT_CATEGORIES, "具有中级职称的人员（40周岁以下）"),
        (SUBSYSTEMS, "随军家属安置管理系统"),
        (CONTENT_PAGES, "系统技术支持邮箱已由hrssgz@gzpi.gov.cn改为"),
    ],
)
def test_no_second_copy_of_a_fixture_in_the_code(name, sample):
    assert sample in fixture_path(name).read_text(encoding="utf-8")
    skip = {".git", ".venv", "tests", "var", "node_modules", "fixtures"}
    copies = [
        str(path.relative_to(ROOT))
        for suffix in ("*.py", "*.html")
        for path in ROOT.rglob(suffix)
        if not skip & set(path.relative_to(ROOT).parts) and sample in path.read_text(encoding="utf-8")
    ]
    # The one derived copy: the names written out for makemessages, checked to follow the fixtures
    # (tests/reference/test_fixture_messages.py).
    assert copies in ([], ["reference/fixture_messages.py"])


def test_an_administrators_edit_of_the_catalogue_reaches_the_login_page_at_once():
    client = Client()
    assert "招聘会管理系统、" in client.get(reverse("accounts:login")).content.decode()  # now held in memory
    entry = Subsystem.objects.get(slug="job-fair")
    entry.name = "招聘会服务系统"
    entry.save()  # as the admin saves it: the signal bumps the version
    html = client.get(reverse("accounts:login")).content.decode()
    assert "招聘会服务系统、" in html and "招聘会管理系统" not in html
