"""Starting and filling the draft: application_start and the per-step saves."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from accounts.models import IdType
from applications import services
from applications.choices import Education, Status
from applications.models import Application
from tests.factories import (
    ApplicationFactory,
    EmployerFactory,
    ReviewerFactory,
    UserFactory,
    make_resident_id,
    subcategory,
    years_ago,
)

pytestmark = pytest.mark.django_db


# --- application_start -------------------------------------------------------------------------


def test_start_copies_name_and_number_and_derives_gender_and_birth_date():
    user = UserFactory(full_name="王小丽", id_number=make_resident_id(datetime.date(1992, 3, 4), male=False))
    application = services.application_start(applicant=user)
    assert application.status == Status.DRAFT
    assert application.full_name == "王小丽"
    assert application.id_number == user.id_number
    assert application.gender == "女"
    assert application.birth_date == datetime.date(1992, 3, 4)
    assert application.number is None
    assert application.completed_steps == []


def test_start_resumes_the_open_draft():
    user = UserFactory()
    first = services.application_start(applicant=user)
    again = services.application_start(applicant=user)
    assert again.pk == first.pk
    assert Application.objects.filter(applicant=user).count() == 1


def test_start_resumes_a_returned_application():
    returned = ApplicationFactory(submitted=True, status=Status.RETURNED)
    assert services.application_start(applicant=returned.applicant).pk == returned.pk


@pytest.mark.parametrize("status", [Status.SUBMITTED, Status.UNDER_REVIEW, Status.IN_NOTICE])
def test_start_refuses_while_an_application_is_in_hand(status):
    in_hand = ApplicationFactory(submitted=True, status=status)
    with pytest.raises(services.ApplicationError) as info:
        services.application_start(applicant=in_hand.applicant)
    assert in_hand.number in info.value.message
    assert "办结前不能再次登记" in info.value.message


@pytest.mark.parametrize("status", [Status.PUBLISHED, Status.REJECTED, Status.WITHDRAWN])
def test_start_after_a_closed_application_creates_a_new_draft(status):
    closed = ApplicationFactory(submitted=True, status=status)
    fresh = services.application_start(applicant=closed.applicant)
    assert fresh.pk != closed.pk and fresh.status == Status.DRAFT


def test_staff_cannot_start_an_application():
    with pytest.raises(services.ApplicationError):
        services.application_start(applicant=ReviewerFactory())


def test_passport_holder_gets_no_derived_gender():
    user = UserFactory(id_type=IdType.PASSPORT, id_number="E12345678")
    application = services.application_start(applicant=user)
    assert application.gender == "" and application.birth_date is None


# --- steps 1–3 ---------------------------------------------------------------------------------


def draft(**kwargs):
    return ApplicationFactory(completed_steps=[], commitment_accepted_at=None, **kwargs)


def test_commitment_agree_marks_the_step_and_disagree_undoes_it():
    application = draft()
    saved = services.application_commitment_save(
        application=application, accepted=True, by=application.applicant
    )
    assert saved.commitment_accepted_at is not None
    assert saved.completed_steps == ["commitment"]
    declined = services.application_commitment_save(
        application=application, accepted=False, by=application.applicant
    )
    assert declined.commitment_accepted_at is None
    assert declined.completed_steps == []


def test_declaration_needs_the_conditions_confirmed():
    application = draft()
    with pytest.raises(ValidationError) as info:
        services.application_declaration_save(
            application=application,
            declaration_type="talent_hukou",
            conditions_confirmed=False,
            by=application.applicant,
        )
    assert "conditions_confirmed" in info.value.message_dict
    saved = services.application_declaration_save(
        application=application,
        declaration_type="talent_hukou",
        conditions_confirmed=True,
        by=application.applicant,
    )
    assert saved.conditions_confirmed and "declaration" in saved.completed_steps


def test_category_save_sets_the_category_from_the_subcategory():
    application = draft()
    saved = services.application_category_save(
        application=application, subcategory=subcategory("5.4"), by=application.applicant
    )
    assert saved.category.code == "5" and saved.subcategory.code == "5.4"
    assert saved.is_quota_controlled


def test_changing_category_reopens_personal_details_that_no_longer_fit():
    application = ApplicationFactory(education=Education.MASTER)  # a complete 2.2 draft
    saved = services.application_category_save(
        application=application, subcategory=subcategory("3.1"), by=application.applicant
    )
    # 3.1 needs a senior title; the applicant has an intermediate one.
    assert "personal" not in saved.completed_steps
    assert "category" in saved.completed_steps
    kept = services.application_category_save(
        application=application, subcategory=subcategory("2.3"), by=application.applicant
    )
    assert "category" in kept.completed_steps


# --- step 4 ------------------------------------------------------------------------------------


def test_personal_partial_save_keeps_values_and_leaves_the_step_open():
    application = draft()
    employer = EmployerFactory()
    saved = services.application_personal_save(
        application=application,
        by=application.applicant,
        values={"ethnicity": "壮族", "employer": employer},
        complete=False,
    )
    saved.refresh_from_db()
    assert saved.ethnicity == "壮族" and saved.employer == employer
    assert "personal" not in saved.completed_steps


def test_personal_complete_reports_each_unmet_requirement_at_its_field():
    application = ApplicationFactory(subcategory=subcategory("4.3"))
    with pytest.raises(ValidationError) as info:
        services.application_personal_save(
            application=application,
            by=application.applicant,
            values={"skill_qualification": "无", "skill_occupation": "", "social_insurance_months": 3},
            complete=True,
        )
    errors = info.value.message_dict
    assert set(errors) == {"skill_qualification", "skill_occupation", "social_insurance_months"}
    assert "满6个月" in errors["social_insurance_months"][0]


def test_gender_and_birth_date_from_an_id_card_cannot_be_overwritten():
    application = draft(birth_date=years_ago(30))
    services.application_personal_save(
        application=application,
        by=application.applicant,
        values={"birth_date": datetime.date(2000, 1, 1), "gender": "女"},
        complete=False,
    )
    application.refresh_from_db()
    assert application.birth_date == years_ago(30) and application.gender == "男"


def test_personal_rejects_unknown_fields():
    application = draft()
    with pytest.raises(ValueError):
        services.application_personal_save(
            application=application, by=application.applicant, values={"status": "published"}, complete=False
        )


# --- ownership and freezing ----------------------------------------------------------------------


STEP_CALLS = {
    "commitment": lambda app, by: services.application_commitment_save(application=app, accepted=True, by=by),
    "declaration": lambda app, by: services.application_declaration_save(
        application=app, declaration_type="talent_hukou", conditions_confirmed=True, by=by
    ),
    "category": lambda app, by: services.application_category_save(
        application=app, subcategory=subcategory("2.1"), by=by
    ),
    "personal": lambda app, by: services.application_personal_save(
        application=app, by=by, values={"major": "数学"}, complete=False
    ),
    "family": lambda app, by: services.application_family_complete(application=app, by=by),
    "attachments": lambda app, by: services.application_attachments_complete(application=app, by=by),
}


@pytest.mark.parametrize("step", STEP_CALLS)
@pytest.mark.parametrize(
    "status",
    [
        Status.SUBMITTED,
        Status.UNDER_REVIEW,
        Status.IN_NOTICE,
        Status.PUBLISHED,
        Status.REJECTED,
        Status.WITHDRAWN,
    ],
)
def test_submitted_answers_are_frozen(step, status):
    application = ApplicationFactory(submitted=True, status=status)
    before = Application.objects.values().get(pk=application.pk)
    with pytest.raises(services.ApplicationNotEditable) as info:
        STEP_CALLS[step](application, application.applicant)
    assert "冻结" in info.value.message
    assert Application.objects.values().get(pk=application.pk) == before


@pytest.mark.parametrize("step", STEP_CALLS)
def test_nobody_else_can_write_to_a_draft(step):
    application = ApplicationFactory()
    with pytest.raises(PermissionDenied):
        STEP_CALLS[step](application, UserFactory())


def test_returned_application_can_be_edited_again():
    application = ApplicationFactory(
        submitted=True, status=Status.RETURNED, correction_items=["请补充学位鉴定"]
    )
    saved = services.application_personal_save(
        application=application, by=application.applicant, values={"major": "软件工程"}, complete=True
    )
    assert saved.major == "软件工程"
