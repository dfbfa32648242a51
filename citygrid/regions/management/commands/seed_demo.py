"""`manage.py seed_demo`: load the fictitious demo city, its grid workers and demo accounts."""

import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from citygrid.regions.choices import RegionLevel
from citygrid.regions.demo import (
    CITY_CODE,
    DEFAULT_SEED,
    DemoSize,
    create_demo_accounts,
    generate_demo_city,
)
from citygrid.regions.models import Region


class Command(BaseCommand):
    help = "生成演示城市（区县、街道、社区、网格、网格员）和演示账号，仅在演示模式下可用"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help="随机种子")
        parser.add_argument(
            "--people", type=int, default=0, help="实有人口数量（人口模块尚未建设，暂不生成）"
        )
        parser.add_argument("--if-empty", action="store_true", help="已有任何区域数据时什么也不做")
        parser.add_argument("--grids-per-community-min", type=int, default=DemoSize.grids[0])
        parser.add_argument("--grids-per-community-max", type=int, default=DemoSize.grids[1])

    def handle(self, *args, **options) -> None:
        if not settings.DEMO_MODE:
            raise CommandError(
                "演示模式未开启（CITYGRID_DEMO=0），不能生成演示数据。\n"
                "Demo mode is off (CITYGRID_DEMO=0): refusing to generate demo data."
            )
        low, high = options["grids_per_community_min"], options["grids_per_community_max"]
        if not 1 <= low <= high <= 999:
            raise CommandError("每个社区的网格数应满足 1 ≤ 最小值 ≤ 最大值 ≤ 999")
        if options["if_empty"] and Region.objects.exists():
            self.stdout.write("已有区域数据，跳过演示数据生成。")
            return
        if Region.objects.filter(code=CITY_CODE).exists():
            raise CommandError(
                f"演示城市（代码 {CITY_CODE}）已存在；请使用空数据库，或加 --if-empty。"
            )

        started = time.monotonic()
        with transaction.atomic():
            result = generate_demo_city(options["seed"], DemoSize(grids=(low, high)))
            accounts = create_demo_accounts(result.city)
        elapsed = time.monotonic() - started

        counts = result.counts
        self.stdout.write(self.style.SUCCESS(f"已生成演示城市：{result.city.name}（{CITY_CODE}）"))
        for level in (
            RegionLevel.COUNTY,
            RegionLevel.TOWNSHIP,
            RegionLevel.COMMUNITY,
            RegionLevel.GRID,
        ):
            self.stdout.write(f"  {level.label}：{counts[level]} 个")
        self.stdout.write(f"  网格员（含巡查员、监督员）：{result.workers} 人")
        self.stdout.write(f"  演示账号：{len(accounts)} 个（manage.py demo_accounts 查看）")
        if options["people"] > 0:
            self.stdout.write("  实有人口：0 人（人口模块尚未建设，暂不生成）")
        self.stdout.write(f"  用时 {elapsed:.1f} 秒，随机种子 {options['seed']}")
