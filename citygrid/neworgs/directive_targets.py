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

# What the search offers for what is typed.
SEARCH_RESULTS = 20


def _organisations(user):
    return NewOrganisation.objects.in_scope(user).filter(closed_on=None)


def _accounts(organisations):
    # One join: the annotation reads the organisation the filter matched.
    return (
        User.objects.filter(new_organisations__in=organisations)
        .annotate(**{PLACE_ANNOTATION: F("new_organisations__region_id")})
        .order_by("pk", "new_organisations__region_code")
    )


def kind_choices(user, values=None) -> list[tuple[str, str]]:
    return list(OrganisationKind.choices)


def resolve_kinds(user, values: list[str]):
    return _accounts(_organisations(user).filter(kind__in=values))


def organisation_choices(user, values=None) -> list[tuple[str, str]]:
    """The named organisations only: a city's are searched, never listed."""
    ids = [int(v) for v in values or () if str(v).isdigit()]
    rows = _organisations(user).filter(pk__in=ids).values_list("pk", "name")
    return [(str(pk), name) for pk, name in rows]


def search_organisations(user, text: str) -> list[tuple[str, str]]:
    text = " ".join(text.split())[:50]
    if not text:
        return []
    rows = (
        _organisations(user)
        .filter(name__icontains=text)
        .order_by("region_code", "name")
        .values_list("pk", "name")[:SEARCH_RESULTS]
    )
    return [(str(pk), name) for pk, name in rows]


def resolve_organisations(user, values: list[str]):
    ids = [int(v) for v in values if str(v).isdigit()]
    return _accounts(_organisations(user).filter(pk__in=ids))


def register() -> None:
    register_target("neworg_kind", "两新组织类型", kind_choices, resolve_kinds)
    register_target(
        "neworg",
        "指定两新组织",
        organisation_choices,
        resolve_organisations,
        search=search_organisations,
    )
