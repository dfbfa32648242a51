from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "citygrid.cases"
    label = "cases"
    verbose_name = "事件管理"

    def ready(self) -> None:
        from citygrid.cases import (
            calendar,
            resources,  # noqa: F401  (registers import/export specs)
        )
        from citygrid.cases.models import Case
        from citygrid.core import search

        calendar.connect_signals()
        search.register(Case, fields=("number", "description", "address"), label="事件")
