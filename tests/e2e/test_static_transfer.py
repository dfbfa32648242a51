"""Static files as production serves them: `collectstatic` into a temporary STATIC_ROOT through
the production storage (hashed names, gzip and brotli copies), WhiteNoise in front of the app.

On a slow phone network what counts is the bytes on the wire: the first load of the citizens'
portal and of the grid workers' app, with an empty cache, must stay under 300 KB.
"""

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import brotli
import pytest
from django.core.handlers.wsgi import WSGIHandler
from django.core.management import call_command
from django.test import Client, override_settings
from playwright.sync_api import expect

from citygrid.cases.testing import street_order_class
from citygrid.regions.models import GridWorker
from tests.e2e.conftest import OneRequestAtATime, log_in_page

PRODUCTION_STORAGE = "whitenoise.storage.CompressedManifestStaticFilesStorage"
FIRST_LOAD_BUDGET = 300 * 1024
PHONE = {"width": 390, "height": 844}
YEAR = 365 * 24 * 3600
# Libraries no page under test loads (video, the boundary editor, the API browser's own files):
# left out so that brotli at its highest level runs over fewer bytes. echarts stays: the desk's
# 工作台 charts its trend.
NOT_ON_THESE_PAGES = [
    "drf_spectacular_sidecar",
    "rest_framework",
    "hls",
    "geoman",
    "markercluster",
    "flatpickr",
    "alpinejs",
    "htmax-4.js",
]
ROOT = Path(__file__).resolve().parents[2]


def static_settings(debug: str) -> list:
    """The static-file settings a process started with DEBUG=`debug` reads."""
    program = (
        "import django, json; django.setup(); from django.conf import settings as s; "
        "print(json.dumps([s.STORAGES['staticfiles']['BACKEND'], s.WHITENOISE_USE_FINDERS]))"
    )
    environment = {k: v for k, v in os.environ.items() if not k.startswith("DATABASE_")}
    environment.update(DJANGO_SETTINGS_MODULE="citygrid.settings", DEBUG=debug)
    done = subprocess.run(
        [sys.executable, "-c", program], cwd=ROOT, env=environment, capture_output=True, timeout=60
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout)


def test_production_serves_the_collected_files_the_tests_measure():
    assert static_settings("0") == [PRODUCTION_STORAGE, False]
    # Development: the source files, as edited, from the finders.
    assert static_settings("1") == ["django.contrib.staticfiles.storage.StaticFilesStorage", True]


@pytest.fixture(scope="module")
def static_root(tmp_path_factory):
    root = tmp_path_factory.mktemp("staticfiles")
    with override_settings(**production_static(root)):
        call_command(
            "collectstatic", interactive=False, verbosity=0, ignore_patterns=NOT_ON_THESE_PAGES
        )
    return root


def production_static(root) -> dict:
    from django.conf import settings

    return {
        "STATIC_ROOT": root,
        "STORAGES": {**settings.STORAGES, "staticfiles": {"BACKEND": PRODUCTION_STORAGE}},
        "WHITENOISE_USE_FINDERS": False,
        "WHITENOISE_AUTOREFRESH": False,
    }


@pytest.fixture
def production_server(live_server, static_root):
    """The live server with WhiteNoise serving the collected files (pytest-django's server
    otherwise answers /static/ itself, from the finders, uncompressed)."""
    httpd = live_server.thread.httpd
    previous = httpd.get_app()
    with override_settings(**production_static(static_root)):
        app = WSGIHandler()  # its WhiteNoise reads STATIC_ROOT now
        httpd.set_app(OneRequestAtATime(app) if isinstance(previous, OneRequestAtATime) else app)
        try:
            yield live_server
        finally:
            if isinstance(previous, OneRequestAtATime):
                httpd.get_app().wait_idle()
            httpd.set_app(previous)


def test_collectstatic_writes_hashed_compressed_files_that_whitenoise_serves(static_root):
    with override_settings(**production_static(static_root)):
        from django.contrib.staticfiles.storage import staticfiles_storage

        name = staticfiles_storage.stored_name("vendor/tabler/tabler.min.css")
        assert name != "vendor/tabler/tabler.min.css"
        assert (static_root / f"{name}.br").exists()
        assert (static_root / f"{name}.gz").exists()
        original = (static_root / name).read_bytes()
        client = Client()
        url = staticfiles_storage.url("vendor/tabler/tabler.min.css")

        response = client.get(url, headers={"accept-encoding": "gzip, deflate, br"})
        assert response.status_code == 200
        assert response["Content-Encoding"] == "br"
        assert max_age(response["Cache-Control"]) >= YEAR
        assert "immutable" in response["Cache-Control"]
        assert brotli.decompress(b"".join(response.streaming_content)) == original

        response = client.get(url, headers={"accept-encoding": "gzip"})
        assert response["Content-Encoding"] == "gzip"
        assert max_age(response["Cache-Control"]) >= YEAR

        # The unhashed name may change content under the same URL: never cached for a year.
        response = client.get("/static/vendor/tabler/tabler.min.css")
        assert response.status_code == 200
        assert max_age(response["Cache-Control"]) < YEAR


def max_age(cache_control: str) -> int:
    ages = re.findall(r"max-age=(\d+)", cache_control)
    return int(ages[0]) if ages else 0


def transferred(request) -> int:
    """The encoded body bytes of a response as Chromium counted them off the wire."""
    reported = request.sizes()["responseBodySize"]
    if reported < 0:  # answered from the HTTP cache (the worker asking for what the page got)
        return 0
    if reported == 0:  # the worker's own script: Chromium counts none, it comes uncompressed
        return len(request.response().body())
    return reported


def first_load(context, path: str, service_worker: bool = False):
    """Open `path` in a new page of `context`; → (the encoded body bytes of every response, a
    row per response: size, encoding, status, Cache-Control, URL), page.

    The context's responses, not the page's: with `service_worker`, what the worker fetches to
    keep the app for offline use counts too (it is sent on the first visit as well)."""
    page = context.new_page()
    page.set_default_timeout(15000)
    finished = []
    context.on("requestfinished", lambda request: finished.append(request))
    page.goto(path, wait_until="networkidle")
    if service_worker:
        page.evaluate("navigator.serviceWorker.ready.then(() => true)")
        page.wait_for_load_state("networkidle")
    rows = []
    for request in finished:
        headers = request.response().all_headers()
        rows.append(
            (
                transferred(request),
                headers.get("content-encoding", "-"),
                request.response().status,
                headers.get("cache-control", "-"),
                request.url,
            )
        )
    return sum(row[0] for row in rows), rows, page


def assert_served_as_in_production(rows):
    """Scripts and styles compressed, every static file under a hashed name cached a year."""
    static = [row for row in rows if "/static/" in row[4]]
    assert static
    for _size, encoding, status, cache_control, url in static:
        assert status == 200, url
        assert max_age(cache_control) >= YEAR and "immutable" in cache_control, url
        if url.endswith((".css", ".js")):
            assert encoding in ("br", "gzip"), url


def icon_font_loaded(page) -> bool:
    return page.evaluate(
        "document.fonts.ready.then(() => [...document.fonts].some("
        "f => f.family.includes('tabler-icons') && f.status === 'loaded'))"
    )


@pytest.mark.browser
def test_first_load_of_portal_and_grid_app_on_a_phone_stays_under_300_kb(
    browser, production_server, tree, make_user, server_paused, record_property
):
    with server_paused:
        street_order_class("0508", "占道施工")
        worker = make_user(perms=["cases.view_case", "cases.add_case"], scope=[tree.community_a])
        post = GridWorker(region=tree.grid_a1, name="王网格", phone="13900001111", user=worker)
        post.full_clean()
        post.save()
    phone = {
        "base_url": production_server.url,
        "viewport": PHONE,
        "is_mobile": True,
        "has_touch": True,
        "locale": "zh-CN",
    }
    # Logged in through the form in a context of its own: the measured one starts with an empty
    # cache and only the session cookie.
    login = browser.new_context(**phone)
    try:
        log_in_page(login.new_page(), worker)
        session = login.storage_state()
    finally:
        login.close()

    portal = browser.new_context(**phone)
    app = browser.new_context(**phone, storage_state=session)
    try:
        portal_bytes, portal_rows, page = first_load(portal, "/portal/")
        expect(page.locator("h1")).to_have_text("我要上报")
        expect(page.locator("header .ti-camera")).to_be_visible()
        assert icon_font_loaded(page)
        app_bytes, app_rows, page = first_load(app, "/m/", service_worker=True)
        expect(page.locator("#current-user")).to_have_text(worker.full_name or worker.username)
    finally:
        portal.close()
        app.close()

    record_property("portal_first_load_bytes", portal_bytes)
    record_property("app_first_load_bytes", app_bytes)
    report = "\n".join(
        [f"/portal/ {portal_bytes} B", *map(str, portal_rows), f"/m/ {app_bytes} B"]
        + list(map(str, app_rows))
    )
    print(f"\nfirst load\n{report}")
    assert_served_as_in_production(portal_rows + app_rows)
    assert portal_bytes <= FIRST_LOAD_BUDGET, report
    assert app_bytes <= FIRST_LOAD_BUDGET, report


@pytest.mark.django_db
def test_service_worker_keeps_the_hashed_assets_the_pages_link(static_root):
    with override_settings(**production_static(static_root)):
        client = Client()
        shell = json.loads(
            client.get("/m/sw.js").content.decode().split("\n", 1)[0].split(" = ", 1)[1][:-1]
        )
        hashed = re.compile(r"\.[0-9a-f]{12}\.\w+$")
        assert "/static/vendor/tabler/tabler.min.css" not in shell["assets"]
        for url in shell["assets"]:
            assert hashed.search(url), url
            assert client.get(url).status_code == 200, url


@pytest.mark.browser
def test_every_icon_of_the_desk_is_drawn_from_the_cut_down_font(
    browser, production_server, tree, make_user, server_paused
):
    with server_paused:
        admin = make_user(superuser=True, scope=[tree.city])
    context = browser.new_context(
        base_url=production_server.url, viewport={"width": 1440, "height": 900}, locale="zh-CN"
    )
    try:
        page = log_in_page(context.new_page(), admin)
        for path in ("/", "/territory/regions/"):
            page.goto(path, wait_until="networkidle")
            # The whole menu (one icon per group, the modules under construction in one), the
            # header's search, bell and user, the page's own buttons.
            icons = page.locator("i.ti")
            assert icons.count() >= 12
            undrawn = page.evaluate(
                "[...document.querySelectorAll('i.ti')].filter(i => "
                "getComputedStyle(i, '::before').content === 'none').map(i => i.className)"
            )
            assert undrawn == [], path
            assert icon_font_loaded(page)
    finally:
        context.close()


def test_every_static_file_and_every_template_link_has_a_hashed_name(tmp_path):
    """All of `static/` and the apps' files, through the same hashing as production (without
    the slow compression): a reference to a missing file (a source map) stops `collectstatic`,
    and a template naming a file that is not there would fail its page in production."""
    storage = "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"
    from django.conf import settings

    stores = {**settings.STORAGES, "staticfiles": {"BACKEND": storage}}
    with override_settings(STATIC_ROOT=tmp_path, STORAGES=stores):
        call_command("collectstatic", interactive=False, verbosity=0)
        from django.contrib.staticfiles.storage import staticfiles_storage

        linked = set()
        for template in (ROOT / "citygrid").rglob("*.html"):
            text = template.read_text(encoding="utf-8")
            linked.update(re.findall(r"""\{% static ['"]([^'"]+)['"]""", text))
        assert "vendor/tabler-icons/tabler-icons.min.css" in linked
        for name in sorted(linked):
            assert staticfiles_storage.stored_name(name) != name, name
