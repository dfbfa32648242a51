"""两新组织 as recipients of directives (notify's target registry): the accounts of the
organisations of chosen kinds, or of chosen organisations, inside the sender's territory.

Each account is reached through its organisation's community, so a directive to organisations
lands in the sender's subtree even when the account itself has no territory of its own.
"""

from django.db.models import F

from citygrid.accounts.models import User
from citygrid.neworgs.choices import OrganisationKind
from citygrid.neworgs.models import NewOrganisation
from citygrid.notify.directives.targets import PLACE_ANNOTATION, register_target

# A picker of every organisation would be a long list; the newest this many are offered.
CHOICES_LIMIT = 500


def _organisations(user):
    return NewOrganisation.objects.in_scope(user).filter(closed_on=None)


def _accounts(organisations):
    # One join: the annotation reads the organisation the filter matched.
    return (
        User.objects.filter(new_organisations__in=organisations)
        .annotate(**{PLACE_ANNOTATION: F("new_organisations__region_id")})
        .order_by("pk", "new_organisations__region_code")
    )


def kind_choices(user) -> list[tuple[str, str]]:
    return list(OrganisationKind.choices)


def resolve_kinds(user, values: list[str]):
    return _accounts(_organisations(user).filter(kind__in=values))


def organisation_choices(user) -> list[tuple[str, str]]:
    rows = _organisations(user).order_by("region_code", "name").values_list("pk", "name")
    return [(str(pk), name) for pk, name in rows[:CHOICES_LIMIT]]


def resolve_organisations(user, values: list[str]):
    ids = [int(v) for v in values if str(v).isdigit()]
    return _accounts(_organisations(user).filter(pk__in=ids))


def register() -> None:
    register_target("neworg_kind", "两新组织类型", kind_choices, resolve_kinds)
    register_target("neworg", "指定两新组织", organisation_choices, resolve_organisations)
