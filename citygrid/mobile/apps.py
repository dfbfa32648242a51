from django.apps import AppConfig


class MobileConfig(AppConfig):
    name = "citygrid.mobile"
    label = "mobile"
    verbose_name = "网格员移动端"
