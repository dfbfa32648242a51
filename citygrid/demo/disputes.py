"""Demo disputes (矛盾纠纷) for the demo city: the handling bodies and a few hundred disputes over
the same months as the demo cases, driven through the real dispute workflow.

Every dispute is registered by `disputes.intake.register_dispute` and moved by the action
functions of `disputes/actions.py` (and `cases.supervision.answer_supervision`) with simulated
`now=` times, so its events, step clocks, urgent report, mediation sessions, 督办单 and follow-ups
are exactly what the workflow writes for a real one; only times and content are invented. Like
the case history (`demo/cases.py`) it is written muted (no notice or SMS about the past) and
without change-log rows, and it follows from `random.Random(seed)` and `now` alone.

Titles, descriptions, minutes and agreement terms name the parties by their side (申请人、被申请人)
only: the parties' names and phones live in the sealed party rows, never in plain text.
"""

from __future__ import annotations

import contextlib
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal

import shapely
from django.db import reset_queries, transaction
from django.db.models import Count, F, Max, OuterRef, Subquery
from django.utils import timezone
from faker import Faker
from shapely.geometry import shape

from citygrid.accounts.models import User
from citygrid.cases import notifications, supervision
from citygrid.cases.calendar import WorkCalendar
from citygrid.cases.choices import SupervisionLevel
from citygrid.cases.models import Department, SupervisionOrder
from citygrid.core import writeguard
from citygrid.core.models import VersionStamp
from citygrid.demo.cases import DAYS
from citygrid.disputes import actions
from citygrid.disputes.choices import (
    DisputeLevel,
    DisputeState,
    IntakeSource,
    Outcome,
    PartyKind,
    PartySide,
    Referral,
    ReportKind,
)
from citygrid.disputes.intake import Party, Registration, register_dispute
from citygrid.disputes.models import (
    Dispute,
    DisputeEvent,
    DisputeParty,
    FollowUp,
    MediationAgreement,
    MediationSession,
)
from citygrid.disputes.reports import compile_reports
from citygrid.regions.choices import RegionLevel
from citygrid.regions.models import Region

DEFAULT_DISPUTES = 200
OPEN_SHARE = 0.2  # the most recent disputes left open, spread over the open states
LATE_OPEN_SHARE = 0.03  # older disputes still in mediation past their deadline, supervised
RETURNED = 0.06  # referred to the wrong body first, which returns it
LATE = 0.08  # concluded after the referral's deadline
SUPERVISED_LATE = 0.5  # of the late ones: a 督办单, answered before the outcome
VERIFY_FAILED = 0.08  # the outcome check fails once at some level; mediated again
FOLLOW_UP = 0.4  # of the archived ones: a return visit scheduled
FIRST_COMMUNITY_SHARE = 0.15  # where the demo accounts of all three verifying levels work
FIRST_TOWNSHIP_SHARE = 0.15  # the rest of the first township (legal_officer's 司法所)
OUTCOMES = {Outcome.RESOLVED: 75, Outcome.UNRESOLVED: 18, Outcome.WITHDRAWN: 7}
LEVELS = {DisputeLevel.ORDINARY: 80, DisputeLevel.SIGNIFICANT: 14, DisputeLevel.MAJOR: 6}
SOURCES = {
    IntakeSource.GRID_WORKER: 40,
    IntakeSource.COMMUNITY: 25,
    IntakeSource.TOWNSHIP: 15,
    IntakeSource.CENTRE: 15,
    IntakeSource.DEPARTMENT: 5,
}
# Where the recent open disputes stop, oldest first: an older one has had time to go further.
OPEN_STOPS = (
    DisputeState.VERIFIED,
    DisputeState.REPORTED_BACK,
    DisputeState.MEDIATING,
    DisputeState.MEDIATING,
    DisputeState.DISPATCHED,
    DisputeState.ASSESSED,
    DisputeState.COLLECTED,
)

# --- Handling bodies -----------------------------------------------------------------------------

# (code suffix, name suffix) at each township and each county; a department's code is its
# region's code and the suffix, its name the region's name and the suffix.
TOWNSHIP_BODIES = (("SFS", "司法所"), ("TJW", "人民调解委员会"))
COUNTY_BODIES = (
    ("RSJ", "人社局（劳动争议调解仲裁）"),
    ("XFJ", "信访局"),
    ("ZJJ", "住建局"),
    ("WJJ", "卫健局（医疗纠纷调解）"),
    ("SCJG", "市场监管局"),
)
TOWNSHIP_SUFFIXES = {suffix for suffix, _ in TOWNSHIP_BODIES}
LEGAL_OFFICER_BODY = "SFS"  # the demo account legal_officer mediates in the first township's

# --- What disputes are about ---------------------------------------------------------------------


@dataclass(frozen=True)
class Kind:
    weight: float
    body: str  # code suffix of the handling body
    titles: tuple[str, ...]
    details: tuple[str, ...]
    people: tuple[int, int]
    amount: tuple[int, int] | None  # yuan; None: no money at stake
    respondent: str = PartyKind.PERSON
    risks: tuple[str, ...] = ()  # the risk flags this kind may carry


PETITION, MASS, CRIMINAL = "risk_petition", "risk_mass_incident", "risk_criminal"
KINDS: dict[str, Kind] = {
    "01": Kind(
        2,
        "XFJ",
        ("征地补偿款分配纠纷", "房屋征收安置纠纷"),
        (
            "村民对征地补偿款分配方案有异议，多次到村委会反映",
            "被征收户对安置房面积和过渡费标准不满",
        ),
        (5, 40),
        (50_000, 2_000_000),
        PartyKind.ORGANISATION,
        (PETITION, MASS),
    ),
    "02": Kind(
        1,
        "RSJ",
        ("企业改制职工安置纠纷",),
        ("企业改制后部分职工对身份置换补偿和社保接续有异议",),
        (10, 80),
        (100_000, 3_000_000),
        PartyKind.ORGANISATION,
        (PETITION, MASS),
    ),
    "03": Kind(
        6,
        "RSJ",
        ("劳动合同解除经济补偿纠纷", "工伤待遇纠纷", "加班费争议"),
        (
            "申请人称单位违法解除劳动合同，要求支付经济补偿",
            "申请人工作中受伤，与单位就工伤待遇协商未果",
        ),
        (1, 5),
        (5_000, 80_000),
        PartyKind.ORGANISATION,
    ),
    "04": Kind(
        2,
        "WJJ",
        ("医疗损害赔偿纠纷", "医疗费用争议"),
        ("患者家属认为诊疗存在过错，要求医院赔偿", "患者对住院费用明细有异议，拒绝结算"),
        (2, 6),
        (20_000, 300_000),
        PartyKind.ORGANISATION,
        (PETITION, CRIMINAL),
    ),
    "05": Kind(
        5,
        "RSJ",
        ("拖欠农民工工资纠纷", "工程款拖欠致欠薪纠纷"),
        ("{n}名务工人员反映施工方拖欠工资", "分包方称总包未付工程款，无法发放工人工资"),
        (5, 60),
        (20_000, 800_000),
        PartyKind.ORGANISATION,
        (MASS, PETITION),
    ),
    "06": Kind(
        2,
        "SFS",
        ("土地承包经营权纠纷", "承包地流转租金纠纷"),
        ("双方对承包地四至界线各执一词", "流转方未按约支付土地租金"),
        (2, 8),
        (2_000, 50_000),
        risks=(PETITION,),
    ),
    "07": Kind(
        6,
        "ZJJ",
        ("物业服务质量纠纷", "物业费收缴纠纷", "公共收益分配纠纷"),
        ("业主认为物业服务不到位，集体拒交物业费", "小区电梯长期故障，业主与物业公司协商未果"),
        (10, 120),
        (5_000, 200_000),
        PartyKind.ORGANISATION,
        (MASS,),
    ),
    "08": Kind(
        4,
        "SCJG",
        ("预付卡退费纠纷", "商品质量退换货纠纷"),
        ("商家停业，预付卡余额无法使用，消费者要求退款", "所购商品存在质量问题，商家拒绝退换"),
        (1, 10),
        (500, 30_000),
        PartyKind.ORGANISATION,
    ),
    "09": Kind(
        6,
        "TJW",
        ("赡养费用分担纠纷", "离婚后子女抚养纠纷", "家庭矛盾纠纷"),
        ("老人子女就赡养费分担意见不一", "双方离婚后就子女探视和抚养费产生矛盾"),
        (2, 6),
        None,
        risks=(CRIMINAL,),
    ),
    "10": Kind(
        3,
        "SFS",
        ("房产继承分割纠纷", "遗产分配纠纷"),
        ("兄弟姐妹就父母遗留房产的分割意见不一",),
        (2, 7),
        (100_000, 1_500_000),
    ),
    "11": Kind(
        10,
        "TJW",
        ("邻里漏水纠纷", "邻里噪声纠纷", "楼道堆物纠纷", "相邻通行纠纷"),
        (
            "楼上漏水致楼下墙面受损，双方就赔偿协商未果",
            "楼上住户夜间噪声较大，多次沟通无果",
            "邻居在楼道长期堆放杂物，影响通行和消防安全",
        ),
        (2, 4),
        (500, 20_000),
        risks=(CRIMINAL,),
    ),
    "12": Kind(
        4,
        "SFS",
        ("宅基地边界纠纷", "房屋租赁押金纠纷"),
        ("双方就宅基地界址和围墙位置发生争执", "租期届满后房东拒不退还押金"),
        (2, 6),
        (2_000, 60_000),
        risks=(CRIMINAL,),
    ),
    "13": Kind(
        5,
        "TJW",
        ("交通事故损害赔偿纠纷", "宠物伤人赔偿纠纷"),
        (
            "双方就交通事故医疗费、误工费的赔偿数额分歧较大",
            "申请人被被申请人饲养的犬只咬伤，要求赔偿",
        ),
        (2, 4),
        (2_000, 120_000),
    ),
    "14": Kind(
        4,
        "SFS",
        ("装修合同纠纷", "买卖合同货款纠纷"),
        ("装修工程质量存在问题，业主拒付尾款", "被申请人收货后拖欠货款"),
        (2, 5),
        (5_000, 300_000),
        PartyKind.ORGANISATION,
    ),
    "15": Kind(
        2,
        "SFS",
        ("村集体收益分配纠纷", "村务公开纠纷"),
        ("部分村民对村集体资产出租收益分配有异议", "村民要求公开村级财务收支明细"),
        (5, 50),
        (10_000, 500_000),
        PartyKind.ORGANISATION,
        (PETITION, MASS),
    ),
    "16": Kind(
        0.5,
        "SFS",
        ("计划生育奖励扶助纠纷",),
        ("申请人认为符合奖励扶助条件，对审核结果有异议",),
        (1, 3),
        (1_000, 20_000),
        PartyKind.ORGANISATION,
    ),
    "99": Kind(
        2,
        "TJW",
        ("其他民间纠纷", "借贷纠纷"),
        ("双方因琐事发生口角，矛盾有激化苗头", "被申请人借款到期未还"),
        (2, 5),
        (1_000, 100_000),
    ),
}
ORGANISATIONS = {
    "01": ("{county}城乡建设发展有限公司", "{township}人民政府"),
    "02": ("{county}第二机械厂", "{county}粮油公司"),
    "03": ("{county}{shop}科技有限公司", "{county}{shop}物流有限公司"),
    "04": ("{county}人民医院", "{county}中医院", "{township}卫生院"),
    "05": ("{county}{shop}建筑工程有限公司", "{county}{shop}劳务有限公司"),
    "07": ("{county}{shop}物业服务有限公司",),
    "08": ("{shop}健身中心", "{shop}教育培训有限公司", "{shop}电器商行"),
    "14": ("{shop}装饰工程有限公司", "{shop}建材商行"),
    "15": ("{community}股份经济合作社",),
    "16": ("{township}卫生健康办公室",),
}
SHOP_NAMES = "恒信华泰永安鼎盛瑞丰金诚宏达新锐众合聚源嘉禾"

NOTES = {
    "assess": (
        "事实清楚，矛盾尚未激化，交由属地调解",
        "涉及金额较大，需专业部门介入调处",
        "当事人情绪激动，需尽快组织调解，防止矛盾升级",
    ),
    "dispatch": ("请按时限组织调解并反馈结果", "请尽快联系双方当事人", ""),
    "accept": ("已受理，正在联系当事人", ""),
    "return": ("该纠纷不属于本单位职责范围，请重新分流",),
    "minutes": (
        "调解员分别听取了申请人、被申请人的陈述，核对了相关证据。申请人坚持原诉求，"
        "被申请人同意部分承担。经释法说理，双方同意再行协商。",
        "调解员向双方讲解了相关法律规定。双方就主要事实无异议，分歧在于金额，"
        "约定下次调解前各自提出方案。",
        "双方当事人到场，调解员进行背对背调解。被申请人表示愿意积极解决，"
        "申请人同意在合理范围内让步。",
    ),
    "resolved": ("经调解双方达成一致，已签订调解协议",),
    "unresolved": ("双方分歧较大，调解不成，已告知当事人后续途径",),
    "withdrawn": ("申请人撤回调解申请",),
    "verify_pass": ("经电话回访当事人，情况属实", "核查属实", ""),
    "verify_fail": ("回访当事人反映协议未履行，需重新调解", "调处结果与实际不符，请重新核实"),
    "archive": ("材料齐全，予以归档", ""),
    "follow_up": ("按期回访当事人，了解协议履行情况",),
    "supervise": ("纠纷已超过办结时限，请加快调处并回复",),
    "answer": ("已再次约谈双方，预计三个工作日内办结", "已安排专人跟进，近期组织调解"),
}
TERMS = (
    "一、被申请人于{date}前一次性支付申请人{amount}元；\n二、双方就本纠纷再无其他争议。",
    "一、被申请人分两期向申请人支付{amount}元，首期于{date}前支付；\n"
    "二、申请人收到款项后不再就此事主张权利。",
    "一、双方确认纠纷事实，被申请人向申请人赔礼道歉；\n二、被申请人于{date}前完成整改；\n"
    "三、双方今后和睦相处，不再因此事发生争执。",
)
PLACES = ("{body}调解室", "{community}矛盾纠纷调解室", "{township}综治中心调解室")


@dataclass
class DemoDisputesResult:
    created: int = 0
    by_state: dict[str, int] = field(default_factory=dict)
    categories: int = 0
    urgent: int = 0  # urgent-reported at registration or assessment
    late: int = 0  # concluded after the deadline, or still mediating past it
    supervision_orders: int = 0
    returned: int = 0
    verify_failed: int = 0
    resolved: int = 0
    sessions: int = 0
    follow_ups: int = 0
    departments: int = 0
    seconds: float = 0.0


def ensure_bodies(city: Region) -> dict[str, dict[str, Department]]:
    """The handling bodies of every township and county (idempotent): region code → suffix →
    Department. legal_officer joins the first township's 司法所."""
    bodies: dict[str, dict[str, Department]] = {}
    specs = ((RegionLevel.TOWNSHIP, TOWNSHIP_BODIES), (RegionLevel.COUNTY, COUNTY_BODIES))
    for level, kinds in specs:
        for region in Region.objects.filter(level=level, code__within=city.code).order_by("code"):
            for suffix, name in kinds:
                department, _ = Department.objects.get_or_create(
                    code=f"{region.code}{suffix}",
                    defaults={"name": region.name + name, "region": region},
                )
                bodies.setdefault(region.code, {})[suffix] = department
    first = Region.objects.filter(level=RegionLevel.TOWNSHIP, code__within=city.code)
    first = first.order_by("code").first()
    officer = User.objects.filter(username="legal_officer").first()
    if first is not None and officer is not None:
        bodies[first.code][LEGAL_OFFICER_BODY].members.add(officer)
    return bodies


# --- Planning ------------------------------------------------------------------------------------


@dataclass
class _Place:
    grid: Region
    community: Region
    township: Region
    county: Region
    polygon: object


@dataclass
class _Plan:
    reported_at: datetime
    place: _Place
    category: str
    level: str
    risks: dict[str, bool]
    source: str
    stop: str = ""  # the state an open dispute stays in; "" runs it to the archive
    late: bool = False
    supervised: bool = False
    returned: bool = False
    verify_fail: bool = False
    outcome: str = Outcome.RESOLVED
    sessions: int = 1
    follow_up: bool = False


class _Stop(Exception):
    """The dispute's next action would happen after `now`: it stays where it is."""


def _weighted(rng: random.Random, weights: dict):
    return rng.choices(list(weights), weights=list(weights.values()))[0]


class _Generator:
    """Plans the disputes from the seed, then drives each through the workflow in time order.

    Actors are the demo accounts whose role and scope allow the action (county_dispatcher for
    the first county's 综治中心, street_staff and community_staff for their levels, grid_worker
    in the first grid, legal_officer in the first township's 司法所), else the superuser admin.
    """

    def __init__(self, city: Region, seed: int, count: int, now: datetime):
        self.city = city
        self.rng = random.Random(seed)
        self.faker = Faker("zh_CN")
        self.faker.seed_instance(seed)
        self.count = count
        self.calendar = WorkCalendar.load()
        self.now = now.astimezone(self.calendar.tz)
        self.day = float(self.calendar.day_seconds)

    def load(self) -> None:
        self.bodies = ensure_bodies(self.city)
        usernames = (
            "admin",
            "county_dispatcher",
            "street_staff",
            "community_staff",
            "grid_worker",
            "legal_officer",
        )
        self.users = {u.username: u for u in User.objects.filter(username__in=usernames)}
        self.admin = self.users.get("admin")
        if self.admin is None or not self.admin.is_superuser:
            raise ValueError("演示账号 admin 不存在：请先运行 create_demo_accounts")
        self.scopes = {
            name: set(user.scope_regions.values_list("pk", flat=True))
            for name, user in self.users.items()
        }
        self.members = {
            name: set(user.departments.values_list("pk", flat=True))
            for name, user in self.users.items()
        }
        regions = {
            r.pk: r
            for r in Region.objects.filter(
                code__within=self.city.code,
                level__in=(RegionLevel.COUNTY, RegionLevel.TOWNSHIP, RegionLevel.COMMUNITY),
            )
        }
        self.places = []
        grids = Region.objects.filter(level=RegionLevel.GRID, code__within=self.city.code)
        for grid in grids.order_by("code").only("pk", "code", "name", "boundary", "parent"):
            community = regions.get(grid.parent_id)
            township = community and regions.get(community.parent_id)
            county = township and regions.get(township.parent_id)
            if not (county and grid.boundary):
                continue
            polygon = shape(grid.boundary)
            shapely.prepare(polygon)
            self.places.append(_Place(grid, community, township, county, polygon))
        if not self.places:
            raise ValueError("演示城市没有网格，无法生成矛盾纠纷")

    # -- the plan ---------------------------------------------------------------------------

    def _report_times(self) -> list[datetime]:
        cal, rng = self.calendar, self.rng
        today = self.now.date()
        days = [today - timedelta(days=DAYS - 1 - i) for i in range(DAYS)]
        weights = [1.0 if cal.is_workday(d) else 0.3 for d in days]
        latest = self.now - timedelta(minutes=10)
        times: list[datetime] = []
        while len(times) < self.count:
            day = rng.choices(days, weights=weights)[0]
            start = datetime.combine(day, datetime.min.time(), tzinfo=cal.tz)
            t = start + timedelta(minutes=rng.uniform(8.5 * 60, 17.5 * 60))
            if t < latest:
                times.append(t)
        return sorted(times)

    def _place(self) -> _Place:
        roll = self.rng.random()
        first = self.places[0]
        if roll < FIRST_COMMUNITY_SHARE:
            pool = [p for p in self.places if p.community.pk == first.community.pk]
        elif roll < FIRST_COMMUNITY_SHARE + FIRST_TOWNSHIP_SHARE:
            pool = [p for p in self.places if p.township.pk == first.township.pk]
        else:
            pool = self.places
        return self.rng.choice(pool)

    def _risks(self, kind: Kind, level: str) -> dict[str, bool]:
        flags = dict.fromkeys((PETITION, MASS, CRIMINAL), False)
        chance = 0.5 if level == DisputeLevel.MAJOR else 0.12
        for name in kind.risks:
            flags[name] = self.rng.random() < chance
        return flags

    def plan(self) -> list[_Plan]:
        rng = self.rng
        codes = list(KINDS)
        plans = []
        for reported_at in self._report_times():
            category = rng.choices(codes, weights=[KINDS[c].weight for c in codes])[0]
            level = _weighted(rng, LEVELS)
            plans.append(
                _Plan(
                    reported_at,
                    self._place(),
                    category,
                    level,
                    self._risks(KINDS[category], level),
                    _weighted(rng, SOURCES),
                )
            )
        open_count = max(len(OPEN_STOPS), round(len(plans) * OPEN_SHARE))
        settled = plans[: max(0, len(plans) - open_count)]
        recent = plans[len(settled) :]
        for i, plan in enumerate(recent):
            plan.stop = OPEN_STOPS[i * len(OPEN_STOPS) // len(recent)]
        # Every category at least once, in the settled part where it runs the whole way.
        for plan, category in zip(rng.sample(settled, len(settled)), codes, strict=False):
            plan.category = category
            plan.risks = self._risks(KINDS[category], plan.level)
        # The first township's 司法所 (legal_officer's) has disputes waiting for it.
        township = self.places[0].township.pk
        near = [p for p in self.places if p.township.pk == township]
        waiting = [p for p in recent if p.stop in (DisputeState.DISPATCHED, DisputeState.MEDIATING)]
        bodies_of = [c for c, k in KINDS.items() if k.body == LEGAL_OFFICER_BODY]
        for plan in waiting[:3]:
            plan.place = rng.choice(near)
            plan.category = rng.choice(bodies_of)
        # A few older disputes still mediating past their deadline, under supervision.
        old_enough = [p for p in settled if (self.now - p.reported_at).days >= 12]
        late_open = rng.sample(
            old_enough[-60:],
            min(len(old_enough[-60:]), max(1, round(self.count * LATE_OPEN_SHARE))),
        )
        for plan in late_open:
            plan.stop, plan.late, plan.supervised = DisputeState.MEDIATING, True, True
        for plan in plans:
            plan.returned = rng.random() < RETURNED
            plan.sessions = rng.choices((0, 1, 2, 3), weights=(15, 50, 25, 10))[0]
            if plan.stop:
                continue
            plan.late = rng.random() < LATE
            plan.supervised = plan.late and rng.random() < SUPERVISED_LATE
            plan.verify_fail = rng.random() < VERIFY_FAILED
            plan.outcome = _weighted(rng, OUTCOMES)
            plan.follow_up = rng.random() < FOLLOW_UP
        # Quotas, so that a small run still shows each kind of history.
        full = [p for p in plans if not p.stop]
        for name in ("returned", "verify_fail", "late", "supervised", "follow_up"):
            if full and not any(getattr(p, name) for p in full):
                chosen = rng.choice(full)
                setattr(chosen, name, True)
                chosen.late = chosen.late or name == "supervised"
        for outcome in OUTCOMES:
            if full and not any(p.outcome == outcome for p in full):
                rng.choice(
                    [p for p in full if p.outcome == Outcome.RESOLVED] or full
                ).outcome = outcome
        return plans

    # -- time ----------------------------------------------------------------------------------

    def _after(self, start: datetime, low: float, high: float) -> datetime:
        """`low`–`high` working days after `start`."""
        return self.calendar.add_working_seconds(start, self.rng.uniform(low, high) * self.day)

    def _when(self, when: datetime) -> datetime:
        """`when`, if it is not after `now`; a dispute running into `now` takes its remaining
        steps faster while there is room, so the planned open ones reach their state."""
        when = max(when, self.cursor + timedelta(minutes=1))
        if when > self.now:
            room = self.now - self.cursor
            if room < timedelta(minutes=10):
                raise _Stop
            when = self.cursor + room * self.rng.uniform(0.05, 0.3)
        self.cursor = when
        return when

    def _act(self, function, dispute: Dispute, when: datetime, **kwargs) -> Dispute:
        return function(dispute, now=self._when(when), **kwargs)

    def _stop_if(self, plan: _Plan, state: str) -> None:
        if plan.stop == state:
            raise _Stop

    # -- actors --------------------------------------------------------------------------------

    def _user(self, username: str, dispute_code: str) -> User | None:
        user = self.users.get(username)
        return user if user is not None and user.covers(dispute_code) else None

    def _centre(self, dispute: Dispute) -> User:
        return self._user("county_dispatcher", dispute.region_code) or self.admin

    def _registrar(self, plan: _Plan) -> User:
        code = plan.place.grid.code
        account = {
            IntakeSource.GRID_WORKER: "grid_worker",
            IntakeSource.COMMUNITY: "community_staff",
            IntakeSource.TOWNSHIP: "street_staff",
            IntakeSource.CENTRE: "county_dispatcher",
        }.get(plan.source)
        return (account and self._user(account, code)) or self.admin

    def _member(self, dispute: Dispute) -> User:
        """legal_officer in the 司法所 they belong to; the other bodies have no demo account."""
        officer = self.users.get("legal_officer")
        if officer is not None and dispute.department_id in self.members["legal_officer"]:
            return officer
        return self.admin

    def _verifier(self, dispute: Dispute) -> User:
        for username in ("community_staff", "street_staff", "county_dispatcher"):
            if dispute.verifying_region_id in self.scopes.get(username, ()):
                return self.users[username]
        return self.admin

    # -- content -------------------------------------------------------------------------------

    def _mobile(self) -> str:
        prefix = self.rng.choice(("138", "139", "150", "158", "177", "186", "189", "199"))
        return prefix + f"{self.rng.randrange(10**8):08d}"

    def _organisation(self, category: str, place: _Place) -> str:
        template = self.rng.choice(ORGANISATIONS.get(category, ("{shop}商贸有限公司",)))
        shop = "".join(self.rng.sample(SHOP_NAMES, 2))
        return template.format(
            county=place.county.name,
            township=place.township.name,
            community=place.community.name,
            shop=shop,
        )

    def _parties(self, plan: _Plan, address: str, people: int) -> list[Party]:
        """One to three applicants (people affected sign together), one respondent."""
        kind = KINDS[plan.category]
        applicants = 1 if people <= 3 else self.rng.randint(1, 3)
        parties = [
            Party(
                side=PartySide.APPLICANT,
                name=self.faker.name(),
                phone=self._mobile(),
                address=address,
            )
            for _ in range(applicants)
        ]
        if kind.respondent == PartyKind.ORGANISATION:
            respondent = Party(
                side=PartySide.RESPONDENT,
                kind=PartyKind.ORGANISATION,
                name=self._organisation(plan.category, plan.place),
                phone=self._mobile(),
            )
        else:
            respondent = Party(
                side=PartySide.RESPONDENT, name=self.faker.name(), phone=self._mobile()
            )
        return [*parties, respondent]

    def _amount(self, kind: Kind) -> Decimal | None:
        if kind.amount is None:
            return None
        low, high = kind.amount
        return Decimal(round(self.rng.uniform(low, high), -2)).quantize(Decimal("0.01"))

    def _note(self, key: str) -> str:
        return self.rng.choice(NOTES[key])

    # -- running a dispute ---------------------------------------------------------------------

    def run(self, plans: list[_Plan], progress=None) -> None:
        for done, plan in enumerate(plans, start=1):
            with contextlib.suppress(_Stop):
                self._dispute(plan)
            reset_queries()  # with DEBUG on, Django would keep every query of the run
            if progress and (done % 100 == 0 or done == len(plans)):
                progress(done, len(plans))

    def _dispute(self, plan: _Plan) -> None:
        rng, kind, place = self.rng, KINDS[plan.category], plan.place
        low, high = kind.people
        people = rng.randint(low, high)
        address = f"{place.community.name}{rng.randint(1, 40)}幢{rng.randint(1, 6)}单元"
        x, y = self._point(place)
        detail = rng.choice(kind.details).format(n=people)
        registration = Registration(
            region=place.grid,
            category=plan.category,
            title=rng.choice(kind.titles),
            description=f"{detail}，涉及{people}人。",
            parties=self._parties(plan, address, people),
            address=address,
            lng=x,
            lat=y,
            people_count=people,
            amount=self._amount(kind),
            level=plan.level,
            source=plan.source,
            **plan.risks,
        )
        dispute = register_dispute(registration, actor=self._registrar(plan), now=plan.reported_at)
        self.cursor = plan.reported_at
        self._stop_if(plan, DisputeState.COLLECTED)

        centre = self._centre(dispute)
        t = self._after(self.cursor, 0.05, 0.8)
        dispute = self._act(
            actions.assess_dispute,
            dispute,
            t,
            actor=centre,
            category=plan.category,
            level=plan.level,
            note=self._note("assess"),
            **plan.risks,
        )
        self._stop_if(plan, DisputeState.ASSESSED)

        right = self.bodies[self._body_region(plan, kind.body)][kind.body]
        if plan.returned:
            wrong = self._wrong_body(plan, right)
            dispute = self._dispatch(plan, dispute, centre, wrong)
            t = self._after(self.cursor, 0.1, 0.7)
            dispute = self._act(
                actions.return_dispute,
                dispute,
                t,
                actor=self._member(dispute),
                note=self._note("return"),
            )
        dispute = self._dispatch(plan, dispute, centre, right)
        self._stop_if(plan, DisputeState.DISPATCHED)

        member = self._member(dispute)
        t = self._after(self.cursor, 0.05, 0.8)
        dispute = self._act(
            actions.accept_dispute, dispute, t, actor=member, note=self._note("accept")
        )
        dispute = self._mediate(plan, dispute, member)
        dispute = self._conclude(plan, dispute, member)
        self._stop_if(plan, DisputeState.REPORTED_BACK)
        dispute = self._verify(plan, dispute, member)
        self._stop_if(plan, DisputeState.VERIFIED)

        t = self._after(self.cursor, 0.05, 1.5)
        satisfaction = rng.choices((5, 4, 3, 2, 1), weights=(50, 32, 11, 5, 2))[0]
        dispute = self._act(
            actions.archive_dispute,
            dispute,
            t,
            actor=centre,
            satisfaction=satisfaction,
            note=self._note("archive"),
        )
        if plan.follow_up:
            t = self._after(self.cursor, 0.01, 0.3)
            self._act(
                actions.schedule_follow_up,
                dispute,
                t,
                actor=centre,
                days=rng.choice((30, 90)),
                note=self._note("follow_up"),
            )

    def _point(self, place: _Place) -> tuple[float, float]:
        minx, miny, maxx, maxy = place.polygon.bounds
        for _ in range(100):
            x, y = self.rng.uniform(minx, maxx), self.rng.uniform(miny, maxy)
            if shapely.contains_xy(place.polygon, x, y):
                return round(x, 6), round(y, 6)
        point = place.polygon.representative_point()
        return round(point.x, 6), round(point.y, 6)

    def _body_region(self, plan: _Plan, suffix: str) -> str:
        township = suffix in TOWNSHIP_SUFFIXES
        return plan.place.township.code if township else plan.place.county.code

    def _wrong_body(self, plan: _Plan, right: Department) -> Department:
        nearby = [
            *self.bodies[plan.place.township.code].values(),
            *self.bodies[plan.place.county.code].values(),
        ]
        return self.rng.choice([d for d in nearby if d.pk != right.pk])

    def _dispatch(self, plan: _Plan, dispute: Dispute, centre: User, body: Department):
        t = self._when(self._after(self.cursor, 0.05, 0.8))
        due = self._due_date(plan, t)
        return actions.dispatch_dispute(
            dispute, actor=centre, department=body, due_date=due, note=self._note("dispatch"), now=t
        )

    def _due_date(self, plan: _Plan, t: datetime):
        """A working day 5–12 working days ahead; for a dispute meant to be late and still
        open, the last working day whose end has passed (but after the referral)."""
        if plan.stop and plan.late:
            day = (self.now - timedelta(days=1)).date()
            while day > t.date() and not self.calendar.is_workday(day):
                day -= timedelta(days=1)
            if day > t.date():
                return day
        return self.calendar.add(t, self.rng.randint(5, 12), "working_days").date()

    def _mediate(self, plan: _Plan, dispute: Dispute, member: User) -> Dispute:
        """The sessions: scheduled, held and minuted; one still ahead stays scheduled."""
        for _ in range(plan.sessions):
            t = self._after(self.cursor, 0.05, 0.5)
            starts = self._after(t, 0.2, 1.5)
            if t > self.now:
                break
            if starts + timedelta(hours=3) > self.now:
                if plan.stop == DisputeState.MEDIATING:
                    self._schedule(plan, dispute, member, t, starts)
                break
            dispute = self._schedule(plan, dispute, member, t, starts)
            minutes_at = starts + timedelta(minutes=self.rng.randint(60, 180))
            dispute = self._act(
                actions.record_minutes,
                dispute,
                minutes_at,
                actor=member,
                minutes=self._note("minutes"),
            )
        if plan.late:
            dispute = self._late(plan, dispute, member)
        self._stop_if(plan, DisputeState.MEDIATING)
        return dispute

    def _schedule(self, plan, dispute, member, t, starts) -> Dispute:
        body = dispute.department.name
        place = self.rng.choice(PLACES).format(
            body=body, community=plan.place.community.name, township=plan.place.township.name
        )
        mediators = "、".join(self.faker.name() for _ in range(self.rng.randint(1, 2)))
        return self._act(
            actions.schedule_mediation,
            dispute,
            t,
            actor=member,
            starts_at=starts,
            place=place,
            mediators=mediators,
        )

    def _late(self, plan: _Plan, dispute: Dispute, member: User) -> Dispute:
        """Past the deadline: a 督办单 a few working hours after it, answered by the body."""
        if not plan.supervised:
            return dispute
        t = self.calendar.add_working_seconds(
            max(dispute.due_at, self.cursor), self.rng.uniform(0.1, 0.5) * self.day
        )
        if t > self.now:
            return dispute
        level = SupervisionLevel.KEY if self.rng.random() < 0.2 else SupervisionLevel.GENERAL
        dispute = self._act(
            actions.supervise_dispute,
            dispute,
            t,
            actor=self._centre(dispute),
            note=self._note("supervise"),
            required_by=self.calendar.add(t, 2, "working_days"),
            level=level,
        )
        answer_at = self._after(self.cursor, 0.1, 0.6)
        if answer_at <= self.now and not (plan.stop and self.rng.random() < 0.5):
            order = SupervisionOrder.objects.filter(dispute=dispute).latest("pk")
            self.cursor = answer_at
            supervision.answer_supervision(
                order, actor=member, answer=self._note("answer"), now=answer_at
            )
        return dispute

    def _conclude(self, plan: _Plan, dispute: Dispute, member: User) -> Dispute:
        if plan.late:
            t = self._after(max(dispute.due_at, self.cursor), 0.3, 4)
        else:
            span = 0
            if dispute.due_at > self.cursor:
                span = self.calendar.working_seconds(self.cursor, dispute.due_at)
            t = self.calendar.add_working_seconds(self.cursor, span * self.rng.uniform(0.2, 0.85))
        outcome = plan.outcome
        terms = referral = ""
        if outcome == Outcome.RESOLVED:
            amount = dispute.amount or Decimal(self.rng.randint(5, 50) * 100)
            due = self.calendar.add(t, self.rng.randint(3, 10), "working_days").date()
            terms = self.rng.choice(TERMS).format(
                amount=f"{amount.quantize(Decimal('1')):,}", date=f"{due:%Y年%m月%d日}"
            )
        elif outcome == Outcome.UNRESOLVED:
            referral = self.rng.choice(Referral.values)
        return self._act(
            actions.conclude_dispute,
            dispute,
            t,
            actor=member,
            outcome=outcome,
            note=self._note(outcome),
            terms=terms,
            referral=referral,
        )

    def _verify(self, plan: _Plan, dispute: Dispute, member: User) -> Dispute:
        """Level by level; a planned failure sends it back once, to be concluded again."""
        failing = plan.verify_fail
        while dispute.state == DisputeState.REPORTED_BACK:
            t = self._after(self.cursor, 0.05, 1.2)
            verifier = self._verifier(dispute)
            if failing and self.rng.random() < 0.6:
                failing = False
                dispute = self._act(
                    actions.verify_dispute,
                    dispute,
                    t,
                    actor=verifier,
                    passed=False,
                    note=self._note("verify_fail"),
                )
                dispute = self._conclude(plan, dispute, member)
                continue
            dispute = self._act(
                actions.verify_dispute,
                dispute,
                t,
                actor=verifier,
                passed=True,
                note=self._note("verify_pass"),
            )
        return dispute


# --- Entry point ---------------------------------------------------------------------------------


def generate_demo_disputes(
    city: Region,
    *,
    seed: int,
    count: int = DEFAULT_DISPUTES,
    now: datetime | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> DemoDisputesResult:
    """The handling bodies and `count` disputes with their whole history in the `DAYS` days
    before `now` (default: the current time), deterministic for a seed.

    Needs the demo accounts (`demo.regions.create_demo_accounts`); no notifications are sent,
    no change-log rows are written (a history that happened then is not a change made now).
    """
    started = time.monotonic()
    now = now or timezone.now()
    generator = _Generator(city, seed, count, now)
    with transaction.atomic(), writeguard.unlogged():
        generator.load()
        first_pk = Dispute.objects.aggregate(m=Max("pk"))["m"] or 0
        with notifications.muted(), VersionStamp.pinned():
            generator.run(generator.plan() if count > 0 else [], progress)
        _backdate(first_pk)
        _compile_reports(now)
        result = _summarise(first_pk, now)
        result.departments = sum(len(bodies) for bodies in generator.bodies.values())
    result.seconds = time.monotonic() - started
    return result


def _compile_reports(now: datetime) -> None:
    """The last week's daily reports and the last four weekly ones, as the periodic job would
    have compiled them (`docs/disputes-reports.md`)."""
    today = timezone.localdate(now)
    for days in range(1, 8):
        compile_reports(ReportKind.DAILY, today - timedelta(days=days), now)
    monday = today - timedelta(days=today.weekday())
    for weeks in range(1, 5):
        compile_reports(ReportKind.WEEKLY, monday - timedelta(weeks=weeks), now)


def _backdate(first_pk: int) -> None:
    """Give the new rows their simulated creation and update times."""
    last_event = DisputeEvent.objects.filter(dispute_id=OuterRef("pk")).order_by("-time", "-pk")
    Dispute.objects.filter(pk__gt=first_pk).update(
        created=F("reported_at"), last_updated=Subquery(last_event.values("time")[:1])
    )
    reported = Dispute.objects.filter(pk=OuterRef("dispute_id"))
    DisputeParty.objects.filter(dispute_id__gt=first_pk).update(
        created=Subquery(reported.values("reported_at")[:1]),
        last_updated=Subquery(reported.values("reported_at")[:1]),
    )
    # A session was scheduled by the last `schedule` event before it began.
    scheduled = DisputeEvent.objects.filter(
        dispute_id=OuterRef("dispute_id"), action="schedule", time__lt=OuterRef("starts_at")
    ).order_by("-time")
    MediationSession.objects.filter(dispute_id__gt=first_pk).update(
        created=Subquery(scheduled.values("time")[:1]), last_updated=F("starts_at")
    )
    MediationAgreement.objects.filter(dispute_id__gt=first_pk).update(
        created=Subquery(reported.values("concluded_at")[:1]),
        last_updated=Subquery(reported.values("concluded_at")[:1]),
    )
    follow_up_event = DisputeEvent.objects.filter(
        dispute_id=OuterRef("dispute_id"), action="follow_up"
    ).order_by("time")
    FollowUp.objects.filter(dispute_id__gt=first_pk).update(
        created=Subquery(follow_up_event.values("time")[:1]),
        last_updated=Subquery(follow_up_event.values("time")[:1]),
    )
    supervised = DisputeEvent.objects.filter(
        dispute_id=OuterRef("dispute_id"), action="supervise"
    ).order_by("time")
    answered = DisputeEvent.objects.filter(
        dispute_id=OuterRef("dispute_id"), action="supervision_answered"
    ).order_by("-time")
    orders = SupervisionOrder.objects.filter(dispute_id__gt=first_pk)
    orders.update(created=Subquery(supervised.values("time")[:1]))
    orders.filter(answered_at__isnull=True).update(last_updated=F("created"))
    orders.filter(answered_at__isnull=False).update(
        last_updated=Subquery(answered.values("time")[:1])
    )


def _summarise(first_pk: int, now: datetime) -> DemoDisputesResult:
    disputes = Dispute.objects.filter(pk__gt=first_pk)
    events = DisputeEvent.objects.filter(dispute_id__gt=first_pk)

    def with_action(action: str, **extra) -> int:
        return events.filter(action=action, **extra).values("dispute_id").distinct().count()

    by_state = dict(disputes.values_list("state").annotate(n=Count("pk")).order_by())
    late_open = disputes.filter(state=DisputeState.MEDIATING, due_at__lt=now).count()
    return DemoDisputesResult(
        created=disputes.count(),
        by_state={s: by_state[s] for s in DisputeState.values if s in by_state},
        categories=disputes.values("category").distinct().count(),
        urgent=disputes.filter(urgent_reported_at__isnull=False).count(),
        late=with_action("conclude", on_time=False) + late_open,
        supervision_orders=SupervisionOrder.objects.filter(dispute_id__gt=first_pk).count(),
        returned=with_action("return"),
        verify_failed=with_action("verify_fail"),
        resolved=MediationAgreement.objects.filter(dispute_id__gt=first_pk).count(),
        sessions=MediationSession.objects.filter(dispute_id__gt=first_pk).count(),
        follow_ups=FollowUp.objects.filter(dispute_id__gt=first_pk).count(),
    )
