"""Included by the lead inside the `disputes` namespace:
`path("stats/", include("citygrid.disputes.statistics.urls"))`."""

from django.urls import path

from citygrid.disputes.statistics import views

urlpatterns = [
    path("", views.StatsView.as_view(), name="stats"),
    path("export/", views.ExportView.as_view(), name="stats_export"),
]
