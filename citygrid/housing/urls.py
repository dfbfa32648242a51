from django.urls import path

from citygrid.cases.views.fieldwork import SendVerificationView
from citygrid.core.routing import model_urls
from citygrid.housing import public, views
from citygrid.housing.models import Building, Estate, HazardCheck, House, Rental

app_name = "housing"

urlpatterns = [
    path("declare/", public.declare, name="declare"),
    path("declare/done/", public.declare_done, name="declare_done"),
    path("houses/search/", views.house_search, name="house_search"),
    path(
        "houses/<int:pk>/verify/",
        SendVerificationView.as_view(model=House),
        name="house_verification",
    ),
    path("rentals/pending/", views.rental_pending, name="rental_pending"),
    path("buildings/<int:pk>/generate/", views.building_generate, name="building_generate"),
    *(
        path(f"rentals/<int:pk>/{act}/", views.rental_act, {"action": act}, name=f"rental_{act}")
        for act in views.RENTAL_ACTIONS
    ),
    *model_urls(
        "estates",
        Estate,
        list=views.EstateListView.as_view(),
        add=views.EstateEditView.as_view(),
        imports=views.EstateImportView.as_view(),
        export=views.EstateExportView.as_view(),
        detail=views.EstateView.as_view(),
        edit=views.EstateEditView.as_view(),
        delete=views.EstateDeleteView.as_view(),
        changelog=views.EstateChangeLogView.as_view(),
    ),
    *model_urls(
        "buildings",
        Building,
        list=views.BuildingListView.as_view(),
        add=views.BuildingEditView.as_view(),
        imports=views.BuildingImportView.as_view(),
        export=views.BuildingExportView.as_view(),
        detail=views.BuildingView.as_view(),
        edit=views.BuildingEditView.as_view(),
        delete=views.BuildingDeleteView.as_view(),
        changelog=views.BuildingChangeLogView.as_view(),
    ),
    *model_urls(
        "houses",
        House,
        list=views.HouseListView.as_view(),
        add=views.HouseEditView.as_view(),
        imports=views.HouseImportView.as_view(),
        export=views.HouseExportView.as_view(),
        detail=views.HouseView.as_view(),
        edit=views.HouseEditView.as_view(),
        delete=views.HouseDeleteView.as_view(),
        changelog=views.HouseChangeLogView.as_view(),
    ),
    *model_urls(
        "rentals",
        Rental,
        list=views.RentalListView.as_view(),
        add=views.RentalEditView.as_view(),
        export=views.RentalExportView.as_view(),
        detail=views.RentalView.as_view(),
        edit=views.RentalEditView.as_view(),
        delete=views.RentalDeleteView.as_view(),
        changelog=views.RentalChangeLogView.as_view(),
    ),
    *model_urls(
        "hazard-checks",
        HazardCheck,
        list=views.HazardCheckListView.as_view(),
        add=views.HazardCheckEditView.as_view(),
        export=views.HazardCheckExportView.as_view(),
        detail=views.HazardCheckView.as_view(),
        edit=views.HazardCheckEditView.as_view(),
        delete=views.HazardCheckDeleteView.as_view(),
        changelog=views.HazardCheckChangeLogView.as_view(),
    ),
]
