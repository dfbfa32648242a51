from django.urls import include, path

from citygrid.disputes import views

app_name = "disputes"

urlpatterns = [
    # Disputes: registered through intake, changed only by workflow actions.
    path("", views.DisputeListView.as_view(), name="dispute_list"),
    path("register/", views.dispute_register, name="dispute_add"),
    path("export/", views.DisputeExportView.as_view(), name="dispute_export"),
    path("desk/", views.desk, name="desk"),
    path("<int:pk>/", views.DisputeView.as_view(), name="dispute"),
    path("<int:pk>/act/<slug:action>/", views.dispute_act, name="dispute_act"),
    path("<int:pk>/parties/add/", views.party_add, name="dispute_party_add"),
    path("<int:pk>/agreement/", views.agreement_document, name="dispute_agreement"),
    path("<int:pk>/signed/", views.signed_copy, name="dispute_signed_copy"),
    path("<int:pk>/changelog/", views.DisputeChangeLogView.as_view(), name="dispute_changelog"),
    path("reports/", include("citygrid.disputes.report_urls")),
    path("stats/", include("citygrid.disputes.statistics.urls")),
]
