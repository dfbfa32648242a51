"""`manage.py seed_demo`: load the fictitious demo city, its grid workers, demo accounts and a
history of demo cases and disputes driven through the real workflows."""

import random
import time
from dataclasses import replace
from datetime import date

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection, transaction

from citygrid.cases.choices import CaseState
from citygrid.core import writeguard
from citygrid.demo import resume
from citygrid.demo.basemap import seed_basemap
from citygrid.demo.cases import generate_demo_cases
from citygrid.demo.directives import generate_demo_directives
from citygrid.demo.disputes import DEFAULT_DISPUTES, generate_demo_disputes
from citygrid.demo.exchange import generate_demo_exchange
from citygrid.demo.neworgs import seed_neworgs
from citygrid.demo.neworgs_reports import generate_demo_monthly_reports
from citygrid.demo.neworgs_reports import summary as reports_summary
from citygrid.demo.people import DEFAULT_PEOPLE, generate_demo_people
from citygrid.demo.progress import ProgressLines
from citygrid.demo.regions import (
    CITY_CODE,
    DEFAULT_SEED,
    DemoSize,
    create_demo_accounts,
    generate_demo_city,
)
from citygrid.demo.resume import ResumeMismatch
from citygrid.demo.tasks import create_demo_patrols
from citygrid.demo.teams import generate_demo_teams
from citygrid.demo.units import generate_demo_units
from citygrid.demo.villages import create_village_groups
from citygrid.disputes.choices import DisputeState
from citygrid.notify.choices import ReceiptState
from citygrid.people.choices import Category, ResidenceType
from citygrid.regions.choices import RegionLevel
from citygrid.regions.models import Region


class Command(BaseCommand):
    help = (
        "生成演示城市（区县、街道、社区、网格、网格员）、演示账号、演示事件和矛盾纠纷，"
        "仅在演示模式下可用"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help="随机种子")
        parser.add_argument(
            "--people",
            type=int,
            default=DEFAULT_PEOPLE,
            help=(
                f"实有人口数量（连同房屋、出租屋和各类人群；0 表示不生成，默认 {DEFAULT_PEOPLE}）；"
                "超过一百万时区县、街道、社区和网格随人口增多；"
                "分批提交，中断后用同样参数重新运行即从断点继续"
            ),
        )
        parser.add_argument("--if-empty", action="store_true", help="已有任何区域数据时什么也不做")
        parser.add_argument("--grids-per-community-min", type=int, default=None)
        parser.add_argument("--grids-per-community-max", type=int, default=None)
        parser.add_argument(
            "--cases", type=int, default=2000, help="演示事件数量（近120天，0 表示不生成）"
        )
        parser.add_argument(
            "--disputes",
            type=int,
            default=DEFAULT_DISPUTES,
            help=f"演示矛盾纠纷数量（近120天，0 表示不生成，默认 {DEFAULT_DISPUTES}）",
        )

    def handle(self, *args, **options) -> None:
        if not settings.DEMO_MODE:
            raise CommandError(
                "演示模式未开启（CITYGRID_DEMO=0），不能生成演示数据。\n"
                "Demo mode is off (CITYGRID_DEMO=0): refusing to generate demo data."
            )
        size = DemoSize.for_people(options["people"])
        low = options["grids_per_community_min"] or size.grids[0]
        high = options["grids_per_community_max"] or max(low, size.grids[1])
        if not 1 <= low <= high <= 999:
            raise CommandError("每个社区的网格数应满足 1 ≤ 最小值 ≤ 最大值 ≤ 999")
        if options["cases"] < 0:
            raise CommandError("演示事件数量不能为负数")
        if options["disputes"] < 0:
            raise CommandError("演示矛盾纠纷数量不能为负数")
        if options["people"] < 0:
            raise CommandError("实有人口数量不能为负数")
        unfinished = resume.unfinished(CITY_CODE)
        if unfinished is None and options["if_empty"] and Region.objects.exists():
            self.stdout.write("已有区域数据，跳过演示数据生成。")
            seed_basemap(
                Region.objects.filter(code=CITY_CODE).first(), self.stdout, only_missing=True
            )
            return
        started = time.monotonic()
        city = Region.objects.filter(code=CITY_CODE).first()
        done_before = 0
        if city is None:
            city = self._city(options, replace(size, grids=(low, high)))
        elif unfinished is None:
            raise CommandError(
                f"演示城市（代码 {CITY_CODE}）已存在；请使用空数据库，或加 --if-empty。"
            )
        else:
            done_before = unfinished.persons
            self.stdout.write(
                f"继续上次未完成的人口生成：已提交 {done_before}/{unfinished.target} 人"
            )
        if options["people"]:
            try:
                people = generate_demo_people(
                    city,
                    seed=options["seed"],
                    count=options["people"],
                    progress=ProgressLines(self.stdout, "已生成人口", done_before),
                )
            except ResumeMismatch as exc:
                raise CommandError(str(exc)) from None
            self._people_summary(people)
        seed_basemap(city, self.stdout)
        if connection.vendor == "postgresql":
            # Fresh statistics: a planner that believes the tables are still empty picks plans
            # a hundred times slower (the map's houses: 500 ms instead of 10 ms at 1 M people).
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        elapsed = time.monotonic() - started
        self.stdout.write(f"  总用时 {elapsed:.1f} 秒，随机种子 {options['seed']}")

    def _city(self, options, size: DemoSize) -> Region:
        """City, accounts and cases in one transaction; people follow in their own batches."""
        started = time.monotonic()
        # Demo generation is the documented escape from the write path: a city's past written
        # directly, with no change history stamped "now, by nobody".
        with transaction.atomic(), writeguard.unlogged():
            result = generate_demo_city(options["seed"], size)
            village_groups = create_village_groups(result.city)
            accounts = create_demo_accounts(result.city)
            patrols = create_demo_patrols(options["seed"])
            city_elapsed = time.monotonic() - started
            cases = None
            if options["cases"]:
                cases = generate_demo_cases(
                    result.city,
                    seed=options["seed"],
                    count=options["cases"],
                    progress=lambda done, total: self.stdout.write(f"  已生成事件 {done}/{total}"),
                )
            disputes = None
            if options["disputes"]:
                disputes = generate_demo_disputes(
                    result.city,
                    seed=options["seed"],
                    count=options["disputes"],
                    progress=lambda done, total: self.stdout.write(
                        f"  已生成矛盾纠纷 {done}/{total}"
                    ),
                )
            organisations = self._organisations(result.city, options["seed"])
            if options["people"]:
                # Marks the city as unfinished until its last batch of people is committed.
                resume.open_run(
                    CITY_CODE, options["seed"], options["people"], date.today(), restart=True
                )
        counts = result.counts
        self.stdout.write(self.style.SUCCESS(f"已生成演示城市：{result.city.name}（{CITY_CODE}）"))
        for level in (
            RegionLevel.COUNTY,
            RegionLevel.TOWNSHIP,
            RegionLevel.COMMUNITY,
            RegionLevel.GRID,
        ):
            self.stdout.write(f"  {level.label}：{counts[level]} 个")
        self.stdout.write(f"  村小组：{village_groups} 个")
        self.stdout.write(f"  网格员（含巡查员、监督员）：{result.workers} 人")
        self.stdout.write(f"  演示账号：{len(accounts)} 个（manage.py demo_accounts 查看）")
        self.stdout.write(f"  网格员巡查任务：{patrols} 个")
        self.stdout.write(f"  城市与账号用时 {city_elapsed:.1f} 秒")
        if cases is not None:
            self._cases_summary(cases)
        if disputes is not None:
            self._disputes_summary(disputes)
        for line in organisations:
            self.stdout.write(f"  {line}")
        return result.city

    def _organisations(self, city: Region, seed: int) -> list[str]:
        """The teams tree, social units, new organisations with three months of reports,
        directives and the online exchange; each step on its own stream of the seed, so that
        one growing does not reshuffle the others. Returns the summary lines."""
        today = date.today()
        units = generate_demo_units(city, random.Random(f"{seed}-units"), today=today)
        orgs = seed_neworgs(city, random.Random(f"{seed}-neworgs"), today=today)
        reports = generate_demo_monthly_reports(random.Random(f"{seed}-reports"))
        teams = generate_demo_teams(city, rng=random.Random(f"{seed}-teams"))
        directives = generate_demo_directives(random.Random(f"{seed}-directives"))
        exchange = generate_demo_exchange(city, seed=seed)
        return [
            f"机构队伍：机构 {teams.units} 个、成员 {teams.members} 人、档案记录 "
            f"{teams.staff_records} 条",
            f"社会单位：{units.units} 个，证照 {units.licences} 件（即将到期或已过期 "
            f"{units.expiring} 件）",
            f"两新组织：{orgs.organisations} 个（已注销 {orgs.closed} 个），工作制度 "
            f"{orgs.regulations} 项、工作情况 {orgs.work_records} 条",
            reports_summary(reports),
            f"指令签收记录：{directives['total']} 条（"
            + "、".join(f"{state.label} {directives[state.value]}" for state in ReceiptState)
            + f"，短信发送失败 {directives['sms_failed']}）",
            f"在线交流：{exchange.boards} 个版块、{exchange.topics} 个主题、"
            f"{exchange.replies} 条回复",
        ]

    def _cases_summary(self, cases) -> None:
        states = "、".join(f"{CaseState(state).label} {n}" for state, n in cases.by_state.items())
        self.stdout.write(f"  演示事件：{cases.created} 条（{states}）")
        self.stdout.write(
            f"  其中超期处置 {cases.late}、返工 {cases.reworked}、延期 {cases.extended}、"
            f"退回改派 {cases.returned}、上报上级 {cases.escalated}、挂账 {cases.suspended}、"
            f"已评价 {cases.evaluated}、督办单 {cases.supervision_orders}、"
            f"当前超期 {cases.overdue_open}"
        )
        self.stdout.write(
            f"  处置部门 {cases.departments} 个、派遣规则 {cases.dispatch_rules} 条，"
            f"事件生成用时 {cases.seconds:.1f} 秒"
        )

    def _disputes_summary(self, disputes) -> None:
        states = "、".join(
            f"{DisputeState(state).label} {n}" for state, n in disputes.by_state.items()
        )
        self.stdout.write(f"  演示矛盾纠纷：{disputes.created} 件（{states}）")
        self.stdout.write(
            f"  其中紧急上报 {disputes.urgent}、超期 {disputes.late}、督办单 "
            f"{disputes.supervision_orders}、退回重新分流 {disputes.returned}、核查未通过 "
            f"{disputes.verify_failed}、调解协议 {disputes.resolved}、调解安排 "
            f"{disputes.sessions}、回访 {disputes.follow_ups}"
        )
        self.stdout.write(
            f"  纠纷类别 {disputes.categories} 类、承办单位 {disputes.departments} 个，"
            f"纠纷生成用时 {disputes.seconds:.1f} 秒"
        )

    def _people_summary(self, people) -> None:
        types = "、".join(
            f"{ResidenceType(kind).label} {n}" for kind, n in sorted(people.by_type.items())
        )
        self.stdout.write(f"  实有人口：{people.persons} 人（{types}），{people.households} 户")
        self.stdout.write(
            f"  小区 {people.estates} 个、楼栋 {people.buildings} 栋、房屋 {people.houses} 套"
            f"（出租屋 {people.rentals} 套）、人房关联 {people.residencies} 条"
        )
        categories = "、".join(
            f"{Category(key).label} {n}" for key, n in people.by_category.items()
        )
        self.stdout.write(f"  重点人群：{categories}")
        self.stdout.write(f"  出租屋等隐患检查：{people.hazard_checks} 次")
        self.stdout.write(
            f"  帮扶记录 {people.care_records} 条（逾期未帮扶 {people.overdue_care}），"
            f"人口生成用时 {people.seconds:.1f} 秒"
        )
