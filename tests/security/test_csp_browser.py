"""The Content-Security-Policy breaks nothing in a real browser: the main pages of every kind of
user load in Chromium without a single policy violation and without script errors."""

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from applications.choices import Status
from tests import factories
from tests.e2e.conftest import CHROMIUM_ARGS, DESKTOP, browser  # noqa: F401 - the shared browser fixture

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

RECORD_VIOLATIONS = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", function (e) {
  window.__csp.push(e.violatedDirective + " " + (e.blockedURI || "inline") + " @" + e.sourceFile + ":" + e.lineNumber);
});
"""


def _session_for(user) -> str:
    client = Client()
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    return client.cookies[settings.SESSION_COOKIE_NAME].value


def visit(browser, live_server, user, paths):  # noqa: F811
    context = browser.new_context(viewport=DESKTOP, locale="zh-CN", base_url=live_server.url)
    if user is not None:
        context.add_cookies(
            [{"name": settings.SESSION_COOKIE_NAME, "value": _session_for(user), "url": live_server.url}]
        )
    context.add_init_script(RECORD_VIOLATIONS)
    page = context.new_page()
    problems = []
    page.on("pageerror", lambda exc: problems.append(f"script error: {exc}"))
    page.on(
        "console",
        lambda msg: (
            problems.append(f"console: {msg.text}") if "Content Security Policy" in msg.text else None
        ),
    )
    try:
        for path in paths:
            response = page.goto(path)
            assert response.status < 400, f"{path}: {response.status}"
            assert "script-src 'self'" in response.headers["content-security-policy"]
            page.wait_for_load_state("networkidle")
            problems += [f"{path}: {v}" for v in page.evaluate("window.__csp")]
    finally:
        context.close()
    assert not problems, problems


def test_pages_load_under_the_policy_without_violations(browser, live_server):  # noqa: F811
    applicant = factories.UserFactory()
    draft = factories.ApplicationFactory(applicant=applicant)
    factories.AttachmentFactory(application=draft)
    in_notice = factories.ApplicationFactory(submitted=True, status=Status.IN_NOTICE)
    factories.NoticeEntryFactory(
        application=in_notice, notice=factories.PublicNoticeFactory(start_date=timezone.localdate())
    )
    reviewer = factories.ReviewerFactory()
    submitted = factories.ApplicationFactory(submitted=True, status=Status.SUBMITTED)

    visit(
        browser,
        live_server,
        None,
        [
            "/accounts/login/",
            "/accounts/register/",
            "/console/login/",
            "/notice/",
            f"/notice/objection/{in_notice.public_id}/",
            "/cards/verify/",
        ],
    )
    visit(
        browser,
        live_server,
        applicant,
        [
            "/",
            "/talent/",
            f"/talent/apply/{draft.public_id}/personal/",
            f"/talent/apply/{draft.public_id}/attachments/",
            "/talent/status/",
            "/talent/library/",
        ],
    )
    visit(
        browser,
        live_server,
        reviewer,
        ["/console/", reverse("review:detail", args=[submitted.public_id]), "/console/quota/"],
    )
    visit(
        browser,
        live_server,
        factories.CityAdminFactory(),
        ["/admin/", reverse("admin:applications_application_change", args=[draft.pk])],
    )
