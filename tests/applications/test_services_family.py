"""随迁人: spouse and children under 18 (DESIGN.md §4), each ID validated."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from accounts.models import IdType
from applications import services
from applications.choices import Relation, Status
from applications.models import AccompanyingPerson
from tests.factories import AccompanyingPersonFactory, ApplicationFactory, make_resident_id, years_ago

pytestmark = pytest.mark.django_db


def add(application, **kwargs):
    values = {
        "full_name": "李四",
        "id_type": IdType.RESIDENT_ID,
        "id_number": make_resident_id(years_ago(29), male=False),
        "relation": Relation.SPOUSE,
        "ethnicity": "汉族",
        "hukou_same_as_applicant": True,
    }
    values.update(kwargs)
    return services.accompanying_person_add(application=application, by=application.applicant, **values)


def errors_of(application, **kwargs) -> dict:
    with pytest.raises(ValidationError) as info:
        add(application, **kwargs)
    assert not AccompanyingPerson.objects.filter(
        application=application, full_name=kwargs.get("full_name", "李四")
    ).exists()
    return info.value.message_dict


def test_spouse_and_child_are_added_with_facts_from_their_numbers():
    application = ApplicationFactory()
    spouse = add(application)
    child_id = make_resident_id(years_ago(6), male=True)
    child = add(application, full_name="张小宝", id_number=child_id.lower(), relation=Relation.SON)
    assert spouse.gender == "女" and spouse.birth_date == years_ago(29)
    assert child.id_number == child_id  # normalised to upper case
    assert child.gender == "男" and child.birth_date == years_ago(6)
    application.refresh_from_db()
    assert "family" not in application.completed_steps  # to be confirmed again


def test_invalid_id_number_gets_the_validator_message():
    application = ApplicationFactory()
    good = make_resident_id(years_ago(29), male=False)
    bad = good[:-1] + ("0" if good[-1] != "0" else "1")
    assert "校验位" in errors_of(application, id_number=bad)["id_number"][0]


def test_applicants_own_number_is_refused():
    application = ApplicationFactory()
    assert "本人相同" in errors_of(application, id_number=application.id_number)["id_number"][0]


def test_same_person_twice_is_refused():
    application = ApplicationFactory()
    person = add(application)
    errors = errors_of(
        application, full_name="李四四", id_number=person.id_number, relation=Relation.DAUGHTER
    )
    assert "已添加" in errors["id_number"][0]


def test_only_one_spouse():
    application = ApplicationFactory()
    add(application)
    errors = errors_of(application, full_name="王五", id_number=make_resident_id(years_ago(31), male=False))
    assert "只能有一人" in errors["relation"][0]


def test_unmarried_applicant_cannot_add_a_spouse():
    application = ApplicationFactory(marital_status="未婚")
    assert "婚姻状况" in errors_of(application)["relation"][0]


def test_child_of_18_is_refused_and_17_accepted():
    application = ApplicationFactory()
    errors = errors_of(
        application, full_name="张大宝", id_number=make_resident_id(years_ago(18)), relation=Relation.SON
    )
    assert "未满18周岁" in errors["id_number"][0]
    almost = make_resident_id(years_ago(18, days=-1))
    assert add(application, full_name="张二宝", id_number=almost, relation=Relation.SON).pk


def test_relation_must_match_the_gender_in_the_number():
    application = ApplicationFactory()
    errors = errors_of(
        application,
        full_name="张小花",
        id_number=make_resident_id(years_ago(5), male=False),
        relation=Relation.SON,
    )
    assert "性别为女" in errors["relation"][0]


def test_child_with_a_passport_needs_a_birth_date():
    application = ApplicationFactory()
    errors = errors_of(
        application,
        full_name="Amy Zhang",
        id_type=IdType.PASSPORT,
        id_number="E98765432",
        relation=Relation.DAUGHTER,
    )
    assert "birth_date" in errors
    child = add(
        application,
        full_name="Amy Zhang",
        id_type=IdType.PASSPORT,
        id_number="E98765432",
        relation=Relation.DAUGHTER,
        birth_date=datetime.date.today().replace(year=datetime.date.today().year - 4),
    )
    assert child.gender == "" and child.birth_date is not None


def test_missing_fields_are_reported_together():
    application = ApplicationFactory()
    with pytest.raises(ValidationError) as info:
        services.accompanying_person_add(
            application=application,
            by=application.applicant,
            full_name=" ",
            id_type=IdType.RESIDENT_ID,
            id_number="",
            relation="",
        )
    assert set(info.value.message_dict) == {
        "full_name",
        "id_number",
        "relation",
        "ethnicity",
        "original_registry_office",
        "original_hukou_address",
    }


def test_remove_and_confirm_the_step():
    application = ApplicationFactory()
    person = add(application)
    services.accompanying_person_remove(person=person, by=application.applicant)
    assert not application.accompanying_persons.exists()
    confirmed = services.application_family_complete(application=application, by=application.applicant)
    assert "family" in confirmed.completed_steps


def test_confirming_with_a_spouse_but_unmarried_status_is_refused():
    application = ApplicationFactory(marital_status="未婚")
    AccompanyingPersonFactory(application=application, relation=Relation.SPOUSE)
    with pytest.raises(ValidationError) as info:
        services.application_family_complete(application=application, by=application.applicant)
    assert "婚姻状况" in info.value.messages[0]


def test_persons_of_a_submitted_application_cannot_change():
    application = ApplicationFactory(submitted=True)
    person = AccompanyingPersonFactory(application=application)
    with pytest.raises(services.ApplicationNotEditable):
        add(application, full_name="赵六", id_number=make_resident_id(years_ago(3)), relation=Relation.SON)
    with pytest.raises(services.ApplicationNotEditable):
        services.accompanying_person_remove(person=person, by=application.applicant)
    assert application.accompanying_persons.count() == 1
    assert application.status == Status.SUBMITTED


# --- the person's own card lines (issue 12, defect 7) ---------------------------------------------


def test_own_ethnicity_and_hukou_are_kept_and_marriage_follows_the_relation():
    application = ApplicationFactory()
    spouse = add(
        application,
        ethnicity="壮族",
        hukou_same_as_applicant=False,
        original_registry_office="  广西壮族自治区南宁市公安局青秀分局 ",
        original_hukou_address="广西壮族自治区南宁市青秀区民族大道100号",
    )
    child = add(
        application,
        full_name="张小宝",
        id_number=make_resident_id(years_ago(6), male=True),
        relation=Relation.SON,
    )
    spouse.refresh_from_db()
    assert spouse.ethnicity == "壮族" and not spouse.hukou_same_as_applicant
    assert spouse.registry_office_shown == "广西壮族自治区南宁市公安局青秀分局"
    assert spouse.hukou_address_shown == "广西壮族自治区南宁市青秀区民族大道100号"
    assert (spouse.marital_status, child.marital_status) == ("已婚", "未婚")


def test_same_as_applicant_follows_the_applicants_own_hukou_even_after_a_correction():
    application = ApplicationFactory()
    child = add(
        application,
        full_name="张小宝",
        id_number=make_resident_id(years_ago(6), male=True),
        relation=Relation.SON,
        original_registry_office="typed but not used",
    )
    child.refresh_from_db()
    assert child.hukou_same_as_applicant and child.original_registry_office == ""
    assert child.registry_office_shown == application.original_registry_office
    application.original_hukou_address = "湖南省长沙市岳麓区麓山南路2号"
    application.save()
    child = AccompanyingPerson.objects.select_related("application").get(pk=child.pk)
    assert child.hukou_address_shown == "湖南省长沙市岳麓区麓山南路2号"


@pytest.mark.parametrize(
    ("values", "field", "message"),
    [
        ({"ethnicity": ""}, "ethnicity", "请选择民族。"),
        ({"ethnicity": "火星族"}, "ethnicity", "请从列表中选择民族。"),
        (
            {"hukou_same_as_applicant": False},
            "original_registry_office",
            "请填写原户口登记机关，或选择“与主迁人相同”。",
        ),
        (
            {"hukou_same_as_applicant": False},
            "original_hukou_address",
            "请填写原户口所在地，或选择“与主迁人相同”。",
        ),
        (
            {
                "hukou_same_as_applicant": False,
                "original_registry_office": "局" * 101,
                "original_hukou_address": "x",
            },
            "original_registry_office",
            "原户口登记机关不能超过100个字符。",
        ),
    ],
)
def test_details_are_checked_like_the_applicants(values, field, message):
    application = ApplicationFactory()
    assert errors_of(application, **values)[field] == [message]


def test_same_as_applicant_is_refused_while_the_applicants_hukou_is_blank():
    application = ApplicationFactory(original_registry_office="", original_hukou_address="")
    errors = errors_of(application)
    assert errors["hukou_same_as_applicant"] == [
        "个人信息中尚未填写原户口登记机关、原户口所在地，不能选择“与主迁人相同”；"
        "请先完成个人信息，或直接填写随迁人的原户口信息。"
    ]


def test_a_row_from_before_the_details_were_asked_is_named_at_the_step():
    application = ApplicationFactory(status=Status.DRAFT)
    AccompanyingPersonFactory(
        application=application, full_name="李四", ethnicity="", hukou_same_as_applicant=False
    )
    with pytest.raises(ValidationError) as info:
        services.application_family_complete(application=application, by=application.applicant)
    assert info.value.messages == [
        "随迁人李四尚未填写民族、原户口登记机关、原户口所在地，请删除该随迁人后重新添加并填写。"
    ]
