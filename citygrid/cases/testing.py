"""Test data shared by the unit and browser tests of the workflow."""

from citygrid.cases.models import CaseCategory


def street_order_class(code: str, name: str) -> CaseCategory:
    """A minor class under 05 街面秩序. Get-or-create: the seed migration may have made it, or a
    transactional (browser) test may have flushed it."""
    major = CaseCategory.objects.get_or_create(
        kind="event", code="05", defaults={"name": "街面秩序"}
    )[0]
    return CaseCategory.objects.get_or_create(
        kind="event", code=code, defaults={"name": name, "parent": major}
    )[0]
