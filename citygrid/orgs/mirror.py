"""Units and members that already exist elsewhere appear in the teams tree without re-entry.

`ensure_units()` makes the missing mirror rows in bulk — a centre per city, county and
township, a work station per community, a service team per grid, a department unit per
`cases.Department`, a member per grid worker and per department handler — and follows grid
workers who moved grid or left a department. It is idempotent: the tree page calls it when
`out_of_date()` says something is missing (checked at most once a minute: the probes are
anti-joins over every region and grid worker, too dear for every page view of a city with
100 000 units), the `ensure_org_units` command runs it after an import, and the demo seeds
through it.
"""

from django.core.cache import cache
from django.db import transaction
from django.db.models import F

from citygrid.cases.models import Department
from citygrid.core import records
from citygrid.core.models import VersionStamp
from citygrid.orgs.choices import StaffSource, UnitKind
from citygrid.orgs.models import OrgUnit, Staff
from citygrid.orgs.models.staff import HEADCOUNT_STAMP
from citygrid.regions.choices import RegionLevel, ancestor_codes
from citygrid.regions.models import GridWorker, Region

CHUNK = 2000
CHECK_EVERY = 60  # seconds between two `refresh_if_due` probes

# Level of the region → kind and name of the unit that mirrors it.
MIRRORED = {
    RegionLevel.CITY: (UnitKind.COMMAND_CENTRE, "{}网格化管理指挥中心", "统筹全市网格化服务管理"),
    RegionLevel.COUNTY: (UnitKind.SUB_CENTRE, "{}网格化管理分中心", "统筹本区县网格化服务管理"),
    RegionLevel.TOWNSHIP: (UnitKind.SUB_CENTRE, "{}网格化管理分中心", "统筹本街道网格化服务管理"),
    RegionLevel.COMMUNITY: (UnitKind.WORK_STATION, "{}工作站", "组织本社区网格服务团队"),
    RegionLevel.GRID: (UnitKind.SERVICE_TEAM, "{}服务团队", "负责本网格巡查、采集和服务"),
}
DEPARTMENT_POST = "处置人员"


def _department_pairs() -> set[tuple[int, int]]:
    through = Department.members.through
    return set(through.objects.values_list("department_id", "user_id"))


def _moved_workers():
    """Grid-worker members whose worker moved grid or came on or off post since."""
    return Staff.objects.filter(source=StaffSource.GRID_WORKER).exclude(
        unit__mirrors_id=F("grid_worker__region_id"), active=F("grid_worker__active")
    )


def out_of_date() -> bool:
    """Whether a mirror row is missing or stale (a few index probes, for the tree page)."""
    dept_staff = Staff.objects.filter(source=StaffSource.DEPARTMENT).count()
    return (
        Region.objects.filter(level__in=list(MIRRORED), org_unit__isnull=True).exists()
        or Department.objects.filter(org_unit__isnull=True).exists()
        or GridWorker.objects.filter(staff__isnull=True).exists()
        or Department.members.through.objects.count() != dept_staff
        or _moved_workers().exists()
    )


def refresh_if_due() -> None:
    """The tree page's lazy path: probe for missing mirrors at most once a minute."""
    if cache.add("orgs:mirror-checked", True, CHECK_EVERY) and out_of_date():
        ensure_units()


def ensure_units() -> int:
    """Create and follow the mirror rows; returns how many rows were written."""
    with transaction.atomic():
        written = sum(_ensure_region_units(level) for level in MIRRORED)
        written += _ensure_department_units()
        written += _ensure_worker_staff()
        written += _ensure_department_staff()
        if written:
            VersionStamp.bump(HEADCOUNT_STAMP)
    return written


def _ensure_region_units(level: str) -> int:
    kind, pattern, duties = MIRRORED[level]
    written = 0
    while True:
        regions = list(
            Region.objects.filter(level=level, org_unit__isnull=True).order_by("code")[:CHUNK]
        )
        if not regions:
            return written
        parents = {
            u.mirrors_id: u
            for u in OrgUnit.objects.filter(mirrors_id__in={r.parent_id for r in regions})
        }
        units = [
            OrgUnit(
                region=r,
                mirrors=r,
                code=r.code,
                parent=parents.get(r.parent_id),
                kind=kind,
                name=pattern.format(r.name),
                duties=duties,
            )
            for r in regions
        ]
        records.create_records(OrgUnit, units, actor=None)
        written += len(units)


def _nearest_units(codes: set[str]) -> dict[str, OrgUnit]:
    """Region code → the unit mirroring that region or its nearest mirrored ancestor."""
    wanted = {a for code in codes for a in ancestor_codes(code, inclusive=True)}
    by_code = {u.region_code: u for u in OrgUnit.objects.filter(mirrors__code__in=wanted)}
    found = {}
    for code in codes:
        for candidate in reversed(ancestor_codes(code, inclusive=True)):
            if candidate in by_code:
                found[code] = by_code[candidate]
                break
    return found


def _ensure_department_units() -> int:
    departments = list(Department.objects.filter(org_unit__isnull=True).select_related("region"))
    if not departments:
        return 0
    parents = _nearest_units({d.region_code for d in departments})
    units = [
        OrgUnit(
            region=d.region,
            department=d,
            code=f"BM-{d.code}",
            parent=parents.get(d.region_code),
            kind=UnitKind.DEPARTMENT,
            name=d.name,
        )
        for d in departments
    ]
    records.create_records(OrgUnit, units, actor=None)
    return len(units)


def _ensure_worker_staff() -> int:
    written = 0
    moved = list(_moved_workers().select_related("grid_worker"))
    if moved:
        teams = {
            u.mirrors_id: u
            for u in OrgUnit.objects.filter(mirrors_id__in={s.grid_worker.region_id for s in moved})
        }
        for member in moved:
            member.unit = teams[member.grid_worker.region_id]
            member.active = member.grid_worker.active
            member.derive()
        records.update_records(Staff, moved, actor=None)
        written += len(moved)
    while True:
        workers = list(GridWorker.objects.filter(staff__isnull=True).order_by("id")[:CHUNK])
        if not workers:
            return written
        teams = {
            u.mirrors_id: u
            for u in OrgUnit.objects.filter(
                mirrors_id__in={w.region_id for w in workers}
            ).select_related("region")
        }
        members = [
            Staff(
                unit=teams[w.region_id],
                source=StaffSource.GRID_WORKER,
                grid_worker=w,
                user_id=w.user_id,
                name=w.name,
                post=w.get_role_display(),
                active=w.active,
            )
            for w in workers
        ]
        records.create_records(Staff, members, actor=None)
        written += len(members)


def _ensure_department_staff() -> int:
    pairs = _department_pairs()
    existing = {
        (s.unit.department_id, s.user_id): s
        for s in Staff.objects.filter(source=StaffSource.DEPARTMENT).select_related("unit")
    }
    gone = [s for pair, s in existing.items() if pair not in pairs]
    for member in gone:
        records.delete_record(member, actor=None)
    missing = pairs - set(existing)
    if not missing:
        return len(gone)
    from citygrid.accounts.models import User

    units = {
        u.department_id: u
        for u in OrgUnit.objects.filter(department_id__in={d for d, _ in missing}).select_related(
            "region"
        )
    }
    users = User.objects.in_bulk({u for _, u in missing})
    members = [
        Staff(
            unit=units[dept],
            source=StaffSource.DEPARTMENT,
            user=users[user],
            name=users[user].full_name or users[user].username,
            post=DEPARTMENT_POST,
        )
        for dept, user in sorted(missing)
    ]
    records.create_records(Staff, members, actor=None)
    return len(gone) + len(members)
