from django.db import migrations

from citygrid.notify.seeds import seed_sms_templates


def seed(apps, schema_editor):
    # Idempotent: adds the citizen templates (case_received, case_closed) to existing databases.
    seed_sms_templates(apps.get_model("notify", "SmsTemplate"))


class Migration(migrations.Migration):
    dependencies = [("notify", "0004_smsmessage_secret_params")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
