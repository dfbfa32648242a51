"""Demo new organisations (两新组织) across the demo city's communities and grids: enterprises and
social organisations with their 党组织/工青妇/综治工作室 (coverage between about 40 and 80 %),
working rules, dated work records, a few closed ones, and one organisation head's account.

Written without history like the rest of the demo city, and following from the
`random.Random` given alone.
"""

import random
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db import transaction

from citygrid.accounts import roles
from citygrid.accounts.models import User
from citygrid.core import writeguard
from citygrid.core.records import insert
from citygrid.core.validators import credit_code_check_char, organization_code_check_char
from citygrid.demo.regions import DEMO_PASSWORD
from citygrid.neworgs.choices import BranchKind, OrganisationKind
from citygrid.neworgs.models import NewOrganisation, OrgBranch, Regulation, WorkRecord
from citygrid.regions.choices import RegionLevel
from citygrid.regions.models import Region

DEFAULT_ORGANISATIONS = 400
ORG_HEAD_USERNAME = "org_head"

# Share of each kind among the organisations, and the chance each body exists in one.
KIND_WEIGHTS = {
    OrganisationKind.ENTERPRISE: 60,
    OrganisationKind.SOCIAL_GROUP: 15,
    OrganisationKind.PRIVATE_NON_ENTERPRISE: 20,
    OrganisationKind.FOUNDATION: 5,
}
BRANCH_CHANCE = {
    BranchKind.PARTY: 0.75,
    BranchKind.UNION: 0.65,
    BranchKind.YOUTH_LEAGUE: 0.42,
    BranchKind.WOMEN: 0.5,
    BranchKind.COMPREHENSIVE_OFFICE: 0.55,
}
# The registration authority's digits of a credit code (GB 32100): 91 enterprise, 51/52/53
# civil affairs' social group, private non-enterprise unit and foundation.
AUTHORITY = {
    OrganisationKind.ENTERPRISE: "91",
    OrganisationKind.SOCIAL_GROUP: "51",
    OrganisationKind.PRIVATE_NON_ENTERPRISE: "52",
    OrganisationKind.FOUNDATION: "53",
}

PLACES = [
    "东升",
    "华兴",
    "瑞丰",
    "锦程",
    "恒信",
    "嘉禾",
    "新源",
    "同创",
    "明德",
    "安泰",
    "博远",
    "和悦",
]
TRADES = {
    OrganisationKind.ENTERPRISE: [
        ("科技有限公司", "信息技术"),
        ("商贸有限公司", "批发零售"),
        ("建筑工程有限公司", "建筑业"),
        ("餐饮管理有限公司", "住宿餐饮"),
        ("物业服务有限公司", "物业管理"),
        ("机械制造有限公司", "制造业"),
        ("物流有限公司", "交通运输"),
    ],
    OrganisationKind.SOCIAL_GROUP: [
        ("商会", "商会"),
        ("志愿者协会", "社会服务"),
        ("个体劳动者协会", "行业协会"),
        ("老年体育协会", "文化体育"),
    ],
    OrganisationKind.PRIVATE_NON_ENTERPRISE: [
        ("幼儿园", "教育"),
        ("养老服务中心", "养老服务"),
        ("社会工作服务中心", "社会工作"),
        ("培训学校", "教育培训"),
    ],
    OrganisationKind.FOUNDATION: [("慈善基金会", "公益慈善"), ("教育基金会", "公益慈善")],
}
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英"
REGULATIONS = {
    BranchKind.PARTY: ["“三会一课”制度", "党员发展工作制度", "组织生活会制度"],
    BranchKind.UNION: ["职工代表大会制度", "厂务公开制度"],
    BranchKind.YOUTH_LEAGUE: ["团员教育管理制度"],
    BranchKind.WOMEN: ["女职工权益保护制度"],
    BranchKind.COMPREHENSIVE_OFFICE: ["矛盾纠纷排查化解制度", "安全生产检查制度"],
}
WORK = [
    "召开党员大会，学习上级文件精神",
    "开展“主题党日”活动，组织党员志愿服务",
    "组织职工开展安全生产培训",
    "走访困难职工家庭并送去慰问品",
    "开展矛盾纠纷排查，化解劳资纠纷一起",
    "组织青年职工参加技能比武",
    "开展女职工健康讲座",
    "配合社区开展消防安全检查",
    "召开职工代表大会，审议年度工作报告",
]


@dataclass
class NeworgsDemoResult:
    organisations: int = 0
    closed: int = 0
    branches: dict[str, int] = field(default_factory=dict)
    regulations: int = 0
    work_records: int = 0
    head: User | None = None


def demo_credit_code(serial: int, kind: str = OrganisationKind.ENTERPRISE) -> str:
    """A valid credit code, unique per `serial`, with the kind's registration authority."""
    body = f"{serial:08d}"
    head = f"{AUTHORITY[kind]}330100{body}{organization_code_check_char(body)}"
    return head + credit_code_check_char(head)


def _person(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.randint(1, 2)))


def _organisation(rng, serial, region, today) -> NewOrganisation:
    kind = rng.choices(list(KIND_WEIGHTS), weights=list(KIND_WEIGHTS.values()))[0]
    suffix, industry = rng.choice(TRADES[kind])
    established = today - timedelta(days=rng.randint(200, 20 * 365))
    enterprise = kind == OrganisationKind.ENTERPRISE
    employees = rng.randint(8, 300) if enterprise else rng.randint(3, 60)
    org = NewOrganisation(
        region=region,
        name=f"{region.name.removesuffix('网格')}{rng.choice(PLACES)}{suffix}",
        kind=kind,
        uscc=demo_credit_code(serial, kind),
        industry=industry,
        address=f"{region.name}{rng.randint(1, 199)}号",
        head_name=_person(rng),
        head_phone=f"139{rng.randint(0, 99_999_999):08d}",
        full_time_staff=rng.randint(0, 3),
        employees=employees,
        established_on=established,
        closed_on=today - timedelta(days=rng.randint(10, 150)) if rng.random() < 0.05 else None,
    )
    org.derive()
    return org


@transaction.atomic
@writeguard.unlogged()
def seed_neworgs(
    city: Region, rng: random.Random, *, count: int = DEFAULT_ORGANISATIONS, today: date
) -> NeworgsDemoResult:
    """`count` organisations spread over the city's grids (a fifth filed at community level),
    with their bodies, rules and work records, and the account `org_head` of the first one."""
    places = list(
        Region.objects.filter(
            code__within=city.code, level__in=(RegionLevel.GRID, RegionLevel.COMMUNITY)
        ).order_by("code")
    )
    grids = [r for r in places if r.level == RegionLevel.GRID]
    communities = [r for r in places if r.level == RegionLevel.COMMUNITY]
    result = NeworgsDemoResult()
    if not grids:
        return result
    start = NewOrganisation.objects.count()
    orgs = [
        _organisation(
            rng,
            start + n + 1,
            rng.choice(communities if communities and rng.random() < 0.2 else grids),
            today,
        )
        for n in range(count)
    ]
    insert(NewOrganisation, orgs)
    branches, regulations, records = [], [], []
    for org in orgs:
        founded = org.established_on
        for kind, chance in BRANCH_CHANCE.items():
            if rng.random() >= chance:
                continue
            since = founded + timedelta(days=rng.randint(30, max(31, (today - founded).days)))
            branches.append(
                OrgBranch(
                    organisation=org,
                    kind=kind,
                    established_on=min(since, today),
                    head_name=_person(rng),
                    members=rng.randint(3, max(3, org.employees // 2)),
                )
            )
            for title in rng.sample(REGULATIONS[kind], rng.randint(0, len(REGULATIONS[kind]))):
                regulations.append(
                    Regulation(organisation=org, title=title, adopted_on=min(since, today))
                )
        for _ in range(rng.randint(0, 6)):
            day = today - timedelta(days=rng.randint(1, 365))
            records.append(WorkRecord(organisation=org, date=day, content=rng.choice(WORK)))
    insert(OrgBranch, branches)
    insert(Regulation, regulations)
    insert(WorkRecord, records)
    result.organisations = len(orgs)
    result.closed = sum(o.closed_on is not None for o in orgs)
    result.branches = {kind.label: sum(b.kind == kind for b in branches) for kind in BranchKind}
    result.regulations = len(regulations)
    result.work_records = len(records)
    result.head = _org_head(next(o for o in orgs if o.closed_on is None))
    return result


def _org_head(org: NewOrganisation) -> User:
    """The demo account of an organisation head: its role, its grid as scope, its organisation."""
    role = roles.ensure_default_roles()[roles.ORGANISATION_HEAD]
    user, _ = User.objects.get_or_create(username=ORG_HEAD_USERNAME)
    user.full_name = org.head_name
    user.is_active = True
    user.set_password(DEMO_PASSWORD)
    user.save()
    user.roles.set([role])
    # The organisation's community, not its grid: boards are kept per community and above, and
    # the role's own-organisation rule keeps the account to its organisation in this app.
    community = org.region if org.region.level == RegionLevel.COMMUNITY else org.region.parent
    user.scope_regions.set([community])
    org.accounts.set([user])
    return user
