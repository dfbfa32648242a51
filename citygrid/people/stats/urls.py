"""人口统计 and 人员地图, under /statistics/population/."""

from django.urls import path

from citygrid.people.stats import map_views, views

app_name = "population"

urlpatterns = [
    path("", views.OverviewView.as_view(), name="overview"),
    path("data/", views.DataView.as_view(), name="data"),
    path("export/", views.ExportView.as_view(), name="export"),
    path("refresh/", views.RefreshView.as_view(), name="refresh"),
    path("map/", map_views.map_page, name="map"),
    path("map/data/", map_views.map_data, name="map_data"),
    path("map/trail-persons/", map_views.trail_candidates, name="trail_candidates"),
    path("trail/<int:person_pk>/", map_views.trail, name="trail"),
]
