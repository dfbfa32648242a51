"""Lists count only up to a limit, seek deep pages by key, and stay usable past an estimate."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext, override_settings

from citygrid.core import keyset
from citygrid.core.paginator import BoundedPaginator, Total, bounded_count
from citygrid.people.models import Person
from citygrid.people.tests.test_persons import id_number, make_person

LIST = "/people/persons/"


@pytest.fixture
def people(tree):
    """Seven people: five in grid A1 (甲一), two in A2, in list order a1-0 … a2-1."""
    made = [make_person(tree.grid_a1, f"张{i}", id_number(seq=f"1{i}1")) for i in range(5)]
    made += [make_person(tree.grid_a2, f"李{i}", id_number(seq=f"2{i}1")) for i in range(2)]
    return made


@pytest.fixture
def admin_client(client, make_user):
    client.force_login(make_user(superuser=True))
    return client


def names(response) -> list[str]:
    return [row.record.name for row in response.context["table"].page.object_list]


def test_total_labels():
    assert Total(1234).label == "共 1,234 条"
    assert Total(1234567, exact=False, estimated=True).label == "约 1,234,567 条"
    assert Total(10000, exact=False).label == "10,000 条以上"


def test_count_is_exact_up_to_the_limit(people):
    assert bounded_count(Person.objects.all(), limit=7) == Total(7)


def test_count_above_the_limit_stops_counting(people):
    with CaptureQueriesContext(connection) as queries:
        total = bounded_count(Person.objects.all(), limit=3)
    assert not total.exact
    assert "LIMIT 4" in queries[0]["sql"]
    if connection.vendor == "postgresql":
        # The planner's estimate, never below what was counted.
        assert total.estimated and total.value >= 4
        assert queries[1]["sql"].upper().startswith("EXPLAIN (FORMAT JSON)")
    else:
        assert total == Total(3, exact=False)
        assert len(queries) == 1


def test_page_knows_its_successor_without_a_count(people):
    paginator = BoundedPaginator(Person.objects.all(), 3)
    with CaptureQueriesContext(connection) as queries:
        page = paginator.page(3)
    assert [p.name for p in page] == ["李1"] and not page.has_next()
    assert len(queries) == 1 and "COUNT" not in queries[0]["sql"].upper()
    assert paginator.page(2).has_next()
    assert list(paginator.page(9)) == []


def test_key_fields_need_a_one_way_ordering_of_own_columns():
    assert keyset.key_fields(Person.objects.all()) == (["region_code", "name", "id"], False)
    assert keyset.key_fields(Person.objects.order_by("-name")) == (["name", "id"], True)
    assert keyset.key_fields(Person.objects.order_by("name", "-id")) is None
    assert keyset.key_fields(Person.objects.order_by("region__name")) is None
    assert keyset.key_fields(Person.objects.order_by()) is None


def test_seek_starts_after_the_key(people):
    names_, descending = keyset.key_fields(Person.objects.all())
    third = people[2]
    after = keyset.seek(Person.objects.all(), names_, descending, keyset.row_key(third, names_))
    assert [p.name for p in after] == ["张3", "张4", "李0", "李1"]
    before = keyset.seek(
        Person.objects.all(), names_, descending, keyset.row_key(third, names_), forward=False
    )
    assert [p.name for p in before] == ["张1", "张0"]


@override_settings(CITYGRID_EXACT_COUNT_LIMIT=3)
def test_list_shows_an_estimate_above_the_limit(people, admin_client):
    response = admin_client.get(LIST)
    footer = re.search(r'id="list-total"[^>]*>([^<]+)<', response.content.decode()).group(1)
    if connection.vendor == "postgresql":
        assert footer.startswith("约 ")
    else:
        assert footer == "3 条以上"


def test_list_shows_the_exact_total_under_the_limit(people, admin_client):
    html = admin_client.get(LIST).content.decode()
    assert '<span class="text-secondary" id="list-total">共 7 条</span>' in html


def test_next_link_carries_the_last_rows_id_and_seeks(people, admin_client):
    first = admin_client.get(LIST, {"per_page": 3})
    assert names(first) == ["张0", "张1", "张2"]
    listing = first.context["listing"]
    assert listing.next_query == f"per_page=3&page=2&after={people[2].pk}"
    second = admin_client.get(f"{LIST}?{listing.next_query}")
    assert names(second) == ["张3", "张4", "李0"]
    with CaptureQueriesContext(connection) as queries:
        third = admin_client.get(f"{LIST}?{second.context['listing'].next_query}")
    assert names(third) == ["李1"] and third.context["listing"].next_query is None
    assert not [q for q in queries if "OFFSET" in q["sql"].upper()]
    back = admin_client.get(f"{LIST}?{third.context['listing'].previous_query}")
    assert names(back) == ["张3", "张4", "李0"] and back.context["listing"].page.number == 2


@override_settings(CITYGRID_OFFSET_PAGE_LIMIT=2)
def test_numbered_links_stop_where_keyset_takes_over(people, admin_client):
    listing = admin_client.get(LIST, {"per_page": 2}).context["listing"]
    assert [n for n, _ in listing.numbers] == [1, 2]
    assert listing.next_query.endswith(f"after={people[1].pk}")


def test_sorting_by_a_joined_column_pages_by_offset(people, admin_client):
    response = admin_client.get(LIST, {"per_page": 3, "sort": "region"})
    assert response.status_code == 200
    assert response.context["listing"].next_query == "per_page=3&sort=region&page=2"


def test_a_deep_page_past_the_end_says_so(people, admin_client):
    response = admin_client.get(LIST, {"page": 500})
    assert response.status_code == 200
    assert names(response) == []
    assert "第 500 页没有记录" in response.content.decode()


def test_a_page_number_beyond_any_list_is_empty_not_an_overflow(people, admin_client, api_client):
    huge = 3187001653201202688  # Schemathesis's: its OFFSET overflowed SQLite's integer (500)
    response = admin_client.get(LIST, {"page": huge})
    assert response.status_code == 200 and names(response) == []
    api_client.force_authenticate(response.wsgi_request.user)
    past = api_client.get("/api/persons/", {"page_size": 428, "page": huge})
    assert past.status_code == 200 and past.json()["results"] == []


def test_a_vanished_anchor_falls_back_to_the_page_number(people, admin_client):
    response = admin_client.get(LIST, {"per_page": 3, "page": 2, "after": 2**40})
    assert names(response) == ["张3", "张4", "李0"]


def test_an_anchor_outside_the_scope_is_not_used(tree, people, client, make_user):
    outside = make_person(tree.grid_b1, "王", id_number(seq="901"))
    user = make_user(perms=["people.view_person"], scope=[tree.county_a])
    client.force_login(user)
    # The anchor row is looked up through the user's restricted list: out of scope → page 1.
    response = client.get(LIST, {"after": outside.pk})
    assert "王" not in names(response) and names(response)[0] == "张0"


@override_settings(CITYGRID_EXACT_COUNT_LIMIT=3)
def test_api_count_says_whether_it_is_exact(people, api_client, make_user):
    api_client.force_authenticate(make_user(superuser=True))
    body = api_client.get("/api/persons/", {"page_size": 2}).json()
    assert body["count_exact"] is False and len(body["results"]) == 2
    assert body["count"] >= (4 if connection.vendor == "postgresql" else 3)
    past = api_client.get("/api/persons/", {"page_size": 2, "page": 50})
    assert past.status_code == 200 and past.json()["results"] == []


def test_api_count_is_exact_under_the_limit(people, api_client, make_user):
    api_client.force_authenticate(make_user(superuser=True))
    body = api_client.get("/api/persons/").json()
    assert (body["count"], body["count_exact"]) == (7, True)


def test_api_next_and_previous_seek_from_the_boundary_rows(people, api_client, make_user):
    api_client.force_authenticate(make_user(superuser=True))
    first = api_client.get("/api/persons/", {"page_size": 3}).json()
    assert [r["id"] for r in first["results"]] == [p.pk for p in people[:3]]
    assert f"?after={people[2].pk}&page=2&page_size=3" in first["next"]
    with CaptureQueriesContext(connection) as queries:
        second = api_client.get(first["next"]).json()
    assert [r["id"] for r in second["results"]] == [p.pk for p in people[3:6]]
    assert not [q for q in queries if "OFFSET" in q["sql"].upper()]
    third = api_client.get(second["next"]).json()
    assert [r["id"] for r in third["results"]] == [people[6].pk] and third["next"] is None
    back = api_client.get(third["previous"]).json()
    assert [r["id"] for r in back["results"]] == [p.pk for p in people[3:6]]
    assert back["count"] == 7 and back["count_exact"] is True


def test_api_seek_from_a_row_no_longer_visible_is_a_clear_error(people, api_client, make_user):
    api_client.force_authenticate(make_user(superuser=True))
    response = api_client.get("/api/persons/", {"after": 2**40})
    assert response.status_code == 400
    assert response.json()["code"] == "anchor_not_found"
