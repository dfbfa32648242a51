"""`manage.py prune_imports [--every SECONDS]`: delete expired import files (personal data)."""

import time

from django.core.management.base import BaseCommand

from citygrid.core.retention import prune_import_files


class Command(BaseCommand):
    help = "删除超过保留期限的导入文件（含个人信息），保留导入任务记录"

    def add_arguments(self, parser):
        parser.add_argument(
            "--every", type=int, default=0, help="每隔多少秒执行一次（0 表示只执行一次）"
        )

    def handle(self, *args, **options):
        while True:
            self.stdout.write(f"已删除过期导入文件 {prune_import_files()} 个")
            if not options["every"]:
                return
            time.sleep(options["every"])
