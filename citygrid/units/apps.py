from django.apps import AppConfig


class UnitsConfig(AppConfig):
    name = "citygrid.units"
    label = "units"
    verbose_name = "社会组织数据"

    def ready(self) -> None:
        from citygrid.core import search
        from citygrid.units import resources  # noqa: F401  (registers import/export specs)
        from citygrid.units.models import Unit

        search.register(Unit, fields=("name", "uscc"), label="社会单位")
