"""Demo case history for the demo city: departments, the dispatch matrix, time limits and a few
thousand cases driven through the real workflow.

Every case is created by `intake.report_case` and moved by the action functions of
`cases/actions.py` (and `supervision.answer_supervision`) with simulated `now=` timestamps, so its
`CaseEvent` history, clocks, on-time flags, tasks and supervision orders are exactly what the
engine writes for a real case; indicators, the desk and the map work on them unchanged. Only
times are invented: reports spread over the last `DAYS` days (busier lately, mostly in office
hours) and each step takes a plausible share of its time limit.

Everything is written without change-log rows (`writeguard.unlogged()`, like the bulk-loaded
demo city). While the history is written (`_history_mode`), the engine also runs quietly and
fast: no in-app notices or SMS (the history is past; the deadline sweep, not this module, tells
people about what is late now), and each version stamp read once for the batch. Afterwards
`created`/`last_updated` of the new rows are set to their simulated times.

Everything follows from `random.Random(seed)` and `now`: the same seed and `now` on the same demo
city give the same cases, numbers and histories.
"""

from __future__ import annotations

import contextlib
import io
import random
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import shapely
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import reset_queries, transaction
from django.db.models import Count, F, Max, OuterRef, Subquery
from django.utils import timezone
from faker import Faker
from PIL import Image, ImageDraw
from shapely.geometry import shape

from citygrid.accounts.models import User
from citygrid.cases import actions, clock, notifications, supervision
from citygrid.cases.calendar import WorkCalendar
from citygrid.cases.choices import (
    OPEN_STATES,
    CaseKind,
    CaseState,
    Channel,
    Step,
    SupervisionLevel,
    TaskKind,
    TimeUnit,
    Urgency,
)
from citygrid.cases.intake import Report, report_case
from citygrid.cases.models import (
    Case,
    CaseAttachment,
    CaseCategory,
    CaseEvent,
    Department,
    DispatchRule,
    SupervisionOrder,
    Task,
    TimeLimit,
)
from citygrid.cases.seeds import seed_categories
from citygrid.cases.workflow import BY_ACTION
from citygrid.core import writeguard
from citygrid.core.models import VersionStamp
from citygrid.regions.choices import RegionLevel, WorkerRole
from citygrid.regions.models import GridWorker, Region

DAYS = 120  # the history covers this many days before `now`
OPEN_SHARE = 0.075  # the most recent cases left open (150 of 2000)
PHOTO_EVERY = 50  # every 50th case has a full-size photo before and after
PROGRESS_EVERY = 200  # cases between progress reports of a long generation
WORKDAY_WEIGHT, RESTDAY_WEIGHT = 1.0, 0.4  # reports per day, relative
GROWTH = 1.5  # the last day is 1 + GROWTH times as busy as the first

# Shares of the cases that are not left open (quotas, so small runs get some of each).
REJECTED = 0.03
# A well-run city: 按期结案率 lands near 88 % (80–95 % is plausible; tests check the range).
LATE = 0.06  # handled after the handling deadline
REWORK = 0.08  # verification failed once, handled again
EXTENSION = 0.05  # an extension requested during handling (most approved)
EXTENSION_APPROVED = 0.8
RETURNED = 0.03  # dispatched to the wrong department, returned, dispatched again
ESCALATED = 0.02
SUSPENDED = 0.01
EVALUATED = 0.70  # of the closed cases
SUPERVISED_LATE = 0.3  # of the late cases: a 督办单, answered before the case is handled
# Other timed steps occasionally run late too (so 按期结案率 is below 100 % for more reasons).
LATE_STEP = {
    Step.REGISTER: 0.01,
    Step.DISPATCH: 0.01,
    Step.ACCEPT: 0.015,
    Step.VERIFY: 0.015,
    Step.CLOSE: 0.01,
}

# --- Departments and the dispatch matrix ---------------------------------------------------------

# (code suffix, name, duty phone): city-level departments, codes are the city code + suffix.
CITY_DEPARTMENTS: tuple[tuple[str, str, str], ...] = (
    ("CGZF", "城管执法局", "12319"),
    ("HWC", "环境卫生管理处", ""),
    ("SZYL", "市政园林局", ""),
    ("ZJ", "住建局", ""),
    ("SW", "水务局", ""),
    ("STHJ", "生态环境局", "12369"),
    ("JJ", "交警大队", "122"),
    ("JT", "交通运输局", ""),
    ("XF", "消防救援支队", "119"),
    ("GD", "供电公司", "95598"),
    ("TX", "通信管理办公室", ""),
    ("YJ", "应急管理局", ""),
)
HANDLER_DEPARTMENT = "CGZF"  # the demo account dept_handler works here

# The department of a major class, and the minor classes that go elsewhere ((kind, code) keys).
MAJOR_DEPARTMENT: dict[tuple[str, str], str] = {
    (CaseKind.EVENT, "01"): "HWC",
    (CaseKind.EVENT, "02"): "CGZF",
    (CaseKind.EVENT, "03"): "ZJ",
    (CaseKind.EVENT, "04"): "SZYL",
    (CaseKind.EVENT, "05"): "CGZF",
    (CaseKind.COMPONENT, "01"): "SW",
    (CaseKind.COMPONENT, "02"): "SZYL",
    (CaseKind.COMPONENT, "03"): "HWC",
    (CaseKind.COMPONENT, "04"): "SZYL",
    (CaseKind.COMPONENT, "05"): "ZJ",
    (CaseKind.COMPONENT, "06"): "SZYL",
}
MINOR_DEPARTMENT: dict[tuple[str, str], str] = {
    (CaseKind.EVENT, "0101"): "CGZF",  # 私搭乱建
    (CaseKind.EVENT, "0105"): "SW",  # 水域不洁
    (CaseKind.EVENT, "0106"): "SZYL",  # 绿地脏乱
    (CaseKind.EVENT, "0108"): "STHJ",  # 油烟污染
    (CaseKind.EVENT, "0301"): "STHJ",  # 施工扰民
    (CaseKind.EVENT, "0303"): "CGZF",  # 道路遗撒
    (CaseKind.EVENT, "0304"): "CGZF",  # 无证掘路
    (CaseKind.EVENT, "0402"): "SW",  # 自来水管破裂
    (CaseKind.EVENT, "0403"): "ZJ",  # 燃气管道破裂
    (CaseKind.EVENT, "0404"): "SW",  # 下水道堵塞或破损
    (CaseKind.EVENT, "0405"): "SW",  # 道路积水
    (CaseKind.EVENT, "0406"): "XF",  # 火灾
    (CaseKind.EVENT, "0504"): "JJ",  # 机动车乱停放
    (CaseKind.COMPONENT, "0104"): "GD",  # 电力井盖
    (CaseKind.COMPONENT, "0105"): "SZYL",  # 路灯井盖
    (CaseKind.COMPONENT, "0106"): "TX",  # 通信井盖
    (CaseKind.COMPONENT, "0107"): "ZJ",  # 燃气井盖
    (CaseKind.COMPONENT, "0109"): "TX",  # 信息交接箱
    (CaseKind.COMPONENT, "0110"): "GD",  # 电力设施
    (CaseKind.COMPONENT, "0111"): "SZYL",  # 路灯
    (CaseKind.COMPONENT, "0112"): "XF",  # 消防栓
    (CaseKind.COMPONENT, "0201"): "JJ",  # 停车场
    (CaseKind.COMPONENT, "0202"): "JT",  # 公交站亭
    (CaseKind.COMPONENT, "0203"): "JJ",  # 交通标志牌
    (CaseKind.COMPONENT, "0204"): "JJ",  # 交通信号灯
    (CaseKind.COMPONENT, "0208"): "JJ",  # 隔离墩
    (CaseKind.COMPONENT, "0304"): "CGZF",  # 广告牌匾
    (CaseKind.COMPONENT, "0306"): "SZYL",  # 公共休闲座椅
    (CaseKind.COMPONENT, "0501"): "CGZF",  # 宣传栏
    (CaseKind.COMPONENT, "0602"): "YJ",  # 重大危险源
    (CaseKind.COMPONENT, "0603"): "CGZF",  # 其他设施
}
# Local departments that take some minor classes over from the city's in their own area:
# (level, index of the region of that level in code order, code suffix, name suffix, classes).
LOCAL_DEPARTMENTS: tuple[tuple[str, int, str, str, tuple[tuple[str, str], ...]], ...] = (
    (
        RegionLevel.COUNTY,
        0,
        "ZHZF",
        "综合行政执法大队",
        ((CaseKind.EVENT, "0501"), (CaseKind.EVENT, "0502"), (CaseKind.EVENT, "0506")),
    ),
    (
        RegionLevel.COUNTY,
        1,
        "JJ",
        "交警大队",
        ((CaseKind.EVENT, "0504"), (CaseKind.COMPONENT, "0201")),
    ),
    (
        RegionLevel.TOWNSHIP,
        0,
        "ZFD",
        "综合执法队",
        ((CaseKind.EVENT, "0502"), (CaseKind.EVENT, "0201"), (CaseKind.EVENT, "0503")),
    ),
)

# --- Time limits (standards §6.3; values are implementation practice) ----------------------------

WH, CH, WD = TimeUnit.WORKING_HOURS, TimeUnit.CALENDAR_HOURS, TimeUnit.WORKING_DAYS
URGENT_LIMITS = {
    Step.REGISTER: (0.5, WH),
    Step.DISPATCH: (0.5, WH),
    Step.ACCEPT: (1, WH),
    Step.HANDLE: (8, WH),
    Step.VERIFY: (2, WH),
    Step.CLOSE: (1, WH),
}
# Emergencies run round the clock.
CRITICAL_LIMITS = {
    Step.REGISTER: (0.5, CH),
    Step.DISPATCH: (0.5, CH),
    Step.ACCEPT: (1, CH),
    Step.HANDLE: (4, CH),
    Step.VERIFY: (2, CH),
    Step.CLOSE: (2, CH),
}
# Classes that can be 特急 (missing covers, burst pipes, fires ...).
CRITICAL_CLASSES = {
    *((CaseKind.EVENT, f"04{n:02d}") for n in range(1, 7)),
    *((CaseKind.COMPONENT, f"01{n:02d}") for n in range(1, 8)),
    (CaseKind.COMPONENT, "0112"),
    (CaseKind.COMPONENT, "0602"),
}
# Handling limits of ordinary urgency that differ from the default (settings).
NORMAL_HANDLE_LIMITS = {
    (CaseKind.EVENT, "0102"): (4, WH),  # 暴露垃圾: within half a working day
    (CaseKind.EVENT, "0504"): (2, WH),  # 机动车乱停放
    (CaseKind.EVENT, "0505"): (4, WH),  # 非机动车乱停放
    (CaseKind.EVENT, "0502"): (8, WH),  # 店外经营
    (CaseKind.EVENT, "0101"): (5, WD),  # 私搭乱建
    (CaseKind.COMPONENT, "0502"): (10, WD),  # 危房
}

# --- What gets reported --------------------------------------------------------------------------

# Relative frequency by minor-class name; classes not listed get DEFAULT_WEIGHT.
CATEGORY_WEIGHTS = {
    "暴露垃圾": 14,
    "店外经营": 10,
    "机动车乱停放": 8,
    "非机动车乱停放": 8,
    "乱堆物堆料": 6,
    "无照经营游商": 5,
    "非法小广告": 5,
    "道路不洁": 4,
    "积存垃圾渣土": 3,
    "废弃家具设备": 3,
    "私搭乱建": 2,
    "露天烧烤": 2,
    "绿地脏乱": 2,
    "下水道堵塞或破损": 2,
    "路灯": 2,
    "道路破损": 2,
    "人行道板": 2,
    "违章张贴悬挂广告牌匾": 1.5,
    "占道广告牌": 1.5,
    "占道废品收购": 1.5,
    "施工扰民": 1.5,
    "道路遗撒": 1.5,
    "油烟污染": 1.5,
    "道路积水": 1.5,
    "垃圾箱": 1.5,
    "行道树": 1.5,
    "工地扬尘": 1,
    "施工废弃料": 1,
    "街头散发广告": 1,
    "果皮箱": 1,
    "绿地": 1,
    "广告牌匾": 1,
    "占道施工": 1,
    "护栏": 0.8,
    "公共厕所": 0.8,
    "水域不洁": 0.8,
    "自来水管破裂": 0.6,
    "路面塌陷": 0.4,
    "燃气管道破裂": 0.1,
    "火灾": 0.1,
}
DEFAULT_WEIGHT = {CaseKind.EVENT: 0.4, CaseKind.COMPONENT: 0.3}
CHANNEL_WEIGHTS = {
    Channel.GRID_APP: 35,
    Channel.INSPECTOR: 15,
    Channel.HOTLINE: 22,
    Channel.WECHAT: 15,
    Channel.PORTAL: 9,
    Channel.WEB: 4,
}
FIELD = (Channel.GRID_APP, Channel.INSPECTOR)
CHANNEL_PREFIX = {
    Channel.HOTLINE: "市民来电反映：",
    Channel.WECHAT: "群众通过微信反映：",
    Channel.PORTAL: "",
    Channel.WEB: "",
    Channel.GRID_APP: "",
    Channel.INSPECTOR: "",
}

DESCRIPTIONS = {
    "暴露垃圾": (
        "{where}路边有暴露垃圾，约{n}袋未及时清运",
        "{where}绿化带内堆有生活垃圾，有异味",
        "{where}垃圾桶周边散落垃圾",
    ),
    "店外经营": (
        "{where}沿街商铺在门前人行道摆放商品经营",
        "{where}餐饮店在店外摆桌经营，占用人行道",
        "{where}水果店超出门窗经营，堵塞通道",
    ),
    "机动车乱停放": (
        "{where}有{n}辆机动车占用人行道停放",
        "{where}消防通道被私家车占用",
        "{where}路口机动车违停，影响通行",
    ),
    "非机动车乱停放": (
        "{where}共享单车无序停放，堵塞人行道",
        "{where}电动自行车乱停放约{n}辆",
    ),
    "乱堆物堆料": ("{where}人行道上堆放建材杂物", "{where}楼道口堆放废旧物品"),
    "无照经营游商": ("{where}有流动摊贩占道经营", "{where}早市游商占用车行道"),
    "非法小广告": ("{where}墙面、电线杆上张贴小广告", "{where}公交站牌被喷涂小广告"),
    "道路不洁": ("{where}路面油污、泥土较多", "{where}人行道落叶、垃圾未清扫"),
    "积存垃圾渣土": ("{where}空地上积存建筑渣土约{n}立方米",),
    "废弃家具设备": ("{where}路边丢弃旧沙发、床垫等大件垃圾",),
    "私搭乱建": ("{where}有住户私自搭建彩钢棚", "{where}一楼住户违规扩建院墙"),
    "露天烧烤": ("{where}夜间有露天烧烤摊，油烟较大",),
    "下水道堵塞或破损": ("{where}下水道堵塞，污水外溢", "{where}雨水口破损下陷"),
    "道路积水": ("{where}路面积水较深，影响通行",),
    "施工扰民": ("{where}工地夜间施工，噪声扰民",),
    "道路遗撒": ("{where}渣土车遗撒，路面泥土较多",),
    "油烟污染": ("{where}餐饮店油烟直排，影响周边居民",),
    "路灯": ("{where}有{n}盏路灯不亮", "{where}路灯灯杆倾斜"),
    "道路破损": ("{where}路面出现坑槽，面积约{n}平方米",),
    "人行道板": ("{where}人行道板松动、破损",),
    "行道树": ("{where}行道树倾斜，有倒伏风险", "{where}行道树枯死，需补植"),
    "垃圾箱": ("{where}垃圾箱破损，需维修或更换",),
    "自来水管破裂": ("{where}自来水管破裂，路面冒水",),
    "路面塌陷": ("{where}路面局部塌陷，已设置临时警示",),
}
COMPONENT_TEMPLATES = ("{where}{name}破损，需维修", "{where}{name}缺失，存在安全隐患")
EVENT_TEMPLATE = "{where}发现{name}问题，请及时处置"
ROAD_FIRST = "金银玉翠青丹锦春秋星云凤龙桂兰梅竹松柏桃杏柳枫荷莲安永兴长新福瑞和丰文华明德"
ROAD_SUFFIX = ("路", "路", "路", "街", "大道", "巷")

NOTES = {
    "dispatch": ("请按时限处置", "请尽快处置并反馈", ""),
    "report_back": (
        "已处置完毕，现场恢复正常",
        "已安排人员清理，现场整洁",
        "已责令当事人整改，现场已规范",
        "已维修完毕",
    ),
    "verify_fail": ("现场仍有遗留问题，需返工", "处置不彻底，请重新处置"),
    "reject": ("不属于城市管理范围，已告知来电人", "现场核实无此问题", "与已立案事件重复"),
    "return": ("该问题不属于本部门职责，请重新派遣",),
    "extension": ("需协调产权单位，申请延期", "涉及管线迁改，施工周期较长"),
    "deny": ("理由不充分，请按原时限完成",),
    "suspend": ("涉及产权纠纷，需协调后处置", "需等待专项整治统一处理"),
    "resume": ("协调完毕，恢复办理",),
    "escalate": ("问题复杂，需上级协调处置",),
    "supervise": ("事件处置已超期，请立即处置并回复",),
    "answer": ("已安排专人加快处置，预计今日完成", "已落实整改，正在处置中"),
}

# Where the recent open cases stop (the state they are left in), with relative weights.
OPEN_STOPS = {
    CaseState.REPORTED: 12,
    CaseState.REGISTERED: 10,
    CaseState.DISPATCHED: 14,
    CaseState.HANDLING: 34,
    "extension_pending": 4,
    CaseState.REPORTED_BACK: 14,
    CaseState.VERIFIED: 7,
    CaseState.SUSPENDED: 5,
}
# The step whose clock runs in each stop state (a suspended case's clock stands still).
STOP_STEP = {
    CaseState.REPORTED: Step.REGISTER,
    CaseState.REGISTERED: Step.DISPATCH,
    CaseState.DISPATCHED: Step.ACCEPT,
    CaseState.HANDLING: Step.HANDLE,
    "extension_pending": Step.HANDLE,
    CaseState.REPORTED_BACK: Step.VERIFY,
    CaseState.VERIFIED: Step.CLOSE,
    CaseState.SUSPENDED: None,
}
# How far into (or past) its current step's limit an open case is at `now`, by target:
# (lowest share, highest share, weight).
OPEN_LATENESS = {"on_time": (0.05, 0.7, 55), "warning": (0.82, 0.97, 15), "overdue": (1.1, 3.0, 30)}


@dataclass
class DemoCasesResult:
    created: int = 0
    by_state: dict[str, int] = field(default_factory=dict)
    late: int = 0  # cases with a late handling step
    reworked: int = 0
    extended: int = 0  # cases with an approved extension
    rejected: int = 0
    returned: int = 0
    escalated: int = 0
    suspended: int = 0
    evaluated: int = 0
    overdue_open: int = 0  # open cases whose current step is past its deadline at `now`
    supervision_orders: int = 0
    photos: int = 0
    departments: int = 0
    dispatch_rules: int = 0
    seconds: float = 0.0


# --- Configuration -------------------------------------------------------------------------------


def ensure_departments(city: Region) -> dict[str, Department]:
    """The city's departments and dispatch matrix (idempotent); code suffix → Department.

    Every active minor class gets a city-level rule; a few local departments override some
    classes in their district or street. The demo account dept_handler joins 城管执法局.
    """
    departments: dict[str, Department] = {}
    for suffix, name, phone in CITY_DEPARTMENTS:
        departments[suffix], _ = Department.objects.get_or_create(
            code=f"{city.code}{suffix}", defaults={"name": name, "phone": phone, "region": city}
        )
    local: list[tuple[Department, Region, tuple]] = []
    for level, index, suffix, name, classes in LOCAL_DEPARTMENTS:
        regions = Region.objects.filter(level=level, code__within=city.code).order_by("code")
        region = regions[index : index + 1].first()
        if region is None:
            continue
        department, _ = Department.objects.get_or_create(
            code=f"{region.code}{suffix}", defaults={"name": region.name + name, "region": region}
        )
        departments[f"{region.code}{suffix}"] = department
        local.append((department, region, classes))

    minors = CaseCategory.objects.minor().select_related("parent")
    rules = []
    for category in minors.order_by("kind", "code"):
        key = (category.kind, category.code)
        suffix = MINOR_DEPARTMENT.get(key) or MAJOR_DEPARTMENT.get(
            (category.kind, category.parent.code), HANDLER_DEPARTMENT
        )
        rules.append(DispatchRule(category=category, department=departments[suffix], region=city))
        for department, region, classes in local:
            if key in classes:
                rules.append(DispatchRule(category=category, department=department, region=region))
    for rule in rules:  # bulk inserts skip save(), which copies the region code
        rule.region_code = rule.region.code
    DispatchRule.objects.bulk_create(rules, ignore_conflicts=True)

    handler = User.objects.filter(username="dept_handler").first()
    if handler is not None:
        departments[HANDLER_DEPARTMENT].members.add(handler)
    return departments


def ensure_time_limits() -> int:
    """Urgent limits for every minor class, critical ones for emergencies, and a few ordinary
    handling limits; rows that exist already are kept (a city may have set its own)."""
    rows = []
    for category in CaseCategory.objects.minor().order_by("kind", "code"):
        key = (category.kind, category.code)
        for step, (amount, unit) in URGENT_LIMITS.items():
            rows.append((category, Urgency.URGENT, step, amount, unit))
        if key in CRITICAL_CLASSES:
            for step, (amount, unit) in CRITICAL_LIMITS.items():
                rows.append((category, Urgency.CRITICAL, step, amount, unit))
        if key in NORMAL_HANDLE_LIMITS:
            amount, unit = NORMAL_HANDLE_LIMITS[key]
            rows.append((category, Urgency.NORMAL, Step.HANDLE, amount, unit))
    limits = [
        TimeLimit(category=c, urgency=u, step=s, amount=a, unit=unit) for c, u, s, a, unit in rows
    ]
    return len(TimeLimit.objects.bulk_create(limits, ignore_conflicts=True))


# --- The engine in history mode ------------------------------------------------------------------


@contextlib.contextmanager
def _history_mode():
    """Run the real actions for past times: no notices about cases closed months ago, and each
    version stamp (calendar, grid index) read once for the whole batch."""
    with notifications.muted(), VersionStamp.pinned():
        yield


# --- Planning ------------------------------------------------------------------------------------


@dataclass
class _Grid:
    pk: int
    code: str
    polygon: object
    bounds: tuple[float, float, float, float]
    community: str
    workers: dict[str, str]  # role → name of the first post holder


@dataclass
class _Plan:
    index: int
    reported_at: datetime
    grid: _Grid
    category: CaseCategory
    urgency: str
    channel: str
    open_stop: str = ""  # the state an open case is left in; "" runs the whole lifecycle
    open_lateness: str = ""
    rejected: bool = False
    late: bool = False
    rework: bool = False
    extension: str = ""  # "approved" / "denied"
    returned: bool = False
    escalated: bool = False
    suspended: bool = False
    evaluated: bool = False
    supervised: bool = False
    photo: bool = False


class _Stop(Exception):
    """The case's next action would happen after `now`: it stays where it is."""


def _quota(rng: random.Random, indexes: list[int], share: float) -> set[int]:
    picked = list(indexes)
    rng.shuffle(picked)
    return set(picked[: round(len(picked) * share)])


def _weighted(rng: random.Random, weights: dict):
    return rng.choices(list(weights), weights=list(weights.values()))[0]


class _Generator:
    """Plans the cases from the seed, then drives each through the engine in time order.

    Actors are the demo accounts whose role and scope allow the action (dispatcher of the
    first county, street staff of the first township, dept_handler in 城管执法局, inspector
    of the first county, grid_worker of the first grid), else the superuser admin.
    """

    def __init__(self, city: Region, seed: int, count: int, now: datetime):
        self.city = city
        self.rng = random.Random(seed)
        self.faker = Faker("zh_CN")
        self.faker.seed_instance(seed)
        self.count = count
        self.calendar = WorkCalendar.load()
        self.now = now.astimezone(self.calendar.tz)
        self.photo_seed = seed
        self.roads: dict[str, list[str]] = {}
        self.photos = 0
        self._small_photos: list[bytes] = []

    # -- configuration and people --------------------------------------------------------------

    def load(self) -> None:
        # The seeded classes may be gone (a flushed database): put them back, idempotently.
        seed_categories(CaseCategory)
        self.departments = ensure_departments(self.city)
        ensure_time_limits()
        usernames = (
            "admin",
            "county_dispatcher",
            "street_staff",
            "grid_worker",
            "dept_handler",
            "inspector",
        )
        users = {u.username: u for u in User.objects.filter(username__in=usernames)}
        self.admin = users.get("admin")
        if self.admin is None or not self.admin.is_superuser:
            raise ValueError("演示账号 admin 不存在：请先运行 create_demo_accounts")
        self.users = users
        self.memberships = {
            username: set(user.departments.values_list("pk", flat=True))
            for username, user in users.items()
        }
        minors = CaseCategory.objects.reportable()
        self.categories = list(minors.select_related("parent").order_by("kind", "code"))
        self.category_weights = [
            CATEGORY_WEIGHTS.get(c.name, DEFAULT_WEIGHT.get(c.kind, 0.3)) for c in self.categories
        ]
        workers: dict[int, dict[str, str]] = {}
        for region_id, role, name in (
            GridWorker.objects.filter(region_code__within=self.city.code, active=True)
            .order_by("region_code", "role", "name")
            .values_list("region_id", "role", "name")
        ):
            workers.setdefault(region_id, {}).setdefault(role, name)
        self.grids = []
        grids = Region.objects.filter(level=RegionLevel.GRID, code__within=self.city.code)
        for pk, code, boundary, community in grids.order_by("code").values_list(
            "pk", "code", "boundary", "parent__name"
        ):
            if not boundary:
                continue
            polygon = shape(boundary)
            shapely.prepare(polygon)
            self.grids.append(
                _Grid(pk, code, polygon, polygon.bounds, community or "", workers.get(pk, {}))
            )
        if not self.grids or not self.categories:
            raise ValueError("演示城市没有网格或没有事部件小类，无法生成事件")
        self.city_departments = [self.departments[suffix] for suffix, _, _ in CITY_DEPARTMENTS]

    # -- the plan ---------------------------------------------------------------------------

    def _report_times(self) -> list[datetime]:
        cal, rng = self.calendar, self.rng
        today = self.now.date()
        days = [today - timedelta(days=DAYS - 1 - i) for i in range(DAYS)]
        weights = [
            (1 + GROWTH * i / (DAYS - 1))
            * (WORKDAY_WEIGHT if cal.is_workday(d) else RESTDAY_WEIGHT)
            for i, d in enumerate(days)
        ]
        earliest = self.now - timedelta(minutes=10)
        times = []
        while len(times) < self.count:
            day = rng.choices(days, weights=weights)[0]
            t = self._time_of_day(day, cal.is_workday(day))
            if t < earliest:
                times.append(t)
        return sorted(times)

    def _time_of_day(self, day, workday: bool) -> datetime:
        rng = self.rng
        if workday and rng.random() < 0.8:
            # Office hours: a uniform instant of the day's working time.
            spans = [
                (s.hour * 60 + s.minute, e.hour * 60 + e.minute) for s, e in self.calendar.periods
            ]
            total = sum(e - s for s, e in spans)
            offset = rng.uniform(0, total)
            for s, e in spans:
                if offset < e - s:
                    minute = s + offset
                    break
                offset -= e - s
        else:
            minute = rng.uniform(7 * 60, 21 * 60 + 30)  # evenings, weekends: 07:00–21:30
        start = datetime.combine(day, datetime.min.time(), tzinfo=self.calendar.tz)
        return start + timedelta(minutes=minute)

    def plan(self) -> list[_Plan]:
        rng = self.rng
        first_grid = self.grids[0]
        plans = []
        for index, reported_at in enumerate(self._report_times()):
            # A small share lands in the first grid, where the demo grid worker works.
            grid = first_grid if rng.random() < 0.01 else rng.choice(self.grids)
            category = rng.choices(self.categories, weights=self.category_weights)[0]
            critical = (category.kind, category.code) in CRITICAL_CLASSES
            roll = rng.random()
            if critical:
                urgency = (
                    Urgency.NORMAL
                    if roll < 0.4
                    else Urgency.URGENT
                    if roll < 0.8
                    else Urgency.CRITICAL
                )
            else:
                urgency = Urgency.URGENT if roll < 0.06 else Urgency.NORMAL
            channel = _weighted(rng, CHANNEL_WEIGHTS)
            plans.append(_Plan(index, reported_at, grid, category, urgency, channel))

        open_count = round(len(plans) * OPEN_SHARE)
        settled = list(range(len(plans) - open_count))
        for plan in plans[len(settled) :]:
            self._plan_open(plan)
        rejected = _quota(rng, settled, REJECTED)
        lifecycle = [i for i in settled if i not in rejected]
        flags = {
            "late": LATE,
            "rework": REWORK,
            "returned": RETURNED,
            "escalated": ESCALATED,
            "suspended": SUSPENDED,
            "evaluated": EVALUATED,
        }
        chosen = {name: _quota(rng, lifecycle, share) for name, share in flags.items()}
        extended = _quota(rng, lifecycle, EXTENSION)
        supervised = _quota(rng, sorted(chosen["late"]), SUPERVISED_LATE)
        for i in rejected:
            plans[i].rejected = True
        for name, indexes in chosen.items():
            for i in indexes:
                setattr(plans[i], name, True)
        for i in extended:
            plans[i].extension = "approved" if rng.random() < EXTENSION_APPROVED else "denied"
        for i in supervised:
            plans[i].supervised = True
        for plan in plans:
            plan.photo = plan.index % PHOTO_EVERY == 0
        return plans

    def _plan_open(self, plan: _Plan) -> None:
        """Pick a lateness target, then a stop state in which the case can reach it: a case
        reported yesterday cannot be overdue in a three-day handling step, but can be in the
        one-hour dispatch step."""
        rng, cal = self.rng, self.calendar
        target = _weighted(rng, {name: weight for name, (_, _, weight) in OPEN_LATENESS.items()})
        low = OPEN_LATENESS[target][0]
        probe = Case(category=plan.category, urgency=plan.urgency)
        feasible = {}
        for stop, weight in OPEN_STOPS.items():
            step = STOP_STEP[stop]
            if step is None:
                feasible[stop] = weight
                continue
            amount, unit = clock.limits_for(probe)[step]
            limit = cal.limit_seconds(amount, unit)
            used = cal.elapsed(plan.reported_at, self.now, unit)
            if stop == CaseState.REPORTED:  # its clock started at the report: no choice
                fraction = used / limit if limit else 0
                ok = OPEN_LATENESS[target][0] <= fraction <= OPEN_LATENESS[target][1] or (
                    target == "overdue" and fraction >= 1
                )
            else:  # the earlier steps take a little of the time since the report
                ok = 0.8 * used >= low * limit
            if ok:
                feasible[stop] = weight
        plan.open_stop = _weighted(rng, feasible or OPEN_STOPS)
        plan.open_lateness = target

    # -- time ----------------------------------------------------------------------------------

    def _elapsed(self, start: datetime, end: datetime, unit: str) -> int:
        return self.calendar.elapsed(start, end, unit or WH)

    def _after(self, start: datetime, seconds: float, unit: str) -> datetime:
        return self.calendar.point_after(start, max(0, int(seconds)), unit or WH)

    def _in_step(self, case: Case, cursor: datetime, low: float, high: float) -> datetime:
        """A time `low`–`high` of the way from the cursor to the step's deadline (> 1 = late)."""
        unit = case.step_unit
        start = max(cursor, case.step_started)
        span = self._elapsed(start, case.step_deadline, unit)
        if high > 1:  # late: measured by the whole limit, past the deadline
            limit = self._elapsed(case.step_started, case.step_deadline, unit)
            late = self._after(case.step_deadline, (self.rng.uniform(low, high) - 1) * limit, unit)
            return max(late, case.step_deadline + timedelta(minutes=5))
        return self._after(start, self.rng.uniform(low, high) * span, unit)

    def _open_time(self, case: Case, cursor: datetime, step: str, target: str) -> datetime:
        """When to take the action that starts `step`, so that at `now` the step has used the
        target share of its limit (as far as the case's earlier history allows)."""
        amount, unit = clock.limits_for(case)[step]
        limit = self.calendar.limit_seconds(amount, unit)
        low, high, _ = OPEN_LATENESS[target]
        want = self.rng.uniform(low, high) * limit
        earliest, latest = cursor + timedelta(minutes=2), self.now - timedelta(minutes=1)
        if earliest >= latest:
            return earliest
        if self._elapsed(earliest, self.now, unit) <= want:
            return earliest
        lo, hi = earliest, latest  # elapsed(t, now) falls as t rises: bisect on t
        while (hi - lo) > timedelta(minutes=1):
            mid = lo + (hi - lo) / 2
            if self._elapsed(mid, self.now, unit) > want:
                lo = mid
            else:
                hi = mid
        return hi

    # -- actors --------------------------------------------------------------------------------

    def _allowed(self, user: User | None, permission: str, case: Case) -> bool:
        if user is None:
            return False
        if user.is_superuser:
            return True
        in_scope = user.covers(case.region_code)
        return in_scope and user.has_perm(f"cases.{permission}")

    def _centre(self, permission: str, case: Case) -> User:
        """The dispatcher of the case's county, a street's staff for filing, else admin."""
        street = self.users.get("street_staff")
        filing = permission == "register_case" and self.rng.random() < 0.5
        if filing and self._allowed(street, permission, case):
            return street
        dispatcher = self.users.get("county_dispatcher")
        return dispatcher if self._allowed(dispatcher, permission, case) else self.admin

    def _department_member(self, case: Case) -> User:
        """dept_handler for 城管执法局's cases; the other departments have no demo account."""
        handler = self.users.get("dept_handler")
        member = case.department_id in self.memberships.get("dept_handler", ())
        return handler if member and self._allowed(handler, "handle_case", case) else self.admin

    def _verifier(self, case: Case) -> User:
        for username in ("inspector", "grid_worker"):
            user = self.users.get(username)
            if self._allowed(user, "verify_case", case):
                return user
        return self.admin

    def _reporter(self, plan: _Plan) -> tuple[User | None, str, str]:
        """(actor, reporter name, reporter phone) of the report."""
        grid = plan.grid
        if plan.channel in FIELD:
            username, role = (
                ("grid_worker", WorkerRole.GRID_WORKER)
                if plan.channel == Channel.GRID_APP
                else ("inspector", WorkerRole.INSPECTOR)
            )
            user = self.users.get(username)
            if user is not None and user.covers(grid.code):
                return user, "", ""
            name = grid.workers.get(role) or grid.workers.get(WorkerRole.GRID_WORKER, "")
            return None, name, ""
        citizen = self.faker.name()
        phone = self._mobile()
        if plan.channel in (Channel.WECHAT, Channel.PORTAL):
            return None, citizen, phone
        # Hotline calls and desk registrations are typed in by the centre.
        dispatcher = self.users.get("county_dispatcher")
        in_county = dispatcher is not None and dispatcher.covers(grid.code)
        return (dispatcher if in_county else self.admin), citizen, phone

    def _mobile(self) -> str:
        prefix = self.rng.choice(("138", "139", "150", "158", "177", "186", "189", "199"))
        return prefix + f"{self.rng.randrange(10**8):08d}"

    # -- content -------------------------------------------------------------------------------

    def _point(self, grid: _Grid) -> tuple[float, float]:
        minx, miny, maxx, maxy = grid.bounds
        for _ in range(200):
            x, y = self.rng.uniform(minx, maxx), self.rng.uniform(miny, maxy)
            if shapely.contains_xy(grid.polygon, x, y):
                return round(x, 6), round(y, 6)
        point = grid.polygon.representative_point()
        return point.x, point.y

    def _address(self, grid: _Grid) -> str:
        roads = self.roads.get(grid.community)
        if roads is None:
            pick = self.rng.choice
            roads = [pick(ROAD_FIRST) + pick(ROAD_FIRST) + pick(ROAD_SUFFIX) for _ in range(4)]
            self.roads[grid.community] = roads
        return f"{grid.community}{self.rng.choice(roads)}{self.rng.randint(1, 300)}号附近"

    def _description(self, plan: _Plan, address: str) -> str:
        name = plan.category.name
        templates = DESCRIPTIONS.get(name) or (
            COMPONENT_TEMPLATES if plan.category.kind == CaseKind.COMPONENT else (EVENT_TEMPLATE,)
        )
        text = self.rng.choice(templates).format(where=address, name=name, n=self.rng.randint(2, 9))
        return CHANNEL_PREFIX[plan.channel] + text

    def _note(self, key: str) -> str:
        return self.rng.choice(NOTES[key])

    def _photo(self, plan: _Plan, stage: str) -> list[SimpleUploadedFile]:
        """report_back needs a photo: a small one, or a full scene on every PHOTO_EVERY-th case."""
        if stage == "before" and not plan.photo:
            return []
        if plan.photo:
            data = _scene(random.Random(self.photo_seed * 100_003 + plan.index), stage)
        else:
            if not self._small_photos:
                self._small_photos = [
                    _scene(random.Random(self.photo_seed + i), "after", (120, 90)) for i in range(6)
                ]
            data = self._small_photos[plan.index % len(self._small_photos)]
        self.photos += 1
        return [SimpleUploadedFile(f"{stage}.jpg", data, content_type="image/jpeg")]

    # -- running a case ------------------------------------------------------------------------

    def run(self, plans: list[_Plan], progress=None) -> None:
        for done, plan in enumerate(plans, start=1):
            self.plan_now = plan
            with contextlib.suppress(_Stop):
                self._case(plan)
            # With DEBUG on, Django keeps every query; two thousand cases would pile them up.
            reset_queries()
            if progress and (done % PROGRESS_EVERY == 0 or done == len(plans)):
                progress(done, len(plans))

    def _when(self, when: datetime, optional: bool = False) -> datetime:
        """`when`, if it is not after `now`. A case meant to be finished that runs into `now`
        takes its remaining steps faster (so only the planned recent cases stay open); an
        optional action (evaluation) or a case meant to stay open stops there."""
        if when > self.now:
            room = self.now - self.cursor
            if optional or self.plan_now.open_stop or room < timedelta(minutes=4):
                raise _Stop
            when = self.cursor + room * self.rng.uniform(0.05, 0.3)
        self.cursor = when
        return when

    def _act(self, function, case: Case, when: datetime, optional=False, **kwargs) -> Case:
        return function(case, now=self._when(when, optional), **kwargs)

    def _time(
        self,
        plan: _Plan,
        case: Case,
        step: str,
        action: str,
        enters: str,
        low: float = 0.05,
        high: float = 0.6,
    ) -> datetime:
        """When to take `action`: by the plan's open target if it enters the stop state, else a
        share of the current step's limit (sometimes late for the quick steps)."""
        if plan.open_stop and plan.open_stop == enters:
            next_step = BY_ACTION[action].next_step
            if next_step:
                return self._open_time(case, self.cursor, next_step, plan.open_lateness)
            return self.cursor + (self.now - self.cursor) * self.rng.uniform(0.1, 0.9)
        if not plan.open_stop and self.rng.random() < LATE_STEP.get(step, 0):
            return self._in_step(case, self.cursor, 1.05, 1.6)
        return max(self._in_step(case, self.cursor, low, high), self.cursor + timedelta(minutes=1))

    def _stop_if(self, plan: _Plan, state: str) -> None:
        if plan.open_stop == state:
            raise _Stop

    def _case(self, plan: _Plan) -> None:
        actor, name, phone = self._reporter(plan)
        address = self._address(plan.grid)
        lng, lat = self._point(plan.grid)
        report = Report(
            category=plan.category,
            description=self._description(plan, address),
            lng=lng,
            lat=lat,
            address=address,
            urgency=plan.urgency,
            channel=plan.channel,
            reporter_name=name,
            reporter_phone=phone,
            photos=self._photo(plan, "before"),
        )
        case = report_case(report, actor=actor, now=plan.reported_at)
        self.cursor = plan.reported_at
        self._stop_if(plan, CaseState.REPORTED)

        if plan.rejected:
            t = self._time(plan, case, Step.REGISTER, "reject", CaseState.REJECTED)
            self._act(
                actions.reject_case,
                case,
                t,
                actor=self._centre("register_case", case),
                note=self._note("reject"),
            )
            return
        t = self._time(plan, case, Step.REGISTER, "register", CaseState.REGISTERED)
        case = self._act(actions.register_case, case, t, actor=self._centre("register_case", case))
        if plan.escalated:
            t = self._time(plan, case, Step.DISPATCH, "escalate", CaseState.REGISTERED, 0.2, 0.8)
            case = self._act(
                actions.escalate_case,
                case,
                t,
                note=self._note("escalate"),
                actor=self._centre("escalate_case", case),
            )
        self._stop_if(plan, CaseState.REGISTERED)

        dispatcher = self._centre("dispatch_case", case)
        if plan.returned:
            # Sent to the wrong department first, which returns it.
            right = actions.responsible_department(case)
            wrong = self.rng.choice([d for d in self.city_departments if d != right])
            t = self._time(plan, case, Step.DISPATCH, "dispatch", "")
            case = self._act(actions.dispatch_case, case, t, actor=dispatcher, department=wrong)
            t = self._time(plan, case, Step.ACCEPT, "return", "", 0.2, 0.8)
            case = self._act(
                actions.return_case,
                case,
                t,
                note=self._note("return"),
                actor=self._department_member(case),
            )
        if case.state == CaseState.REGISTERED:
            t = self._time(plan, case, Step.DISPATCH, "dispatch", CaseState.DISPATCHED)
            case = self._act(
                actions.dispatch_case, case, t, actor=dispatcher, note=self._note("dispatch")
            )
        self._stop_if(plan, CaseState.DISPATCHED)

        handler = self._department_member(case)
        pending = plan.open_stop == "extension_pending"
        enters = "extension_pending" if pending else CaseState.HANDLING
        t = self._time(plan, case, Step.ACCEPT, "accept", enters)
        case = self._act(actions.accept_case, case, t, actor=handler)
        if pending:
            t = self.cursor + (self.now - self.cursor) * self.rng.uniform(0.2, 0.9)
            self._act(
                actions.request_extension,
                case,
                t,
                actor=handler,
                hours=self.rng.choice((8, 16, 24)),
                note=self._note("extension"),
            )
            raise _Stop
        self._stop_if(plan, CaseState.HANDLING)
        if plan.open_stop == CaseState.SUSPENDED or plan.suspended:
            if plan.open_stop == CaseState.SUSPENDED:
                t = self.cursor + (self.now - self.cursor) * self.rng.uniform(0.1, 0.9)
            else:
                t = self._in_step(case, self.cursor, 0.1, 0.4)
            case = self._act(
                actions.suspend_case,
                case,
                t,
                actor=self._centre("suspend_case", case),
                note=self._note("suspend"),
            )
            self._stop_if(plan, CaseState.SUSPENDED)
            t = self.calendar.add(t, self.rng.uniform(1, 4), WD)
            case = self._act(
                actions.resume_case,
                case,
                t,
                actor=self._centre("suspend_case", case),
                note=self._note("resume"),
            )
        if plan.extension:
            t = self._in_step(case, self.cursor, 0.3, 0.7)
            hours = self.rng.choice((8, 16, 24, 40))
            case = self._act(
                actions.request_extension,
                case,
                t,
                actor=handler,
                hours=hours,
                note=self._note("extension"),
            )
            approver = self._centre("approve_extension_case", case)
            t = self.calendar.add_working_seconds(t, self.rng.uniform(600, 5400))
            if plan.extension == "approved":
                case = self._act(actions.approve_extension, case, t, actor=approver)
            else:
                case = self._act(
                    actions.deny_extension, case, t, actor=approver, note=self._note("deny")
                )
        self._handle(plan, case, handler)

    def _handle(self, plan: _Plan, case: Case, handler: User) -> None:
        if plan.late:
            t = self._in_step(case, self.cursor, 1.05, 1.9)
            if plan.supervised:
                case = self._supervise(case, handler)
                t = max(t, self.cursor + timedelta(minutes=30))
        else:
            t = self._time(
                plan, case, Step.HANDLE, "report_back", CaseState.REPORTED_BACK, 0.15, 0.9
            )
        case = self._act(
            actions.report_back_case,
            case,
            t,
            actor=handler,
            note=self._note("report_back"),
            photos=self._photo(plan, "after"),
        )
        self._stop_if(plan, CaseState.REPORTED_BACK)
        verifier = self._verifier(case)
        if plan.rework:
            t = self._time(plan, case, Step.VERIFY, "verify_fail", "", 0.1, 0.7)
            case = self._act(
                actions.verify_case,
                case,
                t,
                actor=verifier,
                passed=False,
                note=self._note("verify_fail"),
            )
            t = self._in_step(case, self.cursor, 0.1, 0.7)
            case = self._act(
                actions.report_back_case,
                case,
                t,
                actor=handler,
                note=self._note("report_back"),
                photos=self._photo(plan, "after"),
            )
        t = self._time(plan, case, Step.VERIFY, "verify_pass", CaseState.VERIFIED, 0.1, 0.7)
        case = self._act(actions.verify_case, case, t, actor=verifier, passed=True)
        self._stop_if(plan, CaseState.VERIFIED)
        t = self._time(plan, case, Step.CLOSE, "close", CaseState.CLOSED, 0.05, 0.5)
        case = self._act(actions.close_case, case, t, actor=self._centre("close_case", case))
        if plan.evaluated:
            t = self.calendar.add_working_seconds(t, self.rng.uniform(1800, 4 * 27000))
            score = self.rng.choices((5, 4, 3, 2, 1), weights=(55, 30, 9, 4, 2))[0]
            self._act(
                actions.evaluate_case,
                case,
                t,
                optional=True,
                satisfaction=score,
                actor=self._centre("evaluate_case", case),
            )

    def _supervise(self, case: Case, handler: User) -> Case:
        """A 督办单 on a case late in handling; the department answers it before handling."""
        t = self.calendar.add_working_seconds(case.step_deadline, self.rng.uniform(1800, 4 * 3600))
        t = max(t, self.cursor + timedelta(minutes=1))
        issuer = self._centre("supervise_case", case)
        level = SupervisionLevel.KEY if self.rng.random() < 0.2 else SupervisionLevel.GENERAL
        required_by = self.calendar.add(t, 1, WD)
        case = self._act(
            actions.supervise_case,
            case,
            t,
            actor=issuer,
            level=level,
            note=self._note("supervise"),
            required_by=required_by,
        )
        order = SupervisionOrder.objects.filter(case=case).latest("pk")
        t = self._when(self.calendar.add_working_seconds(t, self.rng.uniform(1800, 3 * 3600)))
        supervision.answer_supervision(order, actor=handler, answer=self._note("answer"), now=t)
        return case

    def supervise_open(self, plans: list[_Plan]) -> None:
        """A few open orders on cases overdue in handling now, due after `now`."""
        overdue = list(
            Case.objects.filter(
                pk__in=self.created_ids(),
                state=CaseState.HANDLING,
                step_deadline__lt=self.now,
                paused_at__isnull=True,
            ).order_by("number")
        )
        for case in overdue[: max(1, round(len(plans) * 0.004))]:
            t = max(case.step_deadline, self.now - timedelta(hours=6))
            t = min(t + timedelta(minutes=self.rng.randint(5, 120)), self.now)
            if t <= (case.events.order_by("-time").values_list("time", flat=True).first() or t):
                continue
            self.cursor = t
            actions.supervise_case(
                case,
                actor=self._centre("supervise_case", case),
                now=t,
                note=self._note("supervise"),
                required_by=self.calendar.add(self.now, 1, WD),
            )

    def created_ids(self):
        return Case.objects.filter(pk__gt=self.first_pk).values("pk")


def _scene(rng: random.Random, stage: str, size: tuple[int, int] = (640, 480)) -> bytes:
    """A street corner drawn with Pillow: litter and clutter before, tidy after."""
    width, height = size
    image = Image.new("RGB", size, (150 + rng.randint(0, 40), 185 + rng.randint(0, 30), 220))
    draw = ImageDraw.Draw(image)
    horizon = int(height * rng.uniform(0.35, 0.5))
    for i in range(rng.randint(2, 4)):  # buildings
        x = int(width * i / 4) + rng.randint(-20, 20)
        top = horizon - rng.randint(height // 8, height // 3)
        shade = rng.randint(160, 220)
        draw.rectangle((x, top, x + width // 4, horizon), fill=(shade, shade - 10, shade - 25))
        for wy in range(top + 8, horizon - 8, max(height // 16, 6)):
            for wx in range(x + 6, x + width // 4 - 6, max(width // 24, 6)):
                draw.rectangle((wx, wy, wx + 3, wy + 4), fill=(90, 110, 140))
    draw.rectangle((0, horizon, width, height), fill=(118, 118, 122))  # road
    draw.rectangle((0, horizon, width, horizon + height // 10), fill=(170, 165, 155))  # pavement
    draw.rectangle((0, horizon - 6, width, horizon), fill=(70, 140, 70))  # hedge
    for x in range(0, width, width // 8):
        draw.line((x, height * 0.8, x + width // 16, height * 0.8), fill=(235, 235, 235), width=3)
    if stage == "before":
        for _ in range(rng.randint(6, 14)):
            x = rng.randint(0, width - 20)
            y = rng.randint(horizon, height - 20)
            r = rng.randint(width // 60, width // 20)
            colour = rng.choice(((40, 40, 40), (200, 60, 50), (60, 90, 170), (220, 200, 80)))
            draw.ellipse((x, y, x + 2 * r, y + r), fill=colour)
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=80)
    return out.getvalue()


# --- Entry point ---------------------------------------------------------------------------------


def generate_demo_cases(
    city: Region,
    *,
    seed: int,
    count: int = 2000,
    now: datetime | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> DemoCasesResult:
    """Departments, dispatch matrix, time limits and `count` cases with their whole history
    in the `DAYS` days before `now` (default: the current time), deterministic for a seed.

    Needs the demo accounts (`demo.regions.create_demo_accounts`); no notifications are sent,
    no change-log rows are written (a history that happened then is not a change made now).
    """
    started = time.monotonic()
    now = now or timezone.now()
    generator = _Generator(city, seed, count, now)
    with transaction.atomic(), writeguard.unlogged():
        generator.load()
        generator.first_pk = Case.objects.aggregate(m=Max("pk"))["m"] or 0
        with _history_mode():
            plans = generator.plan() if count > 0 else []
            generator.run(plans, progress)
            generator.supervise_open(plans)
        _backdate(generator.first_pk)
        result = _summarise(generator, generator.first_pk)
    result.seconds = time.monotonic() - started
    return result


def _backdate(first_pk: int) -> None:
    """Give the new rows their simulated creation and update times."""
    last_event = CaseEvent.objects.filter(case_id=OuterRef("pk")).order_by("-time", "-pk")
    Case.objects.filter(pk__gt=first_pk).update(
        created=F("reported_at"), last_updated=Subquery(last_event.values("time")[:1])
    )
    event_time = CaseEvent.objects.filter(pk=OuterRef("event_id")).values("time")[:1]
    CaseAttachment.objects.filter(case_id__gt=first_pk).update(created=Subquery(event_time))
    # Orders: issued with the case's supervise event; answered (or not) since.
    for order in SupervisionOrder.objects.filter(case_id__gt=first_pk):
        issued = (
            CaseEvent.objects.filter(
                case_id=order.case_id, action="supervise", data__order_id=order.pk
            )
            .values_list("time", flat=True)
            .first()
        )
        if issued:
            SupervisionOrder.objects.filter(pk=order.pk).update(
                created=issued, last_updated=order.answered_at or issued
            )
    # Verification tasks: the n-th of a case was created by its n-th report back.
    backs: dict[int, list[datetime]] = {}
    for case_id, when in (
        CaseEvent.objects.filter(case_id__gt=first_pk, action="report_back")
        .order_by("case_id", "time", "pk")
        .values_list("case_id", "time")
    ):
        backs.setdefault(case_id, []).append(when)
    tasks = list(
        Task.objects.filter(case_id__gt=first_pk, kind=TaskKind.VERIFICATION).order_by(
            "case_id", "pk"
        )
    )
    seen: Counter = Counter()
    for task in tasks:
        times = backs.get(task.case_id, [])
        n = seen[task.case_id]
        seen[task.case_id] += 1
        if n < len(times):
            task.created = times[n]
            task.last_updated = task.done_at or times[n]
    Task.objects.bulk_update(tasks, ["created", "last_updated"], batch_size=500)


def _summarise(generator: _Generator, first_pk: int) -> DemoCasesResult:
    cases = Case.objects.filter(pk__gt=first_pk)
    events = CaseEvent.objects.filter(case_id__gt=first_pk)

    def with_action(action: str, **extra) -> int:
        return events.filter(action=action, **extra).values("case_id").distinct().count()

    by_state = dict(cases.values_list("state").annotate(n=Count("pk")).order_by())
    return DemoCasesResult(
        created=cases.count(),
        by_state={s: by_state[s] for s in CaseState.values if s in by_state},
        late=with_action("report_back", on_time=False),
        reworked=with_action("verify_fail"),
        extended=with_action("approve_extension"),
        rejected=with_action("reject"),
        returned=with_action("return"),
        escalated=with_action("escalate"),
        suspended=with_action("suspend"),
        evaluated=with_action("evaluate"),
        overdue_open=cases.filter(
            state__in=OPEN_STATES, paused_at__isnull=True, step_deadline__lt=generator.now
        ).count(),
        supervision_orders=SupervisionOrder.objects.filter(case_id__gt=first_pk).count(),
        photos=generator.photos,
        departments=Department.objects.filter(region_code__within=generator.city.code).count(),
        dispatch_rules=DispatchRule.objects.filter(region_code__within=generator.city.code).count(),
    )
