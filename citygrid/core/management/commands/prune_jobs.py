"""`manage.py prune_jobs`: delete expired import and export files (personal data) once.

The periodic run is the `prune_jobs` job of `run_periodic`."""

from django.core.management.base import BaseCommand

from citygrid.core.retention import prune_export_files, prune_import_files


class Command(BaseCommand):
    help = "删除超过保留期限的导入、导出文件（含个人信息），保留任务记录"

    def handle(self, *args, **options):
        imports, exports = prune_import_files(), prune_export_files()
        self.stdout.write(f"已删除过期导入文件 {imports} 个、导出文件 {exports} 个")
