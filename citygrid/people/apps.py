from django.apps import AppConfig


class PeopleConfig(AppConfig):
    name = "citygrid.people"
    label = "people"
    verbose_name = "实有人口"

    def ready(self) -> None:
        from citygrid.core import search
        from citygrid.housing import occupants
        from citygrid.people import resources  # noqa: F401  (registers import/export specs)
        from citygrid.people.models import Person
        from citygrid.people.occupants import Residents

        # Names only: an ID number typed into global search must never match by substring.
        search.register(Person, fields=("name",), label="实有人口", lookup="startswith")
        # Housing's pages show residents without importing people (people sit above housing).
        occupants.register(Residents())
