from django.urls import path

from citygrid.integrations.wechat import views

app_name = "wechat"

urlpatterns = [
    path("", views.endpoint, name="endpoint"),
]
