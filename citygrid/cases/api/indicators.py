"""`GET /api/cases/indicators/`: the indicators of one slice, scoped like the statistics page."""

from datetime import datetime, time, timedelta

from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from citygrid.cases import indicators
from citygrid.core.api.errors import ApiError
from citygrid.core.routers import replica_reads


class IndicatorQuerySerializer(serializers.Serializer):
    region = serializers.CharField(required=False, allow_blank=True, label="区域代码")
    department = serializers.IntegerField(required=False, label="部门ID")
    person = serializers.IntegerField(required=False, label="人员ID")
    start = serializers.DateField(label="起始日期（含）")
    end = serializers.DateField(label="截止日期（含）")

    def validate(self, attrs):
        if attrs["end"] < attrs["start"]:
            raise serializers.ValidationError({"end": "截止日期不能早于起始日期"})
        return attrs


def _midnight(day) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


class IndicatorsView(APIView):
    """Counts and rates (结案率, 按期结案率, 按期处置率, 返工率 ...) from the event history."""

    @extend_schema(parameters=[IndicatorQuerySerializer], responses={200: dict}, summary="事件指标")
    def get(self, request):
        user = request.user
        if not user.has_perm("cases.view_case"):
            raise ApiError("permission_denied", "您没有查看事件指标的权限", 403)
        query = IndicatorQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        params = query.validated_data
        region = params.get("region", "").strip()
        territory = None
        if region and (not region.isdigit() or not user.covers(region)):
            raise ApiError("not_found", "区域不存在或不在您的管辖范围内", 404)
        if not region and not user.is_superuser:
            territory = user.scope_codes()
        with replica_reads():  # statistics: the read replica's, when one is configured
            result = indicators.compute(
                region_code=region,
                department_id=params.get("department"),
                person_id=params.get("person"),
                start=_midnight(params["start"]),
                end=_midnight(params["end"] + timedelta(days=1)),
                territory=territory,
            )
        return Response(
            {
                "region": region,
                "start": params["start"],
                "end": params["end"],
                "indicators": {
                    i.key: {"name": i.name, "value": result.value(i.key), "formula": i.formula}
                    for i in indicators.INDICATORS
                },
            }
        )
