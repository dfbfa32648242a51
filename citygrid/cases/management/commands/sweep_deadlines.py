"""`manage.py sweep_deadlines [--every SECONDS]`: warnings, overdue reminders, escalations."""

import time

from django.core.management.base import BaseCommand

from citygrid.cases.sweep import sweep_deadlines


class Command(BaseCommand):
    help = "扫描事件时限：预警、超期提醒（短信+站内）、督办单逾期升级"

    def add_arguments(self, parser):
        parser.add_argument(
            "--every", type=int, default=0, help="每隔多少秒扫描一次（0 表示只扫描一次）"
        )

    def handle(self, *args, **options):
        while True:
            result = sweep_deadlines()
            self.stdout.write(
                f"预警 {result.warned} 件，超期提醒 {result.overdue} 件，"
                f"督办升级 {result.escalated_orders} 件"
            )
            if not options["every"]:
                return
            time.sleep(options["every"])
