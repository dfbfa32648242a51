from django.urls import path

from citygrid.cases.stats import views

app_name = "stats"

urlpatterns = [
    path("", views.IndicatorsView.as_view(), name="indicators"),
    path("export/", views.ExportView.as_view(), name="export"),
]
