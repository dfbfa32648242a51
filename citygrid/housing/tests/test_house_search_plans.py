"""PostgreSQL's plans for the house picker's search over 30 000 analysed houses: an address
prefix and a code prefix are index range scans, never a scan of every house (the SQL is
captured from the search itself, then explained)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from citygrid.housing.models import House
from citygrid.housing.widgets import search_houses

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL plans"),
]

ROWS = 30_000


@pytest.fixture
def houses(tree):
    """30 000 standalone houses in grid A1, each with its own code and address."""
    template = House(region=tree.grid_a1, number="1", address="模板路1号")
    template.full_clean()
    template.save()
    columns = [f.column for f in House._meta.concrete_fields if f.column != "id"]
    special = {
        "code": "%s || '9' || lpad(g::text, 5, '0')",
        "address": "substr('东西南北中', g %% 5 + 1, 1) || '大街' || g || '号'",
    }
    values = [special.get(c, f't."{c}"') for c in columns]
    names = ", ".join(connection.ops.quote_name(c) for c in columns)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO housing_house ({names}) SELECT {', '.join(values)} "
            "FROM housing_house t, generate_series(1, %s) g WHERE t.id = %s",
            [tree.grid_a1.code, ROWS, template.pk],
        )
        cursor.execute("ANALYZE housing_house")
    return template


def plans(user, text: str) -> list[str]:
    with CaptureQueriesContext(connection) as captured:
        search_houses(user, text)
    out = []
    for query in captured.captured_queries:
        if "housing_house" not in query["sql"].split("FROM", 1)[-1][:40]:
            continue
        with connection.cursor() as cursor:
            cursor.execute("EXPLAIN " + query["sql"])
            out.append("\n".join(row[0] for row in cursor.fetchall()))
    return out


def test_address_and_code_prefixes_are_index_ranges(houses, make_user, tree):
    user = make_user(perms=["people.add_residency"], scope=[tree.county_a])
    found = search_houses(user, "南大街12")
    assert found and all(h.address.startswith("南大街12") for h in found)
    for plan in plans(user, "南大街12"):
        assert "Seq Scan on housing_house" not in plan, plan
    assert any("house_address_prefix_idx" in plan for plan in plans(user, "南大街12"))
    code_plans = plans(user, tree.grid_a1.code + "9001")
    assert code_plans and all("Seq Scan on housing_house" not in p for p in code_plans)
