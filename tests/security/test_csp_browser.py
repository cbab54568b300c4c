"""The Content-Security-Policy breaks nothing in a real browser: the main pages of every kind of
user load in Chromium without a single policy violation and without script errors.

Chromium is driven from a thread of its own: the browser journeys' session-wide Playwright
(tests/e2e/conftest.py) may already own this thread's event loop.
"""

import threading

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from applications.choices import Status
from tests import factories
from tests.conftest import CHROMIUM
from tests.e2e.conftest import CHROMIUM_ARGS, DESKTOP

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


def _browse(base_url: str, visits: list[tuple[str | None, list[str]]], problems: list[str]) -> None:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            for session, paths in visits:
                context = browser.new_context(viewport=DESKTOP, locale="zh-CN", base_url=base_url)
                if session is not None:
                    context.add_cookies(
                        [{"name": settings.SESSION_COOKIE_NAME, "value": session, "url": base_url}]
                    )
                context.add_init_script(RECORD_VIOLATIONS)
                page = context.new_page()
                page.on("pageerror", lambda exc: problems.append(f"script error: {exc}"))
                page.on(
                    "console",
                    lambda msg: (
                        problems.append(f"console: {msg.text}")
                        if "Content Security Policy" in msg.text
                        else None
                    ),
                )
                for path in paths:
                    response = page.goto(path)
                    if response.status >= 400:
                        problems.append(f"{path}: {response.status}")
                    if "script-src 'self'" not in response.headers.get("content-security-policy", ""):
                        problems.append(f"{path}: no policy")
                    page.wait_for_load_state("networkidle")
                    problems.extend(f"{path}: {v}" for v in page.evaluate("window.__csp"))
                context.close()
        finally:
            browser.close()


def visit_all(live_server, visits) -> list[str]:
    problems: list[str] = []
    errors: list[BaseException] = []

    def run():
        try:
            _browse(live_server.url, visits, problems)
        except BaseException as exc:  # noqa: BLE001 - reported in the test's own thread
            errors.append(exc)

    worker = threading.Thread(target=run, name="csp-browser")
    worker.start()
    worker.join(timeout=300)
    assert not worker.is_alive(), "the browser did not finish"
    if errors:
        raise errors[0]
    return problems


def test_pages_load_under_the_policy_without_violations(live_server):
    applicant = factories.UserFactory()
    draft = factories.ApplicationFactory(applicant=applicant)
    factories.AttachmentFactory(application=draft)
    in_notice = factories.ApplicationFactory(submitted=True, status=Status.IN_NOTICE)
    factories.NoticeEntryFactory(
        application=in_notice, notice=factories.PublicNoticeFactory(start_date=timezone.localdate())
    )
    submitted = factories.ApplicationFactory(submitted=True, status=Status.SUBMITTED)
    visits = [
        (
            None,
            [
                "/accounts/login/",
                "/accounts/register/",
                "/console/login/",
                "/notice/",
                f"/notice/objection/{in_notice.public_id}/",
                "/cards/verify/",
            ],
        ),
        (
            _session_for(applicant),
            [
                "/",
                "/talent/",
                f"/talent/apply/{draft.public_id}/personal/",
                f"/talent/apply/{draft.public_id}/attachments/",
                "/talent/status/",
                "/talent/library/",
            ],
        ),
        (
            _session_for(factories.ReviewerFactory()),
            ["/console/", reverse("review:detail", args=[submitted.public_id]), "/console/quota/"],
        ),
        (
            _session_for(factories.CityAdminFactory()),
            ["/admin/", reverse("admin:applications_application_change", args=[draft.pk])],
        ),
    ]
    problems = visit_all(live_server, visits)
    assert not problems, problems
