from django.urls import reverse
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.decorators import action
from rest_framework.response import Response

from citygrid.core.api.viewsets import ScopedModelViewSet
from citygrid.housing import mapdata
from citygrid.regions.api.views import parse_bbox, parse_zoom
from citygrid.units.api import serializers
from citygrid.units.choices import UnitClass
from citygrid.units.filtersets import UnitFilterSet, UnitLicenceFilterSet
from citygrid.units.models import Unit, UnitLicence

# Below this zoom a city's units would be a blur of dots: the map asks the user to zoom in.
UNIT_MIN_ZOOM = 14


class UnitViewSet(ScopedModelViewSet):
    queryset = Unit.objects.select_related("region")
    serializer_class = serializers.UnitSerializer
    filterset_class = UnitFilterSet

    @extend_schema(
        parameters=[
            OpenApiParameter("bbox", str, description="西,南,东,北"),
            OpenApiParameter("zoom", int),
            OpenApiParameter("unit_class", str, enum=UnitClass.values, description="单位类别"),
        ],
        responses={200: dict},
        summary="地图上的社会单位（GeoJSON，按类别分图层）",
    )
    @action(detail=False, methods=["get"], url_path="map")
    def map_points(self, request):
        """Points in view, of the filtered units in scope (`unit_class` gives one layer)."""
        bbox = parse_bbox(request.query_params.get("bbox"))
        zoom = parse_zoom(request.query_params.get("zoom"))
        queryset = self.filter_queryset(self.get_queryset()).order_by()
        url = reverse("units:unit", args=[0])
        return Response(mapdata.points(queryset, bbox, zoom, UNIT_MIN_ZOOM, url))


class UnitLicenceViewSet(ScopedModelViewSet):
    """Licences of the units in scope (scoped through their unit)."""

    queryset = UnitLicence.objects.select_related("unit__region")
    serializer_class = serializers.UnitLicenceSerializer
    filterset_class = UnitLicenceFilterSet
