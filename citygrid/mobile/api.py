"""JSON endpoints of the grid app, in the REST API's framework and schema: the app's session
login, POST only, errors as `{"code": ..., "message": "<中文>", "errors": {...}}`.

Thin on purpose: inputs in `mobile.serializers`, the writes in `mobile.services` (intake,
workflow, visits).
"""

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import exceptions
from rest_framework.authentication import SessionAuthentication
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from citygrid.cases import handover, intake
from citygrid.core.api.errors import ApiError
from citygrid.core.errors import ActionError
from citygrid.housing.models import House
from citygrid.mobile import serializers, services
from citygrid.people.models import Person

LOOKUP_LIMIT = 20
TAGS = ["网格通"]
REFUSED = OpenApiResponse(serializers.GridErrorSerializer, description="未执行：`code` 说明原因")


def _first_message(detail) -> str:
    while isinstance(detail, dict | list):
        detail = next(iter(detail.values())) if isinstance(detail, dict) else detail[0]
    return str(detail)


class GridAppView(APIView):
    """Session login required (401 JSON, never a redirect: the phone's queue must see it), and
    the first input error as the message, which the app shows next to the queued item."""

    authentication_classes = [SessionAuthentication]
    permission_classes = [IsAuthenticated]
    parser_classes = [MultiPartParser, FormParser]

    def permission_denied(self, request, message=None, code=None):
        if not request.user.is_authenticated:
            raise ApiError("not_authenticated", "登录已过期，请重新登录", 401)
        super().permission_denied(request, message, code)

    def handle_exception(self, exc):
        if isinstance(exc, exceptions.ValidationError):
            body = {"code": "invalid", "message": _first_message(exc.detail), "errors": exc.detail}
            return Response(body, status=400)
        if isinstance(exc, ActionError):
            exc = ApiError(exc.code, exc.message, exc.status)
        return super().handle_exception(exc)

    def validated(self, serializer_class) -> dict:
        body = serializer_class(data=self.request.data)
        body.is_valid(raise_exception=True)
        return body.validated_data


def _photos(data: dict) -> list:
    photos = data.get("photos", [])
    if len(photos) > serializers.MAX_PHOTOS:
        raise ActionError("too_many_photos", f"照片最多 {serializers.MAX_PHOTOS} 张", 400)
    return photos


def _answer(serializer_class, body: dict, created: bool) -> Response:
    return Response(serializer_class(body).data, status=201 if created else 200)


def _flags(case) -> list[str]:
    event = case.events.filter(action="report").first()
    return (event.data or {}).get("flags", []) if event else []


def _written(result) -> dict:
    """201 for the first upload of a key, 200 with the same answer for a repeat."""
    return {201: result, 200: result, 400: REFUSED, 401: REFUSED, 403: REFUSED, 409: REFUSED}


class ReportView(GridAppView):
    @extend_schema(
        request=serializers.GridReportSerializer,
        responses=_written(serializers.ReportResultSerializer),
        summary="上报问题",
        tags=TAGS,
    )
    def post(self, request):
        """A problem seen in the street → a case (once per idempotency key)."""
        data = self.validated(serializers.GridReportSerializer)
        case, created = services.report(
            request.user,
            intake.Report(
                category=data["category"],
                description=data["description"],
                lng=data["lng"],
                lat=data["lat"],
                address=data["address"],
                urgency=data["urgency"],
                photos=_photos(data),
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
        return _answer(serializers.ReportResultSerializer, body, created)


class VerifyView(GridAppView):
    @extend_schema(
        request=serializers.GridVerifySerializer,
        responses={**_written(serializers.VerifyResultSerializer), 404: REFUSED},
        summary="现场核查",
        tags=TAGS,
    )
    def post(self, request, case_id: int):
        """Verify a case on site with after-photos: pass or fail (once per idempotency key)."""
        data = self.validated(serializers.GridVerifySerializer)
        case, created = services.verify(
            request.user,
            case_id,
            key=data["idempotency_key"],
            passed=data["passed"],
            note=data["note"],
            photos=_photos(data),
        )
        body = {
            "id": case.pk,
            "number": case.number,
            "state": case.state,
            "state_label": case.get_state_display(),
            "next_step": handover.next_step_text(case),
            "created": created,
        }
        return _answer(serializers.VerifyResultSerializer, body, created)


class PatrolView(GridAppView):
    @extend_schema(
        request=serializers.GridPatrolSerializer,
        responses={**_written(serializers.PatrolResultSerializer), 404: REFUSED},
        summary="完成巡查任务",
        tags=TAGS,
    )
    def post(self, request, task_id: int):
        """Finish a patrol task with what was found (once per idempotency key)."""
        data = self.validated(serializers.GridPatrolSerializer)
        task, created = services.complete_patrol(
            request.user, task_id, key=data["idempotency_key"], result=data["result"]
        )
        body = {"id": task.pk, "status_label": task.get_status_display(), "created": created}
        return _answer(serializers.PatrolResultSerializer, body, created)


class AnswerView(GridAppView):
    @extend_schema(
        request=serializers.GridAnswerSerializer,
        responses={**_written(serializers.AnswerResultSerializer), 404: REFUSED},
        summary="提交核查任务结论",
        tags=TAGS,
    )
    def post(self, request, task_id: int):
        """Answer a 核查任务 about a person or a house: 核实无误 or 信息有误 with the note and
        the corrections (once per idempotency key)."""
        data = self.validated(serializers.GridAnswerSerializer)
        task, created = services.answer_task(
            request.user,
            task_id,
            key=data["idempotency_key"],
            outcome=data["outcome"],
            note=data["note"],
            corrections=data["corrections"],
        )
        body = {"id": task.pk, "outcome_label": task.get_outcome_display(), "created": created}
        return _answer(serializers.AnswerResultSerializer, body, created)


class OwnPatrolView(GridAppView):
    @extend_schema(
        request=serializers.GridOwnPatrolSerializer,
        responses=_written(serializers.OwnPatrolResultSerializer),
        summary="新建本人巡查任务",
        tags=TAGS,
    )
    def post(self, request):
        """A patrol task I set myself in one of my grids (once per idempotency key)."""
        data = self.validated(serializers.GridOwnPatrolSerializer)
        task, created = services.create_own_patrol(
            request.user,
            key=data["idempotency_key"],
            grid_id=data["grid"],
            title=data["title"],
            end_date=data["end_date"],
            frequency=data["frequency"],
            instructions=data["instructions"],
        )
        body = {"id": task.pk, "title": task.title, "created": created}
        return _answer(serializers.OwnPatrolResultSerializer, body, created)


class VisitView(GridAppView):
    @extend_schema(
        request=serializers.GridVisitSerializer,
        responses={**_written(serializers.VisitResultSerializer), 404: REFUSED},
        summary="填写走访日志",
        tags=TAGS,
    )
    def post(self, request):
        """A 走访日志 entry (once per idempotency key)."""
        data = self.validated(serializers.GridVisitSerializer)
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
        return _answer(serializers.VisitResultSerializer, body, created)


# Look-ups are POSTed: a name typed into the search box must not end up in a URL or access log.
class LookupView(GridAppView):
    """Records of my grids (all my territory if I walk none), masked as the role requires."""

    model: type
    permission: str
    denied: str
    result_serializer: type

    def post(self, request):
        q = self.validated(serializers.GridLookupSerializer)["q"]
        user = request.user
        if not user.has_perm(self.permission):
            raise ApiError("permission_denied", self.denied, 403)
        found = self.search(self.model.objects.restrict(user, "view").select_related("region"), q)
        grids = list(services.my_grids(user).values_list("pk", flat=True))
        if grids:
            found = found.filter(region__in=grids)
        body = {"results": found[:LOOKUP_LIMIT]}
        context = {"reveal": user.can_view_sensitive()}
        return Response(self.result_serializer(body, context=context).data)


@extend_schema(
    request=serializers.GridLookupSerializer,
    responses={200: serializers.PersonResultsSerializer, 403: REFUSED},
    summary="查询本网格人员（按姓名开头）",
    tags=TAGS,
)
class PeopleView(LookupView):
    model = Person
    permission = "people.view_person"
    denied = "您没有查询人员的权限"
    result_serializer = serializers.PersonResultsSerializer

    def search(self, qs, q: str):
        return qs.filter(name__startswith=q).order_by("name", "pk")


@extend_schema(
    request=serializers.GridLookupSerializer,
    responses={200: serializers.HouseResultsSerializer, 403: REFUSED},
    summary="查询本网格房屋（按地址、门牌号或编号）",
    tags=TAGS,
)
class HousesView(LookupView):
    model = House
    permission = "housing.view_house"
    denied = "您没有查询房屋的权限"
    result_serializer = serializers.HouseResultsSerializer

    def search(self, qs, q: str):
        return (
            qs.filter(address__contains=q) | qs.filter(code__startswith=q) | qs.filter(number=q)
        ).order_by("code")
