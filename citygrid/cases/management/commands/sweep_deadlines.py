"""`manage.py sweep_deadlines`: one sweep of warnings, overdue reminders and escalations.

The periodic run is the `sweep_deadlines` job of `run_periodic`."""

from django.core.management.base import BaseCommand

from citygrid.cases.sweep import sweep_deadlines


class Command(BaseCommand):
    help = "扫描一次事件时限：预警、超期提醒（短信+站内）、督办单逾期升级"

    def handle(self, *args, **options):
        result = sweep_deadlines()
        self.stdout.write(
            f"预警 {result.warned} 件，超期提醒 {result.overdue} 件，"
            f"督办升级 {result.escalated_orders} 件"
        )
