"""List pages read a fixed number of queries for admin, county and grid users, however many
rows and regions there are: no count of every row, no region choices, no per-row look-ups."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from citygrid.housing.models import House
from citygrid.people.tests.test_persons import id_number, make_person
from citygrid.regions.models import Region

pytestmark = pytest.mark.django_db

PERMS = ["people.view_person", "housing.view_house"]


def users(tree, make_user) -> dict:
    return {
        "admin": make_user(superuser=True),
        "county": make_user(perms=PERMS, scope=[tree.county_a]),
        "grid": make_user(perms=PERMS, scope=[tree.grid_a1]),
    }


def grow(tree, start: int, n: int) -> None:
    """n more people and houses in grid A1, and n more grids in community A."""
    for i in range(start, start + n):
        make_person(tree.grid_a1, f"赵{i}", id_number(seq=f"{i:03d}"))
        House.objects.create(region=tree.grid_a1, number=f"{i}")
        grid = Region(
            parent=tree.community_a, level="grid", code=f"330101001001{i + 100:03d}", name=f"G{i}"
        )
        grid.save()


def queries(client, path: str) -> int:
    client.get(path)  # the first request fills per-process caches (dictionaries, permissions)
    with CaptureQueriesContext(connection) as captured:
        assert client.get(path, {"region": "", "q": ""}).status_code == 200
    return len(captured)


@pytest.mark.parametrize("path", ["/people/persons/", "/housing/houses/"])
@pytest.mark.parametrize("who", ["admin", "county", "grid"])
def test_list_queries_do_not_grow_with_rows_or_regions(tree, client, make_user, path, who):
    client.force_login(users(tree, make_user)[who])
    grow(tree, 0, 2)
    few = queries(client, path)
    grow(tree, 2, 12)
    assert queries(client, path) == few
    assert few == EXPECTED[path][who]


# Session, user, the page's rows (related rows joined), the bounded count, the unread
# notifications badge; a scoped user adds three permission queries and their scope codes.
EXPECTED = {
    "/people/persons/": {"admin": 5, "county": 9, "grid": 9},
    "/housing/houses/": {"admin": 5, "county": 9, "grid": 9},
}
