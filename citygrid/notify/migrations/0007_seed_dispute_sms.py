from django.db import migrations

from citygrid.notify.seeds import seed_sms_templates


def seed(apps, schema_editor):
    # Idempotent: adds the dispute templates (dispute_urgent, mediation_notice) to existing databases.
    seed_sms_templates(apps.get_model("notify", "SmsTemplate"))


class Migration(migrations.Migration):
    dependencies = [("notify", "0006_seed_case_rejected")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
