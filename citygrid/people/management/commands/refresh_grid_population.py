"""`manage.py refresh_grid_population`: recount the persons per region of the 人员地图 once
(see `citygrid.people.grid_population`). The periodic run is the `refresh_grid_population` job
of `run_periodic`."""

import time

from django.core.management.base import BaseCommand

from citygrid.people import grid_population


class Command(BaseCommand):
    help = "刷新一次人员地图的分区域人数汇总"

    def handle(self, *args, **options):
        start = time.perf_counter()
        rows = grid_population.refresh()
        if rows is None:
            self.stdout.write("另一个刷新正在进行，本次未执行")
            return
        self.stdout.write(
            f"已写入 {rows} 条分区域人数汇总，用时 {time.perf_counter() - start:.1f} 秒"
        )
