"""Encrypt the values stored in clear before 0004 (reversible)."""

from django.db import migrations

from citygrid.core.migration_ops import encrypt_in_place

# The columns that held plaintext before this migration, per model.
ENCRYPTED = {"heldreport": ["reporter_name"]}


class Migration(migrations.Migration):
    dependencies = [("portal", "0004_encrypt_reporter_name")]
    operations = [encrypt_in_place("portal", ENCRYPTED)]
