"""What the grid app writes, each exactly once per client-generated key.

Reports go through the intake service (which dedups on `Case.idempotency_key`); verifications
use the case workflow's verify action and visits the `cases.Visit` record, both recorded in
`SubmittedAction` in the same transaction, so a phone that retries an upload it already made
gets the first result back instead of a second verification or a second visit.
"""

from dataclasses import dataclass
from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone

from citygrid.cases import actions, fieldwork, intake
from citygrid.cases.choices import Channel
from citygrid.cases.models import Case, Task, Visit
from citygrid.core import records
from citygrid.core.errors import ActionError
from citygrid.mobile.models import SubmittedAction
from citygrid.people.models import Person
from citygrid.regions.choices import RegionLevel, WorkerRole
from citygrid.regions.geo.index import load_index
from citygrid.regions.models import GridWorker, Region

OUTSIDE_OWN_GRID = "outside_own_grid"


def my_posts(user) -> QuerySet:
    return GridWorker.objects.filter(user=user, active=True, region__level=RegionLevel.GRID)


def my_grids(user) -> QuerySet:
    """The grids the user walks: where they hold an active 网格员/巡查员/监督员 post."""
    return fieldwork.own_grids(user)


def report_channel(user) -> str:
    roles = set(my_posts(user).values_list("role", flat=True))
    return Channel.INSPECTOR if roles == {WorkerRole.INSPECTOR} else Channel.GRID_APP


def outside_own_grid(user, lng: float, lat: float) -> bool:
    """A grid worker's position that lies in none of their grids (False for non-workers)."""
    own = set(my_grids(user).values_list("pk", flat=True))
    if not own:
        return False
    return load_index().locate(lng, lat) not in own


def _key_conflict() -> ActionError:
    return ActionError("idempotency_key_reused", "该提交编号已被另一项提交使用", 409)


def report(user, report: intake.Report) -> tuple[Case, bool]:
    """(case, created). The outside-grid flag is decided here, from the position as sent."""
    existing = Case.objects.filter(idempotency_key=report.idempotency_key).first()
    if existing is not None:
        if existing.reporter_id != user.pk:
            raise _key_conflict()
        return existing, False
    report.channel = report_channel(user)
    try:
        lng, lat = float(report.lng), float(report.lat)
    except (TypeError, ValueError) as exc:
        raise ActionError("invalid_position", "坐标或坐标系无效", 400) from exc
    if outside_own_grid(user, lng, lat):
        report.flags = [*report.flags, OUTSIDE_OWN_GRID]
    try:
        return intake.report_case(report, actor=user), True
    except IntegrityError:
        # The same upload arrived twice at once and the other request created the case.
        case = Case.objects.filter(idempotency_key=report.idempotency_key).first()
        if case is None or case.reporter_id != user.pk:
            raise
        return case, False


def _replayed(key: str, user, kind: str) -> SubmittedAction | None:
    done = SubmittedAction.objects.filter(key=key).first()
    if done is not None and (done.user_id != user.pk or done.kind != kind):
        raise _key_conflict()
    return done


def _once(user, kind: str, key: str, target: str, target_id: int | None, act):
    """`act()` and the key's `SubmittedAction` in one transaction: (what it made, True). A
    replayed key gives back what its first submission made, (that, False); a key used for
    another case or task (`target_id`, None: any) is a conflict."""

    def first(done):
        if target_id is not None and getattr(done, f"{target}_id") != target_id:
            raise _key_conflict()
        return getattr(done, target), False

    done = _replayed(key, user, kind)
    if done is not None:
        return first(done)
    try:
        with transaction.atomic():
            made = act()
            SubmittedAction.objects.create(key=key, kind=kind, user=user, **{target: made})
    except IntegrityError:
        # The same upload arrived twice at once and the other request recorded the key.
        done = _replayed(key, user, kind)
        if done is None:
            raise
        return first(done)
    return made, True


def verify(user, case_id: int, *, key: str, passed: bool, note: str, photos) -> tuple[Case, bool]:
    """Verify a case on site (the workflow's verify_pass / verify_fail), once per key."""
    # A handle is enough: the action locks and scope-checks the row itself.
    return _once(
        user,
        SubmittedAction.Kind.VERIFICATION,
        key,
        "case",
        case_id,
        lambda: actions.verify_case(
            Case(pk=case_id), actor=user, passed=passed, note=note, photos=photos
        ),
    )


def complete_patrol(user, task_id: int, *, key: str, result: str) -> tuple[Task, bool]:
    """Finish my patrol task with what I found (`fieldwork.complete_task`), once per key."""

    def act():
        task = Task.objects.restrict(user, "view").filter(pk=task_id).first()
        if task is None:
            raise fieldwork.TaskNotFound
        return fieldwork.complete_task(task, actor=user, result=result)

    return _once(user, SubmittedAction.Kind.PATROL, key, "task", task_id, act)


def answer_task(
    user, task_id: int, *, key: str, outcome: str, note: str, corrections: str
) -> tuple[Task, bool]:
    """Answer one of my 核查任务 about a person or a house, once per key."""
    return _once(
        user,
        SubmittedAction.Kind.ANSWER,
        key,
        "task",
        task_id,
        lambda: fieldwork.answer_verification(
            Task(pk=task_id), actor=user, outcome=outcome, note=note, corrections=corrections
        ),
    )


def create_own_patrol(user, *, key: str, grid_id: int, **fields) -> tuple[Task, bool]:
    """A patrol task I set myself in one of my grids, once per key."""

    def act():
        grid = my_grids(user).filter(pk=grid_id).first()
        if grid is None:
            raise ActionError("not_own_grid", "只能在本人负责的网格中新建巡查任务", 403)
        return fieldwork.create_own_patrol(actor=user, grid=grid, **fields)

    return _once(user, SubmittedAction.Kind.OWN_PATROL, key, "task", None, act)


@dataclass
class VisitInput:
    target: str
    findings: str
    visited_at: datetime | None = None
    place: str = ""
    lng: float | None = None
    lat: float | None = None
    next_visit: date | None = None
    person_id: int | None = None


def _visit_grid(user, data: VisitInput) -> Region:
    if data.lng is None or data.lat is None:
        grid = my_grids(user).first()
        if grid is None:
            raise ActionError("position_required", "请开启定位后再提交走访日志", 400)
        return grid
    grid_id = load_index().locate(data.lng, data.lat)
    if grid_id is None:
        raise ActionError("outside_grids", "该位置不在任何网格内，请核对位置", 400)
    grid = Region.objects.get(pk=grid_id)
    if not user.covers(grid.code):
        raise ActionError("out_of_scope", "该位置不在您的管辖范围内", 403)
    return grid


def log_visit(user, data: VisitInput, *, key: str) -> tuple[Visit, bool]:
    """Write a 走访日志 in the grid where it happened, once per key."""

    def act():
        if not user.has_perm("cases.add_visit"):
            raise ActionError("permission_denied", "您没有填写走访日志的权限", 403)
        target, findings = (data.target or "").strip(), (data.findings or "").strip()
        if not target:
            raise ActionError("target_required", "请填写走访对象", 400)
        if not findings:
            raise ActionError("findings_required", "请填写走访情况", 400)
        grid = _visit_grid(user, data)
        person = None
        if data.person_id is not None:
            person = Person.objects.restrict(user, "view").filter(pk=data.person_id).first()
            if person is None:
                raise ActionError("not_found", "人员不存在或不在您的管辖范围内", 404)
        visit = Visit(
            region=grid,
            visitor=user,
            target=target,
            person=person,
            visited_at=data.visited_at or timezone.now(),
            place=(data.place or "").strip(),
            lng=data.lng,
            lat=data.lat,
            findings=findings,
            next_visit=data.next_visit,
        )
        try:
            records.save_record(visit, actor=user)
        except ValidationError as exc:
            raise ActionError("invalid", "；".join(exc.messages), 400) from exc
        return visit

    return _once(user, SubmittedAction.Kind.VISIT, key, "visit", None, act)
