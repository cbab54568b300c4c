"""applications.eligibility: the 办法's conditions per 具体类别, counted on the submission day."""

import datetime

import pytest

from applications.choices import AttachmentKind, Degree, Education, ProfessionalTitle, Relation, SkillLevel
from applications.eligibility import (
    age_on,
    check_eligibility,
    missing_attachment_messages,
    personal_problems,
    required_attachment_kinds,
)
from tests.factories import AccompanyingPersonFactory, ApplicationFactory, AttachmentFactory, subcategory

pytestmark = pytest.mark.django_db

SUBMITTED_ON = datetime.date(2026, 6, 15)


def born_years_before(years: int, *, days: int = 0) -> datetime.date:
    return SUBMITTED_ON.replace(year=SUBMITTED_ON.year - years) - datetime.timedelta(days=days)


def make(code: str, **answers):
    return ApplicationFactory(subcategory=subcategory(code), **answers)


# --- age ----------------------------------------------------------------------------------------


def test_age_counts_whole_years_on_the_day():
    birthday = datetime.date(1981, 6, 15)
    assert age_on(birthday, datetime.date(2026, 6, 14)) == 44
    assert age_on(birthday, datetime.date(2026, 6, 15)) == 45


def test_29_february_birthday_counts_from_1_march_in_common_years():
    born = datetime.date(2000, 2, 29)
    assert age_on(born, datetime.date(2026, 2, 28)) == 25
    assert age_on(born, datetime.date(2026, 3, 1)) == 26


@pytest.mark.parametrize(
    ("code", "limit"),
    [("1.3", 50), ("1.4", 45), ("2.1", 50), ("2.2", 45), ("2.3", 40), ("3.1", 50), ("3.2", 40), ("4.1", 40),
     ("4.2", 45), ("4.3", 40), ("4.4", 35), ("4.5", 40)],
)  # fmt: skip
def test_age_limit_of_each_subcategory_is_inclusive(code, limit):
    # 办法: "45周岁以下" includes 45; the day one turns 46 is one day too late.
    at_limit = make(code, birth_date=born_years_before(limit + 1, days=-1))
    assert age_on(at_limit.birth_date, SUBMITTED_ON) == limit
    assert not any("周岁" in m for m in check_eligibility(at_limit, on=SUBMITTED_ON))

    over = make(code, birth_date=born_years_before(limit + 1))
    messages = [m for m in check_eligibility(over, on=SUBMITTED_ON) if "周岁" in m]
    assert len(messages) == 1
    assert f"已满{limit + 1}周岁" in messages[0]
    assert f"{limit}周岁以下" in messages[0]
    assert "2026年06月15日" in messages[0]


@pytest.mark.parametrize("code", ["1.1", "1.2", "5.1", "5.2", "5.3", "5.4", "5.5"])
def test_national_honours_and_quota_categories_have_no_age_limit(code):
    application = make(
        code, birth_date=born_years_before(62), high_level_title="国务院政府特殊津贴", position="技术总监"
    )
    assert check_eligibility(application, on=SUBMITTED_ON) == []


# --- qualifications -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "answers", "field"),
    [
        ("1.1", {"high_level_title": ""}, "high_level_title"),
        ("2.1", {"education": Education.MASTER, "degree": Degree.MASTER}, "education"),
        ("2.2", {"education": Education.BACHELOR_FULLTIME, "degree": Degree.BACHELOR}, "education"),
        ("2.3", {"education": Education.BACHELOR, "degree": Degree.BACHELOR}, "degree"),
        ("2.3", {"education": Education.COLLEGE, "degree": Degree.NONE}, "degree"),
        ("3.1", {"professional_title": ProfessionalTitle.INTERMEDIATE}, "professional_title"),
        ("3.2", {"professional_title": ProfessionalTitle.JUNIOR}, "professional_title"),
        ("4.1", {"professional_qualification": "无"}, "professional_qualification"),
        ("4.2", {"skill_qualification": SkillLevel.TECHNICIAN, "skill_occupation": "电工"}, "skill_qualification"),
        ("4.3", {"skill_qualification": SkillLevel.SENIOR_WORKER, "skill_occupation": "电工"}, "skill_qualification"),
        ("4.4", {"skill_qualification": SkillLevel.INTERMEDIATE_WORKER, "skill_occupation": "电工"}, "skill_qualification"),
        ("4.4", {"skill_qualification": SkillLevel.SENIOR_WORKER, "skill_occupation": ""}, "skill_occupation"),
        ("4.5", {"shortage_occupation": "无", "skill_qualification": SkillLevel.SENIOR_WORKER}, "shortage_occupation"),
        ("4.5", {"shortage_occupation": "数控机床装调维修工", "skill_qualification": SkillLevel.NONE}, "skill_qualification"),
        ("5.4", {"position": ""}, "position"),
    ],
)  # fmt: skip
def test_each_subcategory_requires_its_qualification(code, answers, field):
    application = make(code, **answers)
    problems = personal_problems(application)
    assert field in [name for name, _ in problems]
    assert check_eligibility(application, on=SUBMITTED_ON)


@pytest.mark.parametrize(
    ("code", "answers"),
    [
        ("1.3", {"high_level_title": "广州市杰出专家"}),
        ("2.1", {"education": Education.MASTER, "degree": Degree.DOCTOR}),
        ("2.1", {"education": Education.DOCTORATE, "degree": Degree.NONE}),
        ("2.2", {"education": Education.MASTER, "degree": Degree.MASTER}),
        ("2.3", {"education": Education.BACHELOR_FULLTIME, "degree": Degree.BACHELOR}),
        ("2.3", {"education": Education.NONE, "degree": Degree.FOREIGN_BACHELOR}),
        ("3.1", {"professional_title": ProfessionalTitle.SENIOR}),
        ("3.2", {"professional_title": ProfessionalTitle.INTERMEDIATE}),
        ("4.1", {"professional_qualification": "注册会计师"}),
        ("4.2", {"skill_qualification": SkillLevel.SENIOR_TECHNICIAN, "skill_occupation": "钳工"}),
        ("4.4", {"skill_qualification": SkillLevel.TECHNICIAN, "skill_occupation": "钳工"}),
        ("4.5", {"shortage_occupation": "数控机床装调维修工", "skill_qualification": SkillLevel.SENIOR_WORKER}),
        ("5.4", {"position": "研发部经理"}),
    ],
)  # fmt: skip
def test_qualified_applicants_pass(code, answers):
    application = make(code, birth_date=born_years_before(30), **answers)
    assert check_eligibility(application, on=SUBMITTED_ON) == []


@pytest.mark.parametrize(("months", "ok"), [(None, False), (0, False), (5, False), (6, True), (40, True)])
def test_skill_category_needs_six_months_of_social_insurance(months, ok):
    application = make(
        "4.3",
        skill_qualification=SkillLevel.TECHNICIAN,
        skill_occupation="电工",
        social_insurance_months=months,
    )
    messages = check_eligibility(application, on=SUBMITTED_ON)
    assert (messages == []) is ok
    if not ok:
        assert any("满6个月" in m for m in messages)


def test_other_categories_need_social_insurance_being_paid():
    application = make("2.2", social_insurance_months=0)
    assert any("社会保险" in m for m in check_eligibility(application, on=SUBMITTED_ON))


def test_an_employer_is_required():
    application = make("2.2", employer=None)
    assert any("迁入单位" in m for m in check_eligibility(application, on=SUBMITTED_ON))


# --- accompanying persons -----------------------------------------------------------------------


def test_child_turning_18_before_submission_cannot_move_along():
    application = make("2.2")
    AccompanyingPersonFactory(
        application=application, full_name="张小明", relation=Relation.SON, birth_date=born_years_before(18)
    )
    messages = check_eligibility(application, on=SUBMITTED_ON)
    assert any("张小明" in m and "已满18周岁" in m for m in messages)


def test_child_of_17_may_move_along():
    application = make("2.2")
    AccompanyingPersonFactory(
        application=application, relation=Relation.SON, birth_date=born_years_before(18, days=-1)
    )
    assert check_eligibility(application, on=SUBMITTED_ON) == []


def test_spouse_needs_married_status():
    application = make("2.2", marital_status="未婚")
    AccompanyingPersonFactory(application=application, full_name="李四", relation=Relation.SPOUSE)
    assert any("婚姻状况" in m for m in check_eligibility(application, on=SUBMITTED_ON))


# --- attachments --------------------------------------------------------------------------------


def test_identity_documents_are_always_required():
    for code in ("1.1", "2.2", "3.2", "4.3", "5.4"):
        kinds = set(required_attachment_kinds(make(code)))
        assert {AttachmentKind.ID_CARD, AttachmentKind.HOUSEHOLD_REGISTER} <= kinds


@pytest.mark.parametrize(
    ("code", "answers", "expected"),
    [
        ("1.1", {}, {"id_card", "household_register", "high_level_proof"}),
        ("2.2", {}, {"id_card", "household_register", "education_cert", "education_verification", "degree_cert", "degree_verification"}),
        ("2.3", {"education": Education.NONE, "degree": Degree.FOREIGN_BACHELOR}, {"id_card", "household_register", "degree_cert", "accreditation"}),
        ("2.1", {"education": Education.DOCTORATE, "degree": Degree.NONE}, {"id_card", "household_register", "education_cert", "education_verification"}),
        ("3.1", {}, {"id_card", "household_register", "title_cert", "title_verification"}),
        ("4.2", {}, {"id_card", "household_register", "vocational_cert", "vocational_verification"}),
        ("5.4", {}, {"unit_report", "id_card", "household_register"}),
    ],
)  # fmt: skip
def test_required_attachments_follow_the_category(code, answers, expected):
    assert set(required_attachment_kinds(make(code, **answers))) == expected


def test_required_attachments_follow_the_accompanying_persons_in_seed_order():
    application = make("5.4")
    AccompanyingPersonFactory(application=application, relation=Relation.SPOUSE)
    AccompanyingPersonFactory(
        application=application, relation=Relation.DAUGHTER, birth_date=born_years_before(5)
    )
    assert required_attachment_kinds(application) == [
        AttachmentKind.UNIT_REPORT,
        AttachmentKind.ID_CARD,
        AttachmentKind.HOUSEHOLD_REGISTER,
        AttachmentKind.SPOUSE_ID,
        AttachmentKind.SPOUSE_HOUSEHOLD,
        AttachmentKind.CHILD_HOUSEHOLD,
        AttachmentKind.CHILD_BIRTH_CERT,
    ]


def test_missing_attachments_are_all_listed_and_children_need_one_each():
    application = make("5.4")
    for _ in range(2):
        AccompanyingPersonFactory(
            application=application, relation=Relation.SON, birth_date=born_years_before(6)
        )
    AttachmentFactory(application=application, kind=AttachmentKind.ID_CARD)
    AttachmentFactory(application=application, kind=AttachmentKind.CHILD_HOUSEHOLD)
    messages = missing_attachment_messages(application, application.attachments.all())
    assert messages == [
        "未上传必传附件“单位引进报告”。",
        "未上传必传附件“户口簿”。",
        "附件“子女户口簿”须每名随迁子女各一份：随迁子女2人，已上传1份。",
        "未上传必传附件“子女出生医学证明”。",
    ]
