"""Population figures of one region subtree, every one an aggregate query (no loop over persons).

Each function takes the persons the user may see in the region (`persons(user, region)`) so the
scope rule is applied once, by `restrict`; category counts go through their own model's
`restrict`, so a role without `view_specialgroup` never gets special-group figures.
"""

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db.models import Count, Q, QuerySet
from django.db.models.functions import Substr, TruncMonth

from citygrid.core import dictionaries
from citygrid.people.ages import years_before
from citygrid.people.choices import (
    SPECIAL_GROUP_KINDS,
    VULNERABLE_GROUP_KINDS,
    Category,
    FloatDirection,
    PersonStatus,
    ResidenceType,
)
from citygrid.people.models import (
    AtRiskYouth,
    FloatingDetail,
    KeyPerson,
    Person,
    SpecialGroup,
    VulnerableGroup,
)
from citygrid.people.models.persons import SEX_CODES
from citygrid.regions.models import Region

BAND_YEARS = 5
OLDEST_BAND = 85  # 85 and over is the last band
CHILD_LENGTH = {4: 6, 6: 9, 9: 12, 12: 15}
UNFILLED = "未填写"
DIRECT = "（直属，未分到下级）"
MALE, FEMALE = SEX_CODES["male"], SEX_CODES["female"]


@dataclass(frozen=True)
class Row:
    """One bar or slice: a stored value, its label and how many persons."""

    value: str
    label: str
    count: int


@dataclass(frozen=True)
class Band:
    label: str
    male: int
    female: int


@dataclass(frozen=True)
class Month:
    month: date
    inflow: int
    outflow: int


@dataclass(frozen=True)
class Child:
    """A region one level down (or, with `drill` false, persons kept at this level itself)."""

    code: str
    label: str
    total: int
    by_type: dict[str, int]
    drill: bool = True


def scoped_persons(user, region: Region) -> QuerySet:
    """Every person the user may see in the subtree, whatever their status."""
    return Person.objects.restrict(user, "view").filter(region_code__within=region.code)


def persons(user, region: Region) -> QuerySet:
    """Persons living in the subtree now (status 在住): the base of every figure but the trend."""
    return scoped_persons(user, region).filter(status=PersonStatus.PRESENT)


def by_residence_type(qs: QuerySet) -> list[Row]:
    counts = dict(qs.order_by().values_list("residence_type").annotate(n=Count("id")))
    return [Row(t.value, t.label, counts.get(t.value, 0)) for t in ResidenceType]


def by_dictionary(qs: QuerySet, field: str, dictionary: str) -> list[Row]:
    """Persons per code-table value, most first; an empty value is counted as 未填写."""
    grouped = qs.order_by().values_list(field).annotate(n=Count("id"))
    rows = [
        Row(value or "", dictionaries.label(dictionary, value) or UNFILLED, n)
        for value, n in grouped
    ]
    return sorted(rows, key=lambda r: (-r.count, r.value == "", r.value))


def by_sex(qs: QuerySet) -> list[Row]:
    return by_dictionary(qs, "sex", "sex")


def band_ranges(today: date) -> list[tuple[str, date | None, date]]:
    """(label, earliest birth date or None, latest birth date) of each age band, youngest first.

    Age ≥ n exactly when born on or before `years_before(today, n)`, so the band [lo, hi] is
    born after `years_before(today, hi + 1)` and on or before `years_before(today, lo)`.
    """
    bands = []
    for low in range(0, OLDEST_BAND, BAND_YEARS):
        high = low + BAND_YEARS - 1
        earliest = years_before(today, high + 1) + timedelta(days=1)
        bands.append((f"{low}-{high}岁", earliest, years_before(today, low)))
    bands.append((f"{OLDEST_BAND}岁及以上", None, years_before(today, OLDEST_BAND)))
    return bands


def _born(earliest: date | None, latest: date) -> Q:
    if earliest is None:
        return Q(birth_date__lte=latest)
    return Q(birth_date__range=(earliest, latest))


def age_pyramid(qs: QuerySet, today: date) -> tuple[list[Band], int]:
    """Males and females per five-year band, in one query; and how many have no birth date.

    Persons of another or unknown sex are not in the pyramid (they are in the sex chart)."""
    ranges = band_ranges(today)
    counts = {"undated": Count("id", filter=Q(birth_date__isnull=True))}
    for index, (_label, earliest, latest) in enumerate(ranges):
        born = _born(earliest, latest)
        counts[f"m{index}"] = Count("id", filter=born & Q(sex=MALE))
        counts[f"f{index}"] = Count("id", filter=born & Q(sex=FEMALE))
    found = qs.order_by().aggregate(**counts)
    bands = [
        Band(label, found[f"m{i}"], found[f"f{i}"]) for i, (label, _e, _l) in enumerate(ranges)
    ]
    return bands, found["undated"]


def _open(model, user, region: Region) -> QuerySet:
    return model.objects.restrict(user, "view").filter(
        region_code__within=region.code,
        ended_on__isnull=True,
        person__status=PersonStatus.PRESENT,
    )


# Where each category's counts come from, in the order the page shows them. The model's view
# permission decides who sees the category, here and when a snapshot is read.
CATEGORY_SOURCES = (
    (SpecialGroup, SPECIAL_GROUP_KINDS),
    (VulnerableGroup, VULNERABLE_GROUP_KINDS),
    (KeyPerson, (Category.KEY_PERSON,)),
    (AtRiskYouth, (Category.AT_RISK_YOUTH,)),
)


def _view_permission(model) -> str:
    return f"people.view_{model._meta.model_name}"


def category_permission(value: str) -> str | None:
    """The permission needed to see a category's count; None for a value no longer known."""
    for model, kinds in CATEGORY_SOURCES:
        if value in {k.value for k in kinds}:
            return _view_permission(model)
    return None


def visible_categories(user, rows: list[Row]) -> list[Row]:
    """The rows of the categories the user may view, in the same order (a snapshot's rows are
    computed for every category; an unknown category is dropped)."""
    allowed: dict[str, bool] = {}
    kept = []
    for row in rows:
        permission = category_permission(row.value)
        if permission is None:
            continue
        if permission not in allowed:
            allowed[permission] = user.has_perm(permission)
        if allowed[permission]:
            kept.append(row)
    return kept


def _by_kind(model, kinds, user, region: Region) -> list[Row]:
    grouped = dict(
        _open(model, user, region)
        .order_by()
        .values_list("kind")
        .annotate(n=Count("person", distinct=True))
    )
    return [Row(k.value, k.label, grouped.get(k.value, 0)) for k in kinds]


def by_category(user, region: Region) -> list[Row]:
    """Persons with an open membership per category; a category whose record type the user may
    not view is left out altogether (special groups need `people.view_specialgroup`)."""
    rows: list[Row] = []
    for model, kinds in CATEGORY_SOURCES:
        if not user.has_perm(_view_permission(model)):
            continue
        if len(kinds) > 1:
            rows += _by_kind(model, kinds, user, region)
        else:
            n = _open(model, user, region).aggregate(n=Count("person", distinct=True))["n"]
            rows.append(Row(kinds[0].value, kinds[0].label, n))
    return rows


def month_starts(today: date, months: int = 12) -> list[date]:
    """First days of the last `months` months, the current one last."""
    index = today.year * 12 + today.month - 1
    return [date(i // 12, i % 12 + 1, 1) for i in range(index - months + 1, index + 1)]


def flow_trend(user, region: Region, today: date) -> list[Month]:
    """Floating-population registrations per month and direction over the last 12 months.

    Registrations are events: a person who came in March and has moved on since still came in
    March, so the trend counts every status, not only persons still living here."""
    months = month_starts(today)
    grouped = (
        FloatingDetail.objects.filter(
            person__in=scoped_persons(user, region),
            registered_on__gte=months[0],
            registered_on__lte=today,
        )
        .annotate(month=TruncMonth("registered_on"))
        .order_by()
        .values_list("month", "direction")
        .annotate(n=Count("id"))
    )
    counts: dict[tuple[date, str], int] = {}
    for month, direction, n in grouped:
        # Some backends hand back a datetime for a truncated date.
        day = month.date() if isinstance(month, datetime) else month
        counts[(day, direction)] = n
    return [
        Month(
            m,
            counts.get((m, FloatDirection.INFLOW.value), 0),
            counts.get((m, FloatDirection.OUTFLOW.value), 0),
        )
        for m in months
    ]


def children(qs: QuerySet, region: Region) -> list[Child]:
    """The region's children with their persons (by residence type), in one grouped query.

    Persons kept at this level itself (a community's persons not yet in a grid) get a row of
    their own, so the rows always add up to the total."""
    child_length = CHILD_LENGTH.get(len(region.code))
    if child_length is None:
        return []
    grouped = (
        qs.order_by()
        .annotate(prefix=Substr("region_code", 1, child_length))
        .values_list("prefix", "residence_type")
        .annotate(n=Count("id"))
    )
    figures: dict[str, dict[str, int]] = {}
    for prefix, residence_type, n in grouped:
        by_type = figures.setdefault(prefix, {})
        by_type[residence_type] = by_type.get(residence_type, 0) + n
    out = []
    for child in region.children.order_by("code"):
        by_type = figures.pop(child.code, {})
        out.append(Child(child.code, child.name, sum(by_type.values()), by_type))
    # What is left has a code no longer than the region's: persons kept at the region itself.
    direct: dict[str, int] = {}
    for by_type in figures.values():
        for key, n in by_type.items():
            direct[key] = direct.get(key, 0) + n
    if direct:
        out.append(Child(region.code, DIRECT, sum(direct.values()), direct, drill=False))
    return out
