"""CSRF on every POST: walk the URLconf and post, without a token, to every URL the project serves
(the admin's included), anonymously and logged in. Every one must be refused with the portal's
403 page before any view runs, and no view may opt out with @csrf_exempt."""

import re
import uuid

import pytest
from django.test import Client
from django.urls import resolve

from applications.choices import Status
from applications.models import Application
from audit.models import AuditEntry
from tests import factories
from tests.security.urlwalk import Route, routes

pytestmark = pytest.mark.django_db

# A value each kind of parameter accepts; the object need not exist, since CSRF is checked
# before the view looks anything up.
SAMPLE = {"uuid": str(uuid.uuid4()), "int": "1", "slug": "sample", "str": "sample", "path": "1"}
REGEX_SAMPLE = {"key": "a1b2c3", "app_label": "applications", "url": "no-such-page/"}


def sample_path(route: Route) -> str:
    path = route.route
    for name, kind in route.params.items():
        if kind == "regex":
            path = re.sub(rf"\(\?P<{name}>[^)]*\)", REGEX_SAMPLE[name], path)
        else:
            path = path.replace(f"<{kind}:{name}>", SAMPLE[kind]).replace(f"<{name}>", SAMPLE["str"])
    path = "/" + path.lstrip("^").rstrip("$").replace("^", "")
    return path.replace(r"\.", ".")


ALL_ROUTES = routes()


def test_the_walk_builds_a_url_for_every_route():
    for route in ALL_ROUTES:
        match = resolve(sample_path(route))
        assert match.func == route.callback or route.route.endswith("(?P<url>.*)$"), route.route
    assert len(ALL_ROUTES) > 150


def test_no_view_is_exempt_from_csrf():
    exempt = [route.route for route in ALL_ROUTES if getattr(route.callback, "csrf_exempt", False)]
    assert not exempt


@pytest.fixture
def csrf_applicant_client(applicant):
    client = Client(enforce_csrf_checks=True)
    client.force_login(applicant, backend="django.contrib.auth.backends.ModelBackend")
    return client


def test_every_post_without_a_token_is_refused(csrf_applicant_client):
    anonymous = Client(enforce_csrf_checks=True)
    draft = factories.ApplicationFactory()
    audit_rows = AuditEntry.objects.count()
    refused = 0
    for route in ALL_ROUTES:
        url = sample_path(route)
        for who, client in (("anonymous", anonymous), ("applicant", csrf_applicant_client)):
            response = client.post(url, {"username": "x", "password": "y"})
            assert response.status_code == 403, f"POST {url} as {who}: {response.status_code}"
            assert "页面已过期" in response.content.decode(), url
            refused += 1
    assert refused == 2 * len(ALL_ROUTES)
    assert AuditEntry.objects.count() == audit_rows
    assert Application.objects.get(pk=draft.pk).status == Status.DRAFT


@pytest.mark.parametrize("method", ["put", "patch", "delete"])
def test_other_unsafe_methods_are_refused_too(method):
    application = factories.ApplicationFactory()
    client = Client(enforce_csrf_checks=True)
    client.force_login(application.applicant, backend="django.contrib.auth.backends.ModelBackend")
    for url in (
        f"/talent/apply/{application.public_id}/withdraw/",
        f"/talent/apply/{application.public_id}/submit/",
        "/accounts/logout/",
    ):
        assert getattr(client, method)(url).status_code == 403, url
    application.refresh_from_db()
    assert application.status == Status.DRAFT


def test_a_token_from_another_session_does_not_work(applicant):
    """The token must be the one issued with this browser's cookie, not any valid-looking token."""
    victim = Client(enforce_csrf_checks=True)
    victim.force_login(applicant, backend="django.contrib.auth.backends.ModelBackend")
    attacker = Client(enforce_csrf_checks=True)
    page = attacker.get("/accounts/login/").content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    victim.cookies.pop("csrftoken", None)
    victim.get("/")  # the victim's own cookie
    assert victim.cookies["csrftoken"].value
    response = victim.post("/accounts/logout/", {"csrfmiddlewaretoken": token})
    assert response.status_code == 403
    assert "_auth_user_id" in victim.session
