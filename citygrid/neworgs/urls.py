from django.urls import include, path

app_name = "neworgs"

urlpatterns: list = [
    path("reports/", include("citygrid.neworgs.report_urls")),
]
