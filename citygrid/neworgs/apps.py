from django.apps import AppConfig


class NeworgsConfig(AppConfig):
    name = "citygrid.neworgs"
    label = "neworgs"
    verbose_name = "两新组织"

    def ready(self) -> None:
        from citygrid.core import search
        from citygrid.neworgs import (
            directive_targets,
            resources,  # noqa: F401  (registers import/export specs)
        )
        from citygrid.neworgs.models import NewOrganisation

        search.register(NewOrganisation, fields=("name", "uscc"), label="两新组织")
        # Directives can target organisation kinds and named organisations (their accounts).
        directive_targets.register()
