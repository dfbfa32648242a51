from django.apps import AppConfig


class UnitsConfig(AppConfig):
    name = "citygrid.units"
    label = "units"
    verbose_name = "社会组织数据"
