"""Who owns a case: the dispatch matrix (category × region, inherited down the tree), the level
above for escalation, and the grid's inspector for on-site verification."""

from citygrid.cases.models import Case, Department, DispatchRule
from citygrid.regions.choices import WorkerRole
from citygrid.regions.models import GridWorker

LEVELS = ["grid", "community", "township", "county", "city"]


def next_level(level: str) -> str | None:
    index = LEVELS.index(level) if level in LEVELS else 0
    return LEVELS[index + 1] if index + 1 < len(LEVELS) else None


def responsible_department(case: Case) -> Department | None:
    """The rule of the most specific region on the case's path (a grid's own rule beats its
    township's, which beats the city's): one query."""
    prefixes = [case.region_code[:n] for n in (4, 6, 9, 12, 15) if n <= len(case.region_code)]
    rules = DispatchRule.objects.filter(
        category_id=case.category_id, region_code__in=prefixes, department__active=True
    ).select_related("department")
    best = max(rules, key=lambda r: len(r.region_code), default=None)
    return best.department if best else None


def verifier_for(case: Case):
    """The account of the grid's inspector (监督员), else of its grid worker, else nobody."""
    posts = GridWorker.objects.filter(
        region_id=case.region_id,
        role__in=(WorkerRole.INSPECTOR, WorkerRole.GRID_WORKER),
        active=True,
        user__isnull=False,
    ).select_related("user")
    # Descending role puts "inspector" before "grid_worker": the inspector wins when both exist.
    worker = posts.order_by("-role", "pk").first()
    return worker.user if worker else None
