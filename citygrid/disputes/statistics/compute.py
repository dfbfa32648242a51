"""The dispute statistics of one region and period (统计汇总), from the roll-up (`DisputeRollup`).

Definitions (docs/disputes-statistics.md says the same for users of the figures):
- period: disputes registered on local dates [first_day, last_day], both inclusive (`reported_at`);
- region: disputes whose `region_code` lies within the region's code (`region_code__within`);
- 调处成功率 = resolved (调解成功) / concluded (an outcome set: 调解成功, 调解不成 or 撤回);
- 按期办结率 = concluded disputes with `concluded_at <= due_at` / concluded ones with a `due_at`;
- 越级上访 / 群体性事件: disputes assessed with the risk flag `risk_petition` /
  `risk_mass_incident` (the risk judged at registration or assessment, not an incident counted);
- 重复纠纷: disputes of the period having a party whose identity (ID number's blind index when an
  ID was given, else the name's) is a party's of another dispute registered at any time;
- the ranking: the region's child regions, by success rate (none last), then total, then code.
A rate whose denominator is 0 has no value and shows as "—".

Every figure comes from two grouped queries over `DisputeRollup` (the MONTH rows of the period's
whole months and the DAY rows of its ragged ends): the region's own rows by category, level and
outcome (totals, breakdowns), its children's rows by region and outcome (ranking). Their cost
follows regions × buckets × categories, not disputes (1 M disputes: docs/performance.md).
"""

from collections import defaultdict
from dataclasses import dataclass, field, fields
from datetime import date, timedelta

from django.db.models import Q, Sum

from citygrid.core import dictionaries
from citygrid.disputes.choices import DisputeLevel, Outcome
from citygrid.disputes.models import CATEGORY_DICTIONARY
from citygrid.disputes.statistics.models import DAY, MONTH, DisputeRollup
from citygrid.disputes.statistics.rollup import COUNTERS
from citygrid.regions.models import Region

OPEN_LABEL = "未办结"


def format_rate(numerator: int, denominator: int) -> str:
    """A percentage with one decimal; "—" when nothing was counted under it."""
    return f"{numerator * 100 / denominator:.1f}%" if denominator else "—"


def rate(numerator: int, denominator: int) -> float | None:
    return numerator / denominator if denominator else None


@dataclass
class Figures:
    total: int = 0
    concluded: int = 0
    resolved: int = 0
    due: int = 0  # concluded with a deadline (the on-time rate's denominator)
    on_time: int = 0
    petition: int = 0
    mass_incident: int = 0
    repeat: int = 0

    def add(self, other: "Figures") -> None:
        for name in NAMES:
            setattr(self, name, getattr(self, name) + getattr(other, name))

    @property
    def success_rate(self) -> float | None:
        return rate(self.resolved, self.concluded)

    @property
    def on_time_rate(self) -> float | None:
        return rate(self.on_time, self.due)

    @property
    def success_rate_display(self) -> str:
        return format_rate(self.resolved, self.concluded)

    @property
    def on_time_rate_display(self) -> str:
        return format_rate(self.on_time, self.due)


NAMES = tuple(f.name for f in fields(Figures))


@dataclass
class Share:
    """One value of a breakdown (a category, level or outcome) and its disputes."""

    value: str
    label: str
    count: int


@dataclass
class Ranked:
    region: Region
    figures: Figures


@dataclass
class DisputeStatistics:
    region: Region
    first_day: date
    last_day: date
    figures: Figures
    by_category: list[Share] = field(default_factory=list)
    by_level: list[Share] = field(default_factory=list)
    by_outcome: list[Share] = field(default_factory=list)
    ranking: list[Ranked] = field(default_factory=list)


def _figures(row: dict) -> Figures:
    concluded = row["total"] if row["outcome"] else 0
    return Figures(
        total=row["total"],
        concluded=concluded,
        resolved=concluded if row["outcome"] == Outcome.RESOLVED else 0,
        due=row["due"],
        on_time=row["on_time"],
        petition=row["petition"],
        mass_incident=row["mass_incident"],
        repeat=row["repeat"],
    )


def _rank_key(ranked: Ranked) -> tuple:
    success = ranked.figures.success_rate
    return (success is None, -(success or 0), -ranked.figures.total, ranked.region.code)


def _next_month(day: date) -> date:
    return (day.replace(day=1) + timedelta(days=31)).replace(day=1)


def period_q(first_day: date, last_day: date) -> Q:
    """The roll-up rows covering [first_day, last_day] once: MONTH rows for the whole months
    inside, DAY rows for the days before and after them."""
    whole = first_day if first_day.day == 1 else _next_month(first_day)
    after = last_day + timedelta(days=1)
    end = after.replace(day=1)  # the whole months end before the month `after` falls in
    if whole >= end:
        return Q(span=DAY, day__gte=first_day, day__lte=last_day)
    return (
        Q(span=MONTH, day__gte=whole, day__lt=end)
        | Q(span=DAY, day__gte=first_day, day__lt=whole)
        | Q(span=DAY, day__gte=end, day__lte=last_day)
    )


def compute(region: Region, first_day: date, last_day: date) -> DisputeStatistics:
    """The statistics of `region` (its whole subtree) for disputes registered from `first_day`
    to `last_day` inclusive. The caller checks the region is in the user's territory: its
    subtree then is too."""
    children = list(region.children.order_by("code"))
    rows = DisputeRollup.objects.filter(period_q(first_day, last_day)).order_by()
    sums = {name: Sum(name) for name in COUNTERS}
    own = rows.filter(depth=len(region.code), region_code=region.code).values(
        "category", "level", "outcome"
    )
    total = Figures()
    categories: dict[str, int] = defaultdict(int)
    levels: dict[str, int] = defaultdict(int)
    outcomes: dict[str, int] = defaultdict(int)
    for row in own.annotate(**sums):  # a row per category × level × outcome
        total.add(_figures(row))
        categories[row["category"]] += row["total"]
        levels[row["level"]] += row["total"]
        outcomes[row["outcome"]] += row["total"]
    by_child: dict[str, Figures] = defaultdict(Figures)
    if children:
        below = rows.filter(depth=len(children[0].code), region_code__within=region.code)
        for row in below.values("region_code", "outcome").annotate(**sums):
            by_child[row["region_code"]].add(_figures(row))
    by_category = sorted(
        (
            Share(code, dictionaries.label(CATEGORY_DICTIONARY, code), n)
            for code, n in categories.items()
        ),
        key=lambda share: (-share.count, share.value),
    )
    by_level = [Share(value, label, levels[value]) for value, label in DisputeLevel.choices]
    by_outcome = [Share(value, label, outcomes[value]) for value, label in Outcome.choices]
    by_outcome.append(Share("", OPEN_LABEL, outcomes[""]))
    ranking = sorted(
        (Ranked(child, by_child.get(child.code, Figures())) for child in children), key=_rank_key
    )
    return DisputeStatistics(
        region=region,
        first_day=first_day,
        last_day=last_day,
        figures=total,
        by_category=by_category,
        by_level=by_level,
        by_outcome=by_outcome,
        ranking=ranking,
    )
