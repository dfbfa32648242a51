"""A throw-away test database for benchmarks that need one (never the development database).

SQLite by default; the database of `DATABASE_URL` (a `test_` copy) when it is set, so the same
benchmark measures PostgreSQL too.
"""

import contextlib

from django.db import connection
from django.test.utils import setup_test_environment, teardown_test_environment


@contextlib.contextmanager
def test_database():
    setup_test_environment()
    old_name = connection.settings_dict["NAME"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)
    try:
        yield connection.vendor
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
        teardown_test_environment()


def small_territory():
    """One city, county, township and community with a 10 × 10 block of square grids."""
    from citygrid.core import writeguard
    from citygrid.regions.models import Region

    def make(parent, level, code, name, boundary=None):
        return Region.objects.create(
            parent=parent, level=level, code=code, name=name, boundary=boundary
        )

    # A benchmark's fixture is like demo data: written directly, without history.
    with writeguard.unlogged():
        city = make(None, "city", "3301", "基准市")
        county = make(city, "county", "330101", "基准区")
        township = make(county, "township", "330101001", "基准街道")
        community = make(township, "community", "330101001001", "基准社区")
        for i in range(100):
            x, y = 120.0 + (i % 10) * 0.01, 30.0 + (i // 10) * 0.01
            square = {
                "type": "Polygon",
                "coordinates": [
                    [[x, y], [x + 0.01, y], [x + 0.01, y + 0.01], [x, y + 0.01], [x, y]]
                ],
            }
            make(community, "grid", f"330101001001{i + 1:03d}", f"网格{i + 1}", square)
    return city


def superuser(username: str = "bench"):
    """A city-wide superuser; created directly, like the territory (a fixture, not measured)."""
    from citygrid.accounts.models import User
    from citygrid.core import writeguard

    with writeguard.unlogged():
        return User.objects.create_superuser(username, password="Bench@2026x")


def scoped_user(username: str, code: str):
    """A user who may view people, scoped to the region `code` (a county, a grid ...)."""
    from django.contrib.auth.models import Permission

    from citygrid.accounts.models import Role, User
    from citygrid.core import writeguard
    from citygrid.regions.models import Region

    with writeguard.unlogged():
        user = User.objects.create_user(username, password="Bench@2026x")
        role = Role.objects.create(name=f"bench-{username}")
        role.permissions.add(Permission.objects.get(codename="view_person"))
        user.roles.add(role)
        user.scope_regions.set([Region.objects.get(code=code)])
    return user


def bench_case(number: str, grid, category, **fields):
    """An unsaved case at `grid`'s centre for a bulk load: what every benchmark sets alike
    (`fields` adds or overrides: state, department, times, channel ...)."""
    from citygrid.cases.models import Case

    return Case(
        number=number,
        kind="event",
        category=category,
        description="基准",
        lng=grid.center_lng,
        lat=grid.center_lat,
        region=grid,
        region_code=grid.code,
        **{"channel": "grid_app", **fields},
    )
