from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response

from citygrid.cases import actions, filtersets, intake
from citygrid.cases.api import serializers
from citygrid.cases.models import Case, CaseCategory, Department, SupervisionOrder, Task
from citygrid.cases.workflow import CASES
from citygrid.core.api.errors import ApiError
from citygrid.core.api.viewsets import ScopedReadOnlyViewSet
from citygrid.core.errors import ActionError


def _api_error(exc: ActionError) -> ApiError:
    return ApiError(exc.code, exc.message, exc.status)


class CaseViewSet(mixins.CreateModelMixin, ScopedReadOnlyViewSet):
    """Cases in the caller's scope; create goes through the intake service, every state change
    through `POST /api/cases/{id}/actions/{action}/`."""

    queryset = Case.objects.select_related("category", "department")
    serializer_class = serializers.CaseSerializer
    parser_classes = [JSONParser, MultiPartParser, FormParser]
    filterset_class = filtersets.CaseFilterSet

    def get_serializer_class(self):
        if self.action == "retrieve":
            return serializers.CaseDetailSerializer
        if self.action == "create":
            return serializers.ReportSerializer
        if self.action == "act":
            return serializers.ActionSerializer
        return super().get_serializer_class()

    def get_queryset(self):
        qs = super().get_queryset()
        if self.action == "retrieve":
            qs = qs.prefetch_related("events__attachments")
        return qs

    @extend_schema(
        request=serializers.ReportSerializer,
        responses={201: serializers.CaseSerializer},
        summary="上报事件",
    )
    def create(self, request, *args, **kwargs):
        body = serializers.ReportSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        report = intake.Report(
            category=data["category"],
            description=data["description"],
            lng=data["lng"],
            lat=data["lat"],
            crs=data["crs"],
            address=data.get("address", ""),
            urgency=data["urgency"],
            channel=data["channel"],
            reporter_name=data.get("reporter_name", ""),
            reporter_phone=data.get("reporter_phone", ""),
            photos=data.get("photos", []),
            idempotency_key=data.get("idempotency_key") or None,
        )
        try:
            case = intake.report_case(report, actor=request.user)
        except ActionError as exc:
            raise _api_error(exc) from exc
        return Response(serializers.CaseSerializer(case).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        request=serializers.ActionSerializer,
        responses={200: serializers.CaseDetailSerializer},
        parameters=[
            OpenApiParameter("name", str, OpenApiParameter.PATH, enum=list(serializers.ACTIONS))
        ],
        summary="执行流转操作",
    )
    @action(
        detail=True, methods=["post"], url_path=r"actions/(?P<name>[a-z_]+)", required_action="view"
    )
    def act(self, request, pk=None, name=None):
        # Scope first (404), then the transition's own permission and guard (403/409), then
        # its inputs (400): "not allowed" beats "field required".
        case = self.get_object()
        try:
            transition = CASES.get(name)
            actions.guard(transition, case, request.user)
            body = serializers.ActionSerializer(
                data=request.data,
                context={"request": request, "transition": transition, "case": case},
            )
            inputs = body.inputs()
            if "photos" in request.FILES:
                inputs["photos"] = request.FILES.getlist("photos")
            case = actions.perform(name, case, actor=request.user, inputs=inputs)
        except ActionError as exc:
            raise _api_error(exc) from exc
        case = self.get_queryset().get(pk=case.pk)
        return Response(serializers.CaseDetailSerializer(case, context={"request": request}).data)


class CaseCategoryViewSet(ScopedReadOnlyViewSet):
    queryset = CaseCategory.objects.select_related("parent")
    serializer_class = serializers.CaseCategorySerializer
    filterset_class = filtersets.CaseCategoryFilterSet


class DepartmentViewSet(ScopedReadOnlyViewSet):
    queryset = Department.objects.all()
    serializer_class = serializers.DepartmentSerializer
    filterset_class = filtersets.DepartmentFilterSet


class SupervisionOrderViewSet(ScopedReadOnlyViewSet):
    queryset = SupervisionOrder.objects.select_related("case", "department")
    serializer_class = serializers.SupervisionOrderSerializer
    filterset_class = filtersets.SupervisionOrderFilterSet


class TaskViewSet(ScopedReadOnlyViewSet):
    queryset = Task.objects.select_related("case")
    serializer_class = serializers.TaskSerializer
    filterset_class = filtersets.TaskFilterSet
