from django.db import migrations

from citygrid.notify.seeds import seed_sms_templates


def seed(apps, schema_editor):
    # Idempotent: adds the 不予受理 template (case_rejected) to existing databases.
    seed_sms_templates(apps.get_model("notify", "SmsTemplate"))


class Migration(migrations.Migration):
    dependencies = [("notify", "0005_seed_citizen_sms_citizens")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
