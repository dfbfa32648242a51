"""`manage.py rebuild_dispute_statistics`: recompute the dispute statistics roll-up from the
disputes — after loading disputes in bulk or editing parties outside the workflow (neither
passes `rollup.count`); see `citygrid.disputes.statistics.rollup`."""

import time

from django.core.management.base import BaseCommand

from citygrid.disputes.statistics import rollup


class Command(BaseCommand):
    help = "从纠纷数据重建纠纷统计汇总表（批量导入纠纷或修改当事人后运行）"

    def handle(self, *args, **options):
        start = time.perf_counter()
        rows = rollup.rebuild()
        self.stdout.write(
            f"已重建纠纷统计汇总 {rows} 行，用时 {time.perf_counter() - start:.1f} 秒"
        )
