"""PostgreSQL's plans for the person list and look-ups at a size where a scan and a sort would
be the planner's choice without the indexes: the first page of a county, a page sought after a
row (`after=`), a name prefix and an exact ID number, each as the page itself sends it (the SQL
is captured from real requests, then explained). Rows are inserted and the table analysed; no
planner switch is turned off."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from citygrid.core import crypto
from citygrid.people.models import Person
from citygrid.people.tests.test_persons import id_number

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL plans"),
]

ROWS = 30_000
SURNAMES = "赵钱孙李周吴郑王冯陈"


def copies(template: Person, n: int, grids: list) -> None:
    """n copies of a person row made by the database itself (seconds, not minutes, for a
    plan test): each in one of the grids, with its own name and ID-number index."""
    grid_of = " ".join(f"WHEN {k} THEN %s" for k in range(len(grids)))
    special = {
        "name": "substr(%s, g %% 10 + 1, 1) || g",
        "region_id": f"CASE g %% {len(grids)} {grid_of} END",
        "region_code": f"CASE g %% {len(grids)} {grid_of} END",
        "id_number_index": "'E' || lpad(g::text, 8, '0')",
    }
    params = {
        "name": [SURNAMES],
        "region_id": [g.pk for g in grids],
        "region_code": [g.code for g in grids],
        "id_number_index": [],
    }
    columns = [f.column for f in Person._meta.concrete_fields if f.column != "id"]
    names = ", ".join(connection.ops.quote_name(c) for c in columns)
    values, args = [], []
    for column in columns:
        values.append(special.get(column, f't."{column}"'))
        args += params.get(column, [])
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO people_person ({names}) "
            f"SELECT {', '.join(values)} FROM people_person t, generate_series(1, %s) g "
            "WHERE t.id = %s",
            [*args, n, template.pk],
        )


@pytest.fixture
def crowd(tree):
    """30 000 persons over three grids (two in county A), and a known one to look up."""
    known = id_number(seq="777")
    template = Person(
        region=tree.grid_a1,
        region_code=tree.grid_a1.code,
        name="欧阳明",
        id_type="111",
        id_number=known,
        id_number_index=crypto.blind_index(known),
    )
    Person.objects.bulk_create([template])
    copies(template, ROWS, [tree.grid_a1, tree.grid_a2, tree.grid_b1])
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {Person._meta.db_table}")
    return known


@pytest.fixture
def county_client(client, make_user, tree):
    client.force_login(make_user(perms=["people.view_person"], scope=[tree.county_a]))
    return client


def person_rows_sql(client, method: str, data: dict, status: int = 200) -> list[str]:
    """The statements that read person rows (not counts) while the person list answered."""
    with CaptureQueriesContext(connection) as captured:
        response = getattr(client, method)("/people/persons/", data)
    assert response.status_code == status
    return [
        q["sql"]
        for q in captured
        if 'FROM "people_person"' in q["sql"]
        and "COUNT(" not in q["sql"]
        and not q["sql"].startswith("EXPLAIN")  # the planner's estimate of a long list
    ]


def plan(sql: str) -> str:
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN {sql}")
        return "\n".join(row[0] for row in cursor.fetchall())


def assert_indexed(statements: list[str]) -> None:
    assert statements, "the page read no person rows"
    for sql in statements:
        text = plan(sql)
        assert "Seq Scan on people_person" not in text, text
        assert "Index" in text, text


def test_a_countys_first_page_is_read_in_list_order_from_the_index(crowd, county_client):
    statements = person_rows_sql(county_client, "get", {})
    assert_indexed(statements)
    assert any("person_list_idx" in plan(sql) for sql in statements)


def test_a_page_after_a_row_seeks_in_the_index(crowd, county_client, tree):
    anchor = Person.objects.filter(region_code=tree.grid_a2.code).order_by("name", "id")[5000]
    statements = person_rows_sql(county_client, "get", {"after": anchor.pk})
    assert_indexed(statements)


def test_a_name_prefix_is_read_from_an_index(crowd, county_client):
    statements = person_rows_sql(county_client, "get", {"q": "欧阳"})
    assert_indexed(statements)
    # The pattern-operator index: it serves LIKE whatever the database's collation.
    assert any("person_name_prefix_idx" in plan(sql) for sql in statements)


def test_an_id_number_is_found_through_its_blind_index(crowd, county_client):
    statements = person_rows_sql(county_client, "post", {"number": crowd}, status=302)
    assert_indexed(statements)
    assert any("person_unique_id_number" in plan(sql) for sql in statements)
