"""A reporter's name: SM4-encrypted at rest (it was masked on screen and in the log, but a plain
column), encrypted in place by migration 0010 (issue 10)."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from citygrid.cases.models import Case
from citygrid.core import crypto

BEFORE = [("cases", "0008_private_files")]
AFTER = [("cases", "0010_encrypt_reporter_name_values")]


def _stored(pk: int) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT reporter_name FROM cases_case WHERE id = %s", [pk])
        return cursor.fetchone()[0]


def _named_case(report) -> Case:
    return report(reporter_name="王小明")


@pytest.mark.django_db
def test_reporter_name_is_stored_encrypted(report):
    case = _named_case(report)
    assert "王小明" not in _stored(case.pk) and crypto.decrypt(_stored(case.pk)) == "王小明"
    assert Case.objects.get(pk=case.pk).reporter_name == "王小明"


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("migrated_back")
def test_migration_encrypts_stored_names_in_place_and_back(report):
    case = _named_case(report)
    MigrationExecutor(connection).migrate(BEFORE)
    with connection.cursor() as cursor:  # the state 0008 left: names in clear
        cursor.execute("UPDATE cases_case SET reporter_name = '王小明' WHERE id = %s", [case.pk])

    MigrationExecutor(connection).migrate(AFTER)
    assert crypto.decrypt(_stored(case.pk)) == "王小明"
    MigrationExecutor(connection).migrate(BEFORE)
    assert _stored(case.pk) == "王小明"
    MigrationExecutor(connection).migrate(AFTER)
