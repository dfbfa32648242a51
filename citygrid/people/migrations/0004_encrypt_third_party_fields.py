"""Third parties' names and phones become encrypted columns; 0005 encrypts the stored values.

Two migrations, so that each runs in its own transaction: PostgreSQL refuses an ALTER TABLE
after UPDATEs of the same table in one transaction ("pending trigger events"), which is the
order the reverse of a combined migration would take.
"""

from django.db import migrations

import citygrid.core.fields


class Migration(migrations.Migration):
    dependencies = [
        ("people", "0003_populationsnapshot"),
    ]

    operations = [
        migrations.AlterField(
            model_name="atriskyouth",
            name="guardian_name",
            field=citygrid.core.fields.EncryptedCharField(
                blank=True, max_length=50, verbose_name="监护人姓名"
            ),
        ),
        migrations.AlterField(
            model_name="atriskyouth",
            name="guardian_phone",
            field=citygrid.core.fields.EncryptedCharField(
                blank=True, max_length=30, verbose_name="监护人电话"
            ),
        ),
        migrations.AlterField(
            model_name="atriskyouth",
            name="helper_name",
            field=citygrid.core.fields.EncryptedCharField(
                blank=True, max_length=50, verbose_name="帮扶（帮教）责任人"
            ),
        ),
        migrations.AlterField(
            model_name="atriskyouth",
            name="helper_phone",
            field=citygrid.core.fields.EncryptedCharField(
                blank=True, max_length=30, verbose_name="责任人电话"
            ),
        ),
        migrations.AlterField(
            model_name="disabilitydetail",
            name="certificate_number",
            field=citygrid.core.fields.EncryptedCharField(
                blank=True, max_length=30, verbose_name="残疾人证号"
            ),
        ),
        migrations.AlterField(
            model_name="druguserdetail",
            name="controller_name",
            field=citygrid.core.fields.EncryptedCharField(
                blank=True, max_length=50, verbose_name="管控人姓名"
            ),
        ),
        migrations.AlterField(
            model_name="druguserdetail",
            name="controller_phone",
            field=citygrid.core.fields.EncryptedCharField(
                blank=True, max_length=30, verbose_name="管控人电话"
            ),
        ),
        migrations.AlterField(
            model_name="floatingdetail",
            name="permit_number",
            field=citygrid.core.fields.EncryptedCharField(
                blank=True, max_length=50, verbose_name="证件号码（居住证）"
            ),
        ),
        migrations.AlterField(
            model_name="keyperson",
            name="helper_name",
            field=citygrid.core.fields.EncryptedCharField(
                blank=True, max_length=50, verbose_name="帮扶（帮教）责任人"
            ),
        ),
        migrations.AlterField(
            model_name="keyperson",
            name="helper_phone",
            field=citygrid.core.fields.EncryptedCharField(
                blank=True, max_length=30, verbose_name="责任人电话"
            ),
        ),
        migrations.AlterField(
            model_name="leftbehinddetail",
            name="family_member_name",
            field=citygrid.core.fields.EncryptedCharField(
                blank=True, max_length=50, verbose_name="主要家庭成员姓名"
            ),
        ),
        migrations.AlterField(
            model_name="leftbehinddetail",
            name="family_member_phone",
            field=citygrid.core.fields.EncryptedCharField(
                blank=True, max_length=30, verbose_name="主要家庭成员电话"
            ),
        ),
        migrations.AlterField(
            model_name="mentaldisorderdetail",
            name="guardian_name",
            field=citygrid.core.fields.EncryptedCharField(
                blank=True, max_length=50, verbose_name="监护人姓名"
            ),
        ),
        migrations.AlterField(
            model_name="mentaldisorderdetail",
            name="guardian_phone",
            field=citygrid.core.fields.EncryptedCharField(
                blank=True, max_length=30, verbose_name="监护人电话"
            ),
        ),
        migrations.AlterField(
            model_name="specialgroup",
            name="helper_name",
            field=citygrid.core.fields.EncryptedCharField(
                blank=True, max_length=50, verbose_name="帮扶（帮教）责任人"
            ),
        ),
        migrations.AlterField(
            model_name="specialgroup",
            name="helper_phone",
            field=citygrid.core.fields.EncryptedCharField(
                blank=True, max_length=30, verbose_name="责任人电话"
            ),
        ),
        migrations.AlterField(
            model_name="vulnerablegroup",
            name="guardian_name",
            field=citygrid.core.fields.EncryptedCharField(
                blank=True, max_length=50, verbose_name="监护人（联系人）姓名"
            ),
        ),
        migrations.AlterField(
            model_name="vulnerablegroup",
            name="guardian_phone",
            field=citygrid.core.fields.EncryptedCharField(
                blank=True, max_length=30, verbose_name="监护人（联系人）电话"
            ),
        ),
        migrations.AlterField(
            model_name="vulnerablegroup",
            name="helper_name",
            field=citygrid.core.fields.EncryptedCharField(
                blank=True, max_length=50, verbose_name="帮扶（帮教）责任人"
            ),
        ),
        migrations.AlterField(
            model_name="vulnerablegroup",
            name="helper_phone",
            field=citygrid.core.fields.EncryptedCharField(
                blank=True, max_length=30, verbose_name="责任人电话"
            ),
        ),
    ]
