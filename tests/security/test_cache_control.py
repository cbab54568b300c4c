"""Nothing behind a login is kept by a browser or a proxy: every response to a logged-in request,
and every response to a visitor whose session holds something (a registration draft with an ID
number), carries `Cache-Control: no-store, private`. Walked over the URLconf as each kind of user,
the way tests/security/test_headers.py walks it."""

import pytest
from django.test import Client
from django.urls import reverse

from tests import factories
from tests.security.test_object_access import OBJECT_ROUTES, OBJECT_URLS, make_world
from tests.security.urlwalk import routes

pytestmark = pytest.mark.django_db


def directives(response) -> dict[str, str]:
    header = response.get("Cache-Control", "")
    pairs = (part.strip().split("=", 1) + [""] for part in header.split(",") if part.strip())
    return {name.lower(): value for name, value, *_ in pairs}


def assert_not_stored(response, where: str) -> None:
    found = directives(response)
    assert "no-store" in found and "private" in found, (
        f"{where}: Cache-Control {response.get('Cache-Control')!r}"
    )
    assert "public" not in found, f"{where}: {response['Cache-Control']!r}"


def _client(user) -> Client:
    client = Client()
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    return client


def test_every_page_without_parameters_for_every_logged_in_user():
    users = {
        "applicant": factories.UserFactory(),
        "reviewer": factories.ReviewerFactory(),
        "city_admin": factories.CityAdminFactory(),
        "police": factories.PoliceFactory(),
        "employer_admin": factories.EmployerAdminFactory().user,
    }
    seen = 0
    for route in routes():
        if route.params or route.name.endswith("logout"):
            continue
        url = "/" + route.route
        for who, user in users.items():
            # Whatever the answer (a page, JSON, a redirect, a refusal), it answered a logged-in request.
            response = _client(user).get(url)
            assert_not_stored(response, f"GET {url} as {who} ({response.status_code})")
            seen += 1
    assert seen > 200


def test_every_object_page_and_file_for_its_rightful_user():
    seen = 0
    for key, spec in OBJECT_URLS.items():
        world = make_world()
        target = spec.build(world)
        url = reverse(OBJECT_ROUTES[key].name, kwargs=target.kwargs)
        actor = sorted(spec.rightful - {"anonymous"})[0]
        client = _client(world.users[actor])
        response = client.get(url) if "get" in spec.methods else client.post(url, target.post or {})
        assert response.status_code < 500, f"{url} as {actor}"
        assert_not_stored(response, f"{url} as {actor} ({response.status_code})")
        seen += 1
    assert seen == len(OBJECT_URLS)


def test_a_stricter_policy_is_kept():
    attachment = factories.AttachmentFactory()
    response = _client(attachment.application.applicant).get(
        reverse("applications:attachment_preview", args=[attachment.public_id])
    )
    assert response.status_code == 200
    assert_not_stored(response, "attachment preview")


def test_a_registration_draft_in_the_session_is_not_stored_either():
    registrant = Client()
    registrant.post(reverse("accounts:register"), {"agree": "on"})
    id_number = factories.make_resident_id()
    registrant.post(
        reverse("accounts:register_account"),
        {"action": "check_username", "username": "zhang2026", "full_name": "张三", "id_number": id_number},
    )
    page = registrant.get(reverse("accounts:register_account"))
    assert id_number in page.content.decode()
    assert_not_stored(page, "registration step 2 with a draft")


def test_the_public_notice_for_an_anonymous_reader_may_be_kept():
    response = Client().get(reverse("notices:list"))
    assert "no-store" not in directives(response)
