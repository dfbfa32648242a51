"""Migrations 0004 and 0005 encrypt the third-party names and phones already stored in clear."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from citygrid.core import crypto

BEFORE = [("people", "0003_populationsnapshot")]
AFTER = [("people", "0005_encrypt_third_party_values")]


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("migrated_back")
def test_plaintext_guardian_is_encrypted_in_place_and_back_on_reversal(tree):
    old = _migrate(BEFORE)
    Person = old.get_model("people", "Person")
    VulnerableGroup = old.get_model("people", "VulnerableGroup")
    person = Person.objects.create(
        region_id=tree.grid_a1.pk, region_code=tree.grid_a1.code, name="李奶奶", id_number="x"
    )
    group = VulnerableGroup.objects.create(
        person_id=person.pk,
        region_id=tree.grid_a1.pk,
        region_code=tree.grid_a1.code,
        kind="empty_nest_elder",
        started_on="2025-01-01",
        guardian_name="王芳",
        guardian_phone="13800001234",
    )

    new = _migrate(AFTER)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT guardian_name, guardian_phone, helper_phone FROM people_vulnerablegroup "
            "WHERE id = %s",
            [group.pk],
        )
        name, phone, helper_phone = cursor.fetchone()
    assert "王芳" not in name and "13800001234" not in phone
    assert (crypto.decrypt(name), crypto.decrypt(phone), helper_phone) == (
        "王芳",
        "13800001234",
        "",
    )
    migrated = new.get_model("people", "VulnerableGroup").objects.get(pk=group.pk)
    assert (migrated.guardian_name, migrated.guardian_phone) == ("王芳", "13800001234")

    _migrate(BEFORE)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT guardian_name, guardian_phone FROM people_vulnerablegroup WHERE id = %s",
            [group.pk],
        )
        assert cursor.fetchone() == ("王芳", "13800001234")
    _migrate(AFTER)
