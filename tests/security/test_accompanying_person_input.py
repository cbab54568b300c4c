"""Every 随迁人 field is held to the applicant's own rules (issue 9, finding 12).

A probe added a 随迁人 named `SP<script>…`; the name was stored and printed on the signed 入户卡.
The applicant's own name, identity document and birth date pass accounts.validators; a 随迁人's
must pass the same functions, in the wizard form (the message beside its field, everything else
typed kept) and again in the service, so no caller skips them.
"""

import datetime
import re
from html import unescape

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from accounts.validators import validate_full_name
from applications import services
from applications.models import AccompanyingPerson
from tests.factories import ApplicationFactory, make_resident_id, years_ago

pytestmark = pytest.mark.django_db

MARKUP_NAMES = [
    "SP<script>alert(document.cookie)</script>",
    "<b>张小龙</b>",
    '张小龙"><img src=x onerror=alert(1)>',
    "张小龙&lt;script&gt;",
    "张小龙\u202e",
    "张小龙\n李四",
]
NAME_RULE = "姓名应与证件一致"


def family_url(application) -> str:
    return reverse("applications:step", kwargs={"public_id": application.public_id, "step": "family"})


def field_errors(page: str, field: str) -> str:
    """The text of the error shown inside the field's own block (crispy's div_id_<field>)."""
    match = re.search(rf'<div id="div_id_{field}".*?(?=<div id="div_id_|<button)', page, re.S)
    assert match, f"no block for {field}"
    block = match.group(0)
    errors = re.findall(r'class="invalid-feedback[^"]*"[^>]*>(.*?)</', block, re.S)
    return unescape(" ".join(re.sub(r"<[^>]+>", "", e) for e in errors)).strip()


def add_person(client, application, **fields):
    data = {
        "nav": "add",
        "full_name": "张小龙",
        "relation": "儿子",
        "id_type": "resident_id",
        "id_number": make_resident_id(years_ago(8)),
        "ethnicity": "汉族",
        "hukou_same_as_applicant": "on",
    }
    data.update(fields)
    return client.post(family_url(application), data)


@pytest.fixture
def draft(applicant):
    return ApplicationFactory(applicant=applicant)


@pytest.mark.parametrize("name", MARKUP_NAMES)
def test_markup_in_a_name_is_refused_beside_the_field_and_nothing_typed_is_lost(
    applicant_client, draft, name
):
    number = make_resident_id(years_ago(8))
    response = add_person(applicant_client, draft, full_name=name, id_number=number)
    assert response.status_code == 200
    page = response.content.decode()
    assert NAME_RULE in field_errors(page, "full_name")
    assert f'value="{number}"' in page
    assert re.search(r'<option value="儿子"[^>]*selected', page)
    assert "<script>alert" not in page and "<b>张小龙</b>" not in page and "<img src=x" not in page
    assert not AccompanyingPerson.objects.filter(application=draft).exists()


@pytest.mark.parametrize("name", MARKUP_NAMES)
def test_the_service_refuses_the_same_names(draft, name):
    with pytest.raises(ValidationError) as info:
        services.accompanying_person_add(
            application=draft,
            by=draft.applicant,
            full_name=name,
            id_type="resident_id",
            id_number=make_resident_id(years_ago(8)),
            relation="儿子",
            ethnicity="汉族",
            hukou_same_as_applicant=True,
        )
    assert NAME_RULE in info.value.message_dict["full_name"][0]
    assert not AccompanyingPerson.objects.filter(application=draft).exists()


@pytest.mark.parametrize(
    "name",
    [
        "张小龙",
        "欧阳小明",
        "阿依古丽·买买提",
        "Amy Zhang",
        "O'Neil",
        "张 三",
        "张3",
        "张",
        "A",
        "张Amy",
        "x" * 51,
    ],
)
def test_a_companion_name_is_accepted_exactly_when_the_applicants_own_would_be(draft, name):
    try:
        validate_full_name(" ".join(name.split()))
    except ValidationError:
        applicant_rule = False
    else:
        applicant_rule = True
    try:
        services.accompanying_person_add(
            application=draft,
            by=draft.applicant,
            full_name=name,
            id_type="resident_id",
            id_number=make_resident_id(years_ago(8)),
            relation="儿子",
            ethnicity="汉族",
            hukou_same_as_applicant=True,
        )
    except ValidationError as exc:
        assert "full_name" in exc.message_dict
        companion_rule = False
    else:
        companion_rule = True
    assert companion_rule == applicant_rule


def test_unknown_document_type_is_refused_beside_its_field(applicant_client, draft):
    page = add_person(applicant_client, draft, id_type="<script>").content.decode()
    assert "请正确选择证件类型" in field_errors(page, "id_type")
    assert 'value="张小龙"' in page
    with pytest.raises(ValidationError) as info:
        services.accompanying_person_add(
            application=draft,
            by=draft.applicant,
            full_name="张小龙",
            id_type="<script>",
            id_number="E98765432",
            relation="儿子",
            ethnicity="汉族",
            hukou_same_as_applicant=True,
        )
    assert "请正确选择证件类型" in info.value.message_dict["id_type"][0]


def test_unknown_relation_is_refused_in_chinese_beside_its_field(applicant_client, draft):
    page = add_person(applicant_client, draft, relation="<b>弟弟</b>").content.decode()
    assert "请选择与申请人的关系" in field_errors(page, "relation")


@pytest.mark.parametrize("born", ["tomorrow", "1899-12-31"])
def test_impossible_birth_date_is_refused_as_for_the_applicant(applicant_client, draft, born):
    day = (
        timezone.localdate() + datetime.timedelta(days=1)
        if born == "tomorrow"
        else datetime.date(1899, 12, 31)
    )
    page = add_person(
        applicant_client, draft, id_type="passport", id_number="E98765432", birth_date=day.isoformat()
    ).content.decode()
    assert "出生日期" in field_errors(page, "birth_date")
    assert 'value="E98765432"' in page
    with pytest.raises(ValidationError) as info:
        services.accompanying_person_add(
            application=draft,
            by=draft.applicant,
            full_name="张小龙",
            id_type="passport",
            id_number="E98765432",
            relation="儿子",
            birth_date=day,
        )
    assert "birth_date" in info.value.message_dict
    assert not AccompanyingPerson.objects.filter(application=draft).exists()


def test_the_applicants_own_typed_birth_date_has_the_same_bounds(applicant_client, applicant):
    from tests.applications.test_views_wizard import personal_data
    from tests.factories import EmployerFactory

    application = ApplicationFactory(
        applicant=applicant, id_type="passport", id_number="E12345678", gender="", birth_date=None
    )
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    data = personal_data(application, EmployerFactory(), gender="男", birth_date=tomorrow.isoformat())
    response = applicant_client.post(
        reverse("applications:step", kwargs={"public_id": application.public_id, "step": "personal"}), data
    )
    page = response.content.decode()
    assert "出生日期不能晚于今天" in field_errors(page, "birth_date")
    assert 'value="华南理工大学"' in page
    application.refresh_from_db()
    assert application.birth_date is None
