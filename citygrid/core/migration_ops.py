"""Migration operations shared by the apps' data migrations."""

from functools import partial

from django.db import migrations

from citygrid.core import crypto

BATCH = 2000


def rewrite_columns(app_label: str, columns: dict[str, list[str]], transform, apps, schema_editor):
    """Rewrite each stored value of `columns` ({model: [field, ...]}) in place, in pk batches,
    with SQL on the raw column: not through the models, whose `EncryptedCharField` (today's
    class, even in historical models) would try to decrypt the plaintext it reads."""
    connection = schema_editor.connection
    qn = connection.ops.quote_name
    with connection.cursor() as cursor:
        for model_name, names in columns.items():
            meta = apps.get_model(app_label, model_name)._meta
            table, pk = qn(meta.db_table), qn(meta.pk.column)
            for name in names:
                column = qn(meta.get_field(name).column)
                last = 0
                while True:
                    cursor.execute(
                        f"SELECT {pk}, {column} FROM {table} WHERE {pk} > %s AND {column} <> '' "
                        f"ORDER BY {pk} LIMIT {BATCH}",
                        [last],
                    )
                    rows = cursor.fetchall()
                    if not rows:
                        break
                    cursor.executemany(
                        f"UPDATE {table} SET {column} = %s WHERE {pk} = %s",
                        [(transform(value), key) for key, value in rows],
                    )
                    last = rows[-1][0]


def encrypt_in_place(app_label: str, columns: dict[str, list[str]]) -> migrations.RunPython:
    """Encrypt values stored in clear before a column became an `EncryptedCharField`;
    reversed, decrypt them. Prefer a migration of its own after the column change (people
    0005): reversing both in one transaction puts an ALTER TABLE after UPDATEs of the same
    table, which PostgreSQL refuses when deferred constraint checks are pending."""
    return migrations.RunPython(
        partial(rewrite_columns, app_label, columns, crypto.encrypt),
        partial(rewrite_columns, app_label, columns, crypto.decrypt),
    )
