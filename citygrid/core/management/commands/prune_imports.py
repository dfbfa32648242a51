"""`manage.py prune_imports`: delete expired import files (personal data) once.

The periodic run is the `prune_imports` job of `run_periodic`."""

from django.core.management.base import BaseCommand

from citygrid.core.retention import prune_import_files


class Command(BaseCommand):
    help = "删除超过保留期限的导入文件（含个人信息），保留导入任务记录"

    def handle(self, *args, **options):
        self.stdout.write(f"已删除过期导入文件 {prune_import_files()} 个")
