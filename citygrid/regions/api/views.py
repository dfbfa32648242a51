from django.conf import settings
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from citygrid.core.api.errors import ApiError
from citygrid.core.api.schema import ErrorSerializer
from citygrid.core.api.viewsets import ScopedModelViewSet
from citygrid.regions.api import serializers
from citygrid.regions.filtersets import GridWorkerFilterSet, RegionFilterSet
from citygrid.regions.geo import index, mapdata
from citygrid.regions.geo.transforms import to_wgs84
from citygrid.regions.models import GridWorker, Region


def parse_bbox(text: str | None):
    if not text:
        return None
    try:
        west, south, east, north = (float(v) for v in text.split(","))
    except ValueError as exc:
        raise ApiError("invalid_bbox", "bbox 格式应为 西,南,东,北（经纬度）") from exc
    return west, south, east, north


# Web maps zoom from 0 (the world) to about 22 (a doorstep); anything else is no zoom.
MAX_ZOOM = 30


def parse_zoom(text) -> int:
    try:
        zoom = int(text)
    except (TypeError, ValueError) as exc:
        raise ApiError("invalid_zoom", "zoom 必须是整数") from exc
    if not 0 <= zoom <= MAX_ZOOM:
        raise ApiError("invalid_zoom", f"zoom 应在 0 到 {MAX_ZOOM} 之间")
    return zoom


class RegionViewSet(ScopedModelViewSet):
    """Regions of every level. `locate` finds the grid of a point; `map` feeds the map page."""

    queryset = Region.objects.select_related("parent")
    serializer_class = serializers.RegionSerializer
    filterset_class = RegionFilterSet

    def _located(self, grid_ids) -> dict[int, Region]:
        # Grids outside the caller's scope answer "not found", exactly like their records.
        visible = Region.objects.restrict(self.request.user, "view").filter(pk__in=set(grid_ids))
        return {r.pk: r for r in visible}

    def _describe(self, grid: Region) -> dict:
        return {
            "grid": serializers.RegionBriefSerializer(grid).data,
            "ancestors": serializers.RegionBriefSerializer(grid.ancestors(), many=True).data,
        }

    @extend_schema(
        parameters=[serializers.LocateSerializer],
        responses={
            200: dict,
            404: OpenApiResponse(ErrorSerializer, description="坐标不在任何（可见的）网格内"),
        },
        summary="定位坐标所在网格",
    )
    # The batch form is a POST but only reads: it needs the view permission, not add.
    @action(detail=False, methods=["get"], required_action="view")
    def locate(self, request):
        params = serializers.LocateSerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        lng, lat = to_wgs84(
            params.validated_data["lng"], params.validated_data["lat"], params.validated_data["crs"]
        )
        grid_id = index.load_index().locate(lng, lat)
        grid = self._located([grid_id]).get(grid_id) if grid_id is not None else None
        if grid is None:
            raise ApiError("outside_grids", "该坐标不在任何（您可见的）网格内", 404)
        return Response({"lng": lng, "lat": lat, **self._describe(grid)})

    @extend_schema(
        request=serializers.LocateBatchSerializer,
        responses={200: dict},
        summary="批量定位坐标所在网格",
    )
    @locate.mapping.post
    def locate_batch(self, request):
        # Counted before validation: validating 20,000 points is itself the cost to avoid.
        cap = settings.CITYGRID_MAX_LOCATE_POINTS
        points = request.data.get("points") if isinstance(request.data, dict) else None
        if isinstance(points, list) and len(points) > cap:
            raise ApiError("too_many_points", f"一次最多定位 {cap} 个坐标")
        body = serializers.LocateBatchSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        points = [to_wgs84(p["lng"], p["lat"], p["crs"]) for p in body.validated_data["points"]]
        found = index.load_index().locate_many([p[0] for p in points], [p[1] for p in points])
        grids = self._located(int(g) for g in found if g >= 0)
        results = []
        for (lng, lat), grid_id in zip(points, found, strict=True):
            grid = grids.get(int(grid_id))
            results.append(
                {
                    "lng": lng,
                    "lat": lat,
                    "grid_id": grid.pk if grid else None,
                    "grid_code": grid.code if grid else None,
                    "grid_name": grid.name if grid else None,
                }
            )
        return Response({"count": len(results), "results": results}, status=status.HTTP_200_OK)

    @extend_schema(
        parameters=[
            OpenApiParameter("bbox", str, description="西,南,东,北"),
            OpenApiParameter("zoom", int),
            OpenApiParameter("scope", int, description="为 1 时另给出管辖范围的外包框"),
        ],
        responses={200: dict},
        summary="地图要素（GeoJSON）",
    )
    # Outlines are the frame of every map (a handler's case map, an officer's population map):
    # any signed-in user may read those of their own territory, whatever record types their
    # roles grant. `mapdata.features` applies the scope.
    @action(detail=False, methods=["get"], url_path="map", permission_classes=[IsAuthenticated])
    def map_features(self, request):
        zoom = parse_zoom(request.query_params.get("zoom", 12))
        bbox = parse_bbox(request.query_params.get("bbox"))
        body = mapdata.features(request.user, bbox, zoom)
        if request.query_params.get("scope") == "1":
            body["scope_bounds"] = mapdata.scope_bounds(request.user)
        return Response(body)


class GridWorkerViewSet(ScopedModelViewSet):
    queryset = GridWorker.objects.select_related("region")
    serializer_class = serializers.GridWorkerSerializer
    filterset_class = GridWorkerFilterSet
