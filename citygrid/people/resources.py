"""Import/export of persons: Chinese headers, code-table cells by value or label, upsert by ID
number through its blind index, and identity masked in exports for roles without plaintext."""

import datetime
from dataclasses import replace

from citygrid.core import dictionaries, records
from citygrid.core.crypto import blind_index, blind_indexes
from citygrid.core.io.resources import CellError, Column, Resource, choice_parser, register
from citygrid.core.validators import InvalidIdentifier, mask_name, normalize_id_number
from citygrid.people.choices import ResidenceType
from citygrid.people.models import FloatingDetail, Person, Residency
from citygrid.people.models.persons import RESIDENT_ID_CARD
from citygrid.regions.choices import RegionLevel
from citygrid.regions.models import Region

# People type 男/女 far more often than the code table's 男性/女性.
SEX_SHORT = {"男": "1", "女": "2"}


def _date(text: str) -> datetime.date:
    cleaned = text.strip().replace("/", "-").replace(".", "-")
    if len(cleaned) == 8 and cleaned.isdigit():
        cleaned = f"{cleaned[:4]}-{cleaned[4:6]}-{cleaned[6:]}"
    try:
        return datetime.date.fromisoformat(cleaned)
    except ValueError as exc:
        raise CellError("日期格式应为 2026-01-31") from exc


def _code(dictionary: str, header: str):
    def parse(text: str) -> str:
        if dictionary == "sex" and text in SEX_SHORT:
            return SEX_SHORT[text]
        value = dictionaries.value_for(dictionary, text)
        if value is None:
            raise CellError(f"{header}“{text}”不在代码表中")
        return value

    return parse


def _label(name: str):
    return lambda person: getattr(person, f"get_{name}_label")()


def _iso(name: str):
    def export(person) -> str:
        value = getattr(person, name)
        return f"{value:%Y-%m-%d}" if value else ""

    return export


def _division(text: str) -> str:
    if not (text.isdigit() and len(text) == 6):
        raise CellError("应为6位行政区划代码")
    return text


def _id_number(text: str) -> str:
    return text.strip().upper()


def _current_home(person) -> Residency | None:
    homes = getattr(person, "current_homes", None)
    if homes is None:
        homes = list(person.residencies.filter(ended_on__isnull=True).select_related("house"))
    return homes[0] if homes else None


def _house_code(person) -> str:
    home = _current_home(person)
    return home.house.code if home else ""


def _floating(person) -> FloatingDetail | None:
    try:
        return person.floating
    except FloatingDetail.DoesNotExist:
        return None


def _inflow_reason(person) -> str:
    detail = _floating(person)
    return detail.get_reason_label() if detail else ""


def _registered_on(person) -> str:
    detail = _floating(person)
    return f"{detail.registered_on:%Y-%m-%d}" if detail and detail.registered_on else ""


def _dict_column(name: str, header: str, dictionary: str, **kwargs) -> Column:
    return Column(
        name,
        header,
        parse=_code(dictionary, header),
        export=_label(name),
        help="代码或名称",
        **kwargs,
    )


@register
class PersonResource(Resource):
    model = Person
    natural_key = "id_number"
    title = "实有人口"
    columns = [
        _dict_column("id_type", "证件类型", "id_type"),
        Column(
            "id_number",
            "证件号码",
            required=True,
            parse=_id_number,
            sensitive="id_number",
            help="居民身份证号码按 GB 11643 校验；已登记的号码更新原记录",
        ),
        Column("name", "姓名", required=True),
        _dict_column("sex", "性别", "sex"),
        Column("birth_date", "出生日期", parse=_date, export=_iso("birth_date")),
        _dict_column("ethnicity", "民族", "ethnicity"),
        _dict_column("nationality", "国籍（地区）", "nationality"),
        Column("native_place", "籍贯", parse=_division, help="6位行政区划代码"),
        Column("household_place", "户籍地", parse=_division, help="6位行政区划代码"),
        Column("household_address", "户籍地详址"),
        Column("current_address", "现住地详址"),
        _dict_column("marital_status", "婚姻状况", "marital_status"),
        _dict_column("political_status", "政治面貌", "political_status"),
        _dict_column("education", "学历", "education"),
        _dict_column("religion", "宗教信仰", "religion"),
        _dict_column("occupation_category", "职业类别", "occupation_category"),
        Column("occupation", "职业"),
        Column("workplace", "服务处所"),
        Column("phone", "联系电话", sensitive="phone"),
        Column(
            "residence_type",
            "人口类型",
            parse=choice_parser(ResidenceType, "人口类型"),
            help="户籍人口、流动人口、境外人员；留空为户籍人口",
        ),
        Column(
            "region",
            "所属网格（网格代码）",
            export=lambda p: p.region.code,
            help="15位网格代码（或12位社区代码）；填写房屋编码时可留空",
        ),
        Column(
            "house",
            "房屋编码",
            export=_house_code,
            help="现住房屋；与原现住房屋不同时办理迁居",
        ),
        Column(
            "inflow_reason",
            "流入原因",
            parse=_code("inflow_reason", "流入原因"),
            export=_inflow_reason,
            help="流动人口填写，代码或名称",
        ),
        Column(
            "registered_on",
            "登记日期",
            parse=_date,
            export=_registered_on,
            help="流动人口登记日期，留空为导入当天",
        ),
    ]

    PERSON_FIELDS = frozenset(
        f.name for f in Person._meta.concrete_fields if f.name not in ("region",)
    )

    def __init__(self):
        # Look-ups by code are cached per import: a file of 10 000 people names a few hundred
        # grids and should not ask the database for each row.
        self._regions: dict[str, Region] = {}
        self._houses: dict[str, object] = {}
        parsers = {"region": self._parse_region, "house": self._parse_house}
        self.columns = [
            replace(c, parse=parsers[c.name]) if c.name in parsers else c for c in self.columns
        ]

    def natural_key_label(self) -> str:
        return "证件号码"

    def _parse_region(self, text: str) -> Region:
        if text not in self._regions:
            region = Region.objects.filter(
                code=text, level__in=[RegionLevel.GRID, RegionLevel.COMMUNITY]
            ).first()
            if region is None:
                raise CellError(f"网格 {text} 不存在")
            self._regions[text] = region
        return self._regions[text]

    def _parse_house(self, text: str):
        from citygrid.housing.models import House

        if text not in self._houses:
            house = House.objects.select_related("region").filter(code=text).first()
            if house is None:
                raise CellError(f"房屋 {text} 不存在")
            self._houses[text] = house
        return self._houses[text]

    # --- import -------------------------------------------------------------------------------
    def row_key(self, row):
        number = row.values.get("id_number")
        if not number:
            return None
        if row.values.get("id_type", RESIDENT_ID_CARD) == RESIDENT_ID_CARD:
            try:
                return normalize_id_number(number)
            except InvalidIdentifier:
                return number  # full_clean reports it against the column
        return number

    def find_existing(self, row):
        key = self.row_key(row)
        if key is None:
            return None
        return (
            Person.objects.select_related("region", "floating")
            .filter(id_number_index=blind_index(key))
            .first()
        )

    def build(self, row, existing, pending):
        person = existing or Person()
        values = row.values
        for name, value in values.items():
            if name in self.PERSON_FIELDS:
                setattr(person, name, value)
        house = values.get("house")
        region = values.get("region")
        if house is not None:
            if region is not None and region.pk != house.region_id:
                raise CellError("房屋编码与所属网格不一致")
            region = house.region
        if region is not None:
            person.region = region
        person._import_house = house
        person._import_floating = self._floating_detail(person, values)
        return person

    def _floating_detail(self, person, values) -> FloatingDetail | None:
        if person.residence_type != ResidenceType.FLOATING:
            return None
        detail = (_floating(person) if person.pk else None) or FloatingDetail(
            registered_on=datetime.date.today()
        )
        if "inflow_reason" in values:
            detail.reason = values["inflow_reason"]
        if "registered_on" in values:
            detail.registered_on = values["registered_on"]
        detail.full_clean(exclude=["person"])
        return detail

    def save(self, instance, user) -> None:
        records.save_record(instance, actor=user, clean=False)
        detail = getattr(instance, "_import_floating", None)
        if detail is not None:
            detail.person = instance
            records.save_record(detail, actor=user, clean=False)
        house = getattr(instance, "_import_house", None)
        if house is not None:
            self._settle(instance, house, user)

    def _settle(self, person, house, user) -> None:
        """Keep the current residency if it is this house; else end it and start this one."""
        current = Residency.objects.filter(person=person, ended_on__isnull=True).first()
        if current is not None and current.house_id == house.pk:
            return
        today = datetime.date.today()
        if current is not None:
            current.ended_on = max(today, current.started_on)
            records.save_record(current, actor=user, update_fields=["ended_on"])
        records.save_record(Residency(person=person, house=house, started_on=today), actor=user)

    # --- bulk import (core/io/bulk.py) --------------------------------------------------------
    bulk = True
    copy = True

    def find_existing_many(self, keys: list) -> dict:
        by_index = dict(zip(blind_indexes(keys), keys, strict=True))
        found = Person.objects.select_related("region", "floating").filter(
            id_number_index__in=by_index
        )
        return {by_index[person.id_number_index]: person for person in found}

    def bulk_clean(self, instance) -> None:
        # Existing people were found by blind index a chunk at a time and the chunk's unique
        # check covers the index, so the per-row duplicate query of Person.clean() is skipped.
        instance.duplicate_of = lambda: None
        try:
            super().bulk_clean(instance)
        finally:
            del instance.duplicate_of

    def after_bulk_write(self, created: list, updated: list, user) -> None:
        """What `save()` does per person — the floating detail and the move to the given
        house — for a batch, with the same change-log rows."""
        persons = created + updated
        details = [p._import_floating for p in persons if getattr(p, "_import_floating", None)]
        for person in persons:
            if getattr(person, "_import_floating", None) is not None:
                person._import_floating.person = person
        records.create_records(FloatingDetail, [d for d in details if d.pk is None], actor=user)
        records.update_records(FloatingDetail, [d for d in details if d.pk is not None], actor=user)
        movers = [p for p in persons if getattr(p, "_import_house", None) is not None]
        if not movers:
            return
        current = {
            r.person_id: r
            for r in Residency.objects.select_related("house__region").filter(
                person__in=[p.pk for p in movers], ended_on__isnull=True
            )
        }
        today = datetime.date.today()
        ended, started = [], []
        for person in movers:
            home = current.get(person.pk)
            if home is not None and home.house_id == person._import_house.pk:
                continue
            if home is not None:
                home.ended_on = max(today, home.started_on)
                ended.append(home)
            started.append(Residency(person=person, house=person._import_house, started_on=today))
        records.update_records(Residency, ended, actor=user, fields=["ended_on"])
        records.create_records(Residency, started, actor=user)

    # --- export -------------------------------------------------------------------------------
    def export_row(self, obj, reveal: bool) -> list:
        # Names are not a sensitive *field* (pages show and search them), but a file leaves
        # the system: there they are masked like the numbers (standards §10.3).
        row = super().export_row(obj, reveal)
        if not reveal:
            row[self._name_index] = mask_name(obj.name)
        return row

    @property
    def _name_index(self) -> int:
        return next(i for i, c in enumerate(self.columns) if c.name == "name")
