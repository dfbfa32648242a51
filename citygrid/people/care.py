"""Care records (帮教/帮扶): which are visible to whom, and which people are overdue.

Overdue rule: for a person and a category with an open membership, the latest care record's
`next_date` lies before today. Only the latest record counts — a later visit settles an earlier
promise — and a closed membership needs no more care, so it is never overdue.
"""

from datetime import date

from django.db.models import Exists, OuterRef, Q, QuerySet, Subquery

from citygrid.people.choices import SPECIAL_GROUP_KINDS, Category
from citygrid.people.models import (
    AtRiskYouth,
    CareRecord,
    KeyPerson,
    SpecialGroup,
    VulnerableGroup,
)

SPECIAL_CATEGORIES = [k.value for k in SPECIAL_GROUP_KINDS]


def visible_care_records(qs: QuerySet, user) -> QuerySet:
    """A care record under a special-group category tells the person's status: need-to-know."""
    if user.has_perm("people.view_specialgroup"):
        return qs
    return qs.exclude(category__in=SPECIAL_CATEGORIES)


def _open_membership() -> Q:
    """The (person, category) of the outer care record has an open membership."""
    person, category = OuterRef("person"), OuterRef("category")
    is_open = {"person": person, "ended_on__isnull": True}
    return (
        Q(Exists(SpecialGroup.objects.filter(kind=category, **is_open)))
        | Q(Exists(VulnerableGroup.objects.filter(kind=category, **is_open)))
        | Q(Q(category=Category.KEY_PERSON), Exists(KeyPerson.objects.filter(**is_open)))
        | Q(Q(category=Category.AT_RISK_YOUTH), Exists(AtRiskYouth.objects.filter(**is_open)))
    )


def latest_records(qs: QuerySet | None = None) -> QuerySet:
    """The latest care record of each (person, category) in `qs`, in one query."""
    qs = CareRecord.objects.all() if qs is None else qs
    latest = CareRecord.objects.filter(
        person=OuterRef("person"), category=OuterRef("category")
    ).order_by("-date", "-id")
    return qs.filter(pk=Subquery(latest.values("pk")[:1]))


def overdue_records(qs: QuerySet | None = None, today: date | None = None) -> QuerySet:
    """Latest records whose next date has passed while the membership is still open."""
    today = today or date.today()
    return latest_records(qs).filter(_open_membership(), next_date__lt=today)


def overdue_categories(person, today: date | None = None) -> set[str]:
    """Categories in which this person's care is overdue."""
    qs = CareRecord.objects.filter(person=person)
    return set(overdue_records(qs, today).values_list("category", flat=True))
