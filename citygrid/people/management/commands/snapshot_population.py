"""`manage.py snapshot_population`: refresh the population statistics snapshots of the city,
county and township regions once (see `citygrid.people.stats.snapshots`).

The periodic run is the `snapshot_population` job of `run_periodic`."""

import time

from django.core.management.base import BaseCommand

from citygrid.people.stats.snapshots import refresh_levels


class Command(BaseCommand):
    help = "刷新一次市、区县、街道乡镇的人口统计快照"

    def handle(self, *args, **options):
        start = time.perf_counter()
        done = refresh_levels()
        slowest = max(done, key=lambda s: s.seconds, default=None)
        detail = f"，最慢 {slowest.data['region']} {slowest.seconds:.1f} 秒" if slowest else ""
        self.stdout.write(
            f"已刷新 {len(done)} 个区域的人口统计快照，"
            f"用时 {time.perf_counter() - start:.1f} 秒{detail}"
        )
