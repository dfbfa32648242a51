"""Everything the 人口统计 page, its JSON endpoint and its Excel file show, as one `Overview`:
computed live (`overview`), or written to and read back from a snapshot (`to_data`,
`from_data`)."""

from dataclasses import dataclass, field
from datetime import date, datetime

from citygrid.people.stats import queries
from citygrid.regions.models import Region

CHILDREN_AGE = 15  # 0–14: the three youngest bands
ELDERLY_AGE = 60  # 60 and over
# Layout of `to_data`; a snapshot written with another layout counts as missing.
VERSION = 1


@dataclass
class Overview:
    region: Region
    today: date
    total: int
    residence_types: list[queries.Row]
    sexes: list[queries.Row]
    pyramid: list[queries.Band]
    undated: int
    ethnicities: list[queries.Row]
    educations: list[queries.Row]
    categories: list[queries.Row]
    trend: list[queries.Month]
    children: list[queries.Child]
    kpis: list[tuple[str, str, int]] = field(default_factory=list)
    # When the figures were computed (the snapshot's time; "数据更新于").
    computed_at: datetime | None = None
    # Older than the maximum age, or none yet: a refresh is on its way ("正在更新").
    updating: bool = False

    def __post_init__(self):
        if not self.kpis:
            self.kpis = _kpis(self)


def _band_sum(bands: list[queries.Band], start: int, stop: int | None = None) -> int:
    chosen = bands[
        start // queries.BAND_YEARS : None if stop is None else stop // queries.BAND_YEARS
    ]
    return sum(b.male + b.female for b in chosen)


def _kpis(found: Overview) -> list[tuple[str, str, int]]:
    return [
        ("total", "实有人口", found.total),
        *((f"type_{r.value}", r.label, r.count) for r in found.residence_types),
        ("children", f"0-{CHILDREN_AGE - 1}岁", _band_sum(found.pyramid, 0, CHILDREN_AGE)),
        ("elderly", f"{ELDERLY_AGE}岁及以上", _band_sum(found.pyramid, ELDERLY_AGE)),
    ]


def overview(user, region: Region, today: date) -> Overview:
    """The figures of the region's subtree as the user may see them, computed now (11–12
    aggregate queries whatever the population; seconds for a city of millions)."""
    qs = queries.persons(user, region)
    pyramid, undated = queries.age_pyramid(qs, today)
    types = queries.by_residence_type(qs)
    return Overview(
        region=region,
        today=today,
        # Residence type is required, so its counts add up to the total: one scan fewer.
        total=sum(r.count for r in types),
        residence_types=types,
        sexes=queries.by_sex(qs),
        pyramid=pyramid,
        undated=undated,
        ethnicities=queries.by_dictionary(qs, "ethnicity", "ethnicity"),
        educations=queries.by_dictionary(qs, "education", "education"),
        categories=queries.by_category(user, region),
        trend=queries.flow_trend(user, region, today),
        children=queries.children(qs, region),
    )


def empty(region: Region, today: date) -> Overview:
    """What a region shows before its first snapshot: nothing counted yet, being computed."""
    return Overview(
        region=region,
        today=today,
        total=0,
        residence_types=[],
        sexes=[],
        pyramid=[],
        undated=0,
        ethnicities=[],
        educations=[],
        categories=[],
        trend=[],
        children=[],
        updating=True,
    )


def _rows_data(rows: list[queries.Row]) -> list[dict]:
    return [{"value": r.value, "label": r.label, "count": r.count} for r in rows]


def _rows(items: list[dict]) -> list[queries.Row]:
    return [queries.Row(i["value"], i["label"], i["count"]) for i in items]


def to_data(found: Overview) -> dict:
    """The figures as JSON-serialisable data (counts and labels only, no personal data)."""
    return {
        "version": VERSION,
        "region": found.region.code,
        "today": found.today.isoformat(),
        "total": found.total,
        "residence_types": _rows_data(found.residence_types),
        "sexes": _rows_data(found.sexes),
        "pyramid": [{"label": b.label, "male": b.male, "female": b.female} for b in found.pyramid],
        "undated": found.undated,
        "ethnicities": _rows_data(found.ethnicities),
        "educations": _rows_data(found.educations),
        "categories": _rows_data(found.categories),
        "trend": [
            {"month": m.month.isoformat(), "inflow": m.inflow, "outflow": m.outflow}
            for m in found.trend
        ],
        "children": [
            {
                "code": c.code,
                "label": c.label,
                "total": c.total,
                "by_type": c.by_type,
                "drill": c.drill,
            }
            for c in found.children
        ],
    }


def from_data(data: dict, region: Region, user, computed_at: datetime | None = None) -> Overview:
    """The figures of `to_data` as the user may see them: the categories whose record type the
    user may not view (special groups without `people.view_specialgroup` …) are dropped, exactly
    as `queries.by_category` leaves them out when computing live."""
    return Overview(
        region=region,
        today=date.fromisoformat(data["today"]),
        total=data["total"],
        residence_types=_rows(data["residence_types"]),
        sexes=_rows(data["sexes"]),
        pyramid=[queries.Band(b["label"], b["male"], b["female"]) for b in data["pyramid"]],
        undated=data["undated"],
        ethnicities=_rows(data["ethnicities"]),
        educations=_rows(data["educations"]),
        categories=queries.visible_categories(user, _rows(data["categories"])),
        trend=[
            queries.Month(date.fromisoformat(m["month"]), m["inflow"], m["outflow"])
            for m in data["trend"]
        ],
        children=[
            queries.Child(c["code"], c["label"], c["total"], c["by_type"], c["drill"])
            for c in data["children"]
        ],
        computed_at=computed_at,
    )
