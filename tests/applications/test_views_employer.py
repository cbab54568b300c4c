"""Employer administrators see the applications naming their employer and confirm or dispute."""

import pytest
from django.urls import reverse

from applications.choices import EmployerConfirmation, Status
from tests import factories
from tests.builders import build_application

pytestmark = pytest.mark.django_db


@pytest.fixture
def right():
    return factories.EmployerAdminFactory()


def page_url(employer):
    return reverse("employer:applications", args=[employer.public_id])


def confirm_url(app):
    return reverse("employer:confirmation", args=[app.public_id])


def test_page_lists_the_submitted_applications_naming_the_employer(login_client, right):
    mine = build_application(Status.UNDER_REVIEW, employer=right.employer, full_name="陈大文")
    draft = build_application(Status.DRAFT, employer=right.employer)
    other = build_application(Status.SUBMITTED)
    page = login_client(right.user).get(page_url(right.employer)).content.decode()
    assert "陈大文" in page and mine.number in page
    assert mine.id_number not in page  # masked: the employer needs the person, not the number
    assert other.number not in page and str(draft.public_id) not in page
    assert "待单位确认" in page


def test_confirm_and_dispute(login_client, right, reviewer_client):
    app = build_application(Status.SUBMITTED, employer=right.employer)
    client = login_client(right.user)
    response = client.post(confirm_url(app), {f"a{app.pk}-decision": "confirmed", f"a{app.pk}-note": "在职"})
    assert response.status_code == 302 and response["Location"] == page_url(right.employer)
    app.refresh_from_db()
    assert app.employer_confirmation == EmployerConfirmation.CONFIRMED
    assert app.employer_confirmed_by == right.user
    assert "单位已确认在职" in reviewer_client.get(reverse("review:detail", args=[app.public_id])).content.decode()
    client.post(confirm_url(app), {f"a{app.pk}-decision": "disputed", f"a{app.pk}-note": "已于上月离职"})
    app.refresh_from_db()
    assert app.employer_confirmation == EmployerConfirmation.DISPUTED
    assert app.status == Status.SUBMITTED  # informs, blocks nothing


def test_dispute_without_a_note_is_explained_beside_the_field(login_client, right):
    app = build_application(Status.SUBMITTED, employer=right.employer)
    response = login_client(right.user).post(confirm_url(app), {f"a{app.pk}-decision": "disputed"})
    assert response.status_code == 200
    assert "请说明对申请人在职情况的异议" in response.content.decode()
    app.refresh_from_db()
    assert app.employer_confirmation == EmployerConfirmation.PENDING


def test_finished_applications_have_no_form(login_client, right):
    build_application(Status.PUBLISHED, employer=right.employer)
    page = login_client(right.user).get(page_url(right.employer)).content.decode()
    assert "提交确认" not in page


def test_anonymous_is_sent_to_the_portal_login(client, right):
    response = client.get(page_url(right.employer))
    assert response.status_code == 302 and response["Location"].startswith(reverse("accounts:login"))


def test_the_pages_keep_the_paths_employer_administrators_know(right):
    # The pages moved from review to applications; bookmarks and e-mailed links still work.
    app = build_application(Status.SUBMITTED, employer=right.employer)
    assert page_url(right.employer) == f"/console/employer/{right.employer.public_id}/"
    assert confirm_url(app) == f"/console/employer/applications/{app.public_id}/confirm/"
