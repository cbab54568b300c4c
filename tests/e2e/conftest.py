"""Playwright journeys in Debian's headless Chromium against pytest-django's live server.

Never `playwright install`: the browser is /usr/bin/chromium, started with the flags that keep it
from reaching for the network (PITFALLS.md). Screenshots go to var/screenshots/ for a person to
look at; the ones worth keeping are copied to docs/screenshots/.
"""

import os
from pathlib import Path

import pytest

# Playwright's sync API runs an event loop in this thread; the ORM calls the tests make between
# browser steps are plain synchronous code, so Django's async guard does not apply.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

from tests.conftest import CHROMIUM  # noqa: E402

SCREENSHOT_DIR = Path(__file__).resolve().parents[2] / "var" / "screenshots"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
]
DESKTOP = {"width": 1366, "height": 900}
PHONE = {"width": 390, "height": 844}


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(viewport=DESKTOP, locale="zh-CN", base_url=live_server.url)
    context.set_default_timeout(15_000)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    yield page
    context.close()
    assert not errors, f"JavaScript errors on the page: {errors}"


@pytest.fixture
def phone_page(browser, live_server):
    context = browser.new_context(
        viewport=PHONE,
        locale="zh-CN",
        base_url=live_server.url,
        is_mobile=True,
        has_touch=True,
        device_scale_factor=2,
    )
    context.set_default_timeout(15_000)
    page = context.new_page()
    yield page
    context.close()


def screenshot(page, name: str, *, full_page: bool = True) -> Path:
    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOT_DIR / f"{name}.png"
    page.screenshot(path=str(path), full_page=full_page)
    return path


def scripts_ready(page) -> None:
    """Wait until the page's scripts have attached their listeners (static/portal/ready.js marks
    <html> once every script before it has run). Call it after something that only the new page
    shows is visible, so the mark read is the new document's, not the one being left."""
    from playwright.sync_api import expect

    expect(page.locator("html[data-scripts-ready]")).to_be_attached()


def login(page, username: str, password: str, *, user_type: str = "个人") -> None:
    """Log in through the real login page; the captcha answer is PASSED in test settings."""
    page.goto("/accounts/login/")
    page.get_by_label("用户类型").select_option(label=user_type)
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码", exact=True).fill(password)
    page.get_by_label("验证码").fill("PASSED")
    page.get_by_role("button", name="登录").click()


def accessibility_violations(page) -> list[str]:
    """axe-core's serious and critical violations on the page as it is now, one line per element.

    axe-playwright-python bundles axe.min.js (no download). Playwright's evaluate runs over the
    DevTools protocol, so the page's CSP (no eval) does not stop the injected script."""
    from axe_playwright_python.sync_playwright import Axe

    response = Axe().run(page).response
    return [
        f"{violation['id']} ({violation['impact']}): {node['target']} "
        + " ".join(node.get("failureSummary", "").split())[:400]
        for violation in response["violations"]
        if violation["impact"] in ("serious", "critical")
        for node in violation["nodes"]
    ]


def assert_accessible(page) -> None:
    """WCAG 2.1 AA as axe-core measures it: no serious or critical violation on the page."""
    violations = accessibility_violations(page)
    assert not violations, f"{page.url}: " + "\n".join(violations)
