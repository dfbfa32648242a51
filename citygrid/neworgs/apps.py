from django.apps import AppConfig


class NeworgsConfig(AppConfig):
    name = "citygrid.neworgs"
    label = "neworgs"
    verbose_name = "两新组织"

    def ready(self) -> None:
        from citygrid.neworgs import directive_targets

        directive_targets.register()
