"""Owners' and landlords' names: SM4-encrypted at rest, masked on screen, in the API and in
exports, and encrypted in place by migration 0003 (issue 10)."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.urls import reverse

from citygrid.core import crypto
from citygrid.housing.models import House, Rental
from citygrid.housing.tests import factories as f

BEFORE = [("housing", "0001_initial")]
AFTER = [("housing", "0003_encrypt_third_party_name_values")]


def _column(table: str, column: str, pk: int) -> str:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM {table} WHERE id = %s", [pk])
        return cursor.fetchone()[0]


@pytest.mark.django_db
def test_owner_and_landlord_names_are_stored_encrypted(tree):
    house = f.house(f.building(tree.grid_a1), owner_name="王大明")
    rental = f.rental(house, landlord_name="李房东")
    stored_owner = _column("housing_house", "owner_name", house.pk)
    stored_landlord = _column("housing_rental", "landlord_name", rental.pk)
    assert "王大明" not in stored_owner and crypto.decrypt(stored_owner) == "王大明"
    assert "李房东" not in stored_landlord and crypto.decrypt(stored_landlord) == "李房东"


@pytest.mark.django_db
def test_names_are_masked_on_pages_in_the_api_and_in_exports(client, api_client, tree, make_user):
    house = f.house(f.building(tree.grid_a1), owner_name="王大明")
    rental = f.rental(house, landlord_name="李房东")
    perms = [
        f"housing.{action}_{model}"
        for action in ("view", "export")
        for model in ("house", "rental")
    ]
    user = make_user(perms=perms, scope=[tree.county_a])
    client.force_login(user)
    api_client.force_authenticate(user)
    pages = [
        client.get(house.get_absolute_url()),
        client.get(reverse("housing:house_list")),
        client.get(reverse("housing:house_export") + "?export_format=csv"),
        client.get(rental.get_absolute_url()),
        client.get(reverse("housing:rental_list")),
        client.get(reverse("housing:rental_export") + "?export_format=csv"),
        api_client.get(reverse("api:house-detail", args=[house.pk])),
        api_client.get(reverse("api:rental-detail", args=[rental.pk])),
    ]
    text = "".join(
        (b"".join(p.streaming_content) if p.streaming else p.content).decode("utf-8-sig")
        for p in pages
    )
    assert all(p.status_code == 200 for p in pages)
    assert "王大明" not in text and "李房东" not in text
    assert "王*明" in text and "李*东" in text


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("migrated_back")
def test_migration_encrypts_stored_names_in_place_and_back(tree):
    # Not validated: a transactional test runs without the code tables migrations seed.
    house = House.objects.create(region=tree.grid_a1, number="101", owner_name="王大明")
    rental = Rental.objects.create(
        house=house, landlord_name="李房东", landlord_phone="13900000001"
    )
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    with connection.cursor() as cursor:  # the state 0001 left: names in clear
        cursor.execute("UPDATE housing_house SET owner_name = '王大明' WHERE id = %s", [house.pk])
        cursor.execute(
            "UPDATE housing_rental SET landlord_name = '李房东' WHERE id = %s", [rental.pk]
        )

    MigrationExecutor(connection).migrate(AFTER)
    assert crypto.decrypt(_column("housing_house", "owner_name", house.pk)) == "王大明"
    assert crypto.decrypt(_column("housing_rental", "landlord_name", rental.pk)) == "李房东"

    MigrationExecutor(connection).migrate(BEFORE)
    assert _column("housing_house", "owner_name", house.pk) == "王大明"
    assert _column("housing_rental", "landlord_name", rental.pk) == "李房东"
    MigrationExecutor(connection).migrate(AFTER)
