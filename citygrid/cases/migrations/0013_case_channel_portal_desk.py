"""A citizen's own report gets the channel `portal` (群众上报) instead of `web` (平台登记).

Before, the portal filed its cases as `web`, the channel of staff registering a call on the
desk. The two can be told apart in stored data: a desk registration has a staff reporter and its
`report` event names that person; a portal case has neither — the event's actor is the system.
(A desk case whose reporter's account was deleted keeps the person's name on its event, so it
stays `web`.) WeChat and Open311 always filed under their own channels.
"""

from django.db import migrations, models

SYSTEM_ACTOR = "系统"  # `CASES.record_event` names a report without a staff actor so


def portal_cases(apps, schema_editor):
    Case = apps.get_model("cases", "Case")
    CaseEvent = apps.get_model("cases", "CaseEvent")
    by_citizens = CaseEvent.objects.filter(
        action="report", actor__isnull=True, actor_name=SYSTEM_ACTOR
    ).values("case_id")
    Case.objects.filter(channel="web", reporter__isnull=True, pk__in=by_citizens).update(
        channel="portal"
    )


def web_cases(apps, schema_editor):
    Case = apps.get_model("cases", "Case")
    Case.objects.filter(channel="portal").update(channel="web")


class Migration(migrations.Migration):
    dependencies = [("cases", "0012_indicator_rollup")]

    operations = [
        migrations.AlterField(
            model_name="case",
            name="channel",
            field=models.CharField(
                choices=[
                    ("grid_app", "网格员上报"),
                    ("inspector", "监督员上报"),
                    ("web", "平台登记"),
                    ("portal", "群众上报"),
                    ("hotline", "热线电话"),
                    ("wechat", "微信"),
                    ("open311", "Open311"),
                    ("video", "视频发现"),
                ],
                db_index=True,
                max_length=20,
                verbose_name="来源",
            ),
        ),
        migrations.RunPython(portal_cases, web_cases),
    ]
