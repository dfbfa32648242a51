"""Teams (机构队伍): the grid-management system's own units, staff and duties."""

from django.apps import AppConfig


class OrgsConfig(AppConfig):
    name = "citygrid.orgs"
    label = "orgs"
    verbose_name = "机构队伍"

    def ready(self) -> None:
        from citygrid.core import search
        from citygrid.orgs import resources  # noqa: F401  (registers import/export specs)
        from citygrid.orgs.models import OrgUnit, Staff

        search.register(OrgUnit, fields=("name", "code"), label="机构")
        search.register(Staff, fields=("name",), label="队伍成员")
