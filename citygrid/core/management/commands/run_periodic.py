"""`manage.py run_periodic [--tick SECONDS] [--rounds N]`: the scheduler of the periodic jobs
(`settings.PERIODIC_JOBS`, see `citygrid.core.periodic`). It only queues tasks; `db_worker`
runs them. Several may run at once (one per node): each slot is still queued once."""

import logging
import time

from django.core.management.base import BaseCommand
from django.db import close_old_connections

from citygrid.core import periodic

logger = logging.getLogger(__name__)


class Command(BaseCommand):
    help = (
        "定时任务调度：到期的任务（时限扫描、清理导入导出文件、人口统计快照、回收中断的导入导出任务）"
        "交给任务队列执行"
    )

    def add_arguments(self, parser):
        parser.add_argument("--tick", type=float, default=5, help="每隔多少秒检查一次（默认 5）")
        parser.add_argument(
            "--rounds", type=int, default=0, help="检查多少轮后退出（0 表示一直运行）"
        )

    def handle(self, *args, tick, rounds, **options):
        done = 0
        while True:
            # A connection broken since the last round (database restarted) is replaced.
            close_old_connections()
            try:
                queued = periodic.run_due()
            except Exception:
                # The database is down or restarting: this round is lost, the schedule is not.
                logger.exception("定时任务调度失败，%s 秒后重试", tick)
            else:
                for name in queued:
                    self.stdout.write(f"已排队：{name}")
            done += 1
            if done == rounds:
                return
            time.sleep(tick)
