from django.db import migrations

from citygrid.notify.seeds import seed_sms_templates


def seed(apps, schema_editor):
    # Idempotent: adds the directive templates (directive, directive_reminder).
    seed_sms_templates(apps.get_model("notify", "SmsTemplate"))


class Migration(migrations.Migration):
    dependencies = [("notify", "0008_directives")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
