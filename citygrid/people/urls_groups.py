from django.urls import path

from citygrid.core.routing import model_urls
from citygrid.people.models import (
    AtRiskYouth,
    CareRecord,
    CustodianAssignment,
    KeyPerson,
    SpecialGroup,
    VulnerableGroup,
)
from citygrid.people.views import care
from citygrid.people.views import groups as views


def _membership_urls(prefix: str, model, name: str) -> list:
    def view(kind: str):
        return getattr(views, f"{name}{kind}View").as_view()

    return model_urls(
        prefix,
        model,
        list=view("List"),
        add=view("Edit"),
        export=view("Export"),
        detail=view(""),
        edit=view("Edit"),
        delete=view("Delete"),
        changelog=view("ChangeLog"),
    )


urlpatterns = [
    *_membership_urls("special-groups", SpecialGroup, "SpecialGroup"),
    *_membership_urls("vulnerable-groups", VulnerableGroup, "VulnerableGroup"),
    *_membership_urls("key-persons", KeyPerson, "KeyPerson"),
    *_membership_urls("at-risk-youth", AtRiskYouth, "AtRiskYouth"),
    path(
        "vulnerable-groups/<int:pk>/subsidies/add/",
        views.subsidy_edit,
        name="vulnerablegroup_subsidy_add",
    ),
    path(
        "vulnerable-groups/<int:pk>/subsidies/<int:subsidy_pk>/edit/",
        views.subsidy_edit,
        name="vulnerablegroup_subsidy_edit",
    ),
    path(
        "vulnerable-groups/<int:pk>/subsidies/<int:subsidy_pk>/delete/",
        views.subsidy_delete,
        name="vulnerablegroup_subsidy_delete",
    ),
    path(
        "vulnerable-groups/<int:pk>/request/",
        views.onestop_request,
        name="vulnerablegroup_request",
    ),
    *model_urls(
        "care-records",
        CareRecord,
        list=care.CareRecordListView.as_view(),
        add=care.CareRecordEditView.as_view(),
        export=care.CareRecordExportView.as_view(),
        detail=care.CareRecordView.as_view(),
        edit=care.CareRecordEditView.as_view(),
        delete=care.CareRecordDeleteView.as_view(),
        changelog=care.CareRecordChangeLogView.as_view(),
    ),
    *model_urls(
        "custodians",
        CustodianAssignment,
        list=views.CustodianAssignmentListView.as_view(),
        add=views.CustodianAssignmentEditView.as_view(),
        detail=views.CustodianAssignmentView.as_view(),
        edit=views.CustodianAssignmentEditView.as_view(),
        delete=views.CustodianAssignmentDeleteView.as_view(),
        changelog=views.CustodianAssignmentChangeLogView.as_view(),
    ),
    path(
        "custodians/<int:pk>/reassign/",
        views.custodian_reassign,
        name="custodianassignment_reassign",
    ),
    path("person-groups/<int:pk>/", views.person_groups, name="person_groups"),
]
