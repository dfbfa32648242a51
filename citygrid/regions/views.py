import json

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, render

from citygrid.core.views import generic
from citygrid.regions import filtersets, forms, tables
from citygrid.regions.choices import RegionLevel
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
        }


class RegionEditView(generic.ObjectEditView):
    model = Region
    form = forms.RegionForm
    template_name = "regions/region_edit.html"

    def extra_context(self, obj):
        return {"map_config": settings.MAP}


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
def home(request):
    """The landing page: how much territory and how many grid workers the user looks after."""
    found = dict(
        Region.objects.restrict(request.user, "view")
        .values_list("level")
        .annotate(n=Count("id"))
        .order_by()
    )
    counts = {
        level.label: found.get(level.value, 0)
        for level in RegionLevel
        if level != RegionLevel.VILLAGE_GROUP
    }
    workers = GridWorker.objects.restrict(request.user, "view").count()
    return render(request, "regions/home.html", {"counts": counts, "workers": workers})


@login_required
def grid_map(request):
    if not request.user.has_perm("regions.view_region"):
        raise PermissionDenied
    return render(request, "regions/map.html", {"map_config": settings.MAP})


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
