"""The case list reads a fixed number of queries for admin, county and grid users, however
many cases and grids there are (`core/tests/test_list_queries.py` does people and houses)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from citygrid.regions.models import Region

pytestmark = pytest.mark.django_db
LIST = "/cases/"


def queries(client) -> int:
    client.get(LIST)  # the first request fills per-process caches
    with CaptureQueriesContext(connection) as captured:
        assert client.get(LIST).status_code == 200
    return len(captured)


def grow(tree, report, start: int, n: int) -> None:
    for i in range(start, start + n):
        report(description=f"第{i}件")
        Region(
            parent=tree.community_a, level="grid", code=f"330101001001{i + 100:03d}", name=f"G{i}"
        ).save()


# Session, user, rows (category, department joined), bounded count, notifications badge, the
# filter's category and department choices (small code tables); a scoped user adds three
# permission queries and their scope codes.
@pytest.mark.parametrize(("who", "expected"), [("admin", 7), ("county", 11), ("grid", 11)])
def test_case_list_queries_do_not_grow(tree, setup, report, client, make_user, who, expected):
    scope = {"county": [tree.county_a], "grid": [tree.grid_a1]}.get(who, [])
    user = make_user(superuser=who == "admin", perms=["cases.view_case"], scope=scope)
    client.force_login(user)
    grow(tree, report, 0, 2)
    few = queries(client)
    grow(tree, report, 2, 10)
    assert queries(client) == few == expected
