"""Encrypt the values stored in clear before 0009 (reversible)."""

from django.db import migrations

from citygrid.core.migration_ops import encrypt_in_place

# The columns that held plaintext before this migration, per model.
ENCRYPTED = {"case": ["reporter_name"]}


class Migration(migrations.Migration):
    dependencies = [("cases", "0009_encrypt_reporter_name")]
    operations = [encrypt_in_place("cases", ENCRYPTED)]
