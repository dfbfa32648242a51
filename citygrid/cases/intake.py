"""The one intake service every channel uses (web desk, API, grid app, WeChat, Open311).

It finds the grid from the position, numbers the case, flags a possible duplicate, stores the
photos, writes the `report` event and starts the register clock — in one transaction, so a
failed photo or an unknown position leaves nothing half-created.

A repeated idempotency key is answered here, for every channel: with the case it made, but only
to a caller entitled to that case; anyone else is refused without learning that it exists.
"""

import math
from dataclasses import dataclass, field
from datetime import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from citygrid.cases import calendar, notifications, photos
from citygrid.cases.choices import OPEN_STATES, Channel, Step, Urgency
from citygrid.cases.models import Case, CaseAttachment, CaseCategory
from citygrid.cases.numbering import next_number
from citygrid.cases.workflow import CASES
from citygrid.core import records
from citygrid.core.errors import ActionError
from citygrid.core.models import VersionStamp
from citygrid.core.validators import normalize_mobile
from citygrid.regions.geo.index import load_index
from citygrid.regions.geo.transforms import to_wgs84
from citygrid.regions.models import Region
from citygrid.regions.models.regions import GEOMETRY_STAMP

EARTH_RADIUS_M = 6_371_000


@dataclass
class Report:
    category: CaseCategory
    description: str
    lng: float
    lat: float
    crs: str = "wgs84"
    address: str = ""
    urgency: str = Urgency.NORMAL
    channel: str = Channel.WEB
    reporter_name: str = ""
    reporter_phone: str = ""
    photos: list = field(default_factory=list)
    idempotency_key: str | None = None
    anonymous: bool = False
    # Remarks for the centre recorded on the report event, e.g. "outside_own_grid" when a grid
    # worker reports a position outside their grid: flagged, never silently moved.
    flags: list[str] = field(default_factory=list)


def distance_m(lng1: float, lat1: float, lng2: float, lat2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lng2 - lng1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(math.sqrt(a))


def find_duplicate(category_id: int, lng: float, lat: float, exclude_pk=None) -> Case | None:
    """The nearest open case of the same minor class within the configured radius."""
    radius = settings.CASE_DUPLICATE_RADIUS_M
    dlat = radius / 111_320
    dlng = radius / (111_320 * max(math.cos(math.radians(lat)), 0.01))
    nearby = (
        Case.objects.filter(
            category_id=category_id,
            state__in=OPEN_STATES,
            lng__range=(lng - dlng, lng + dlng),
            lat__range=(lat - dlat, lat + dlat),
        )
        .exclude(pk=exclude_pk)
        .only("id", "lng", "lat")
    )
    scored = [(distance_m(lng, lat, c.lng, c.lat), c) for c in nearby]
    scored = [(d, c) for d, c in scored if d <= radius]
    return min(scored, key=lambda dc: dc[0])[1] if scored else None


def _validate(report: Report) -> tuple[float, float, str]:
    if report.category is None or not report.category.is_minor or not report.category.active:
        raise ActionError("invalid_category", "请选择有效的事部件小类", 400)
    if not (report.description or "").strip():
        raise ActionError("description_required", "请填写问题描述", 400)
    if report.urgency not in Urgency.values:
        raise ActionError("invalid_urgency", "紧急程度无效", 400)
    if report.channel not in Channel.values:
        raise ActionError("invalid_channel", "来源渠道无效", 400)
    phone = ""
    if report.reporter_phone:
        try:
            phone = normalize_mobile(report.reporter_phone)
        except ValueError as exc:
            raise ActionError("invalid_phone", "上报人手机号码格式不正确", 400) from exc
    try:
        lng, lat = to_wgs84(float(report.lng), float(report.lat), report.crs)
    except (TypeError, ValueError) as exc:
        raise ActionError("invalid_position", "坐标或坐标系无效", 400) from exc
    return lng, lat, phone


@dataclass(frozen=True)
class Located:
    lng: float
    lat: float
    phone: str
    grid: Region


def locate(report: Report) -> Located:
    """Check a report and find its grid without writing anything: a channel that holds a report
    back (the portal's abuse controls) checks it exactly as filing it would."""
    lng, lat, phone = _validate(report)
    grid_id = load_index().locate(lng, lat)
    if grid_id is None:
        raise ActionError("outside_grids", "该位置不在任何网格内，请核对位置", 400)
    # The case keeps the grid's id and code; its boundary is the index's business.
    grid = Region.objects.only("id", "code", "name", "level", "parent_id").get(pk=grid_id)
    return Located(lng, lat, phone, grid)


def _is_staff(actor) -> bool:
    return actor is not None and actor.is_authenticated


def _key_conflict() -> ActionError:
    # Says nothing about what holds the key: a case the caller may not see stays unseen.
    return ActionError("idempotency_key_conflict", "该提交编号已被使用，请更换编号后重新提交")


def earlier_case(report: Report, actor) -> Case | None:
    """The case an earlier submit with this key made, if this caller is entitled to it.

    Staff (desk, API, grid app): only a case they may view. Public channels (actor None) build
    their keys themselves from what identifies the citizen — the portal from the token of the
    form it served, WeChat from the openid — so a key of the same public channel is the same
    citizen retrying; a key held by a staff report or another channel is not theirs. Anyone
    not entitled gets `idempotency_key_conflict`, which does not say what holds the key.
    """
    if not report.idempotency_key:
        return None
    case = Case.objects.filter(idempotency_key=report.idempotency_key).first()
    if case is None:
        return None
    if _is_staff(actor):
        entitled = Case.objects.restrict(actor, "view").filter(pk=case.pk).exists()
    else:
        entitled = case.reporter_id is None and case.channel == report.channel
    if not entitled:
        raise _key_conflict()
    return case


def report_case(report: Report, *, actor=None, now: datetime | None = None) -> Case:
    """Create a case. `actor` is the staff member or None for the public channels.

    A key already used returns its case to a caller entitled to it (see `earlier_case`), else
    raises `idempotency_key_conflict`."""
    # Both caches intake consults (point → grid, working calendar) checked in one query.
    with VersionStamp.pinned(GEOMETRY_STAMP, calendar.STAMP_NAME):
        return _report(report, actor, now)


def _report(report: Report, actor, now: datetime | None) -> Case:
    earlier = earlier_case(report, actor)
    if earlier is not None:
        return earlier
    located = locate(report)
    if _is_staff(actor) and not actor.covers(located.grid.code):
        raise ActionError("out_of_scope", "该位置不在您的管辖范围内", 403)
    cleaned = photos.validate_photos(report.photos)
    now = now or timezone.now()
    try:
        return _create(report, actor, located, cleaned, now)
    except (IntegrityError, ValidationError):
        # A submit with the same key may have committed since the check above (the unique
        # check of `full_clean` or the insert then fails): answer it as a repeat, not an error.
        earlier = earlier_case(report, actor)
        if earlier is None:
            raise
        return earlier


def _create(report: Report, actor, located: Located, cleaned: list, now: datetime) -> Case:
    lng, lat, phone, grid = located.lng, located.lat, located.phone, located.grid
    with transaction.atomic():
        case = Case(
            number=next_number(now),
            kind=report.category.kind,
            category=report.category,
            urgency=report.urgency,
            description=report.description.strip(),
            address=report.address.strip(),
            lng=lng,
            lat=lat,
            channel=report.channel,
            reporter=actor if _is_staff(actor) else None,
            reporter_name=report.reporter_name.strip(),
            reporter_phone=phone,
            anonymous=report.anonymous,
            region=grid,
            reported_at=now,
            idempotency_key=report.idempotency_key or None,
            possible_duplicate_of=find_duplicate(report.category.pk, lng, lat),
        )
        CASES.start_step(case, Step.REGISTER, now)
        records.save_record(case, actor=actor, savepoint=False)
        event = CASES.record_event(
            case,
            "report",
            actor=actor,
            time=now,
            from_state="",
            channel=report.channel,
            possible_duplicate_of=case.possible_duplicate_of_id,
            **({"flags": list(report.flags)} if report.flags else {}),
        )
        photos.attach(case, event, cleaned, CaseAttachment.Stage.BEFORE, actor)
        if case.reporter_phone and not notifications.is_muted():
            # The reporter's 已收到 SMS, whichever channel the report came by; nothing to do
            # (not even a query) for the grid workers' own reports.
            template = notifications.REPORTER_SMS["report"]
            transaction.on_commit(lambda: notifications.tell_reporter(case, template))
    return case
