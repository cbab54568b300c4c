"""单位系统管理员权限: request, approve, refuse, cancel — each audited with who, when and note."""

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import storages

from accounts import services
from accounts.models import Employer, EmployerAdmin
from core.uploads import check_jpeg
from reference.models import District
from tests import factories

# Files are stored here: each test runs on the local folder and on a bucket (tests/conftest.py).
pytestmark = [pytest.mark.django_db, pytest.mark.both_storages]


@pytest.fixture
def licence():
    return check_jpeg(ContentFile(factories.jpeg_bytes(600, 400), name="licence.jpg"))


@pytest.fixture
def employer():
    return factories.EmployerFactory(name="广州天河软件科技有限公司")


@pytest.fixture
def pending(applicant, employer, licence):
    return services.employer_admin_request_create(user=applicant, employer=employer, licence=licence, note="人事主管")


def test_a_request_for_a_known_employer_is_pending_with_the_licence_stored_privately(pending, licence):
    pending.refresh_from_db()
    assert pending.status == EmployerAdmin.Status.PENDING
    assert pending.applicant_note == "人事主管"
    stored = storages["private"].open(pending.business_licence.name).read()
    assert stored == licence.content and stored.startswith(b"\xff\xd8\xff")
    assert pending.business_licence.name.startswith("business_licences/")
    assert "licence" not in pending.business_licence.name.split("/")[-1]  # server-made name


def test_a_request_can_register_an_employer_the_search_did_not_find(applicant, licence):
    code = factories.make_credit_code()
    district = District.objects.get(code="440112")
    right = services.employer_admin_request_create(
        user=applicant,
        new_employer=services.NewEmployerData(name=" 广州黄埔  新材料有限公司 ", credit_code=code.lower(), district=district),
        licence=licence,
    )
    employer = Employer.objects.get(credit_code=code)
    assert right.employer == employer
    assert employer.name == "广州黄埔 新材料有限公司" and employer.district == district


def test_a_new_employer_needs_a_valid_credit_code(applicant, licence):
    valid = factories.make_credit_code()
    wrong_check = valid[:17] + ("0" if valid[17] != "0" else "1")
    with pytest.raises(ValidationError) as excinfo:
        services.employer_admin_request_create(
            user=applicant,
            new_employer=services.NewEmployerData(
                name="某公司", credit_code=wrong_check, district=District.objects.first()
            ),
            licence=licence,
        )
    assert "校验位不正确" in excinfo.value.message_dict["credit_code"][0]
    assert not Employer.objects.filter(name="某公司").exists()
    assert not EmployerAdmin.objects.exists()


def test_an_employer_is_registered_once_per_credit_code(applicant, employer, licence):
    with pytest.raises(ValidationError) as excinfo:
        services.employer_create(
            data=services.NewEmployerData(name="重复", credit_code=employer.credit_code, district=employer.district)
        )
    assert "已登记" in excinfo.value.message_dict["credit_code"][0]


def test_a_second_open_request_for_the_same_employer_is_refused(pending, applicant, employer, licence):
    with pytest.raises(ValidationError, match="正在审核中"):
        services.employer_admin_request_create(user=applicant, employer=employer, licence=licence)


def test_staff_cannot_request_an_employer_right(reviewer, employer, licence):
    with pytest.raises(PermissionDenied):
        services.employer_admin_request_create(user=reviewer, employer=employer, licence=licence)


def test_city_admin_approves_and_the_applicant_is_told(pending, city_admin, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        right = services.employer_admin_approve(request_id=pending.pk, by=city_admin)
    right.refresh_from_db()
    assert right.status == EmployerAdmin.Status.APPROVED
    assert right.decided_by == city_admin and right.decided_at is not None
    assert "同意" in right.decision_note
    assert len(mail.outbox) == 1 and "已批准" in mail.outbox[0].subject
    assert mail.outbox[0].to == [pending.user.email]


def test_only_a_city_admin_may_decide(pending, reviewer, other_applicant):
    for user in (reviewer, other_applicant):
        with pytest.raises(PermissionDenied):
            services.employer_admin_approve(request_id=pending.pk, by=user)
    pending.refresh_from_db()
    assert pending.status == EmployerAdmin.Status.PENDING


def test_refusal_needs_a_reason_and_records_it(pending, city_admin):
    with pytest.raises(ValidationError):
        services.employer_admin_refuse(request_id=pending.pk, by=city_admin, note="  ")
    right = services.employer_admin_refuse(request_id=pending.pk, by=city_admin, note="营业执照不清晰")
    right.refresh_from_db()
    assert right.status == EmployerAdmin.Status.REFUSED
    assert right.decision_note == "营业执照不清晰" and right.decided_by == city_admin


def test_a_decided_request_cannot_be_decided_again(pending, city_admin):
    services.employer_admin_approve(request_id=pending.pk, by=city_admin)
    with pytest.raises(ValidationError, match="已批准"):
        services.employer_admin_refuse(request_id=pending.pk, by=city_admin, note="改主意")


def test_the_holder_cancels_an_approved_right(pending, city_admin, applicant):
    services.employer_admin_approve(request_id=pending.pk, by=city_admin)
    right = services.employer_admin_cancel(request_id=pending.pk, by=applicant)
    right.refresh_from_db()
    assert right.status == EmployerAdmin.Status.CANCELLED
    assert right.cancelled_by == applicant and right.cancelled_at is not None
    assert right.cancel_note == "本人申请取消"


def test_a_city_admin_cancels_with_a_reason_and_the_holder_is_told(
    pending, city_admin, django_capture_on_commit_callbacks
):
    services.employer_admin_approve(request_id=pending.pk, by=city_admin)
    with pytest.raises(ValidationError):
        services.employer_admin_cancel(request_id=pending.pk, by=city_admin)
    with django_capture_on_commit_callbacks(execute=True):
        right = services.employer_admin_cancel(request_id=pending.pk, by=city_admin, note="已离职")
    assert right.cancel_note == "已离职" and right.cancelled_by == city_admin
    assert any("已取消" in message.subject for message in mail.outbox)


def test_someone_else_cannot_cancel_a_right(pending, other_applicant):
    with pytest.raises(PermissionDenied):
        services.employer_admin_cancel(request_id=pending.pk, by=other_applicant)


def test_after_cancelling_the_employer_can_be_requested_again(pending, applicant, employer, licence):
    services.employer_admin_cancel(request_id=pending.pk, by=applicant)
    again = services.employer_admin_request_create(user=applicant, employer=employer, licence=licence)
    assert again.status == EmployerAdmin.Status.PENDING
    with pytest.raises(ValidationError, match="无需取消"):
        services.employer_admin_cancel(request_id=pending.pk, by=applicant)
