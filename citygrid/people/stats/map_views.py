"""人员地图: persons of a category on the map, and the trail of a special-group member.

The map needs `people.view_person`; a special-group category or a trail needs
`people.view_specialgroup` too (403 otherwise). Every trail shown is an access-log row, because a
trajectory is sensitive personal information (PIPL Art. 28, standards §10.1).
"""

from datetime import date, timedelta

from django.contrib.auth.decorators import login_required
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.http import Http404, JsonResponse
from django.shortcuts import render
from django.utils import timezone

from citygrid.core.middleware import client_ip
from citygrid.core.models import AccessLog
from citygrid.core.validators import mask_name
from citygrid.people import geo, grid_population
from citygrid.people.models import Person
from citygrid.people.stats.views import check_permission
from citygrid.regions.geo.tiles import map_config

TRAIL_PERMISSION = "people.view_specialgroup"
TRAIL_DEFAULT_DAYS = 30
TRAIL_MAX_DAYS = 366


def _error(code: str, message: str, status: int = 400) -> JsonResponse:
    return JsonResponse({"code": code, "message": message, "errors": {}}, status=status)


def _bbox(text: str | None) -> geo.BBox | None:
    try:
        west, south, east, north = (float(v) for v in (text or "").split(","))
    except ValueError:
        return None
    if west > east or south > north:
        return None
    return west, south, east, north


@login_required
def map_page(request):
    user = request.user
    check_permission(user)
    config = {
        **map_config(),
        "point_min_zoom": geo.POINT_MIN_ZOOM,
        "trails": user.has_perm(TRAIL_PERMISSION),
    }
    person = request.GET.get("person", "")
    context = {
        "map_config": config,
        "categories": geo.categories(user),
        "freshness": geo.freshness(grid_population.computed_at()),
        "trail_person": person if person.isdigit() and config["trails"] else "",
        "trail_start": timezone.localdate() - timedelta(days=TRAIL_DEFAULT_DAYS),
        "trail_end": timezone.localdate(),
    }
    return render(request, "people/map.html", context)


@login_required
def map_data(request):
    """Counts per region (zoomed out) or per house (zoomed in) in the bbox, for one category."""
    user = request.user
    check_permission(user)
    bbox = _bbox(request.GET.get("bbox"))
    if bbox is None:
        return _error("invalid_bbox", "bbox 应为 西,南,东,北（经纬度）")
    try:
        zoom = int(request.GET.get("zoom", ""))
    except ValueError:
        return _error("invalid_zoom", "zoom 必须是整数")
    try:
        data = geo.map_data(user, request.GET.get("category") or geo.ALL, bbox, zoom)
    except ValueError:
        return _error("invalid_category", "人员类别不存在")
    return JsonResponse(data)


def _check_trail_permission(user) -> None:
    check_permission(user)
    if not user.has_perm(TRAIL_PERMISSION):
        raise PermissionDenied("您没有查看特殊人群的权限")


@login_required
def trail_candidates(request):
    """Special-group members of the grids in view (masked names), to choose a trail from."""
    user = request.user
    _check_trail_permission(user)
    bbox = _bbox(request.GET.get("bbox"))
    if bbox is None:
        return _error("invalid_bbox", "bbox 应为 西,南,东,北（经纬度）")
    return JsonResponse(geo.trail_candidates(user, bbox))


def _trail_dates(params) -> tuple[date, date]:
    today = timezone.localdate()
    try:
        start = date.fromisoformat(params["start"]) if params.get("start") else None
        end = date.fromisoformat(params["end"]) if params.get("end") else today
    except ValueError:
        raise ValueError("日期格式应为 YYYY-MM-DD") from None
    start = start or end - timedelta(days=TRAIL_DEFAULT_DAYS)
    if start > end:
        raise ValueError("开始日期不能晚于结束日期")
    if (end - start).days >= TRAIL_MAX_DAYS:
        raise ValueError(f"查询区间不能超过 {TRAIL_MAX_DAYS} 天")
    return start, end


@login_required
def trail(request, person_pk: int):
    """Time-ordered positions of a special-group member between two days, logged."""
    user = request.user
    _check_trail_permission(user)
    try:
        start, end = _trail_dates(request.GET)
    except ValueError as exc:
        return _error("invalid_date", str(exc))
    person = geo.trail_member(user, person_pk)
    if person is None:
        raise Http404("人员不存在或不在您的管辖范围内")
    points = geo.trail_points(person, start, end)
    AccessLog.objects.create(
        user=user,
        user_name=user.get_username(),
        action=AccessLog.Action.VIEW_SENSITIVE,
        content_type=ContentType.objects.get_for_model(Person),
        object_id=person.pk,
        record_count=len(points),
        detail=f"行踪轨迹 {start:%Y-%m-%d} 至 {end:%Y-%m-%d}",
        ip=client_ip(request),
    )
    return JsonResponse(
        {
            "person": person.pk,
            "name": mask_name(person.name),
            "start": f"{start:%Y-%m-%d}",
            "end": f"{end:%Y-%m-%d}",
            "points": points,
        }
    )
