"""Separation of duties: an employer administrator who applies naming their own employer cannot
confirm their own employment (the reviewer reads the confirmation as the employer's word)."""

import pytest
from django.urls import reverse

from applications.choices import EmployerConfirmation, Status
from applications.services import EmploymentConfirmationRefused, employer_confirmation_record
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def own_application():
    right = factories.EmployerAdminFactory()
    app = factories.ApplicationFactory(applicant=right.user, employer=right.employer, submitted=True)
    return right, app


def test_service_refuses_to_let_an_administrator_confirm_their_own_application(own_application):
    right, app = own_application
    with pytest.raises(EmploymentConfirmationRefused, match="不能确认本人的申报"):
        employer_confirmation_record(application_id=app.pk, by=right.user, confirmed=True, note="")
    app.refresh_from_db()
    assert app.employer_confirmation == EmployerConfirmation.PENDING


def test_employer_page_offers_no_form_for_the_own_application_and_a_post_is_refused(
    own_application, login_client
):
    right, app = own_application
    colleague = factories.ApplicationFactory(
        employer=right.employer, submitted=True, status=Status.UNDER_REVIEW
    )
    client = login_client(right.user)
    page = client.get(
        reverse("employer:applications", args=[right.employer.public_id])
    ).content.decode()
    assert reverse("employer:confirmation", args=[colleague.public_id]) in page
    assert reverse("employer:confirmation", args=[app.public_id]) not in page
    assert "须由本单位其他单位系统管理员确认" in page

    response = client.post(
        reverse("employer:confirmation", args=[app.public_id]), {f"a{app.pk}-decision": "confirmed"}
    )
    assert response.status_code == 409
    assert "不能确认本人的申报" in response.content.decode()
    app.refresh_from_db()
    assert app.employer_confirmation == EmployerConfirmation.PENDING


def test_another_administrator_of_the_same_employer_may_confirm(own_application):
    right, app = own_application
    other = factories.EmployerAdminFactory(employer=right.employer)
    employer_confirmation_record(application_id=app.pk, by=other.user, confirmed=True, note="")
    app.refresh_from_db()
    assert app.employer_confirmation == EmployerConfirmation.CONFIRMED
