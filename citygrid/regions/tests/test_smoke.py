import pytest


@pytest.mark.django_db
def test_superuser_pages(client, tree, make_user):
    admin = make_user(superuser=True)
    client.force_login(admin)
    for url in [
        "/",
        "/territory/regions/",
        f"/territory/regions/{tree.grid_a1.pk}/",
        f"/territory/regions/{tree.grid_a1.pk}/edit/",
        "/territory/regions/add/",
        "/territory/map/",
        "/territory/grid-workers/",
        "/territory/regions/import/",
        f"/territory/regions/{tree.grid_a1.pk}/changelog/",
        "/core/changes/",
        "/core/access-log/",
        "/core/dictionaries/",
        "/accounts/users/",
        "/accounts/roles/",
        "/core/wip/video/",
        "/disputes/desk/",
        "/disputes/",
        "/disputes/register/",
        "/disputes/stats/",
        "/disputes/reports/",
        "/people/persons/",
        "/people/persons/add/",
        "/people/special-groups/",
        "/people/care-records/",
        "/people/custodians/",
        "/housing/estates/",
        "/housing/buildings/",
        "/housing/houses/",
        "/housing/rentals/",
        "/statistics/population/",
        "/statistics/population/map/",
        "/core/search/?q=甲",
        "/api/regions/",
        "/api/regions/map/?zoom=15",
        "/api/schema/",
        "/accounts/users/add/",
        "/accounts/roles/add/",
        f"/territory/regions/{tree.grid_a1.pk}/card/",
    ]:
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
