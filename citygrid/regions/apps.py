from django.apps import AppConfig


class RegionsConfig(AppConfig):
    name = "citygrid.regions"
    label = "regions"
    verbose_name = "区域网格"

    def ready(self) -> None:
        from citygrid.core import search
        from citygrid.regions import resources  # noqa: F401  (registers import/export specs)
        from citygrid.regions.models import GridWorker, Region

        search.register(Region, fields=("name", "code"), label="区域网格")
        search.register(GridWorker, fields=("name",), label="网格员")
