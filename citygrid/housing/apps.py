from django.apps import AppConfig


class HousingConfig(AppConfig):
    name = "citygrid.housing"
    label = "housing"
    verbose_name = "房屋管理"

    def ready(self) -> None:
        from citygrid.core import search
        from citygrid.housing import resources  # noqa: F401  (registers import/export specs)
        from citygrid.housing.models import Building, Estate, House, Rental

        search.register(Estate, fields=("name",), label="小区")
        search.register(Building, fields=("name",), label="楼栋")
        search.register(House, fields=("code", "number", "address"), label="房屋")
        search.register(Rental, fields=("rental_no",), label="出租屋")
