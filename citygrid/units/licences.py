"""Licence expiry as queries: which units hold a licence expiring soon or expired, in SQL, so
the list filter and badges never walk every licence in Python."""

import datetime

from django.db.models import Exists, OuterRef, Q, QuerySet

from citygrid.units.choices import WARN_DAYS, LicenceState
from citygrid.units.models import UnitLicence


def horizon(today: datetime.date) -> datetime.date:
    return today + datetime.timedelta(days=WARN_DAYS)


def state_q(state: str, today: datetime.date, prefix: str = "") -> Q:
    """Licences (under `prefix`, e.g. "licences__") in `state` on `today`."""
    field = f"{prefix}expires_on"
    if state == LicenceState.EXPIRED:
        return Q(**{f"{field}__lt": today})
    return Q(**{f"{field}__gte": today, f"{field}__lte": horizon(today)})


def with_licence_state(units: QuerySet, today: datetime.date) -> QuerySet:
    """Units annotated with `licence_expired` and `licence_expiring` (EXISTS subqueries)."""
    mine = UnitLicence.objects.filter(unit=OuterRef("pk"))
    return units.annotate(
        licence_expired=Exists(mine.filter(state_q(LicenceState.EXPIRED, today))),
        licence_expiring=Exists(mine.filter(state_q(LicenceState.EXPIRING, today))),
    )


def units_in_state(units: QuerySet, states: list[str], today: datetime.date) -> QuerySet:
    q = Q()
    for state in states:
        q |= state_q(state, today)
    return units.filter(Exists(UnitLicence.objects.filter(q, unit=OuterRef("pk"))))
