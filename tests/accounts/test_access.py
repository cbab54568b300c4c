"""accounts.access: the one console-user rule, district scoping, role gate and employer right."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.http import Http404
from django.test import Client

from accounts import access
from accounts.models import EmployerAdmin, Role
from applications.models import Application
from hukou_card.access import access_card_for_police
from tests import factories
from tests.factories import district

pytestmark = pytest.mark.django_db


def test_console_users_are_reviewers_and_city_administrators_only():
    assert access.is_console_user(factories.ReviewerFactory())
    assert access.is_console_user(factories.CityAdminFactory())
    for user in (factories.UserFactory(), factories.PoliceFactory(), AnonymousUser(), None):
        assert not access.is_console_user(user)


def test_district_scope_gives_a_reviewer_their_district_and_a_city_admin_every_district():
    tianhe = factories.ApplicationFactory(district=district("440106"))
    yuexiu = factories.ApplicationFactory(district=district("440104"))
    reviewer = factories.ReviewerFactory(district=district("440106"))

    def scoped(user):
        return set(access.scope_to_district(Application.objects.all(), user=user))

    assert scoped(reviewer) == {tianhe}
    assert scoped(factories.CityAdminFactory()) == {tianhe, yuexiu}
    assert scoped(factories.UserFactory()) == set()
    assert access.may_act_in_district(reviewer, district_id=tianhe.district_id)
    assert not access.may_act_in_district(reviewer, district_id=yuexiu.district_id)


def test_the_police_card_lookup_is_404_for_anyone_but_the_police_desk():
    card = factories.HukouCardFactory()
    assert access_card_for_police(user=factories.PoliceFactory(), public_id=card.public_id) == card
    for user in (factories.ReviewerFactory(), factories.CityAdminFactory(), card.application.applicant):
        with pytest.raises(Http404):
            access_card_for_police(user=user, public_id=card.public_id)


def test_the_role_gate_keeps_each_console_its_own_login_and_forbidden_page():
    client = Client()
    response = client.get("/cards/police/")
    assert response.status_code == 302 and response["Location"].startswith("/console/login/")
    client.force_login(factories.ReviewerFactory())
    response = client.get("/cards/police/")
    assert response.status_code == 403
    assert response.templates[0].name == "hukou_card/police_forbidden.html"
    client.force_login(factories.PoliceFactory())
    response = client.get("/console/")
    assert response.status_code == 403 and response.templates[0].name == "review/forbidden.html"
    response = client.get("/talent/apply/")
    assert response.status_code == 403


def test_an_employer_is_found_only_by_its_approved_administrators():
    right = factories.EmployerAdminFactory()
    pending = factories.EmployerAdminFactory(employer=right.employer, status=EmployerAdmin.Status.PENDING)
    assert access.access_employer(user=right.user, public_id=right.employer.public_id) == right.employer
    assert access.employer_admin_holds(user=right.user, employer_id=right.employer_id)
    for user in (pending.user, factories.UserFactory(role=Role.APPLICANT)):
        with pytest.raises(Http404):
            access.access_employer(user=user, public_id=right.employer.public_id)
        assert not access.employer_admin_holds(user=user, employer_id=right.employer_id)
