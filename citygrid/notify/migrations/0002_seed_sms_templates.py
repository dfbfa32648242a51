from django.db import migrations

from citygrid.notify.seeds import seed_sms_templates


def seed(apps, schema_editor):
    seed_sms_templates(apps.get_model("notify", "SmsTemplate"))


class Migration(migrations.Migration):
    dependencies = [("notify", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
