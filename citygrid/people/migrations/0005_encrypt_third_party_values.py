"""Encrypt the third-party names and phones stored in clear before 0004 (reversible)."""

from django.db import migrations

from citygrid.core import crypto

# The columns that held plaintext before this migration, per model.
ENCRYPTED = {
    "atriskyouth": ["guardian_name", "guardian_phone", "helper_name", "helper_phone"],
    "disabilitydetail": ["certificate_number"],
    "druguserdetail": ["controller_name", "controller_phone"],
    "floatingdetail": ["permit_number"],
    "keyperson": ["helper_name", "helper_phone"],
    "leftbehinddetail": ["family_member_name", "family_member_phone"],
    "mentaldisorderdetail": ["guardian_name", "guardian_phone"],
    "specialgroup": ["helper_name", "helper_phone"],
    "vulnerablegroup": ["guardian_name", "guardian_phone", "helper_name", "helper_phone"],
}
BATCH = 2000


def _rewrite(apps, schema_editor, transform):
    """Rewrite each stored value in place, in pk batches, with SQL on the raw column.

    Not through the models: the field class a historical model uses is today's
    EncryptedCharField, which would try to decrypt the plaintext it reads.
    """
    connection = schema_editor.connection
    qn = connection.ops.quote_name
    with connection.cursor() as cursor:
        for model_name, names in ENCRYPTED.items():
            meta = apps.get_model("people", model_name)._meta
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


def encrypt_values(apps, schema_editor):
    _rewrite(apps, schema_editor, crypto.encrypt)


def decrypt_values(apps, schema_editor):
    _rewrite(apps, schema_editor, crypto.decrypt)


class Migration(migrations.Migration):
    dependencies = [("people", "0004_encrypt_third_party_fields")]
    operations = [migrations.RunPython(encrypt_values, decrypt_values)]
