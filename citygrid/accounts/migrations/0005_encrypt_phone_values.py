"""Encrypt the values stored in clear before 0004 (reversible)."""

from django.db import migrations

from citygrid.core.migration_ops import encrypt_in_place

# The columns that held plaintext before this migration, per model.
ENCRYPTED = {"user": ["phone"]}


class Migration(migrations.Migration):
    dependencies = [("accounts", "0004_encrypt_phone")]
    operations = [encrypt_in_place("accounts", ENCRYPTED)]
