"""Browser journeys: one Debian Chromium per session, a fresh browser context per test.

The tests drive pytest-django's `live_server`, so every fixture that writes data uses
`transactional_db`: rows created inside a rolled-back test transaction would be invisible to the
server thread.
"""

import contextlib
import os
import threading
from pathlib import Path

import pytest
from playwright.sync_api import expect

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
# The sizes users look at: a phone for /m/ and /portal/, 1440 px for the desk.
PHONE = {"width": 390, "height": 844}
PHONE_DEVICE = {"viewport": PHONE, "is_mobile": True, "has_touch": True}
DESKTOP = {"width": 1440, "height": 900}

# Leaflet animates zooms over later frames and, when an animation ends, moves the map to the
# animation's target, undoing any setView() made meanwhile. Switch animations off the moment
# leaflet.js defines `L`, and collect every map it creates in `window.cgTestMaps`: the pages keep
# their maps in closures, and a test needs one to turn a position into a pixel to click.
LEAFLET_HOOKS = """
(() => {
  let leaflet;
  window.cgTestMaps = [];
  Object.defineProperty(window, "L", {
    configurable: true,
    get: () => leaflet,
    set: (value) => {
      leaflet = value;
      if (value && value.Map) {
        value.Map.mergeOptions({ zoomAnimation: false, fadeAnimation: false,
                                 markerZoomAnimation: false });
        value.Map.addInitHook(function () { window.cgTestMaps.push(this); });
      }
    },
  });
})();
"""


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


class OneRequestAtATime:
    """The live server's WSGI app, made to handle one request at a time.

    On an in-memory SQLite test database Django hands the test thread's single connection to
    every server thread. Requests that overlap (a page's map fetches while a form posts) then
    run their transactions on one connection, and one request's rollback or commit can take
    another's writes with it. `lock` is re-entrant: test code holds it (`server_paused`) while
    it reads or writes the database itself.
    """

    def __init__(self, app):
        self.app = app
        self.lock = threading.RLock()
        self._changed = threading.Condition()
        self._in_flight = 0

    def __call__(self, environ, start_response):
        with self._changed:
            self._in_flight += 1
        try:
            with self.lock:
                response = self.app(environ, start_response)
                try:
                    # The body too: a file response is read, and the request finished, in turn.
                    return list(response)
                finally:
                    if hasattr(response, "close"):
                        response.close()
        finally:
            with self._changed:
                self._in_flight -= 1
                self._changed.notify_all()

    def wait_idle(self, timeout: float = 10) -> bool:
        """Wait for the requests already sent (e.g. by a page just closed) to be done."""
        with self._changed:
            return self._changed.wait_for(lambda: self._in_flight == 0, timeout)


@pytest.fixture(scope="session")
def live_server(live_server):
    thread = live_server.thread
    if thread.connections_override:  # in-memory SQLite: see OneRequestAtATime
        thread.httpd.set_app(OneRequestAtATime(thread.httpd.get_app()))
    return live_server


@pytest.fixture
def server_paused(live_server):
    """`with server_paused:` the live server handles no request meanwhile; for database work in
    the test while pages are open (a no-op when the server has connections of its own)."""
    app = live_server.thread.httpd.get_app()
    return app.lock if isinstance(app, OneRequestAtATime) else contextlib.nullcontext()


@pytest.fixture
def new_page(browser, live_server):
    """new_page() → a page in a browser context of its own (its own cookies, so its own user).

    `leaflet=True` installs LEAFLET_HOOKS before any script of the page runs. Reduced motion
    turns off Bootstrap's transitions (an opening collapse) and smooth scrolling: what a test
    clicks must not move between the press and the release of the button. Other keywords are
    the context's (`**PHONE_DEVICE`, `viewport=DESKTOP`, `user_agent=...`)."""
    contexts = []

    def open_page(leaflet: bool = False, **device):
        context = browser.new_context(
            base_url=live_server.url,
            locale="zh-CN",
            reduced_motion="reduce",
            **{"viewport": {"width": 1400, "height": 900}, **device},
        )
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(10000)
        if leaflet:
            page.add_init_script(LEAFLET_HOOKS)
        return page

    yield open_page
    for context in contexts:
        context.close()
    # Let the requests the pages had sent finish before the database is flushed.
    app = live_server.thread.httpd.get_app()
    if isinstance(app, OneRequestAtATime):
        app.wait_idle()


@pytest.fixture
def page(new_page):
    return new_page()


@pytest.fixture
def tree(transactional_db, tree):
    # The root fixture only asks for `db`; pin it to a real commit so the live server sees it.
    return tree


@pytest.fixture
def make_user(transactional_db, make_user):
    return make_user


def submit_login_form(page, username: str, password: str):
    """Fill and submit the real login form; returns the page after the response has loaded."""
    page.goto("/accounts/login/")
    form = page.locator("#login-form")
    form.locator('input[name="username"]').fill(username)
    form.locator('input[name="password"]').fill(password)
    with page.expect_navigation():
        form.locator('button[type="submit"]').click()
    return page


def log_in_page(page, user, password: str = PASSWORD):
    """Log `user` in on `page` through the login form and check that the session took."""
    submit_login_form(page, user.username, password)
    # The header with the user's name is only rendered for an authenticated session.
    page.locator("#current-user").wait_for()
    return page


@pytest.fixture
def submit_login(page):
    def submit(username: str, password: str):
        return submit_login_form(page, username, password)

    return submit


@pytest.fixture
def log_in(page):
    def log_in(user, password: str = PASSWORD):
        return log_in_page(page, user, password)

    return log_in


@pytest.fixture
def page_as(new_page):
    """page_as(user) → a page in a new browser context, logged in as `user` through the form."""

    def open_as(user, password: str = PASSWORD, leaflet: bool = False):
        return log_in_page(new_page(leaflet=leaflet), user, password)

    return open_as


@pytest.fixture
def seeded(transactional_db):
    """The code tables the migrations seeded: browser tests flush them, and forms need them.
    Put back as the migration wrote them: directly, with no history."""
    from citygrid.core import writeguard
    from citygrid.core.models import Dictionary, DictItem
    from citygrid.core.seeds import seed_dictionaries

    with writeguard.unlogged():
        seed_dictionaries(Dictionary, DictItem)


def pick_region(page, field_id: str, name: str) -> None:
    """Choose a region in a region picker (it searches the server as one types)."""
    page.locator(f"#{field_id}-ts-control").fill(name)
    option = page.locator(".ts-dropdown .option", has_text=name).first
    option.click()
    expect(page.locator(f"select#{field_id}")).not_to_have_value("")
