"""`manage.py demo_accounts`: the demo logins, printed by `make run` so a trial can start."""

import unicodedata

from django.conf import settings
from django.core.management.base import BaseCommand

from citygrid.demo.accounts import demo_account_rows
from citygrid.demo.regions import DEMO_PASSWORD


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _pad(text: str, width: int) -> str:
    """Left-justify by display width: a Chinese character takes two terminal columns."""
    return text + " " * (width - _width(text))


class Command(BaseCommand):
    help = "列出演示账号及其角色、管辖区域和密码（仅演示模式）"

    def handle(self, *args, **options) -> None:
        if not settings.DEMO_MODE:
            self.stderr.write("演示模式未开启，不显示演示账号。")
            return
        rows = [("用户名", "角色", "管辖区域", "部门/岗位")]
        rows += [(r.username, r.role, r.scope, r.posts) for r in demo_account_rows()]
        if len(rows) == 1:
            self.stdout.write("尚未创建演示账号，请先运行 manage.py seed_demo。")
            return
        widths = [max(_width(row[i]) for row in rows) for i in range(len(rows[0]))]
        self.stdout.write("演示账号：")
        for row in rows:
            line = "  ".join(_pad(cell, w) for cell, w in zip(row, widths, strict=True))
            self.stdout.write(f"  {line}".rstrip())
        self.stdout.write(f"统一密码：{DEMO_PASSWORD}")
