"""Browser journeys: one Debian Chromium per session, a fresh browser context per test.

The tests drive pytest-django's `live_server`, so every fixture that writes data uses
`transactional_db`: rows created inside a rolled-back test transaction would be invisible to the
server thread.
"""

import os
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
CHROMIUM_HINT = ("Chromium not installed", "apt-get install chromium")
# make_user() in the root conftest gives every user this password.
PASSWORD = "Test@2026pw"


def _browser_required() -> bool:
    # CI sets this so that a missing browser fails the run instead of skipping it silently.
    return os.environ.get("CITYGRID_REQUIRE_BROWSER") == "1"


def pytest_collection_modifyitems(config, items):
    # Skip before any fixture runs (no live server, no database) when there is nothing to drive.
    if CHROMIUM.exists() or _browser_required():
        return
    skip = pytest.mark.skip(reason=skip_reason(*CHROMIUM_HINT))
    for item in items:
        if item.get_closest_marker("browser"):
            item.add_marker(skip)


def skip_reason(problem: str, fix: str) -> str:
    return f"{problem}: browser tests skipped ({fix})"


def unavailable(problem: str, fix: str):
    """Skip the test, or fail it when CI requires the browser tests to run."""
    if _browser_required():
        pytest.fail(
            f"{problem} ({fix}), and CITYGRID_REQUIRE_BROWSER=1 forbids skipping browser tests",
            pytrace=False,
        )
    pytest.skip(skip_reason(problem, fix))


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.exists():
        unavailable(*CHROMIUM_HINT)
    # Playwright itself is a dev requirement: its absence is an install error, not a skip.
    from playwright.sync_api import sync_playwright

    # Playwright's sync API leaves its event loop registered as "running" on this thread between
    # calls, so Django would refuse every ORM call from test code with SynchronousOnlyOperation.
    # Nothing async runs concurrently with that code; allow it while the browser is alive.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    playwright = sync_playwright().start()
    try:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
        )
        try:
            yield chromium
        finally:
            chromium.close()
    finally:
        playwright.stop()
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(
        base_url=live_server.url, viewport={"width": 1400, "height": 900}, locale="zh-CN"
    )
    page = context.new_page()
    page.set_default_timeout(10000)
    yield page
    context.close()


@pytest.fixture
def tree(transactional_db, tree):
    # The root fixture only asks for `db`; pin it to a real commit so the live server sees it.
    return tree


@pytest.fixture
def make_user(transactional_db, make_user):
    return make_user


@pytest.fixture
def submit_login(page):
    """Fill and submit the real login form; returns the page after the response has loaded."""

    def submit(username: str, password: str):
        page.goto("/accounts/login/")
        form = page.locator("#login-form")
        form.locator('input[name="username"]').fill(username)
        form.locator('input[name="password"]').fill(password)
        with page.expect_navigation():
            form.locator('button[type="submit"]').click()
        return page

    return submit


@pytest.fixture
def log_in(page, submit_login):
    """Log `user` in through the login form and check that the session took."""

    def log_in(user, password: str = PASSWORD):
        submit_login(user.username, password)
        # The header with the user's name is only rendered for an authenticated session.
        page.locator("#current-user").wait_for()
        return page

    return log_in
