"""The demo teams tree (机构队伍): the mirrored units with their duties, a sub-centre under the
city and every county, a few members with posts and staff files in each centre, sub-centre
and work station, and the demo accounts placed where their roles work.

Grid workers and department handlers are not generated here: they appear in the tree from the
demo city's grid workers and departments (`orgs.mirror`). Written without history, like the
rest of the demo city.
"""

import random
from dataclasses import dataclass
from datetime import date, timedelta

from django.db import transaction

from citygrid.accounts.models import User
from citygrid.core import records, writeguard
from citygrid.orgs import mirror
from citygrid.orgs.choices import Gender, RecordKind, UnitKind
from citygrid.orgs.models import OrgUnit, Staff, StaffRecord
from citygrid.regions.models import Region

SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾萧田董潘袁蔡蒋余于杜叶程"
)
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华建国志红文斌宇浩凯晨雪梅琳"
EDUCATION = ("大专", "本科", "本科", "硕士研究生")

DUTIES = {
    UnitKind.COMMAND_CENTRE: "统筹全市网格化服务管理；受理、派遣、督办、核查、结案全流程指挥；"
    "考核评价各区县和部门处置工作",
    UnitKind.SUB_CENTRE: "统筹本级网格化服务管理；受理辖区上报事件并派遣到责任部门；"
    "督办超期事件；指导下级工作站和网格服务团队",
    UnitKind.WORK_STATION: "组织本社区网格服务团队开展巡查、采集和服务；"
    "协调化解矛盾纠纷；上报本级不能解决的事件",
}

# Posts of hand-typed members by unit kind: (post, its duties).
POSTS = {
    UnitKind.COMMAND_CENTRE: [
        ("主任", "主持指挥中心全面工作"),
        ("值班长", "组织当班受理、派遣，处置紧急事件"),
        ("受理员", "受理各渠道上报事件，立案分类"),
        ("派遣员", "将立案事件派遣到责任部门并跟踪处置"),
    ],
    UnitKind.SUB_CENTRE: [
        ("主任", "主持分中心全面工作"),
        ("派遣员", "派遣辖区事件并督办"),
        ("核查员", "组织对处置结果进行核查"),
    ],
    UnitKind.WORK_STATION: [
        ("站长", "主持工作站全面工作，统筹网格服务团队"),
        ("专职网格员", "负责网格日常巡查和信息采集"),
    ],
}

RECORDS = {
    RecordKind.EDUCATION: ["毕业于浙江大学公共管理专业", "毕业于杭州师范大学社会工作专业"],
    RecordKind.TRAINING: ["网格化服务管理业务培训", "矛盾纠纷排查化解专题培训", "应急处置演练"],
    RecordKind.REWARD: ["年度优秀网格工作者", "平安建设先进个人"],
    RecordKind.PUNISHMENT: ["事件处置超期通报批评"],
}

# Demo account → the level of the unit whose member it becomes, and its post there.
ACCOUNT_POSTS = {
    "city_leader": ("city", "分管领导"),
    "sysadmin": ("city", "系统管理员"),
    "county_dispatcher": ("county", "派遣员"),
    "street_staff": ("township", "派遣员"),
    "community_staff": ("community", "站长助理"),
}


@dataclass
class DemoTeamsResult:
    units: int = 0
    members: int = 0
    staff_records: int = 0


def _name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))


def _member(rng: random.Random, unit: OrgUnit, post: str, duties: str, index: int) -> Staff:
    return Staff(
        unit=unit,
        name=_name(rng),
        post=post,
        post_duties=duties,
        phone=f"1991{unit.pk % 10000:04d}{index:03d}",
        gender=rng.choice(list(Gender)),
        birth_date=date(1970, 1, 1) + timedelta(days=rng.randrange(30 * 365)),
        education=rng.choice(EDUCATION),
        hired_on=date(2012, 1, 1) + timedelta(days=rng.randrange(12 * 365)),
    )


@transaction.atomic
@writeguard.unlogged()
def generate_demo_teams(city: Region, *, rng: random.Random) -> DemoTeamsResult:
    """The demo tree under `city` (see the module docstring); run it after the demo accounts,
    departments and grid workers exist. Running it again adds nothing twice."""
    mirror.ensure_units()
    result = DemoTeamsResult()
    units = list(
        OrgUnit.objects.filter(region_code__within=city.code)
        .select_related("region", "parent")
        .order_by("path")
    )
    with_duties = [u for u in units if u.kind in DUTIES and u.duties != DUTIES[u.kind]]
    for unit in with_duties:
        unit.duties = DUTIES[unit.kind]
    records.update_records(OrgUnit, with_duties, actor=None, fields=["duties"])
    centres = [u for u in units if u.mirrors_id and u.region.level in ("city", "county")]
    subs = []
    for centre in centres:
        code = f"ZH-{centre.region_code}"
        if not OrgUnit.objects.filter(code=code).exists():
            sub = OrgUnit(
                parent=centre,
                region=centre.region,
                kind=UnitKind.SUB_CENTRE,
                code=code,
                name=f"{centre.region.name}综合执法指挥分中心",
                duties="统筹协调城管、市场监管等执法力量，处置跨部门联合执法事件",
            )
            records.save_record(sub, actor=None)
            subs.append(sub)
    result.units = OrgUnit.objects.filter(region_code__within=city.code).count()
    if Staff.objects.filter(region_code__within=city.code, source="manual").exists():
        return result
    members = []
    for unit in [*units, *subs]:
        posts = POSTS.get(unit.kind)
        if not posts:
            continue
        for index, (post, duties) in enumerate(posts[: rng.randint(2, len(posts))]):
            members.append(_member(rng, unit, post, duties, index))
    members += _account_posts(city, units)
    records.create_records(Staff, members, actor=None)
    entries = []
    for member in members:
        for kind in rng.sample(list(RECORDS), rng.randint(1, 3)):
            entries.append(
                StaffRecord(
                    staff=member,
                    kind=kind,
                    date=date(2015, 1, 1) + timedelta(days=rng.randrange(10 * 365)),
                    title=rng.choice(RECORDS[kind]),
                )
            )
    records.create_records(StaffRecord, entries, actor=None)
    result.members = len(members)
    result.staff_records = len(entries)
    return result


def _account_posts(city: Region, units: list[OrgUnit]) -> list[Staff]:
    """The demo accounts as members of the unit at the first region of their level."""
    users = User.objects.in_bulk(list(ACCOUNT_POSTS), field_name="username")
    first = {}
    for unit in units:
        if unit.mirrors_id:
            first.setdefault(unit.region.level, unit)
    placed = []
    for username, (where, post) in ACCOUNT_POSTS.items():
        user, unit = users.get(username), first.get(where)
        if user is not None and unit is not None:
            name = user.full_name or user.username
            placed.append(Staff(unit=unit, user=user, name=name, post=post))
    return placed
