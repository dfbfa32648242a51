from django.urls import path

from citygrid.core.routing import model_urls
from citygrid.units import views
from citygrid.units.models import Unit

app_name = "units"

urlpatterns = [
    path("map/", views.unit_map, name="unit_map"),
    path("units/<int:pk>/licences/add/", views.licence_save, name="licence_add"),
    path(
        "units/<int:pk>/licences/<int:licence_pk>/edit/",
        views.licence_save,
        name="licence_edit",
    ),
    path(
        "units/<int:pk>/licences/<int:licence_pk>/delete/",
        views.licence_delete,
        name="licence_delete",
    ),
    *model_urls(
        "units",
        Unit,
        list=views.UnitListView.as_view(),
        add=views.UnitEditView.as_view(),
        imports=views.UnitImportView.as_view(),
        export=views.UnitExportView.as_view(),
        detail=views.UnitView.as_view(),
        edit=views.UnitEditView.as_view(),
        delete=views.UnitDeleteView.as_view(),
        changelog=views.UnitChangeLogView.as_view(),
    ),
]
