"""The desk of dispatchers and handlers (待办/已办/超期/督办) and the command-centre map.

The to-do tab is filtered in SQL from the transition table (`Workflow.todo_q`: the duties'
states, permissions, department membership and the guards that read columns); the exact
`available_actions` runs only on the rows of the page shown, with the user's departments read
once, so the page costs the same number of queries whatever its rows.

Nothing here counts every case in scope: the tab badges count up to `TAB_COUNT_LIMIT` ("999+"
beyond), and pages come from the bounded paginator (one row fetched past the page tells whether
another follows). New reports reach an open desk through `desk_feed`, polled by
`static/citygrid/desk_live.js`: the cases of the user's to-do with an id above a cursor — a range
of the primary key, so a poll costs the same however many cases the city holds.
"""

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import F, OuterRef, Subquery
from django.http import JsonResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from citygrid.cases.actions import available_actions
from citygrid.cases.choices import OPEN_STATES, STATE_BADGE, CaseState, SupervisionStatus
from citygrid.cases.filtersets import DeskFilterSet
from citygrid.cases.models import Case, CaseEvent, Department, SupervisionOrder
from citygrid.cases.workflow import CASES
from citygrid.core.filtersets import INT_MAX
from citygrid.core.paginator import BoundedPaginator
from citygrid.regions.geo.tiles import map_config

PER_PAGE = 50
# Tab badges count this far and show "999+" beyond: a count is as dear as reading the rows.
TAB_COUNT_LIMIT = 999
# At most this many new cases per poll; the rest come with the next one.
FEED_LIMIT = 20
MAP_LIMIT = 2000

# Tabler colours of the state badges, for the map's markers.
COLOURS = {
    "azure": "#4299e1",
    "blue": "#206bc4",
    "indigo": "#4263eb",
    "purple": "#ae3ec9",
    "orange": "#f76707",
    "teal": "#0ca678",
    "green": "#2fb344",
    "secondary": "#6c7a91",
    "dark": "#1d273b",
}

STATE_LEGEND = [(state, state.label, COLOURS[STATE_BADGE[state]]) for state in OPEN_STATES]

TABS = (("todo", "待办"), ("done", "已办"), ("overdue", "超期"), ("supervision", "督办"))


def todo_cases(user):
    return (
        Case.objects.restrict(user, "view")
        .filter(CASES.todo_q(user))
        .select_related("category", "department")
        .order_by(F("step_deadline").asc(nulls_last=True), "pk")
    )


def done_cases(user):
    """The cases the user acted on, the latest first. Found from the user's own events (the
    actor index): grouping every case in scope by its events cost the whole territory's history
    on each desk load, even for the tab's bounded count."""
    mine = CaseEvent.objects.filter(actor=user)
    latest = mine.filter(case=OuterRef("pk")).order_by("-time").values("time")[:1]
    return (
        Case.objects.restrict(user, "view")
        .filter(pk__in=mine.values("case_id"))
        .annotate(last_acted=Subquery(latest))
        .select_related("category", "department")
        .order_by("-last_acted", "-pk")
    )


def overdue_cases(user, now=None):
    return (
        Case.objects.restrict(user, "view")
        .filter(
            state__in=OPEN_STATES, paused_at__isnull=True, step_deadline__lt=now or timezone.now()
        )
        .select_related("category", "department")
        .order_by("step_deadline", "pk")
    )


def supervision_orders(user):
    """Open orders in scope; a department member sees those addressed to their departments."""
    orders = SupervisionOrder.objects.restrict(user, "view").filter(status=SupervisionStatus.OPEN)
    if not user.is_superuser and Department.objects.filter(members=user).exists():
        orders = orders.filter(department__members=user)
    return orders.select_related("case", "department").order_by("required_by", "pk")


QUERIES = {
    "todo": todo_cases,
    "done": done_cases,
    "overdue": overdue_cases,
    "supervision": supervision_orders,
}


def tab_count(queryset) -> tuple[int, str]:
    """How many rows a tab holds, counted up to `TAB_COUNT_LIMIT`, and its badge text."""
    counted = queryset.order_by()[: TAB_COUNT_LIMIT + 1].count()
    if counted > TAB_COUNT_LIMIT:
        return counted, f"{TAB_COUNT_LIMIT}+"
    return counted, str(counted)


def latest_case_id() -> int:
    """The newest case's id anywhere (one step down the primary key): the feed's cursor."""
    return Case.objects.order_by("-pk").values_list("pk", flat=True).first() or 0


def _require_view(user) -> None:
    if not user.has_perm("cases.view_case"):
        raise PermissionDenied("您没有查看事件的权限")


def _with_actions(cases, user) -> None:
    department_ids = CASES.department_ids(user)
    for case in cases:
        case.actions = available_actions(case, user, department_ids)


@login_required
def desk(request):
    user = request.user
    _require_view(user)
    tab = request.GET.get("tab", "todo")
    if tab not in QUERIES:
        tab = "todo"
    filters = DeskFilterSet(request.GET, queryset=Case.objects.none(), request=request)
    valid = filters.is_valid()

    def narrowed(name):
        rows = QUERIES[name](user)
        if name == "supervision":
            return rows
        return filters.filter_queryset(rows) if valid else rows.none()

    page = BoundedPaginator(narrowed(tab), PER_PAGE).get_page(request.GET.get("page"))
    if tab == "todo":
        _with_actions(page.object_list, user)
    counts = {name: tab_count(narrowed(name)) for name, _ in TABS}
    query = request.GET.copy()
    for name in ("tab", "page"):
        query.pop(name, None)
    return render(
        request,
        "cases/desk.html",
        {
            "tab": tab,
            "tabs": [(name, label, *counts[name]) for name, label in TABS],
            "page": page,
            "filter": filters,
            "filter_query": query.urlencode(),
            "cursor": latest_case_id() if tab == "todo" else None,
            "poll_seconds": settings.CASE_DESK_POLL_SECONDS,
        },
    )


def _feed_error(code: str, message: str, status: int = 400) -> JsonResponse:
    return JsonResponse({"code": code, "message": message}, status=status)


@login_required
def desk_feed(request):
    """New cases in the user's to-do since `after` (a case id), as desk rows to insert.

    The desk's filters apply, so a filtered desk only gains rows it would show. The next
    cursor is the newest case id seen, in scope or not: a poll never reads a row twice."""
    user = request.user
    if not user.has_perm("cases.view_case"):
        return _feed_error("permission_denied", "您没有查看事件的权限", 403)
    after = request.GET.get("after", "")
    if not after.isdigit() or int(after) > INT_MAX:
        return _feed_error("invalid_cursor", "参数 after 应为事件序号（非负整数）")
    after = int(after)
    filters = DeskFilterSet(request.GET, queryset=Case.objects.none(), request=request)
    if not filters.is_valid():
        errors = {name: [str(e) for e in errs] for name, errs in filters.errors.items()}
        return JsonResponse(
            {"code": "invalid_filter", "message": "筛选条件有误", "errors": errors}, status=400
        )
    top = latest_case_id()
    rows = list(
        filters.filter_queryset(todo_cases(user))
        .filter(pk__gt=after, pk__lte=top)
        .order_by("pk")[:FEED_LIMIT]
    )
    _with_actions(rows, user)
    cursor = rows[-1].pk if len(rows) == FEED_LIMIT else max(top, after)
    return JsonResponse(
        {
            "cursor": cursor,
            "cases": [
                {
                    "number": case.number,
                    "summary": f"{case.category.name} · {case.get_channel_display()}",
                    "html": render_to_string(
                        "cases/inc/desk_row.html", {"case": case, "tab": "todo"}, request=request
                    ),
                }
                for case in rows
            ],
        }
    )


@login_required
def case_map(request):
    _require_view(request.user)
    return render(request, "cases/map.html", {"map_config": map_config(), "states": STATE_LEGEND})


def _bbox(text: str | None) -> tuple[float, float, float, float] | None:
    if not text:
        return None
    try:
        west, south, east, north = (float(v) for v in text.split(","))
    except ValueError:
        return None
    return west, south, east, north


@login_required
def map_data(request):
    """GeoJSON points of the open cases in view (at most MAP_LIMIT, the most urgent first)."""
    user = request.user
    if not user.has_perm("cases.view_case"):
        raise PermissionDenied
    qs = Case.objects.restrict(user, "view").filter(state__in=OPEN_STATES)
    bbox = _bbox(request.GET.get("bbox"))
    if request.GET.get("bbox") and bbox is None:
        return JsonResponse(
            {"code": "invalid_bbox", "message": "bbox 应为 西,南,东,北"}, status=400
        )
    if bbox:
        west, south, east, north = bbox
        qs = qs.filter(lng__gte=west, lng__lte=east, lat__gte=south, lat__lte=north)
    now = timezone.now()
    rows = list(
        qs.order_by(F("step_deadline").asc(nulls_last=True), "pk").values(
            "pk",
            "number",
            "state",
            "lng",
            "lat",
            "step_deadline",
            "paused_at",
            "category__name",
            "address",
        )[: MAP_LIMIT + 1]
    )
    features = [
        {
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [r["lng"], r["lat"]]},
            "properties": {
                "id": r["pk"],
                "number": r["number"],
                "state": r["state"],
                "state_label": CaseState(r["state"]).label,
                "colour": COLOURS[STATE_BADGE[r["state"]]],
                "overdue": bool(
                    r["step_deadline"] and not r["paused_at"] and r["step_deadline"] <= now
                ),
                "category": r["category__name"],
                "address": r["address"],
                "url": reverse("cases:case", args=[r["pk"]]),
            },
        }
        for r in rows[:MAP_LIMIT]
    ]
    return JsonResponse(
        {"type": "FeatureCollection", "features": features, "truncated": len(rows) > MAP_LIMIT}
    )
