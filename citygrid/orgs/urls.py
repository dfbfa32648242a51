from django.urls import path

from citygrid.core.routing import model_urls
from citygrid.orgs import views
from citygrid.orgs.models import OrgUnit, Staff

app_name = "orgs"

urlpatterns = [
    path("", views.tree_page, name="tree"),
    path("units/search/", views.unit_search, name="unit_search"),
    path("accounts/search/", views.account_search, name="account_search"),
    path("units/<int:pk>/children/", views.unit_children, name="unit_children"),
    path("staff/<int:pk>/move/", views.staff_move, name="staff_move"),
    path("staff/<int:pk>/grant/", views.staff_grant, name="staff_grant"),
    path("staff/<int:pk>/records/", views.staff_record_add, name="staff_record_add"),
    *model_urls(
        "units",
        OrgUnit,
        list=views.OrgUnitListView.as_view(),
        add=views.OrgUnitEditView.as_view(),
        imports=views.OrgUnitImportView.as_view(),
        export=views.OrgUnitExportView.as_view(),
        detail=views.OrgUnitView.as_view(),
        edit=views.OrgUnitEditView.as_view(),
        delete=views.OrgUnitDeleteView.as_view(),
        changelog=views.OrgUnitChangeLogView.as_view(),
    ),
    *model_urls(
        "staff",
        Staff,
        list=views.StaffListView.as_view(),
        add=views.StaffEditView.as_view(),
        imports=views.StaffImportView.as_view(),
        export=views.StaffExportView.as_view(),
        detail=views.StaffView.as_view(),
        edit=views.StaffEditView.as_view(),
        delete=views.StaffDeleteView.as_view(),
        changelog=views.StaffChangeLogView.as_view(),
    ),
]
