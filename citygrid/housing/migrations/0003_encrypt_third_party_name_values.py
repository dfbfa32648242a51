"""Encrypt the values stored in clear before 0002 (reversible)."""

from django.db import migrations

from citygrid.core.migration_ops import encrypt_in_place

# The columns that held plaintext before this migration, per model.
ENCRYPTED = {"house": ["owner_name"], "rental": ["landlord_name"]}


class Migration(migrations.Migration):
    dependencies = [("housing", "0002_encrypt_third_party_names")]
    operations = [encrypt_in_place("housing", ENCRYPTED)]
