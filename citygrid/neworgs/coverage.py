"""Coverage rates (覆盖率) of new organisations: per child region of a region and per kind, the
number of active organisations (not closed) and the share holding each kind of body inside
(党组织覆盖率, 工会覆盖率 ...).

One grouped query: the organisations the user may see in the region's subtree, grouped by the
prefix of their region code one level down and by kind, each body counted with an EXISTS on
its branch. The cost follows regions × kinds, never a loop over organisations.
"""

from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, Exists, OuterRef
from django.db.models.functions import Substr

from citygrid.neworgs.choices import BranchKind, OrganisationKind
from citygrid.neworgs.models import NewOrganisation, OrgBranch
from citygrid.regions.choices import PREFIX_LENGTHS
from citygrid.regions.models import Region

OWN_LEVEL = "本级直属"


def format_rate(part: int, whole: int) -> str:
    """A percentage with one decimal; "—" when there is nothing to count."""
    return f"{part * 100 / whole:.1f}%" if whole else "—"


@dataclass
class Counts:
    total: int = 0
    with_branch: dict[str, int] = field(default_factory=lambda: defaultdict(int))

    def add(self, other: "Counts") -> None:
        self.total += other.total
        for kind, n in other.with_branch.items():
            self.with_branch[kind] += n

    def rates(self) -> list[tuple[str, int, str]]:
        """(branch kind label, organisations holding one, rate) in BranchKind order."""
        return [
            (label, self.with_branch[value], format_rate(self.with_branch[value], self.total))
            for value, label in BranchKind.choices
        ]


@dataclass
class Row:
    code: str
    name: str
    region: Region | None  # None for organisations filed at the region itself
    counts: Counts


@dataclass
class Coverage:
    region: Region
    kind: str  # "" for all kinds
    rows: list[Row]
    by_kind: list[tuple[str, Counts]]  # (kind label, counts) over the whole region
    total: Counts


def child_length(code: str) -> int | None:
    longer = [n for n in PREFIX_LENGTHS if n > len(code)]
    return longer[0] if longer else None


def grouped(user, region: Region) -> list[dict]:
    """Rows of (child code, kind, total, <branch kind>: count) for the user's organisations."""
    length = child_length(region.code) or len(region.code)
    holding = {
        value: Count(
            "pk", filter=Exists(OrgBranch.objects.filter(organisation=OuterRef("pk"), kind=value))
        )
        for value in BranchKind.values
    }
    return list(
        NewOrganisation.objects.restrict(user, "view")
        .filter(region_code__within=region.code, closed_on__isnull=True)
        .annotate(child=Substr("region_code", 1, length))
        .order_by()
        .values("child", "kind")
        .annotate(total=Count("pk"), **holding)
    )


def compute(user, region: Region, kind: str = "") -> Coverage:
    """The coverage of `region`'s subtree as `user` may see it; the caller checked the region
    lies in the user's territory. `kind` limits the per-child rows to one organisation kind."""
    by_child: dict[str, Counts] = defaultdict(Counts)
    by_kind: dict[str, Counts] = defaultdict(Counts)
    for row in grouped(user, region):
        counts = Counts(row["total"], defaultdict(int, {k: row[k] for k in BranchKind.values}))
        by_kind[row["kind"]].add(counts)
        if not kind or row["kind"] == kind:
            by_child[row["child"]].add(counts)
    total = Counts()
    for counts in by_kind.values():
        total.add(counts)
    rows = [
        Row(child.code, child.name, child, by_child.get(child.code, Counts()))
        for child in region.children.order_by("code")
    ]
    if region.code in by_child:
        rows.insert(0, Row(region.code, OWN_LEVEL, None, by_child[region.code]))
    return Coverage(
        region=region,
        kind=kind,
        rows=rows,
        by_kind=[
            (label, by_kind.get(value, Counts())) for value, label in OrganisationKind.choices
        ],
        total=total,
    )
