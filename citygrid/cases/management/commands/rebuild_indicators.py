"""`manage.py rebuild_indicators [--since YYYY-MM-DD]`: recompute the indicator roll-up from the
case events — after loading events in bulk (which bypasses `CASES.record_event`), or to check it.

The same as the task `cases.tasks.rebuild_indicators`; see `citygrid.cases.rollup`."""

import time
from datetime import date

from django.core.management.base import BaseCommand, CommandError

from citygrid.cases import rollup


class Command(BaseCommand):
    help = "从事件记录重建事件指标汇总表（批量导入事件后运行）"

    def add_arguments(self, parser):
        parser.add_argument("--since", help="只重建该日（含）以后的数据，格式 YYYY-MM-DD")

    def handle(self, *args, since=None, **options):
        try:
            day = date.fromisoformat(since) if since else None
        except ValueError as error:
            raise CommandError("--since 须为 YYYY-MM-DD 格式的日期") from error
        start = time.perf_counter()
        rows = rollup.rebuild(since=day)
        self.stdout.write(
            f"已重建事件指标汇总 {rows} 行，用时 {time.perf_counter() - start:.1f} 秒"
        )
