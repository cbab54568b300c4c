"""Every page the portal serves, reached by walking the URLconf as each kind of user, carries the
security headers (CSP without inline script, no framing, nosniff, same-origin referrer) and
contains no inline script for the CSP to have to allow."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from tests import factories
from tests.security.test_object_access import OBJECT_ROUTES, OBJECT_URLS, make_world
from tests.security.urlwalk import routes

pytestmark = pytest.mark.django_db

# GET would act or leave the page (logout is POST-only; these answer with JSON or files).
NOT_PAGES = {
    "portal:healthz",
    "portal:keepalive",
    "accounts:employer_search",
    "captcha-refresh",
    "admin:jsi18n",
}
INLINE_SCRIPT = re.compile(r"<script\b(?![^>]*\bsrc=)(?![^>]*type=\"application/(?:ld\+)?json\")[^>]*>", re.I)
HANDLER = re.compile(r"<[a-z][^>]*\son[a-z]+\s*=", re.I)
JS_URL = re.compile(r"""(?:href|src|action)\s*=\s*["']\s*javascript:""", re.I)


def assert_safe_page(response, where: str) -> int:
    csp = response.get("Content-Security-Policy", "")
    directives = dict((part.strip().split(" ", 1) + [""])[:2] for part in csp.split(";") if part.strip())
    default = directives.get("default-src")
    assert directives.get("script-src", default) in ("'self'", "'none'"), f"{where}: {csp!r}"
    assert directives.get("object-src", default) == "'none'", f"{where}: {csp!r}"
    assert "unsafe-eval" not in csp, where
    assert response["X-Frame-Options"] == "DENY", where
    assert response["X-Content-Type-Options"] == "nosniff", where
    assert response["Referrer-Policy"] == "same-origin", where
    if not response.get("Content-Type", "").startswith("text/html"):
        return 0
    html = response.content.decode()
    assert not INLINE_SCRIPT.search(html), f"{where}: inline <script>: {INLINE_SCRIPT.search(html).group(0)}"
    assert not HANDLER.search(html), f"{where}: inline event handler: {HANDLER.search(html).group(0)[:120]}"
    assert not JS_URL.search(html), f"{where}: javascript: URL"
    return 1


def _client(user=None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    return client


def test_every_page_without_parameters_for_every_kind_of_user():
    users = {
        "anonymous": None,
        "applicant": factories.UserFactory(),
        "reviewer": factories.ReviewerFactory(),
        "city_admin": factories.CityAdminFactory(),
        "police": factories.PoliceFactory(),
    }
    pages = 0
    for route in routes():
        if route.params or route.name in NOT_PAGES or route.name.endswith("logout"):
            continue
        url = "/" + route.route
        for who, user in users.items():
            response = _client(user).get(url)
            if response.status_code == 405:
                continue
            pages += assert_safe_page(response, f"GET {url} as {who}")
    assert pages > 100


def test_every_object_page_for_its_rightful_user():
    pages = 0
    for key, spec in OBJECT_URLS.items():
        if "get" not in spec.methods:
            continue
        world = make_world()  # one open application per applicant: a fresh owner for each page
        target = spec.build(world)
        url = reverse(OBJECT_ROUTES[key].name, kwargs=target.kwargs)
        actor = sorted(spec.rightful - {"anonymous"})[0]
        response = _client(world.users[actor]).get(url, follow=True)
        assert response.status_code == 200, f"{url} as {actor}"
        pages += assert_safe_page(response, f"GET {url} as {actor}")
    assert pages >= 12


def test_private_files_keep_their_stricter_policy():
    attachment = factories.AttachmentFactory()
    response = _client(attachment.application.applicant).get(
        reverse("applications:attachment_preview", args=[attachment.public_id])
    )
    assert response["Content-Security-Policy"] == "default-src 'none'; img-src 'self'; sandbox"


def test_the_admin_pages_carry_the_policy_too():
    admin = _client(factories.CityAdminFactory())
    application = factories.ApplicationFactory()
    for url in (
        reverse("admin:index"),
        reverse("admin:applications_application_changelist"),
        reverse("admin:applications_application_change", args=[application.pk]),
    ):
        response = admin.get(url)
        assert response.status_code == 200, url
        assert "script-src 'self'" in response["Content-Security-Policy"], url
