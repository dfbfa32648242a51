"""The user's phone becomes an encrypted column; 0005 encrypts the stored values.

Two migrations, so that each runs in its own transaction (see people 0004).
"""

from django.db import migrations

import citygrid.core.fields


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0003_changelog"),
    ]

    operations = [
        migrations.AlterField(
            model_name="user",
            name="phone",
            field=citygrid.core.fields.EncryptedCharField(
                blank=True, max_length=20, verbose_name="联系电话"
            ),
        ),
    ]
