"""JSON endpoints of the grid app: session-authenticated, errors as
`{"code": ..., "message": "<中文>", "errors": {...}}` like the REST API.

Thin on purpose: parsing here, the writes in `mobile.services` (intake, workflow, visits).
"""

from django.http import JsonResponse
from django.views.decorators.http import require_POST

from citygrid.cases import intake
from citygrid.cases.errors import WorkflowError
from citygrid.core.validators import mask_name
from citygrid.housing.models import House
from citygrid.mobile import forms, services
from citygrid.people.models import Person

LOOKUP_LIMIT = 20


def error(code: str, message: str, status: int, errors: dict | None = None) -> JsonResponse:
    return JsonResponse({"code": code, "message": message, "errors": errors or {}}, status=status)


def invalid(form) -> JsonResponse:
    errors = {name: list(messages) for name, messages in form.errors.items()}
    first = next(iter(errors.values()))[0]
    return error("invalid", first, 400, errors)


def api_view(view):
    """Session login required (401 JSON, never a redirect: the phone's queue must see it),
    POST only, WorkflowError → its JSON answer."""

    @require_POST
    def wrapped(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return error("not_authenticated", "登录已过期，请重新登录", 401)
        try:
            return view(request, *args, **kwargs)
        except WorkflowError as exc:
            return error(exc.code, exc.message, exc.status)

    wrapped.__name__ = view.__name__
    wrapped.__doc__ = view.__doc__
    return wrapped


def _photos(request) -> list:
    photos = request.FILES.getlist("photos")
    if len(photos) > forms.MAX_PHOTOS:
        raise WorkflowError("too_many_photos", f"照片最多 {forms.MAX_PHOTOS} 张", 400)
    return photos


@api_view
def report(request):
    """A problem seen in the street → a case (once per idempotency key)."""
    form = forms.ReportForm(request.POST)
    if not form.is_valid():
        return invalid(form)
    data = form.cleaned_data
    case, created = services.report(
        request.user,
        intake.Report(
            category=data["category"],
            description=data["description"],
            lng=data["lng"],
            lat=data["lat"],
            address=data["address"],
            urgency=data["urgency"] or intake.Urgency.NORMAL,
            photos=_photos(request),
            idempotency_key=data["idempotency_key"],
        ),
    )
    body = {
        "id": case.pk,
        "number": case.number,
        "created": created,
        "region": case.region.name,
        "outside_own_grid": services.OUTSIDE_OWN_GRID in _flags(case),
    }
    return JsonResponse(body, status=201 if created else 200)


def _flags(case) -> list[str]:
    event = case.events.filter(action="report").first()
    return (event.data or {}).get("flags", []) if event else []


@api_view
def verify(request, case_id: int):
    """Verify a case on site with after-photos: pass or fail (once per idempotency key)."""
    form = forms.VerifyForm(request.POST)
    if not form.is_valid():
        return invalid(form)
    data = form.cleaned_data
    case, created = services.verify(
        request.user,
        case_id,
        key=data["idempotency_key"],
        passed=data["passed"],
        note=data["note"],
        photos=_photos(request),
    )
    body = {"id": case.pk, "number": case.number, "state": case.state, "created": created}
    body["state_label"] = case.get_state_display()
    return JsonResponse(body, status=201 if created else 200)


@api_view
def patrol(request, task_id: int):
    """Finish a patrol task with what was found (once per idempotency key)."""
    form = forms.PatrolForm(request.POST)
    if not form.is_valid():
        return invalid(form)
    data = form.cleaned_data
    task, created = services.complete_patrol(
        request.user, task_id, key=data["idempotency_key"], result=data["result"]
    )
    body = {"id": task.pk, "status_label": task.get_status_display(), "created": created}
    return JsonResponse(body, status=201 if created else 200)


@api_view
def visit(request):
    """A 走访日志 entry (once per idempotency key)."""
    form = forms.VisitForm(request.POST)
    if not form.is_valid():
        return invalid(form)
    data = form.cleaned_data
    entry, created = services.log_visit(
        request.user,
        services.VisitInput(
            target=data["target"],
            findings=data["findings"],
            visited_at=data["visited_at"],
            place=data["place"],
            lng=data["lng"],
            lat=data["lat"],
            next_visit=data["next_visit"],
            person_id=data["person"],
        ),
        key=data["idempotency_key"],
    )
    body = {"id": entry.pk, "region": entry.region.name, "created": created}
    return JsonResponse(body, status=201 if created else 200)


def _grid_filter(request, qs):
    grids = list(services.my_grids(request.user).values_list("pk", flat=True))
    return qs.filter(region__in=grids) if grids else qs


# Look-ups are POSTed: a name typed into the search box must not end up in a URL or access log.
@api_view
def people(request):
    """People of my grid by name prefix, masked as the role requires."""
    form = forms.LookupForm(request.POST)
    if not form.is_valid():
        return invalid(form)
    user = request.user
    if not user.has_perm("people.view_person"):
        return error("permission_denied", "您没有查询人员的权限", 403)
    reveal = user.can_view_sensitive()
    qs = _grid_filter(request, Person.objects.restrict(user, "view").select_related("region"))
    found = qs.filter(name__startswith=form.cleaned_data["q"]).order_by("name", "pk")
    rows = [
        {
            "id": p.pk,
            "name": p.name if reveal else mask_name(p.name),
            "sex": p.get_sex_label(),
            "age": p.age(),
            "residence_type": p.get_residence_type_display(),
            "id_number": p.masked("id_number"),
            "phone": p.masked("phone"),
            "address": p.current_address,
            "grid": p.region.name,
        }
        for p in found[:LOOKUP_LIMIT]
    ]
    return JsonResponse({"results": rows})


@api_view
def houses(request):
    """Houses of my grid by address, number or code, the owner masked as the role requires."""
    form = forms.LookupForm(request.POST)
    if not form.is_valid():
        return invalid(form)
    user = request.user
    if not user.has_perm("housing.view_house"):
        return error("permission_denied", "您没有查询房屋的权限", 403)
    reveal = user.can_view_sensitive()
    q = form.cleaned_data["q"]
    qs = _grid_filter(request, House.objects.restrict(user, "view").select_related("region"))
    found = (
        qs.filter(address__contains=q) | qs.filter(code__startswith=q) | qs.filter(number=q)
    ).order_by("code")
    rows = [
        {
            "id": h.pk,
            "code": h.code,
            "address": h.address or str(h),
            "occupancy": h.get_occupancy_display(),
            "owner_name": h.owner_name if reveal else mask_name(h.owner_name),
            "owner_phone": h.masked("owner_phone"),
            "grid": h.region.name,
        }
        for h in found[:LOOKUP_LIMIT]
    ]
    return JsonResponse({"results": rows})
