"""Map data of the population supervision map (人员地图) and of special-group trails.

Never more than a screenful and never a name or an ID number: zoomed out, persons counted per
grid (or per coarser region when a grid per marker would be too many); zoomed in, persons counted
per house at the house's position. A trail is a list of times and positions only.

What a request costs follows what is in view, not the size of the city: zoomed out, all persons
and the residence types are summed from the counts per region that `grid_population` keeps
(membership categories are counted live, see there why); zoomed in, the houses in the bbox are
found through their own indexed position (`House.map_lng/map_lat`) and only their current
residents are counted.
"""

from dataclasses import dataclass
from datetime import date, datetime, time

from django.core.exceptions import PermissionDenied
from django.db.models import Avg, Count, Exists, OuterRef, Q, QuerySet
from django.db.models.functions import Substr
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from citygrid.cases.models import Visit
from citygrid.core.querysets import scope_q
from citygrid.core.validators import mask_name
from citygrid.people import grid_population
from citygrid.people.choices import (
    SPECIAL_GROUP_KINDS,
    VULNERABLE_GROUP_KINDS,
    Category,
    PersonStatus,
    ResidenceType,
)
from citygrid.people.models import (
    AtRiskYouth,
    CareRecord,
    KeyPerson,
    Person,
    Residency,
    SpecialGroup,
    VulnerableGroup,
)
from citygrid.regions.choices import CODE_LENGTH, RegionLevel
from citygrid.regions.models import Region

MAX_ITEMS = 500  # markers on one screen
POINT_MIN_ZOOM = 15  # from here on, houses rather than regions
MAX_CANDIDATES = 200  # special-group members offered for a trail
MAX_TRAIL_POINTS = 2000
ALL = grid_population.ALL
LIVE = "实时统计"
NOT_YET = "人口分布汇总尚未生成，当前为实时统计"
# From fine to coarse: the first level with few enough regions in view is drawn.
CLUSTER_LEVELS = (
    RegionLevel.GRID,
    RegionLevel.COMMUNITY,
    RegionLevel.TOWNSHIP,
    RegionLevel.COUNTY,
    RegionLevel.CITY,
)

BBox = tuple[float, float, float, float]


@dataclass(frozen=True)
class MapCategory:
    key: str
    label: str
    group: str
    model: type | None = None  # the membership model, None for residence types


def categories(user) -> list[MapCategory]:
    """What the map can show this user: special-group kinds only with `view_specialgroup`."""
    found = [MapCategory(ALL, "全部实有人口", "人口类型")]
    found += [MapCategory(t.value, t.label, "人口类型") for t in ResidenceType]
    memberships = [
        (VulnerableGroup, VULNERABLE_GROUP_KINDS, "弱势群体"),
        (KeyPerson, [Category.KEY_PERSON], "重点人员"),
        (AtRiskYouth, [Category.AT_RISK_YOUTH], "重点人员"),
        (SpecialGroup, SPECIAL_GROUP_KINDS, "特殊人群"),
    ]
    for model, kinds, group in memberships:
        if user.has_perm(f"people.view_{model._meta.model_name}"):
            found += [MapCategory(k.value, k.label, group, model) for k in kinds]
    return found


def category_persons(user, key: str) -> QuerySet:
    """Persons living here now in the category; unknown key → ValueError, category the user may
    not see → PermissionDenied."""
    persons = Person.objects.restrict(user, "view").filter(status=PersonStatus.PRESENT)
    if key == ALL:
        return persons
    if key in ResidenceType.values:
        return persons.filter(residence_type=key)
    if key not in Category.values:
        raise ValueError(key)
    category = next((c for c in categories(user) if c.key == key), None)
    if category is None:
        raise PermissionDenied("您没有查看该类人员的权限")
    members = category.model.objects.restrict(user, "view").filter(ended_on__isnull=True)
    if category.model is SpecialGroup:
        members = members.disclosable(user)
    if hasattr(category.model, "kind"):
        members = members.filter(kind=key)
    return persons.filter(pk__in=members.values("person_id"))


def _in_view(bbox: BBox) -> Q:
    west, south, east, north = bbox
    return Q(
        bbox_min_lng__lte=east,
        bbox_max_lng__gte=west,
        bbox_min_lat__lte=north,
        bbox_max_lat__gte=south,
    )


def grids_in_view(user, bbox: BBox) -> QuerySet:
    return Region.objects.in_scope(user).filter(
        _in_view(bbox), level=RegionLevel.GRID, center_lng__isnull=False
    )


def _cluster_level(grids: QuerySet) -> tuple[str, list[str]]:
    """The finest level whose regions in view fit on a screen, and their codes."""
    for level in CLUSTER_LEVELS:
        length = CODE_LENGTH[level]
        codes = list(
            grids.annotate(prefix=Substr("code", 1, length))
            .order_by("prefix")
            .values_list("prefix", flat=True)
            .distinct()[: MAX_ITEMS + 1]
        )
        if len(codes) <= MAX_ITEMS:
            return level, codes
    return RegionLevel.CITY, codes[:MAX_ITEMS]


def _centres(level: str, codes: list[str]) -> dict[str, tuple[str, float, float]]:
    """code → (name, lng, lat): a region's own centre, else the mean of its grids' centres."""
    # Never the boundaries: up to MAX_ITEMS polygons were loaded per request for a name each.
    found = Region.objects.filter(code__in=codes).only("code", "name", "center_lng", "center_lat")
    regions = {r.code: r for r in found}
    out = {
        code: (r.name, r.center_lng, r.center_lat)
        for code, r in regions.items()
        if r.center_lng is not None
    }
    missing = [c for c in codes if c not in out]
    if missing:
        length = CODE_LENGTH[level]
        means = (
            Region.objects.filter(level=RegionLevel.GRID, center_lng__isnull=False)
            .filter(scope_q("code", missing))
            .annotate(prefix=Substr("code", 1, length))
            .order_by()
            .values_list("prefix")
            .annotate(lng=Avg("center_lng"), lat=Avg("center_lat"))
        )
        for prefix, lng, lat in means:
            region = regions.get(prefix)
            out[prefix] = (region.name if region else prefix, lng, lat)
    return out


def freshness(counted_at: datetime | None) -> str:
    """What the map says about counts stored at `counted_at` (None: none stored yet)."""
    if counted_at is None:
        return NOT_YET
    return f"数据更新于 {timezone.localtime(counted_at):%Y-%m-%d %H:%M}"


def _counted(
    user, key: str, persons: QuerySet, length: int, codes: list[str]
) -> tuple[dict[str, int], str]:
    """Persons per region code prefix, and how fresh the figures are: from the stored counts
    when the category has them, else live."""
    label = LIVE
    if key in grid_population.CATEGORIES:
        counted_at = grid_population.computed_at()
        if counted_at is not None:
            return grid_population.counts(user, key, length, codes), freshness(counted_at)
        label = NOT_YET
    in_regions = Q(region_code__in=codes) if length == 15 else scope_q("region_code", codes)
    counts = dict(
        persons.filter(in_regions)
        .annotate(prefix=Substr("region_code", 1, length))
        .order_by()
        .values_list("prefix")
        .annotate(n=Count("id"))
    )
    return counts, label


def region_counts(user, key: str, persons: QuerySet, bbox: BBox) -> dict:
    """Persons per grid in view (per coarser region when there are too many grids)."""
    level, codes = _cluster_level(grids_in_view(user, bbox))
    length = CODE_LENGTH[level]
    if not codes:
        return {"mode": "regions", "level": level, "items": [], "total": 0, "freshness": LIVE}
    counts, label = _counted(user, key, persons, length, codes)
    centres = _centres(level, [c for c in codes if counts.get(c)])
    items = [
        {"code": code, "name": name, "lng": lng, "lat": lat, "count": counts[code]}
        for code, (name, lng, lat) in sorted(centres.items())
    ]
    return {
        "mode": "regions",
        "level": level,
        "items": items,
        "total": sum(i["count"] for i in items),
        "freshness": label,
    }


def _house_url(pk: int) -> str:
    try:
        return reverse("housing:house", args=[pk])
    except NoReverseMatch:  # the housing pages are not routed in this deployment
        return ""


def house_rows(persons: QuerySet, bbox: BBox) -> QuerySet:
    """(house, lng, lat, persons) for the houses in the bbox with current residents among
    `persons`, at the house's map position (its own point, else its building's). The bbox is a
    range scan of `house_map_position_idx`: the houses in view are found first, then their
    residents counted."""
    west, south, east, north = bbox
    return (
        Residency.objects.filter(
            house__map_lng__range=(west, east),
            house__map_lat__range=(south, north),
            ended_on__isnull=True,
        )
        # Per residency found, not `person__in`: SQLite would list every person first.
        .filter(Exists(persons.filter(pk=OuterRef("person_id"))))
        .order_by()
        .values_list("house_id", "house__map_lng", "house__map_lat")
        .annotate(n=Count("person_id", distinct=True))
        .order_by("house_id")
    )


def house_counts(persons: QuerySet, bbox: BBox) -> list[dict] | None:
    """Persons per house in view; None when more houses than fit on a screen have residents."""
    rows = list(house_rows(persons, bbox)[: MAX_ITEMS + 1])
    if len(rows) > MAX_ITEMS:
        return None
    return [
        {"house": pk, "lng": lng, "lat": lat, "count": n, "url": _house_url(pk)}
        for pk, lng, lat, n in rows
    ]


def map_data(user, key: str, bbox: BBox, zoom: int) -> dict:
    persons = category_persons(user, key)
    if zoom >= POINT_MIN_ZOOM:
        houses = house_counts(persons, bbox)
        if houses is not None:
            return {
                "mode": "houses",
                "items": houses,
                "total": sum(h["count"] for h in houses),
                "freshness": LIVE,
            }
    return region_counts(user, key, persons, bbox)


def trail_candidates(user, bbox: BBox) -> dict:
    """Special-group members living in the grids in view, names masked, for the trail picker."""
    codes = list(grids_in_view(user, bbox).values_list("code", flat=True)[: MAX_ITEMS + 1])
    if len(codes) > MAX_ITEMS:
        return {"items": [], "truncated": True}
    rows = list(
        SpecialGroup.objects.restrict(user, "view")
        .disclosable(user)
        .filter(
            ended_on__isnull=True,
            person__status=PersonStatus.PRESENT,
            person__region_code__in=codes,
        )
        .order_by("person__region_code", "person__name", "person_id", "kind")
        .values_list("person_id", "person__name", "kind")[: MAX_CANDIDATES + 1]
    )
    people: dict[int, dict] = {}
    for pk, name, kind in rows[:MAX_CANDIDATES]:
        entry = people.setdefault(pk, {"id": pk, "name": mask_name(name), "kinds": []})
        entry["kinds"].append(Category(kind).label)
    return {"items": list(people.values()), "truncated": len(rows) > MAX_CANDIDATES}


def trail_member(user, pk: int) -> Person | None:
    """The person, if the user may see them and they are an open special-group member."""
    members = SpecialGroup.objects.restrict(user, "view").disclosable(user)
    members = members.filter(ended_on__isnull=True)
    return (
        Person.objects.restrict(user, "view")
        .filter(pk=pk, pk__in=members.values("person_id"))
        .first()
    )


def trail_points(person: Person, start: date, end: date) -> list[dict]:
    """Visits and care records with a position between two days (inclusive), in time order.

    A care record has a date only: it sorts at the start of its day."""
    tz = timezone.get_current_timezone()
    first = datetime.combine(start, time.min, tzinfo=tz)
    after = datetime.combine(end, time.max, tzinfo=tz)
    visits = (
        Visit.objects.filter(
            person=person,
            visited_at__range=(first, after),
            lng__isnull=False,
            lat__isnull=False,
        )
        .order_by("visited_at")
        .values_list("visited_at", "lng", "lat")[:MAX_TRAIL_POINTS]
    )
    cares = (
        CareRecord.objects.filter(
            person=person,
            date__range=(start, end),
            lng__isnull=False,
            lat__isnull=False,
        )
        .order_by("date")
        .values_list("date", "lng", "lat")[:MAX_TRAIL_POINTS]
    )
    points = [
        (timezone.localtime(at, tz), "visit", "走访", lng, lat) for at, lng, lat in visits
    ] + [
        (datetime.combine(day, time.min, tzinfo=tz), "care", "帮扶", lng, lat)
        for day, lng, lat in cares
    ]
    points.sort(key=lambda p: (p[0], p[1]))
    return [
        {
            "seq": seq,
            "time": at.strftime("%Y-%m-%d %H:%M") if source == "visit" else f"{at:%Y-%m-%d}",
            "source": source,
            "source_label": label,
            "lng": lng,
            "lat": lat,
        }
        for seq, (at, source, label, lng, lat) in enumerate(points[:MAX_TRAIL_POINTS], start=1)
    ]
