import json
from pathlib import Path

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse, HttpResponseNotModified, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_safe

from citygrid.core.views import generic
from citygrid.regions import filtersets, forms, tables
from citygrid.regions.choices import RegionLevel
from citygrid.regions.geo.tiles import TileSet, map_config, valid_tile
from citygrid.regions.models import GridWorker, Region
from citygrid.regions.widgets import PICKER_COLUMNS, picker_label

SEARCH_RESULTS = 20


class RegionListView(generic.ObjectListView):
    model = Region
    queryset = Region.objects.select_related("parent")
    table = tables.RegionTable
    filterset = filtersets.RegionFilterSet


class RegionView(generic.ObjectView):
    model = Region

    def extra_context(self, obj):
        user = self.request.user
        return {
            "ancestors": obj.ancestors(),
            "children": obj.children.restrict(user, "view").order_by("code")[:200],
            "child_count": obj.children.restrict(user, "view").count(),
            "workers": GridWorker.objects.restrict(user, "view").filter(region=obj),
            "boundary_json": json.dumps(obj.boundary) if obj.boundary else "",
            "map_config": map_config(),
        }


class RegionEditView(generic.ObjectEditView):
    model = Region
    form = forms.RegionForm
    template_name = "regions/region_edit.html"

    def extra_context(self, obj):
        return {"map_config": map_config()}


class RegionDeleteView(generic.ObjectDeleteView):
    model = Region


class RegionChangeLogView(generic.ObjectChangeLogView):
    model = Region


class RegionImportView(generic.ImportView):
    model = Region


class RegionExportView(generic.ExportView):
    model = Region
    filterset = filtersets.RegionFilterSet


class GridWorkerListView(generic.ObjectListView):
    model = GridWorker
    queryset = GridWorker.objects.select_related("region")
    table = tables.GridWorkerTable
    filterset = filtersets.GridWorkerFilterSet


class GridWorkerView(generic.ObjectView):
    model = GridWorker


class GridWorkerEditView(generic.ObjectEditView):
    model = GridWorker
    form = forms.GridWorkerForm


class GridWorkerDeleteView(generic.ObjectDeleteView):
    model = GridWorker


class GridWorkerChangeLogView(generic.ObjectChangeLogView):
    model = GridWorker


class GridWorkerImportView(generic.ImportView):
    model = GridWorker


class GridWorkerExportView(generic.ExportView):
    model = GridWorker
    filterset = filtersets.GridWorkerFilterSet


@login_required
def grid_map(request):
    if not request.user.has_perm("regions.view_region"):
        raise PermissionDenied
    return render(request, "regions/map.html", {"map_config": map_config()})


@login_required
def region_card(request, pk):
    """The popup shown when a grid is clicked on the map: photo, introduction, team."""
    if not request.user.has_perm("regions.view_region"):
        raise PermissionDenied
    region = get_object_or_404(Region.objects.restrict(request.user, "view"), pk=pk)
    workers = GridWorker.objects.restrict(request.user, "view").filter(region=region, active=True)
    return render(
        request,
        "regions/inc/region_card.html",
        {"region": region, "workers": workers, "ancestors": region.ancestors()},
    )


@login_required
def region_search(request):
    """Matches for a region picker (`regions/widgets.py`): by name, or by code when digits are
    typed; from the user's territory only, at most `SEARCH_RESULTS`, and never the boundary.
    Territory, not the view permission: whoever may pick a grid in a form may find it."""
    text = request.GET.get("q", "").strip()[:50]
    levels = [v for v in request.GET.get("levels", "").split(",") if v in RegionLevel.values]
    regions = Region.objects.in_scope(request.user).exclude(level=RegionLevel.VILLAGE_GROUP)
    if levels:
        regions = regions.filter(level__in=levels)
    if text.isdigit():
        regions = regions.filter(code__within=text)
    elif text:
        regions = regions.filter(name__icontains=text)
    rows = regions.order_by("code").values(*PICKER_COLUMNS)[:SEARCH_RESULTS]
    results = [
        {**row, "text": picker_label(row["name"], row["code"], row["level"])} for row in rows
    ]
    return JsonResponse({"results": results})


_tilesets: dict[Path, TileSet] = {}
TILE_MAX_AGE = 86400  # a day: base maps change rarely, and an ETag revalidates after that


@require_safe
def tile(request, layer: str, z: int, x: int, y: int):
    """One base-map tile from the layer's MBTiles file. Public like the map pages that show it
    (the citizens' portal too); the path comes from settings only, never from the request.
    A valid address without a tile answers 204 (nothing to draw there), anything else 404."""
    path = settings.BASEMAP_FILES.get(layer)
    if path is None or not valid_tile(z, x, y):
        raise Http404("没有该瓦片")
    tileset = _tilesets.get(path)
    if tileset is None:
        tileset = _tilesets.setdefault(path, TileSet(path))
    found = tileset.tile(z, x, y)
    if found is None:
        if not path.is_file():
            raise Http404("未配置该底图")
        response = HttpResponse(status=204)
        del response["Content-Type"]
    elif request.headers.get("If-None-Match") == found.etag:
        response = HttpResponseNotModified()
        response["ETag"] = found.etag
    else:
        response = HttpResponse(found.data, content_type=found.content_type)
        response["ETag"] = found.etag
    response["Cache-Control"] = f"public, max-age={TILE_MAX_AGE}"
    return response
