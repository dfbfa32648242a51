"""`manage.py backup [--output DIR]`: database, uploaded files and manifest, never the keys
(`core/backup.py`, docs/operations.md)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS

from citygrid.core import backup


class Command(BaseCommand):
    help = "备份数据库与上传文件到以时间命名的目录（附备份清单，不含密钥）"

    def add_arguments(self, parser):
        parser.add_argument(
            "--output", type=Path, default=None, help="备份存放目录（默认 var/backups）"
        )
        parser.add_argument("--database", default=DEFAULT_DB_ALIAS, help="数据库别名")

    def handle(self, *args, output: Path | None, database: str, **options):
        try:
            path = backup.create_backup(
                output or backup.default_output(), using=database, progress=self.stdout.write
            )
        except backup.BackupError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(self.style.SUCCESS(f"备份完成：{path}"))
        self.stdout.write(
            "注意：备份不含密钥，请另行妥善保管 CITYGRID_FIELD_KEYS 与 CITYGRID_INDEX_KEY"
        )
