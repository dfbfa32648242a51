from django.urls import path

from citygrid.core.routing import model_urls
from citygrid.regions import views
from citygrid.regions.models import GridWorker, Region

app_name = "regions"

urlpatterns = [
    path("map/", views.grid_map, name="map"),
    path("regions/search/", views.region_search, name="region_search"),
    path("regions/<int:pk>/card/", views.region_card, name="region_card"),
    *model_urls(
        "regions",
        Region,
        list=views.RegionListView.as_view(),
        add=views.RegionEditView.as_view(),
        imports=views.RegionImportView.as_view(),
        export=views.RegionExportView.as_view(),
        detail=views.RegionView.as_view(),
        edit=views.RegionEditView.as_view(),
        delete=views.RegionDeleteView.as_view(),
        changelog=views.RegionChangeLogView.as_view(),
    ),
    *model_urls(
        "grid-workers",
        GridWorker,
        list=views.GridWorkerListView.as_view(),
        add=views.GridWorkerEditView.as_view(),
        imports=views.GridWorkerImportView.as_view(),
        export=views.GridWorkerExportView.as_view(),
        detail=views.GridWorkerView.as_view(),
        edit=views.GridWorkerEditView.as_view(),
        delete=views.GridWorkerDeleteView.as_view(),
        changelog=views.GridWorkerChangeLogView.as_view(),
    ),
]
