"""The residents housing's pages show (`housing.occupants`), answered from people's records
under people's need-to-know rules: registered from `PeopleConfig.ready()`."""

from django.db.models import Count, QuerySet

from citygrid.housing.models import Building
from citygrid.people.choices import Relation
from citygrid.people.models import Residency, SpecialGroup


class Residents:
    def residencies(self, user) -> QuerySet:
        return Residency.objects.restrict(user, "view").select_related("person")

    def tenants(self, user) -> QuerySet:
        return self.residencies(user).filter(relation=Relation.TENANT, ended_on__isnull=True)

    def resident_counts(self, building: Building) -> dict[int, int]:
        return dict(
            Residency.objects.filter(house__building=building, ended_on__isnull=True)
            .values_list("house_id")
            .annotate(n=Count("id"))
            .order_by()
        )

    def owner_counts(self, house_ids: list[int]) -> dict[int, int]:
        return dict(
            Residency.objects.filter(
                house_id__in=house_ids, relation=Relation.OWNER, ended_on__isnull=True
            )
            .values_list("house_id")
            .annotate(n=Count("id"))
            .order_by()
        )

    def may_see_marked(self, user) -> bool:
        return user.has_perm("people.view_specialgroup")

    def marked_houses(self, building: Building, user) -> set[int]:
        # Sealed juvenile records stay out: a marker would tie them to a door.
        rows = (
            SpecialGroup.objects.restrict(user, "view")
            .disclosable(user)
            .filter(
                ended_on__isnull=True,
                person__residencies__house__building=building,
                person__residencies__ended_on__isnull=True,
            )
            .values_list("person__residencies__house_id", flat=True)
            .distinct()
        )
        return set(rows)
