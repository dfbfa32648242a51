from django.apps import AppConfig


class HousingConfig(AppConfig):
    name = "citygrid.housing"
    label = "housing"
    verbose_name = "房屋管理"
