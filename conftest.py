"""Shared fixtures: a small territory with square grids, and users with roles and scopes."""

from dataclasses import dataclass

import pytest

from citygrid.core.testing import square


def pytest_configure(config):
    # Fixtures build each test's world directly; project code under test stays on the one
    # write path (see citygrid/core/writeguard.py).
    from citygrid.core import writeguard

    writeguard.excuse_test_fixtures()


@pytest.fixture(autouse=True)
def _test_settings(settings, tmp_path, monkeypatch):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.CITYGRID_PRIVATE_ROOT = tmp_path / "private"
    # Base maps (seed_demo draws one) stay out of var/, so maps never offer the developer's own
    # files; one zoom is enough to draw in a test.
    settings.BASEMAP_FILES = {
        layer: tmp_path / f"{layer}.mbtiles" for layer in ("flat", "satellite")
    }
    settings.DEMO_BASEMAP_ZOOMS = range(11, 12)
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.STORAGES = {
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    from citygrid.cases.calendar import reset_calendar_cache
    from citygrid.core import dictionaries
    from citygrid.regions.geo import index

    # Version stamps repeat when test transactions roll back: drop per-process caches.
    index.reset_index()
    reset_calendar_cache()
    dictionaries.reset()
    # Rate limits (portal, declarations) count in the cache: one test's reports must not
    # push another test over a limit. Each test process counts alone: a shared cache (Redis, the
    # database cache) would be cleared under the other xdist worker's feet.
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    # With REDIS_URL (CI) sessions would be read from the cache: query counts must not depend
    # on whether Redis is configured.
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.db"
    from django.core.cache import cache

    cache.clear()
    # Code tables re-check their stamp on a timer; a timer firing mid-test would add a query to
    # exact query counts. Edits in this process reset the cache anyway.
    monkeypatch.setattr(dictionaries, "CHECK_EVERY", float("inf"))


# Data migrations whose rows every test may rely on (code tables, categories, calendar, SMS).
SEEDING_MIGRATIONS = (
    "citygrid.core.migrations.0002_seed_dictionaries",
    "citygrid.core.migrations.0004_seed_more_dictionaries",
    "citygrid.cases.migrations.0002_seed_calendar",
    "citygrid.cases.migrations.0003_seed_categories",
    "citygrid.notify.migrations.0002_seed_sms_templates",
)


@pytest.fixture(autouse=True)
def _migration_data(request):
    """Browser tests flush the database after themselves, seeded rows included, and xdist may
    run any test file after them in the same worker: put the seeded rows back first."""
    marker = request.node.get_closest_marker("django_db")
    uses_db = marker is not None or "db" in request.fixturenames
    if not uses_db or "transactional_db" in request.fixturenames:
        return
    if marker is not None and marker.kwargs.get("transaction"):
        return
    request.getfixturevalue("db")
    from citygrid.core.models import DictItem

    if DictItem.objects.exists():
        return
    import importlib

    from django.apps import apps

    from citygrid.core import writeguard

    with writeguard.unlogged():  # as the migrations wrote them: directly, no history
        for name in SEEDING_MIGRATIONS:
            importlib.import_module(name).seed(apps, None)


@pytest.fixture
def migrated_back():
    """For a test that migrates an app backwards: the whole schema is brought forward to the
    latest migrations after it, or every later test in the worker would run on the old schema
    (a database function dropped by a reversed migration, say)."""
    yield
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())


@dataclass
class Tree:
    city: object
    county_a: object
    county_b: object
    township_a: object
    township_b: object
    community_a: object
    community_b: object
    grid_a1: object
    grid_a2: object
    grid_b1: object


@pytest.fixture
def tree(db) -> Tree:
    """市 3301 → 区县 330101 (A) and 330102 (B) → one township, community, grids each.

    Grids A1 and A2 sit side by side at (120.00–120.02, 30.00–30.01); B1 at (120.10, 30.00).
    """
    from citygrid.regions.models import Region

    def make(parent, level, code, name, boundary=None):
        region = Region(parent=parent, level=level, code=code, name=name, boundary=boundary)
        region.full_clean()
        region.save()
        return region

    city = make(None, "city", "3301", "测试市")
    county_a = make(city, "county", "330101", "甲区")
    county_b = make(city, "county", "330102", "乙区")
    township_a = make(county_a, "township", "330101001", "甲街道")
    township_b = make(county_b, "township", "330102001", "乙街道")
    community_a = make(township_a, "community", "330101001001", "甲社区")
    community_b = make(township_b, "community", "330102001001", "乙社区")
    return Tree(
        city=city,
        county_a=county_a,
        county_b=county_b,
        township_a=township_a,
        township_b=township_b,
        community_a=community_a,
        community_b=community_b,
        grid_a1=make(community_a, "grid", "330101001001001", "甲一网格", square(120.00, 30.00)),
        grid_a2=make(community_a, "grid", "330101001001002", "甲二网格", square(120.01, 30.00)),
        grid_b1=make(community_b, "grid", "330102001001001", "乙一网格", square(120.10, 30.00)),
    )


@pytest.fixture
def make_user(db):
    """make_user(perms=["regions.view_region"], scope=[region], superuser=False)."""
    from django.contrib.auth.models import Permission

    from citygrid.accounts.models import Role, User

    counter = {"n": 0}

    def make(perms=(), scope=(), superuser=False, view_sensitive=False, username=None):
        counter["n"] += 1
        user = User.objects.create_user(
            username=username or f"user{counter['n']}",
            password="Test@2026pw",
            is_superuser=superuser,
        )
        if perms or view_sensitive:
            role = Role.objects.create(name=f"role-{user.username}", view_sensitive=view_sensitive)
            for perm in perms:
                app, codename = perm.split(".")
                role.permissions.add(
                    Permission.objects.get(content_type__app_label=app, codename=codename)
                )
            user.roles.add(role)
        user.scope_regions.set(scope)
        return user

    return make


@pytest.fixture
def api_client():
    from rest_framework.test import APIClient

    return APIClient()
