"""`manage.py create_admin USERNAME`: the first administrator of a new installation.

Users are change-logged, so Django's `createsuperuser` (which saves around the write path) is
refused by the write guard; this writes through `core.records` as the system, with the
password policy of every other password. The password is asked twice on a terminal, or read
from the environment variable `CITYGRID_ADMIN_PASSWORD` with `--no-input` (a deployment
script) — never from the command line, where it would stay in the shell history and `ps`.
"""

import getpass
import os

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from citygrid.accounts.models import User
from citygrid.core import records

PASSWORD_ENV = "CITYGRID_ADMIN_PASSWORD"


class Command(BaseCommand):
    help = "创建系统的第一个超级管理员（经统一写入路径，留有变更记录）"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username", help="管理员用户名")
        parser.add_argument(
            "--no-input",
            action="store_true",
            help=f"不询问密码，从环境变量 {PASSWORD_ENV} 读取",
        )

    def handle(self, *args, username: str, no_input: bool, **options) -> None:
        username = username.strip()
        if not username:
            raise CommandError("用户名不能为空")
        if User.objects.filter(username=username).exists():
            raise CommandError(f"用户名“{username}”已存在")
        user = User(username=username, is_superuser=True, is_staff=True)
        password = self._password(no_input)
        try:
            validate_password(password, user)
        except ValidationError as exc:
            raise CommandError("密码不符合要求：" + "；".join(exc.messages)) from None
        user.set_password(password)
        try:
            records.save_record(user, actor=None)
        except ValidationError as exc:
            raise CommandError("；".join(exc.messages)) from None
        self.stdout.write(self.style.SUCCESS(f"已创建超级管理员：{username}"))

    def _password(self, no_input: bool) -> str:
        if no_input:
            password = os.environ.get(PASSWORD_ENV, "")
            if not password:
                raise CommandError(f"使用 --no-input 时须设置环境变量 {PASSWORD_ENV}")
            return password
        first = getpass.getpass("密码：")
        if getpass.getpass("再次输入密码：") != first:
            raise CommandError("两次输入的密码不一致")
        return first
