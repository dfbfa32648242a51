"""The person picker: a form names its person by searching, never by listing every resident."""

from django.urls import reverse

from citygrid.people.tests.test_groups import make_person, officer

SEARCH = "people:person_search"


def _search(client, text):
    response = client.post(reverse(SEARCH), {"q": text})
    assert response.status_code == 200
    return [row["text"] for row in response.json()["results"]]


def test_add_page_renders_no_resident_but_the_chosen_one(client, tree, make_user):
    chosen = make_person(tree.grid_a1, "张三")
    for n in range(5):
        make_person(tree.grid_a1, f"李{n}")
    client.force_login(officer(make_user, tree, "view", "add"))
    url = reverse("people:specialgroup_add")
    blank = client.get(url).content.decode()
    assert "李0" not in blank and "张三" not in blank
    assert "data-search-picker" in blank and reverse(SEARCH) in blank
    named = client.get(url, {"person": chosen.pk}).content.decode()
    assert "张三（" in named and "李0" not in named
    # The ID number shows masked: the picker's label is for telling namesakes apart.
    assert chosen.id_number not in named and chosen.id_number[:6] in named


def test_search_by_name_prefix_or_whole_id_number_within_the_territory(client, tree, make_user):
    zhang = make_person(tree.grid_a1, "张三")
    make_person(tree.grid_a2, "张三丰")
    make_person(tree.grid_b1, "张三娘")  # another county: out of the officer's territory
    make_person(tree.grid_a1, "李四")
    client.force_login(officer(make_user, tree, "view", "add"))
    # The people view permission opens the search, not the membership's.
    assert _search(client, "张三") == []
    client.force_login(make_user(perms=["people.view_person"], scope=[tree.county_a]))
    found = _search(client, "张三")
    assert [t.split("（")[0] for t in found] == ["张三", "张三丰"]
    assert _search(client, zhang.id_number) == [found[0]]
    assert _search(client, zhang.id_number[:10]) == []  # digits alone match no name
    assert _search(client, "  ") == []


def test_search_never_answers_a_get(client, tree, make_user):
    # What is typed may be an ID number: it must not travel in a URL or an access log.
    client.force_login(make_user(perms=["people.view_person"], scope=[tree.county_a]))
    assert client.get(reverse(SEARCH), {"q": "张"}).status_code == 405
