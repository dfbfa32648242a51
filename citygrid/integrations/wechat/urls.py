app_name = "wechat"

urlpatterns: list = []
