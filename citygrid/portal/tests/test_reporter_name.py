"""A held report's reporter name: SM4-encrypted at rest like the phone beside it, masked on the
review pages, carried in clear to the case on release; encrypted in place by migration 0005."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.urls import reverse

from citygrid.cases.models import Case
from citygrid.core import crypto
from citygrid.portal.models import BlockedPhone, HeldReport

BEFORE = [("portal", "0003_private_files")]
AFTER = [("portal", "0005_encrypt_reporter_name_values")]
HELD_PERMS = ["portal.view_heldreport", "portal.change_heldreport", "cases.view_case"]


def _stored(pk: int) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT reporter_name FROM portal_heldreport WHERE id = %s", [pk])
        return cursor.fetchone()[0]


def _held(client, report_data) -> HeldReport:
    BlockedPhone.objects.create(phone="13812345678", reason="测试")
    client.post(reverse("portal:report"), report_data(reporter_name="张小明"))
    return HeldReport.objects.get()


@pytest.mark.django_db
def test_reporter_name_is_encrypted_masked_and_released_in_clear(
    client, report_data, make_user, tree
):
    held = _held(client, report_data)
    assert "张小明" not in _stored(held.pk) and crypto.decrypt(_stored(held.pk)) == "张小明"

    client.force_login(make_user(perms=HELD_PERMS, scope=[tree.county_a]))
    pages = client.get(reverse("portal:heldreport_list")).content.decode()
    pages += client.get(reverse("portal:heldreport", args=[held.pk])).content.decode()
    assert "张小明" not in pages and "张*明" in pages
    client.post(reverse("portal:heldreport_release", args=[held.pk]))
    assert Case.objects.get().reporter_name == "张小明"


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("migrated_back")
def test_migration_encrypts_stored_names_in_place_and_back(client, report_data):
    held = _held(client, report_data)
    MigrationExecutor(connection).migrate(BEFORE)
    with connection.cursor() as cursor:  # the state 0003 left: names in clear
        cursor.execute(
            "UPDATE portal_heldreport SET reporter_name = '张小明' WHERE id = %s", [held.pk]
        )

    MigrationExecutor(connection).migrate(AFTER)
    assert crypto.decrypt(_stored(held.pk)) == "张小明"
    MigrationExecutor(connection).migrate(BEFORE)
    assert _stored(held.pk) == "张小明"
    MigrationExecutor(connection).migrate(AFTER)
