from django.apps import AppConfig


class PeopleConfig(AppConfig):
    name = "citygrid.people"
    label = "people"
    verbose_name = "实有人口"

    def ready(self) -> None:
        from citygrid.core import search
        from citygrid.people import resources  # noqa: F401  (registers import/export specs)
        from citygrid.people.models import Person

        # Names only: an ID number typed into global search must never match by substring.
        search.register(Person, fields=("name",), label="实有人口", lookup="startswith")
