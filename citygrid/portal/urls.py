from django.urls import path

from citygrid.core.routing import model_urls
from citygrid.portal import blocklist, views
from citygrid.portal.models import BlockedIp, BlockedPhone

app_name = "portal"

urlpatterns = [
    path("", views.report, name="report"),
    path("report/done/", views.report_done, name="report_done"),
    path("follow/", views.follow, name="follow"),
    path("case/<int:pk>/", views.case_progress, name="case"),
    path("case/<int:pk>/rate/", views.case_rate, name="case_rate"),
    path("case/<int:pk>/photos/<int:photo>/", views.case_photo, name="case_photo"),
    path(
        "case/<int:pk>/photos/<int:photo>/thumbnail/",
        views.case_photo,
        {"thumbnail": True},
        name="case_photo_thumbnail",
    ),
    path("held/", views.heldreport_list, name="heldreport_list"),
    path("held/<int:pk>/", views.heldreport, name="heldreport"),
    path("held/<int:pk>/release/", views.heldreport_release, name="heldreport_release"),
    path("held/<int:pk>/discard/", views.heldreport_discard, name="heldreport_discard"),
    *model_urls(
        "blocked-phones",
        BlockedPhone,
        list=blocklist.BlockedPhoneListView.as_view(),
        add=blocklist.BlockedPhoneEditView.as_view(),
        delete=blocklist.BlockedPhoneDeleteView.as_view(),
    ),
    *model_urls(
        "blocked-ips",
        BlockedIp,
        list=blocklist.BlockedIpListView.as_view(),
        add=blocklist.BlockedIpEditView.as_view(),
        delete=blocklist.BlockedIpDeleteView.as_view(),
    ),
]
