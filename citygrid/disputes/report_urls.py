"""Included by `disputes/urls.py` as `reports/`, in the `disputes` namespace."""

from django.urls import path

from citygrid.disputes import report_views

urlpatterns = [
    path("", report_views.ReportListView.as_view(), name="report_list"),
    path("<int:pk>/", report_views.ReportView.as_view(), name="report"),
    path("<int:pk>/submit/", report_views.report_submit, name="report_submit"),
]
