from django.apps import AppConfig


class DisputesConfig(AppConfig):
    name = "citygrid.disputes"
    label = "disputes"
    verbose_name = "矛盾纠纷"

    def ready(self) -> None:
        from citygrid.cases.engine import register
        from citygrid.disputes import resources  # noqa: F401  (registers the export columns)
        from citygrid.disputes.workflow import DISPUTES

        # The deadline sweep and supervision orders serve disputes as they serve cases.
        register(DISPUTES)
