"""The desk of dispatchers and handlers (待办/已办/超期/督办) and the command-centre map.

The to-do tab is filtered in SQL from the transition table (`Workflow.todo_q`: the duties'
states, permissions, department membership and the guards that read columns); the exact
`available_actions` runs only on the rows of the page shown, with the user's departments read
once, so the page costs the same number of queries whatever its rows.
"""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import F, Max, Q
from django.http import JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone

from citygrid.cases.actions import available_actions
from citygrid.cases.choices import OPEN_STATES, STATE_BADGE, CaseState, SupervisionStatus
from citygrid.cases.models import Case, Department, SupervisionOrder
from citygrid.cases.views.common import map_config
from citygrid.cases.workflow import CASES

PER_PAGE = 50
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
    return (
        Case.objects.restrict(user, "view")
        .annotate(last_acted=Max("events__time", filter=Q(events__actor=user)))
        .filter(last_acted__isnull=False)
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


@login_required
def desk(request):
    user = request.user
    if not user.has_perm("cases.view_case"):
        raise PermissionDenied("您没有查看事件的权限")
    tab = request.GET.get("tab", "todo")
    if tab not in QUERIES:
        tab = "todo"
    page = Paginator(QUERIES[tab](user), PER_PAGE).get_page(request.GET.get("page"))
    if tab == "todo":
        department_ids = CASES.department_ids(user)
        for case in page.object_list:
            case.actions = available_actions(case, user, department_ids)
    counts = {name: QUERIES[name](user).count() for name, _ in TABS}
    return render(
        request,
        "cases/desk.html",
        {
            "tab": tab,
            "tabs": [(name, label, counts[name]) for name, label in TABS],
            "page": page,
        },
    )


@login_required
def case_map(request):
    if not request.user.has_perm("cases.view_case"):
        raise PermissionDenied("您没有查看事件的权限")
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
