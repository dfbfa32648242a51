"""Custodian assignment (归口): the department responsible for a category at a place.

The nearest assignment up the territorial tree wins, so a city sets the default once and a
district overrides only what differs — the same inheritance as the case dispatch matrix.
"""

from citygrid.regions.models import Region


def custodian_for(category: str, region: Region):
    from citygrid.people.models import CustodianAssignment

    code = region.code
    prefixes = [code[:n] for n in (4, 6, 9, 12, 15) if n <= len(code)]
    found = (
        CustodianAssignment.objects.filter(category=category, region_code__in=prefixes)
        .select_related("department")
        .order_by("-region_code")
        .first()
    )
    return found.department if found else None
