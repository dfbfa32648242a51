from django.urls import reverse
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.decorators import action
from rest_framework.response import Response

from citygrid.core.api.errors import ApiError
from citygrid.core.api.viewsets import ScopedModelViewSet
from citygrid.core.errors import ActionError
from citygrid.housing import actions, mapdata
from citygrid.housing.api import serializers
from citygrid.housing.filtersets import (
    BuildingFilterSet,
    EstateFilterSet,
    HazardCheckFilterSet,
    HouseFilterSet,
    RentalFilterSet,
)
from citygrid.housing.models import Building, Estate, HazardCheck, House, Rental
from citygrid.regions.api.views import parse_bbox, parse_zoom

_MAP_PARAMETERS = [
    OpenApiParameter("bbox", str, description="西,南,东,北"),
    OpenApiParameter("zoom", int),
]


def _map_points(view, request, min_zoom: int, url_name: str, label_fields=("name",)):
    """The map's points for a housing viewset: its restricted queryset, so scope applies."""
    bbox = parse_bbox(request.query_params.get("bbox"))
    zoom = parse_zoom(request.query_params.get("zoom"))
    url = reverse(url_name, args=[0])
    queryset = view.get_queryset().order_by()
    return Response(mapdata.points(queryset, bbox, zoom, min_zoom, url, label_fields))


class EstateViewSet(ScopedModelViewSet):
    queryset = Estate.objects.select_related("region")
    serializer_class = serializers.EstateSerializer
    filterset_class = EstateFilterSet

    @extend_schema(
        parameters=_MAP_PARAMETERS, responses={200: dict}, summary="地图上的小区（GeoJSON）"
    )
    @action(detail=False, methods=["get"], url_path="map")
    def map_points(self, request):
        return _map_points(self, request, mapdata.ESTATE_MIN_ZOOM, "housing:estate")


class BuildingViewSet(ScopedModelViewSet):
    queryset = Building.objects.select_related("region", "estate")
    serializer_class = serializers.BuildingSerializer
    filterset_class = BuildingFilterSet

    @extend_schema(
        parameters=_MAP_PARAMETERS, responses={200: dict}, summary="地图上的楼栋（GeoJSON）"
    )
    @action(detail=False, methods=["get"], url_path="map")
    def map_points(self, request):
        return _map_points(
            self, request, mapdata.BUILDING_MIN_ZOOM, "housing:building", ("estate__name", "name")
        )


class HouseViewSet(ScopedModelViewSet):
    queryset = House.objects.select_related("region", "building")
    serializer_class = serializers.HouseSerializer
    filterset_class = HouseFilterSet


class RentalViewSet(ScopedModelViewSet):
    """Rentals; `confirm`, `reject` and `end` are the workflow (status is read-only)."""

    queryset = Rental.objects.select_related("region", "house")
    serializer_class = serializers.RentalSerializer
    filterset_class = RentalFilterSet

    def _act(self, run):
        rental = self.get_object()
        try:
            rental = run(rental)
        except ActionError as exc:
            raise ApiError(exc.code, exc.message, exc.status) from exc
        return Response(self.get_serializer(rental).data)

    @extend_schema(request=None, responses={200: serializers.RentalSerializer}, summary="核实通过")
    @action(detail=True, methods=["post"], required_action="confirm")
    def confirm(self, request, pk=None):
        return self._act(lambda r: actions.confirm_rental(r, actor=request.user))

    @extend_schema(
        request=serializers.RejectSerializer,
        responses={200: serializers.RentalSerializer},
        summary="驳回申报",
    )
    @action(detail=True, methods=["post"], required_action="confirm")
    def reject(self, request, pk=None):
        body = serializers.RejectSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        reason = body.validated_data["reason"]
        return self._act(lambda r: actions.reject_rental(r, actor=request.user, reason=reason))

    @extend_schema(
        request=serializers.EndSerializer,
        responses={200: serializers.RentalSerializer},
        summary="退租",
    )
    @action(detail=True, methods=["post"], required_action="change")
    def end(self, request, pk=None):
        body = serializers.EndSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        on = body.validated_data["on"]
        return self._act(lambda r: actions.end_rental(r, actor=request.user, on=on))


class HazardCheckViewSet(ScopedModelViewSet):
    queryset = HazardCheck.objects.select_related("region", "house")
    serializer_class = serializers.HazardCheckSerializer
    filterset_class = HazardCheckFilterSet
