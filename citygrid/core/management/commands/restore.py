"""`manage.py restore DIR [--yes]`: check the backup against this installation's keys and
program, restore database and files, verify the row counts (`core/backup.py`)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS

from citygrid.core import backup


class Command(BaseCommand):
    help = "从备份目录恢复数据库与上传文件，并核对行数"

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path, help="备份目录（含 manifest.json）")
        parser.add_argument(
            "--yes", action="store_true", help="目标数据库不是空库时仍然恢复（覆盖其中全部数据）"
        )
        parser.add_argument("--database", default=DEFAULT_DB_ALIAS, help="数据库别名")

    def handle(self, *args, path: Path, yes: bool, database: str, **options):
        try:
            restored = backup.restore_backup(
                path, using=database, force=yes, progress=self.stdout.write
            )
        except backup.BackupError as error:
            raise CommandError(str(error)) from error
        files = "，".join(f"{name} {count} 个" for name, count in restored.files.items())
        self.stdout.write(
            self.style.SUCCESS(
                f"恢复完成：备份时间 {restored.created}，{restored.tables} 张表共 "
                f"{restored.rows} 行，行数与备份清单一致；上传文件 {files}"
            )
        )
        for warning in restored.warnings:
            self.stdout.write(self.style.WARNING(f"注意：{warning}"))
