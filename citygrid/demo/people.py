"""Demo people for the demo city: households in demo houses, with every managed category.

For each grid, households are drawn (size, ages, residence type) and houses planned for them
(`demo/housing.py`); then, a batch of grids at a time, everything is written with COPY
(`demo/rows.py`): estates → buildings → houses → rentals → persons → residence details →
residencies → category memberships with their detail rows → care records, committed with a
checkpoint (`demo/resume.py`) so an interrupted run continues where it stopped. Ten million
persons must fit in memory batch by batch and finish in minutes per million, so nothing goes
through `save()`: what it derives (region codes, blind indexes, custodian departments, house and
rental numbers) is set here, and no change-log rows are written (the demo's past did not happen
"now, by nobody").

ID numbers are valid GB 11643 numbers, unique: the birth date and sequence come from a counter
per (region, birth date, sex). Registered residents carry the code of a demo county; floating
residents the code of a real county they came from, as their cards would.
"""

from __future__ import annotations

import io
import random
import time
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from itertools import accumulate

import numpy as np
from django.db import transaction
from faker.providers.person.en_US import Provider as EnglishNames
from faker.providers.person.zh_CN import Provider as ChineseNames

from citygrid.cases.models import Department
from citygrid.core import writeguard
from citygrid.core.crypto import blind_index
from citygrid.core.validators import id_number_check_char
from citygrid.demo import resume
from citygrid.demo.housing import GridHousing, GridInfo, HousingPlanner, save_housing
from citygrid.demo.rows import build, insert
from citygrid.housing.choices import CheckResult, Occupancy
from citygrid.housing.models import HazardCheck
from citygrid.people.choices import (
    SPECIAL_GROUP_KINDS,
    VULNERABLE_GROUP_KINDS,
    Category,
    FloatDirection,
    Relation,
    ResidenceType,
)
from citygrid.people.models import (
    AidsRiskDetail,
    AtRiskYouth,
    CareRecord,
    CorrectionsDetail,
    CustodianAssignment,
    DisabilityDetail,
    DrugUserDetail,
    FloatingDetail,
    KeyPerson,
    LeftBehindDetail,
    MentalDisorderDetail,
    OverseasDetail,
    Person,
    RegisteredDetail,
    ReleasedPrisonerDetail,
    Residency,
    SpecialGroup,
    Subsidy,
    VulnerableGroup,
)
from citygrid.regions.choices import WorkerRole
from citygrid.regions.models import GridWorker, Region

DEFAULT_PEOPLE = 5000
BATCH = 5000  # persons per write batch, each committed with its checkpoint (`demo/resume.py`)

# Household size → weight, by how the house is used.
HOUSEHOLD_SIZES = {
    Occupancy.OWNER_OCCUPIED: {1: 12, 2: 25, 3: 30, 4: 18, 5: 10, 6: 5},
    Occupancy.RENTED: {1: 30, 2: 35, 3: 22, 4: 13},
    Occupancy.OTHER: {1: 45, 2: 40, 3: 15},
}
# Share of households (of each occupancy) that are floating / overseas; the rest registered.
FLOATING_SHARE = {Occupancy.OWNER_OCCUPIED: 0.05, Occupancy.RENTED: 0.86, Occupancy.OTHER: 0.5}
OVERSEAS_SHARE = {Occupancy.RENTED: 0.05}

# Members per person of the whole population, and who may be one (age range).
CATEGORY_RATES: dict[str, tuple[float, tuple[int, int]]] = {
    Category.RELEASED_PRISONER: (0.0015, (25, 65)),
    Category.COMMUNITY_CORRECTIONS: (0.0006, (20, 60)),
    Category.MENTAL_DISORDER: (0.003, (18, 80)),
    Category.DRUG_USER: (0.001, (18, 55)),
    Category.AIDS_RISK: (0.0003, (18, 55)),
    Category.PETITIONER: (0.0003, (35, 75)),
    Category.EMPTY_NEST_ELDER: (0.02, (65, 120)),
    Category.LEFT_BEHIND_CHILD: (0.005, (0, 15)),
    Category.DISABLED: (0.015, (5, 120)),
    Category.LOW_INCOME: (0.012, (18, 120)),
    Category.KEY_PERSON: (0.001, (20, 60)),
    Category.AT_RISK_YOUTH: (0.001, (12, 25)),
}
CARE_INTERVAL = 30  # days between care contacts of the same person

# (code suffix, name, categories it is the custodian of at city level)
CUSTODIAN_DEPARTMENTS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("SFJ", "司法局", (Category.RELEASED_PRISONER, Category.COMMUNITY_CORRECTIONS)),
    ("WJW", "卫生健康委员会", (Category.MENTAL_DISORDER,)),
    ("JKZX", "疾病预防控制中心", (Category.AIDS_RISK,)),
    ("GAJ", "公安局", (Category.DRUG_USER, Category.KEY_PERSON)),
    ("XFJ", "信访局", (Category.PETITIONER,)),
    (
        "MZJ",
        "民政局",
        (Category.EMPTY_NEST_ELDER, Category.LEFT_BEHIND_CHILD, Category.LOW_INCOME),
    ),
    ("CL", "残疾人联合会", (Category.DISABLED,)),
    ("ZZB", "平安办（综治中心）", (Category.AT_RISK_YOUTH,)),
)

# What safety checks find (hazard_type code → findings), and how checks end.
HAZARDS = {
    "01": "楼道堆放杂物、电动车室内充电",
    "02": "出租屋未落实租客登记",
    "03": "阳台栏杆松动",
    "04": "一套房屋分隔出租给多户",
    "05": "出租屋内开设无证作坊",
    "99": "燃气软管老化",
}
HAZARD_RESULTS = (CheckResult.PASSED, CheckResult.RECTIFIED, CheckResult.RECTIFY)

# Of the floating residents, the share recorded as having left (流出), and where people go.
OUTFLOW_SHARE = 0.12
OUTFLOW_DESTINATIONS = ("广东省深圳市", "上海市", "江苏省苏州市", "浙江省杭州市", "北京市")

# Real counties many of the city's floating residents come from: (code, province and county).
SOURCE_COUNTIES = (
    ("341221", "安徽省阜阳市临泉县"),
    ("341222", "安徽省阜阳市太和县"),
    ("411522", "河南省信阳市光山县"),
    ("411624", "河南省周口市沈丘县"),
    ("510722", "四川省绵阳市三台县"),
    ("511324", "四川省南充市仪陇县"),
    ("362330", "江西省上饶市鄱阳县"),
    ("522427", "贵州省毕节市威宁彝族回族苗族自治县"),
    ("431021", "湖南省郴州市桂阳县"),
    ("330822", "浙江省衢州市常山县"),
    ("320826", "江苏省淮安市涟水县"),
    ("420921", "湖北省孝感市孝昌县"),
)
_FOREIGN = ("USA", "JPN", "KOR", "RUS", "GBR", "DEU", "FRA", "CAN", "AUS", "VNM", "THA", "IND")
_MINORITIES = ("03", "06", "08", "11", "15", "04", "02", "05", "07", "13")
_MOBILE_PREFIXES = ("130", "133", "135", "137", "138", "139", "150", "152", "158", "186", "189")
_OCCUPATIONS = {
    "1": ("部门经理", "企业负责人"),
    "2": ("教师", "医生", "护士", "工程师", "会计"),
    "3": ("文员", "行政专员", "社区工作者"),
    "4": ("快递员", "外卖骑手", "厨师", "保安", "销售员", "网约车司机", "理发师"),
    "5": ("菜农", "养殖户"),
    "6": ("装配工", "电工", "焊工", "纺织工", "建筑工人"),
    "8": ("个体经营", "自由职业"),
}
_WORKPLACES = (
    "云州市第一人民医院",
    "云州经济开发区某电子厂",
    "云州市实验小学",
    "某物流公司云州分拨中心",
    "城东农贸市场",
    "某餐饮有限公司",
    "某建筑工程有限公司",
    "个体",
)
_OFFENCES = ("盗窃罪", "诈骗罪", "故意伤害罪", "寻衅滋事罪", "危险驾驶罪", "交通肇事罪")
_CARE_MEASURES = (
    "入户走访，了解近期生活和就业情况",
    "电话联系，提醒按时报到",
    "协助申请临时救助",
    "联系社区医生上门随访，督促按时服药",
    "组织参加技能培训",
    "与监护人谈话，落实监护责任",
)
_CARE_RESULTS = ("情况稳定", "思想稳定，表现良好", "已落实帮扶措施", "需持续关注", "")


@dataclass
class DemoPeopleResult:
    persons: int = 0
    by_type: Counter = field(default_factory=Counter)
    households: int = 0
    estates: int = 0
    buildings: int = 0
    houses: int = 0
    rentals: int = 0
    residencies: int = 0
    by_category: Counter = field(default_factory=Counter)
    care_records: int = 0
    hazard_checks: int = 0
    overdue_care: int = 0
    seconds: float = 0.0


class _Sequences:
    """ID-number sequence numbers taken per (region prefix, birth date, sex).

    One 16-bit counter per day and sex for each prefix: a few megabytes however many people,
    so the whole table goes into every checkpoint (a dict with a key per person would not).
    """

    EPOCH = date(1900, 1, 1).toordinal()
    DAYS = 200 * 366
    LIMIT = 500  # sequences 000–999, odd for men and even for women

    def __init__(self, tables: dict[str, np.ndarray] | None = None):
        self.tables = tables or {}

    def take(self, prefix: str, born: date, male: bool) -> int | None:
        """The next free sequence index, or None when all 500 are taken."""
        table = self.tables.get(prefix)
        if table is None:
            table = self.tables[prefix] = np.zeros((self.DAYS, 2), np.uint16)
        day, sex = born.toordinal() - self.EPOCH, int(male)
        taken = int(table[day, sex])
        if taken >= self.LIMIT:
            return None
        table[day, sex] = taken + 1
        return taken

    def dump(self) -> bytes:
        out = io.BytesIO()
        np.savez_compressed(out, **self.tables)
        return out.getvalue()

    @classmethod
    def load(cls, data: bytes) -> _Sequences:
        with np.load(io.BytesIO(data)) as stored:
            return cls({prefix: stored[prefix].copy() for prefix in stored.files})


class Identities:
    """Names, ID numbers, passport and phone numbers for demo people: valid and unique."""

    def __init__(self, rng: random.Random):
        self.rng = rng
        surnames = ChineseNames.last_names
        self._surnames = list(surnames)
        # Cumulative once, not per draw (`choices` would add up ~500 weights for every name).
        self._surname_weights = list(accumulate(surnames.values()))
        self._male = list(ChineseNames.first_names_male)
        self._female = list(ChineseNames.first_names_female)
        self.sequences = _Sequences()
        self.passports = 0
        self._foreign_surnames = list(EnglishNames.last_names)[:300]
        self._foreign_given = (
            list(EnglishNames.first_names_male)[:150] + list(EnglishNames.first_names_female)[:150]
        )

    def name(self, male: bool, surname: str | None = None) -> str:
        rng = self.rng
        surname = surname or rng.choices(self._surnames, cum_weights=self._surname_weights)[0]
        pool = self._male if male else self._female
        given = rng.choice(pool)
        if len(given) == 1 and rng.random() < 0.6:
            given += rng.choice(pool)[0]
        return surname + given

    def foreign_name(self) -> tuple[str, str]:
        return (
            self.rng.choice(self._foreign_surnames),
            self.rng.choice(self._foreign_given),
        )

    def id_number(self, prefix: str, born: date, male: bool) -> str:
        """Sequence numbers per (region, birth date, sex): odd for men, even for women."""
        while True:
            taken = self.sequences.take(prefix, born, male)
            if taken is not None:
                body = f"{prefix}{born:%Y%m%d}{taken * 2 + (1 if male else 0):03d}"
                return body + id_number_check_char(body)
            born += timedelta(days=1)  # 500 people of one sex born on one day in one county

    def passport(self) -> str:
        self.passports += 1
        return f"{self.rng.choice('EGKPS')}{self.passports + 10**7:08d}"

    def mobile(self) -> str:
        return self.rng.choice(_MOBILE_PREFIXES) + f"{self.rng.randrange(10**8):08d}"


@dataclass
class Member:
    age: int
    male: bool
    relation: str  # Relation (人房关系)
    relation_to_head: str  # code table relation_to_head


@dataclass
class Household:
    occupancy: str
    residence_type: str
    members: list[Member]
    # Floating: (county code, place) of origin; overseas: (nationality, "").
    source: tuple[str, str] | None = None
    head_name: str = ""


def _born(rng: random.Random, today: date, age: int) -> date:
    return today - timedelta(days=365 * age + rng.randint(0, 364))


class _Generator:
    def __init__(self, city: Region, seed: int, count: int, today: date):
        self.city = city
        self.count = count
        self.today = today
        self.rng = random.Random(seed * 7919 + 17)
        self.ids = Identities(self.rng)
        self.housing = HousingPlanner(self.rng, today)
        self.result = DemoPeopleResult()
        self.custodians: dict[str, int] = {}
        self.helpers: dict[int, list[str]] = defaultdict(list)
        self.household_serial = 0

    # --- setup -------------------------------------------------------------------------------

    def load(self) -> list[GridInfo]:
        self.custodians = ensure_custodians(self.city)
        for region_id, name in GridWorker.objects.filter(
            region_code__within=self.city.code, role=WorkerRole.GRID_WORKER
        ).values_list("region_id", "name"):
            self.helpers[region_id].append(name)
        return GridInfo.load(self.city)

    def quotas(self, grids: list[GridInfo]) -> list[int]:
        """Persons per grid: urban grids fuller than rural ones, with some spread."""
        rng = self.rng
        weights = [rng.uniform(0.6, 1.4) * (0.6 if g.rural else 1.5) for g in grids]
        total = sum(weights) or 1.0
        exact = [self.count * w / total for w in weights]
        quotas = [int(x) for x in exact]
        by_fraction = sorted(range(len(grids)), key=lambda i: exact[i] - quotas[i], reverse=True)
        for i in by_fraction[: self.count - sum(quotas)]:
            quotas[i] += 1
        return quotas

    # --- checkpoints ---------------------------------------------------------------------------

    def state(self) -> dict:
        """Everything that carries over from one batch to the next (see `demo/resume.py`)."""
        return {
            "rng": self.rng.getstate(),
            "sequences": self.ids.sequences.dump(),
            "passports": self.ids.passports,
            "household_serial": self.household_serial,
            "result": self.result,
        }

    def restore(self, state: dict) -> None:
        self.rng.setstate(state["rng"])
        self.ids.sequences = _Sequences.load(state["sequences"])
        self.ids.passports = state["passports"]
        self.household_serial = state["household_serial"]
        self.result = state["result"]

    # --- households ----------------------------------------------------------------------------

    def households(self, quota: int) -> list[Household]:
        """Households (and vacant houses, with no members) until `quota` persons are placed."""
        rng = self.rng
        out: list[Household] = []
        placed = 0
        while placed < quota:
            occupancy = self.housing.occupancy()
            if occupancy == Occupancy.VACANT:
                out.append(Household(occupancy, "", []))
                continue
            sizes = HOUSEHOLD_SIZES[occupancy]
            size = min(rng.choices(list(sizes), weights=list(sizes.values()))[0], quota - placed)
            roll = rng.random()
            if roll < OVERSEAS_SHARE.get(occupancy, 0):
                kind = ResidenceType.OVERSEAS
            elif roll < OVERSEAS_SHARE.get(occupancy, 0) + FLOATING_SHARE[occupancy]:
                kind = ResidenceType.FLOATING
            else:
                kind = ResidenceType.REGISTERED
            members = self._members(occupancy, size)
            source = None
            if kind == ResidenceType.FLOATING:
                source = rng.choice(SOURCE_COUNTIES)
            elif kind == ResidenceType.OVERSEAS:
                source = (rng.choice(_FOREIGN), "")
            out.append(Household(occupancy, kind, members, source))
            placed += size
        return out

    def _members(self, occupancy: str, size: int) -> list[Member]:
        rng = self.rng
        relation = {
            Occupancy.OWNER_OCCUPIED: Relation.OWNER,
            Occupancy.RENTED: Relation.TENANT,
        }.get(occupancy, Relation.OTHER)
        member_relation = Relation.HOUSEHOLD_MEMBER if occupancy != Occupancy.RENTED else relation
        if size == 1:
            age = rng.randint(60, 88) if rng.random() < 0.45 else rng.randint(20, 59)
            return [Member(age, rng.random() < 0.5, relation, "02")]
        if occupancy == Occupancy.RENTED and rng.random() < 0.4:  # flatmates
            return [
                Member(rng.randint(19, 40), rng.random() < 0.55, relation, "02" if i == 0 else "99")
                for i in range(size)
            ]
        # Mostly young and middle-aged families: with the singles this gives roughly the 2020
        # census shape (0–14 about 15 %, 60+ about 18 %, 80+ about 3 %; census 18, 19, 2.5 %).
        head_age = rng.choices(
            (rng.randint(25, 45), rng.randint(45, 62), rng.randint(62, 82)), weights=(63, 17, 20)
        )[0]
        male = rng.random() < 0.6
        members = [Member(head_age, male, relation, "02")]
        members.append(
            Member(
                max(20, head_age + rng.randint(-5, 5)), not male, member_relation, "10"
            )  # spouse
        )
        for i in range(2, size):
            if i == 4 and head_age + 25 <= 95:  # a parent living with the family
                members.append(
                    Member(
                        min(95, head_age + rng.randint(24, 32)),
                        rng.random() < 0.4,
                        member_relation,
                        "50",
                    )
                )
                continue
            oldest = max(0, head_age - 20)
            child_age = rng.randint(max(0, head_age - 36), oldest) if oldest else 0
            son = rng.random() < 0.52
            members.append(Member(child_age, son, member_relation, "20" if son else "30"))
        return members

    # --- persons -------------------------------------------------------------------------------

    def person(self, grid: GridInfo, household: Household, member: Member, address: str):
        rng = self.rng
        age = member.age
        born = _born(rng, self.today, age)
        person = build(
            Person,
            region_id=grid.pk,
            region_code=grid.code,
            birth_date=born,
            sex="1" if member.male else "2",
            residence_type=household.residence_type,
            current_address=address,
        )
        if household.residence_type == ResidenceType.OVERSEAS:
            surname, given = self.ids.foreign_name()
            person.foreign_name = (surname, given)
            person.name = f"{given} {surname}"[:50]
            person.id_type = "414"
            person.id_number = self.ids.passport()
            person.nationality = household.source[0]
            person.ethnicity = ""
        else:
            if household.residence_type == ResidenceType.FLOATING:
                prefix, place = household.source
            else:
                prefix = grid.code[:6]
                place = address
            person.name = self.ids.name(member.male, self.surname_of(household, member))
            person.id_number = self.ids.id_number(prefix, born, member.male)
            number = person.id_number
            person.birth_date = date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
            person.native_place = person.household_place = prefix
            person.household_address = place
            person.ethnicity = "01" if rng.random() < 0.96 else rng.choice(_MINORITIES)
            person.marital_status = self._marital(age)
            person.political_status = self._political(age)
            person.education = self._education(age)
            person.religion = "00" if rng.random() < 0.92 else rng.choice(("10", "30", "50", "99"))
        person.id_number_index = blind_index(person.id_number)
        if 18 <= age < 62 and rng.random() < 0.85:
            category = rng.choices("1234568", weights=(3, 15, 12, 35, 4, 22, 9))[0]
            person.occupation_category = category
            person.occupation = rng.choice(_OCCUPATIONS[category])
            person.workplace = rng.choice(_WORKPLACES)
        if age >= 14 and rng.random() < 0.85:
            person.phone = self.ids.mobile()
            person.phone_index = blind_index(person.phone)
        return person

    def surname_of(self, household: Household, member: Member) -> str | None:
        """Children take the head's surname; everyone else draws their own."""
        if member.relation_to_head in ("20", "30", "40"):
            return household.head_name[:1] or None
        return None

    def _marital(self, age: int) -> str:
        rng = self.rng
        if age < 22:
            return "10"
        if age < 30:
            return rng.choices(("10", "20"), weights=(55, 45))[0]
        if age >= 70 and rng.random() < 0.3:
            return "30"
        return rng.choices(("20", "21", "22", "40", "10"), weights=(70, 10, 5, 8, 7))[0]

    def _political(self, age: int) -> str:
        rng = self.rng
        if age < 14:
            return ""
        if age <= 28 and rng.random() < 0.3:
            return "03"
        if age >= 18 and rng.random() < 0.08:
            return "01"
        return "13"

    def _education(self, age: int) -> str:
        if age < 6:
            return ""
        if age < 12:
            return "80"
        if age < 15:
            return "70"
        if age < 18:
            return "60"
        if age >= 60:
            return self.rng.choices(("80", "70", "60", "30", "20"), weights=(30, 35, 20, 8, 7))[0]
        return self.rng.choices(
            ("70", "60", "40", "30", "20", "10"), weights=(18, 20, 12, 20, 24, 6)
        )[0]

    # --- one batch of grids ------------------------------------------------------------------

    def write(self, batch: list[tuple[GridInfo, list[Household]]]) -> None:
        rng = self.rng
        plans: list[GridHousing] = []
        for grid, households in batch:
            plans.append(self.housing.plan(grid, [h.occupancy for h in households]))
        # Owners: the head of an owner-occupied household, else somebody living elsewhere.
        people: list[tuple[Person, Household, Member, object, GridInfo]] = []
        for plan, (grid, households) in zip(plans, batch, strict=True):
            for planned, household in zip(plan.houses, households, strict=True):
                house = planned.house
                persons = []
                for member in household.members:
                    person = self.person(grid, household, member, house.address)
                    if member.relation_to_head == "02":
                        household.head_name = person.name
                    persons.append(person)
                    people.append((person, household, member, planned, grid))
                if household.occupancy == Occupancy.OWNER_OCCUPIED and persons:
                    owner = persons[0]
                    house.owner_name, house.owner_id_number = owner.name, owner.id_number
                    house.owner_phone = owner.phone or self.ids.mobile()
                else:
                    male = rng.random() < 0.5
                    age = rng.randint(35, 75)
                    house.owner_name = self.ids.name(male)
                    house.owner_id_number = self.ids.id_number(
                        grid.code[:6], _born(rng, self.today, age), male
                    )
                    house.owner_phone = self.ids.mobile()
                if planned.rental is not None:
                    rental = planned.rental
                    rental.landlord_name = house.owner_name
                    rental.landlord_id_number = house.owner_id_number
                    rental.landlord_phone = house.owner_phone
        save_housing(plans)
        self._hazard_checks(plans)
        insert(Person, [p[0] for p in people])
        self._details(people)
        self._residencies(people)
        self._categories(people)
        result = self.result
        result.persons += len(people)
        result.by_type.update(p[0].residence_type for p in people)
        result.households += sum(1 for _, hs in batch for h in hs if h.members)
        result.estates += sum(len(p.estates) for p in plans)
        result.buildings += sum(len(p.buildings) for p in plans)
        result.houses += sum(len(p.houses) for p in plans)
        result.rentals += sum(1 for p in plans for h in p.houses if h.rental is not None)

    def _hazard_checks(self, plans: list[GridHousing]) -> None:
        """Safety checks by the grid's workers over the last year: every rental once or twice,
        one other house in twenty once; most pass, some were fixed, a few are being fixed."""
        rng = self.rng
        checks = []
        for plan in plans:
            inspectors = self.helpers.get(plan.grid.pk) or ["网格员"]
            for planned in plan.houses:
                rented = planned.rental is not None
                if not rented and rng.random() >= 0.05:
                    continue
                for _ in range(rng.randint(1, 2) if rented else 1):
                    checked_on = self.today - timedelta(days=rng.randint(3, 365))
                    result = rng.choices(HAZARD_RESULTS, weights=(72, 18, 10))[0]
                    hazard, findings = "", "未发现隐患"
                    if result != CheckResult.PASSED:
                        hazard = rng.choices(list(HAZARDS), weights=(45, 15, 5, 20, 10, 5))[0]
                        findings = HAZARDS[hazard]
                    house = planned.house
                    checks.append(
                        build(
                            HazardCheck,
                            region_id=house.region_id,
                            region_code=house.region_code,
                            house_id=house.pk,
                            checked_on=checked_on,
                            inspector=rng.choice(inspectors),
                            hazard=hazard,
                            result=result,
                            rectify_by=(
                                checked_on + timedelta(days=rng.randint(7, 30))
                                if result != CheckResult.PASSED
                                else None
                            ),
                            findings=findings,
                        )
                    )
        insert(HazardCheck, checks)
        self.result.hazard_checks += len(checks)

    def _details(self, people) -> None:
        rng = self.rng
        registered, floating, overseas = [], [], []
        households: dict[int, str] = {}
        for person, household, member, _planned, grid in people:
            kind = person.residence_type
            if kind == ResidenceType.REGISTERED:
                if id(household) not in households:
                    self.household_serial += 1
                    households[id(household)] = f"{grid.code[:9]}{self.household_serial:07d}"
                registered.append(
                    build(
                        RegisteredDetail,
                        person=person,
                        household_match="01" if rng.random() < 0.9 else "02",
                        household_number=households[id(household)],
                        head_name=household.head_name,
                        relation_to_head=member.relation_to_head,
                    )
                )
            elif kind == ResidenceType.FLOATING:
                registered_on = self.today - timedelta(days=rng.randint(5, 1500))
                permit = rng.choices(("01", "02", "99"), weights=(70, 10, 20))[0]
                rented = household.occupancy == Occupancy.RENTED
                direction, destination = FloatDirection.INFLOW, ""
                if rng.random() < OUTFLOW_SHARE:
                    # Left within the last year, home or on to the next job: the outflow
                    # column of the population trend has something to show.
                    direction = FloatDirection.OUTFLOW
                    registered_on = self.today - timedelta(days=rng.randint(3, 360))
                    destination = rng.choice((household.source[1], *OUTFLOW_DESTINATIONS))
                floating.append(
                    build(
                        FloatingDetail,
                        person=person,
                        direction=direction,
                        destination=destination,
                        reason=rng.choices(("01", "02", "03", "99"), weights=(75, 15, 6, 4))[0],
                        registered_on=registered_on,
                        permit_type=permit,
                        permit_number=(
                            f"{grid.code[:6]}{rng.randrange(10**9):09d}" if permit != "99" else ""
                        ),
                        permit_expiry=(
                            registered_on + timedelta(days=365 * rng.randint(1, 3))
                            if permit != "99"
                            else None
                        ),
                        dwelling_type="01" if rented else rng.choice(("04", "05")),
                        key_attention=rng.random() < 0.01,
                    )
                )
            else:
                surname, given = person.foreign_name
                arrival = self.today - timedelta(days=rng.randint(10, 700))
                overseas.append(
                    build(
                        OverseasDetail,
                        person=person,
                        foreign_surname=surname,
                        foreign_given_name=given,
                        document_expiry=self.today + timedelta(days=rng.randint(-30, 2000)),
                        purpose=rng.choices(("01", "02", "04", "05"), weights=(45, 30, 15, 10))[0],
                        arrival_date=arrival,
                        planned_departure=arrival + timedelta(days=rng.randint(90, 1100)),
                    )
                )
        for model, rows in (
            (RegisteredDetail, registered),
            (FloatingDetail, floating),
            (OverseasDetail, overseas),
        ):
            for row in rows:
                row.person_id = row.person.pk
            insert(model, rows)

    def _residencies(self, people) -> None:
        rng = self.rng
        rows = []
        for person, _household, member, planned, grid in people:
            rental = planned.rental
            if rental is not None:
                started = rental.start_date + timedelta(days=rng.randint(0, 20))
            else:
                started = self.today - timedelta(days=rng.randint(30, 365 * 15))
            started = max(started, person.birth_date)
            rows.append(
                build(
                    Residency,
                    region_id=grid.pk,
                    region_code=grid.code,
                    person_id=person.pk,
                    house_id=planned.house.pk,
                    relation=member.relation,
                    relation_to_head=member.relation_to_head,
                    rental_id=rental.pk if rental is not None else None,
                    started_on=min(started, self.today),
                )
            )
        insert(Residency, rows)
        self.result.residencies += len(rows)

    # --- categories --------------------------------------------------------------------------

    def _pick(self, people, category: str, first: bool) -> list:
        rng = self.rng
        rate, (low, high) = CATEGORY_RATES[category]
        expected = rate * len(people)
        k = int(expected) + (rng.random() < expected - int(expected))
        if first and self.result.by_category[category] == 0:
            k = max(k, 1)
        eligible = [p for p in people if low <= p[2].age <= high]
        if category == Category.EMPTY_NEST_ELDER:
            eligible = [p for p in eligible if len(p[1].members) <= 2]
        if len(eligible) < k:  # a tiny demo: anybody rather than no example of the category
            chosen = {id(p) for p in eligible}
            eligible += [p for p in people if id(p) not in chosen]
        return rng.sample(eligible, min(k, len(eligible)))

    def _membership(self, model, person, grid, category: str, **extra):
        rng = self.rng
        helpers = self.helpers.get(grid.pk)
        return build(
            model,
            person_id=person.pk,
            region_id=grid.pk,
            region_code=grid.code,
            custodian_department_id=self.custodians.get(category),
            helper_name=rng.choice(helpers) if helpers else self.ids.name(rng.random() < 0.5),
            helper_phone=self.ids.mobile(),
            started_on=max(
                self.today - timedelta(days=rng.randint(60, 1800)),
                min(self.today, person.birth_date + timedelta(days=30)),
            ),
            **extra,
        )

    def _categories(self, people) -> None:
        rng = self.rng
        first = self.result.persons == 0
        special, vulnerable, keys, youths = [], [], [], []
        for category in SPECIAL_GROUP_KINDS:
            for person, _h, _m, _planned, grid in self._pick(people, category, first):
                special.append(
                    self._membership(SpecialGroup, person, grid, category, kind=category)
                )
        for category in VULNERABLE_GROUP_KINDS:
            for person, household, _member, _planned, grid in self._pick(people, category, first):
                alone = len(household.members) == 1
                vulnerable.append(
                    self._membership(
                        VulnerableGroup,
                        person,
                        grid,
                        category,
                        kind=category,
                        living_alone=alone and category == Category.EMPTY_NEST_ELDER,
                        guardian_name=self.ids.name(rng.random() < 0.5),
                        guardian_phone=self.ids.mobile(),
                        guardian_relation=rng.choice(("20", "30", "50", "80")),
                    )
                )
        for person, _h, _m, _planned, grid in self._pick(people, Category.KEY_PERSON, first):
            keys.append(
                self._membership(
                    KeyPerson,
                    person,
                    grid,
                    Category.KEY_PERSON,
                    type=rng.choice(("01", "02", "03", "05")),
                    control_level=rng.choices(("1", "2", "3"), weights=(1, 3, 6))[0],
                    reason="多次到市集访，情绪不稳定"
                    if rng.random() < 0.5
                    else "有前科，需定期见面",
                )
            )
        for person, _h, _m, planned, grid in self._pick(people, Category.AT_RISK_YOUTH, first):
            youths.append(
                self._membership(
                    AtRiskYouth,
                    person,
                    grid,
                    Category.AT_RISK_YOUTH,
                    type=rng.choice(("01", "02", "03", "07")),
                    family_situation=rng.choice(("01", "02", "05", "99")),
                    guardian_name=self.ids.name(rng.random() < 0.5),
                    guardian_relation="50",
                    guardian_phone=self.ids.mobile(),
                    guardian_address=planned.house.address,
                    help_measures="结对帮扶，每月走访一次",
                )
            )
        for model, rows in (
            (SpecialGroup, special),
            (VulnerableGroup, vulnerable),
            (KeyPerson, keys),
            (AtRiskYouth, youths),
        ):
            insert(model, rows)
        self._group_details(special, vulnerable)
        persons = {p[0].pk: p for p in people}
        care = []
        for memberships, share in ((special, 1.0), (keys, 1.0), (youths, 1.0), (vulnerable, 0.5)):
            for membership in memberships:
                category = membership.category_key()
                self.result.by_category[category] += 1
                if rng.random() < share:
                    records = self._care(membership, category, persons[membership.person_id])
                    care += records
                    # Overdue: the latest contact's next date has passed.
                    if records and records[0].next_date < self.today:
                        self.result.overdue_care += 1
        insert(CareRecord, care)
        self.result.care_records += len(care)

    def _group_details(self, special, vulnerable) -> None:
        rng = self.rng
        rows: dict[type, list] = defaultdict(list)
        for group in special:
            started = group.started_on
            if group.kind == Category.RELEASED_PRISONER:
                rows[ReleasedPrisonerDetail].append(
                    ReleasedPrisonerDetail(
                        membership_id=group.pk,
                        recidivist=rng.random() < 0.1,
                        offence=rng.choice(_OFFENCES),
                        sentence=f"有期徒刑{rng.randint(1, 8)}年",
                        prison="某省第一监狱",
                        released_on=started - timedelta(days=rng.randint(0, 20)),
                        risk=rng.choices(("01", "02", "03"), weights=(7, 2, 1))[0],
                        handed_over_on=started,
                        resettled=rng.random() < 0.8,
                    )
                )
            elif group.kind == Category.COMMUNITY_CORRECTIONS:
                rows[CorrectionsDetail].append(
                    CorrectionsDetail(
                        membership_id=group.pk,
                        corrections_number=f"JZ{group.region_code[:6]}{group.pk:06d}",
                        kind=rng.choice(("01", "02", "03", "04")),
                        offence=rng.choice(_OFFENCES),
                        sentence=f"有期徒刑{rng.randint(1, 3)}年，缓刑{rng.randint(1, 4)}年",
                        starts_on=started,
                        ends_on=started + timedelta(days=365 * rng.randint(1, 4)),
                        group_formed=True,
                    )
                )
            elif group.kind == Category.MENTAL_DISORDER:
                incidents = rng.choices((0, 1, 2), weights=(80, 15, 5))[0]
                rows[MentalDisorderDetail].append(
                    MentalDisorderDetail(
                        membership_id=group.pk,
                        diagnosis=rng.choice(("01", "02", "03", "04", "05", "06")),
                        risk_level=rng.choices(range(6), weights=(30, 30, 20, 12, 6, 2))[0],
                        first_onset=started - timedelta(days=rng.randint(100, 5000)),
                        incidents=incidents,
                        last_incident=(
                            started - timedelta(days=rng.randint(10, 900)) if incidents else None
                        ),
                        treatment=rng.choice(("02", "03", "04")),
                        hospital="云州市第七人民医院",
                        guardian_name=self.ids.name(rng.random() < 0.5),
                        guardian_phone=self.ids.mobile(),
                        low_income_allowance=rng.random() < 0.3,
                    )
                )
            elif group.kind == Category.DRUG_USER:
                rows[DrugUserDetail].append(
                    DrugUserDetail(
                        membership_id=group.pk,
                        first_found=started - timedelta(days=rng.randint(0, 2000)),
                        control=rng.choice(("01", "02", "04")),
                        controller_name=self.ids.name(True),
                        controller_phone=self.ids.mobile(),
                        has_record=rng.random() < 0.3,
                    )
                )
            elif group.kind == Category.AIDS_RISK:
                rows[AidsRiskDetail].append(
                    AidsRiskDetail(
                        membership_id=group.pk,
                        infection_route=rng.choice(("01", "02", "99")),
                        admitted=rng.random() < 0.6,
                        institution="云州市疾病预防控制中心",
                    )
                )
        for group in vulnerable:
            if group.kind == Category.DISABLED:
                rows[DisabilityDetail].append(
                    DisabilityDetail(
                        membership_id=group.pk,
                        kind=rng.choice("1234567"),
                        grade=rng.choices((1, 2, 3, 4), weights=(1, 2, 3, 4))[0],
                        certificate_number=f"C{group.region_code[:6]}{group.pk:09d}",
                    )
                )
            kind = {
                Category.LOW_INCOME: "01",
                Category.DISABLED: "04",
                Category.EMPTY_NEST_ELDER: "05",
            }.get(group.kind)
            if kind and (group.kind == Category.LOW_INCOME or rng.random() < 0.5):
                rows[Subsidy].append(
                    Subsidy(
                        membership_id=group.pk,
                        kind=kind,
                        monthly_amount=Decimal(rng.choice((100, 200, 300, 680, 850, 1020))),
                        starts_on=group.started_on,
                    )
                )
        for model, items in rows.items():
            insert(model, items)
        left_behind = [
            LeftBehindDetail(
                person_id=group.person_id,
                kind="03",
                health="01",
                family_member_name=group.guardian_name,
                family_member_relation="50",
                family_member_phone=group.guardian_phone,
                family_member_workplace="外出务工",
            )
            for group in vulnerable
            if group.kind == Category.LEFT_BEHIND_CHILD
        ]
        insert(LeftBehindDetail, left_behind)

    def _care(self, membership, category: str, person_row) -> list[CareRecord]:
        """Monthly contacts since the membership started; about a quarter are overdue now."""
        rng = self.rng
        planned = person_row[3]
        building = planned.house.building
        last = self.today - timedelta(days=rng.randint(0, 40))
        last = max(last, membership.started_on)
        records = []
        for i in range(rng.randint(1, 3)):
            when = last - timedelta(days=CARE_INTERVAL * i)
            if when < membership.started_on:
                break
            record = build(
                CareRecord,
                person_id=membership.person_id,
                region_id=membership.region_id,
                region_code=membership.region_code,
                category=category,
                date=when,
                helper=membership.helper_name,
                measures=rng.choice(_CARE_MEASURES),
                result=rng.choice(_CARE_RESULTS),
                next_date=when + timedelta(days=CARE_INTERVAL),
                place=planned.house.address,
            )
            if building.lng is not None and rng.random() < 0.4:
                record.lng = round(building.lng + rng.uniform(-0.0003, 0.0003), 7)
                record.lat = round(building.lat + rng.uniform(-0.0003, 0.0003), 7)
            records.append(record)
        return records


def ensure_custodians(city: Region) -> dict[str, int]:
    """The departments responsible for each category, assigned at city level (idempotent);
    category → department id."""
    mapping: dict[str, int] = {}
    for suffix, name, categories in CUSTODIAN_DEPARTMENTS:
        department, _ = Department.objects.get_or_create(
            code=f"{city.code}{suffix}", defaults={"name": name, "region": city}
        )
        for category in categories:
            assignment, _ = CustodianAssignment.objects.get_or_create(
                region=city, category=category, defaults={"department": department}
            )
            mapping[category] = assignment.department_id
    return mapping


def generate_demo_people(
    city: Region,
    *,
    seed: int,
    count: int = DEFAULT_PEOPLE,
    today: date | None = None,
    progress: Callable[[int, int], None] | None = None,
    batch: int = BATCH,
) -> DemoPeopleResult:
    """`count` persons in households in demo houses of every grid of `city`, deterministic for
    a seed, with every category represented (given enough people).

    Written a batch of grids (about `batch` persons) at a time, each batch committed with its
    checkpoint; `progress(done, count)` is called after each commit. If an earlier run for this
    city stopped part-way with the same seed and count, this continues after its last committed
    batch (with its `today`), and the result is the same as an uninterrupted run.
    """
    started = time.monotonic()
    with writeguard.unlogged():
        with transaction.atomic():
            run = resume.open_run(city.code, seed, count, today or date.today())
        generator = _Generator(city, seed, count, run.today)
        with transaction.atomic():
            grids = generator.load()
        quotas = generator.quotas(grids)
        if run.state:
            generator.restore(resume.load(run))
        pending: list[tuple[GridInfo, list[Household]]] = []
        size = 0
        for index in range(run.next_grid, len(grids)):
            if quotas[index]:
                pending.append((grids[index], generator.households(quotas[index])))
                size += quotas[index]
            last = index == len(grids) - 1
            if size >= batch or last:
                with transaction.atomic():
                    generator.write(pending)
                    resume.save(run, index + 1, generator.result.persons, generator.state(), last)
                pending, size = [], 0
                if progress:
                    progress(generator.result.persons, count)
        if not run.finished:  # a city without grids
            resume.save(run, len(grids), generator.result.persons, generator.state(), True)
    generator.result.seconds = time.monotonic() - started
    return generator.result
