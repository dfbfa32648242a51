"""Encrypt the third-party names and phones stored in clear before 0004 (reversible)."""

from django.db import migrations

from citygrid.core.migration_ops import encrypt_in_place

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


class Migration(migrations.Migration):
    dependencies = [("people", "0004_encrypt_third_party_fields")]
    operations = [encrypt_in_place("people", ENCRYPTED)]
