from django.urls import path

from citygrid.core.routing import model_urls
from citygrid.notify import receipts, views
from citygrid.notify.directives import views as directives
from citygrid.notify.models import SmsMessage

app_name = "notify"

urlpatterns = [
    path("notifications/", views.notification_list, name="notification_list"),
    path("notifications/read-all/", views.notification_read_all, name="notification_read_all"),
    path("notifications/<int:pk>/open/", views.notification_open, name="notification_open"),
    path("sms/receipts/aliyun/<str:token>/", receipts.aliyun_receipt, name="sms_receipt_aliyun"),
    path("sms/receipts/tencent/<str:token>/", receipts.tencent_receipt, name="sms_receipt_tencent"),
    path("directives/", directives.directive_list, name="directive_list"),
    path("directives/new/", directives.directive_new, name="directive_new"),
    path("directives/staff/", directives.staff_search, name="directive_staff_search"),
    path(
        "directives/targets/<slug:kind>/",
        directives.target_search,
        name="directive_target_search",
    ),
    path("directives/<int:pk>/", directives.directive_detail, name="directive"),
    path("directives/<int:pk>/remind/", directives.directive_remind, name="directive_remind"),
    path("directives/inbox/", directives.inbox, name="directive_inbox"),
    path("directives/inbox/<int:pk>/", directives.receipt_detail, name="directive_receipt"),
    path("directives/inbox/<int:pk>/act/", directives.receipt_act, name="directive_receipt_act"),
    *model_urls(
        "sms",
        SmsMessage,
        list=views.SmsMessageListView.as_view(),
        detail=views.SmsMessageView.as_view(),
    ),
]
