"""A staff member's phone: SM4-encrypted at rest, never printed in clear on the user form or in
the change log, encrypted in place by migration 0005 (issue 10). The code still reads it in
clear, e.g. for the deadline SMS (cases/tests/test_sweep.py)."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from citygrid.accounts.models import User
from citygrid.core import crypto, records
from citygrid.core.models import ObjectChange

BEFORE = [("accounts", "0003_changelog")]
AFTER = [("accounts", "0005_encrypt_phone_values")]
PHONE = "13712345678"


def _stored(pk: int) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT phone FROM accounts_user WHERE id = %s", [pk])
        return cursor.fetchone()[0]


@pytest.mark.django_db
def test_phone_is_stored_encrypted_and_read_in_clear(make_user):
    user = make_user()
    user.phone = PHONE
    records.save_record(user, actor=user)
    assert PHONE not in _stored(user.pk) and crypto.decrypt(_stored(user.pk)) == PHONE
    assert User.objects.get(pk=user.pk).phone == PHONE
    logged = ObjectChange.objects.get(
        content_type__model="user", object_id=user.pk, action="update"
    )
    assert logged.postchange_data["phone"] == "137****5678"


@pytest.mark.django_db
def test_user_form_shows_the_phone_masked_and_keeps_it_when_left_empty(client, tree, make_user):
    user = make_user(username="staff")
    user.phone = PHONE
    records.save_record(user, actor=user)
    client.force_login(make_user(superuser=True))
    page = client.get(f"/accounts/users/{user.pk}/edit/").content.decode()
    assert PHONE not in page and "137****5678" in page
    response = client.post(
        f"/accounts/users/{user.pk}/edit/",
        {"username": "staff", "full_name": "职员", "phone": "", "is_active": "on"},
    )
    assert response.status_code == 302, response.context["form"].errors
    assert User.objects.get(pk=user.pk).phone == PHONE


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("migrated_back")
def test_migration_encrypts_stored_phones_in_place_and_back(make_user):
    user = make_user()
    MigrationExecutor(connection).migrate(BEFORE)
    with connection.cursor() as cursor:  # the state 0003 left: phones in clear
        cursor.execute("UPDATE accounts_user SET phone = %s WHERE id = %s", [PHONE, user.pk])

    MigrationExecutor(connection).migrate(AFTER)
    assert crypto.decrypt(_stored(user.pk)) == PHONE
    MigrationExecutor(connection).migrate(BEFORE)
    assert _stored(user.pk) == PHONE
    MigrationExecutor(connection).migrate(AFTER)
