"""Who owns a case: the dispatch matrix (category × region, inherited down the tree), the
departments a case may be sent to, the level above for escalation, and the grid's inspector for
on-site verification."""

from django.db.models import Q, QuerySet

from citygrid.cases.models import Case, Department, DispatchRule
from citygrid.core.querysets import scope_q
from citygrid.regions.choices import WorkerRole, ancestor_codes
from citygrid.regions.models import GridWorker

LEVELS = ["grid", "community", "township", "county", "city"]


def next_level(level: str) -> str | None:
    index = LEVELS.index(level) if level in LEVELS else 0
    return LEVELS[index + 1] if index + 1 < len(LEVELS) else None


def responsible_department(case: Case) -> Department | None:
    """The rule of the most specific region on the case's path (a grid's own rule beats its
    township's, which beats the city's): one query."""
    rules = DispatchRule.objects.filter(
        category_id=case.category_id,
        region_code__in=ancestor_codes(case.region_code, inclusive=True),
        department__active=True,
    ).select_related("department")
    best = max(rules, key=lambda r: len(r.region_code), default=None)
    return best.department if best else None


def dispatch_departments(case: Case, user) -> QuerySet[Department]:
    """Departments `user` may send `case` to: active ones on the case's path up the tree (the
    matrix's candidates) or inside the dispatcher's own territory, plus the matrix's choice.
    The dispatch form, the API and `dispatch_case` all ask this one question."""
    qs = Department.objects.filter(active=True)
    if user.is_superuser:
        return qs
    on_path = Q(region_code__in=ancestor_codes(case.region_code, inclusive=True))
    q = on_path | scope_q("region_code", user.scope_codes())
    suggested = responsible_department(case)
    if suggested:
        q |= Q(pk=suggested.pk)
    return qs.filter(q)


def departments_for(user) -> QuerySet[Department]:
    """Departments of the user's territory and of the levels above it (a city department
    handles a county's cases too): those the user's cases may be filtered and counted by."""
    if user.is_superuser:
        return Department.objects.all()
    codes = user.scope_codes()
    above = {a for code in codes for a in ancestor_codes(code)}
    return Department.objects.filter(scope_q("region_code", codes) | Q(region_code__in=above))


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
