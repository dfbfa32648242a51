"""The reporter's name becomes an encrypted column; 0010 encrypts the stored values.

Two migrations, so that each runs in its own transaction (see people 0004).
"""

from django.db import migrations

import citygrid.core.fields


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0008_private_files"),
    ]

    operations = [
        migrations.AlterField(
            model_name="case",
            name="reporter_name",
            field=citygrid.core.fields.EncryptedCharField(
                blank=True, max_length=50, verbose_name="上报人"
            ),
        ),
    ]
