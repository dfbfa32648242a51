"""`manage.py snapshot_population [--every SECONDS]`: refresh the population statistics
snapshots of the city, county and township regions (see `citygrid.people.stats.snapshots`)."""

import logging
import time

from django.core.management.base import BaseCommand
from django.db import close_old_connections

from citygrid.people.stats.snapshots import refresh_levels

logger = logging.getLogger(__name__)


class Command(BaseCommand):
    help = "刷新市、区县、街道乡镇的人口统计快照"

    def add_arguments(self, parser):
        parser.add_argument(
            "--every", type=int, default=0, help="每隔多少秒刷新一次（0 表示只刷新一次）"
        )

    def handle(self, *args, **options):
        while True:
            start = time.perf_counter()
            try:
                done = refresh_levels()
            except Exception:
                if not options["every"]:
                    raise
                # A failed round (database restarting …) must not stop the job: pages compute
                # live meanwhile, and the next round tries again.
                logger.exception("人口统计快照刷新失败")
            else:
                slowest = max(done, key=lambda s: s.seconds, default=None)
                detail = (
                    f"，最慢 {slowest.data['region']} {slowest.seconds:.1f} 秒" if slowest else ""
                )
                self.stdout.write(
                    f"已刷新 {len(done)} 个区域的人口统计快照，"
                    f"用时 {time.perf_counter() - start:.1f} 秒{detail}"
                )
            if not options["every"]:
                return
            time.sleep(options["every"])
            close_old_connections()  # a connection broken since the last round is replaced
