"""The held report's reporter name becomes an encrypted column; 0005 encrypts the stored values.

Two migrations, so that each runs in its own transaction (see people 0004).
"""

from django.db import migrations

import citygrid.core.fields


class Migration(migrations.Migration):
    dependencies = [
        ("portal", "0003_private_files"),
    ]

    operations = [
        migrations.AlterField(
            model_name="heldreport",
            name="reporter_name",
            field=citygrid.core.fields.EncryptedCharField(
                blank=True, max_length=50, verbose_name="上报人"
            ),
        ),
    ]
