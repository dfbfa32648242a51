from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "citygrid.core"
    label = "core"
    verbose_name = "基础"

    def ready(self) -> None:
        from citygrid.core import (
            lookups,  # noqa: F401  (registers the `__within` lookup)
            routers,  # noqa: F401  (tracks each request's writes)
        )
