"""An age outside a human life is a clear 400, not a date arithmetic error (it once was a 500)."""

import pytest

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("value", ["3000", "-1", "151"])
def test_implausible_ages_are_refused(api_client, client, tree, make_user, value):
    user = make_user(perms=["people.view_person"], scope=[tree.county_a])
    api_client.force_authenticate(user)
    response = api_client.get("/api/persons/", {"age_min": value})
    assert response.status_code == 400
    assert "age_min" in response.json()["errors"]
    client.force_login(user)
    assert client.get("/people/persons/", {"age_max": value}).status_code in (200, 400)


def test_a_plausible_age_filters(api_client, tree, make_user):
    api_client.force_authenticate(make_user(perms=["people.view_person"], scope=[tree.county_a]))
    assert api_client.get("/api/persons/", {"age_min": "18", "age_max": "150"}).status_code == 200
