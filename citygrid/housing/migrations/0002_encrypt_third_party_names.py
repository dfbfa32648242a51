"""Owners' and landlords' names become an encrypted column; 0003 encrypts the stored values.

Two migrations, so that each runs in its own transaction (see people 0004).
"""

from django.db import migrations

import citygrid.core.fields


class Migration(migrations.Migration):
    dependencies = [
        ("housing", "0001_initial"),
    ]

    operations = [
        migrations.AlterField(
            model_name="house",
            name="owner_name",
            field=citygrid.core.fields.EncryptedCharField(
                blank=True, max_length=50, verbose_name="产权人"
            ),
        ),
        migrations.AlterField(
            model_name="rental",
            name="landlord_name",
            field=citygrid.core.fields.EncryptedCharField(max_length=50, verbose_name="房东姓名"),
        ),
    ]
