from django.urls import include, path

from citygrid.core.routing import model_urls
from citygrid.neworgs import filtersets, forms, tables, views
from citygrid.neworgs.models import NewOrganisation, OrgBranch, Regulation, WorkRecord

app_name = "neworgs"

urlpatterns = [
    path("coverage/", views.coverage_view, name="coverage"),
    path("reports/", include("citygrid.neworgs.report_urls")),
    *model_urls(
        "organisations",
        NewOrganisation,
        list=views.NewOrganisationListView.as_view(),
        add=views.NewOrganisationEditView.as_view(),
        imports=views.NewOrganisationImportView.as_view(),
        export=views.NewOrganisationExportView.as_view(),
        detail=views.NewOrganisationView.as_view(),
        edit=views.NewOrganisationEditView.as_view(),
        delete=views.NewOrganisationDeleteView.as_view(),
        changelog=views.NewOrganisationChangeLogView.as_view(),
    ),
    *model_urls(
        "branches",
        OrgBranch,
        **views.part_views(
            OrgBranch, forms.OrgBranchForm, tables.OrgBranchTable, filtersets.OrgBranchFilterSet
        ),
    ),
    *model_urls(
        "regulations",
        Regulation,
        **views.part_views(
            Regulation,
            forms.RegulationForm,
            tables.RegulationTable,
            filtersets.RegulationFilterSet,
        ),
    ),
    *model_urls(
        "work-records",
        WorkRecord,
        **views.part_views(
            WorkRecord,
            forms.WorkRecordForm,
            tables.WorkRecordTable,
            filtersets.WorkRecordFilterSet,
        ),
    ),
]
