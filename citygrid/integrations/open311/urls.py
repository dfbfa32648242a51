"""GeoReport v2 routes: each resource with a format suffix (`services.json`) or without one
(`services?format=json`, XML by default). Suffixed routes come first: `<code>` may not eat the
suffix."""

from django.urls import path

from citygrid.core.routing import model_urls
from citygrid.integrations.open311 import admin_views, views
from citygrid.integrations.open311.models import ApiClient, ServiceAttribute

app_name = "open311"

urlpatterns = [
    path("discovery.<str:fmt>", views.discovery, name="discovery"),
    path("discovery", views.discovery),
    path("services.<str:fmt>", views.service_list, name="service_list"),
    path("services", views.service_list),
    path("services/<str:code>.<str:fmt>", views.service_definition, name="service"),
    path("services/<str:code>", views.service_definition),
    path("requests.<str:fmt>", views.requests, name="requests"),
    path("requests", views.requests),
    path("requests/<str:number>.<str:fmt>", views.request_detail, name="request"),
    path("requests/<str:number>", views.request_detail),
    path("tokens/<str:token>.<str:fmt>", views.token, name="token"),
    path("tokens/<str:token>", views.token),
    # Management of the keys and of the classes' extra questions.
    *model_urls(
        "manage/keys",
        ApiClient,
        list=admin_views.ApiClientListView.as_view(),
        add=admin_views.ApiClientCreateView.as_view(),
        detail=admin_views.ApiClientView.as_view(),
        edit=admin_views.ApiClientEditView.as_view(),
        delete=admin_views.ApiClientDeleteView.as_view(),
        changelog=admin_views.ApiClientChangeLogView.as_view(),
    ),
    path(
        "manage/keys/<int:pk>/rotate/",
        admin_views.ApiClientRotateView.as_view(),
        name="apiclient_rotate",
    ),
    *model_urls(
        "manage/attributes",
        ServiceAttribute,
        list=admin_views.ServiceAttributeListView.as_view(),
        add=admin_views.ServiceAttributeEditView.as_view(),
        detail=admin_views.ServiceAttributeView.as_view(),
        edit=admin_views.ServiceAttributeEditView.as_view(),
        delete=admin_views.ServiceAttributeDeleteView.as_view(),
        changelog=admin_views.ServiceAttributeChangeLogView.as_view(),
    ),
]
