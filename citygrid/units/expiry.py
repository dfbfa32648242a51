"""Licence expiry warnings: in-app notices to the staff who may change a unit in whose
territory it lies, once per licence per window (30 days before expiry, and on expiry).
`LicenceWarning` remembers what was sent, so a run repeated the same day sends nothing and a
renewed licence (a new expiry date) is warned again."""

import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone

from citygrid.accounts.models import User
from citygrid.notify.services import notify_user
from citygrid.regions.choices import CODE_LENGTH
from citygrid.units.choices import LicenceState
from citygrid.units.licences import horizon
from citygrid.units.models import LicenceWarning, UnitLicence

WINDOWS = {
    LicenceWarning.Window.SOON: "证照即将到期",
    LicenceWarning.Window.EXPIRED: "证照已过期",
}


def recipients(region_code: str):
    """Active users whose territory holds `region_code` and who may change units."""
    prefixes = {region_code[:n] for n in set(CODE_LENGTH.values()) if n <= len(region_code)}
    return User.objects.filter(
        is_active=True,
        roles__permissions__content_type__app_label="units",
        roles__permissions__codename="change_unit",
        scope_regions__code__in=prefixes,
    ).distinct()


def _due(today: datetime.date):
    """(licence, window) pairs due a warning not yet sent for the licence's current expiry."""
    licences = (
        UnitLicence.objects.filter(expires_on__lte=horizon(today))
        .select_related("unit")
        .order_by("unit__region_code", "pk")
    )
    sent = set(
        LicenceWarning.objects.filter(licence__in=licences).values_list(
            "licence_id", "window", "expires_on"
        )
    )
    for licence in licences.iterator(chunk_size=1000):
        window = (
            LicenceWarning.Window.EXPIRED
            if licence.state(today) == LicenceState.EXPIRED
            else LicenceWarning.Window.SOON
        )
        if (licence.pk, window, licence.expires_on) not in sent:
            yield licence, window


def warn_expiring(today: datetime.date | None = None) -> dict:
    today = today or timezone.localdate()
    people: dict[str, list] = {}
    warned = notices = 0
    for licence, window in _due(today):
        unit = licence.unit
        try:
            with transaction.atomic():
                LicenceWarning.objects.create(
                    licence=licence, window=window, expires_on=licence.expires_on
                )
                if unit.region_code not in people:
                    people[unit.region_code] = list(recipients(unit.region_code))
                for user in people[unit.region_code]:
                    notify_user(
                        user,
                        f"{WINDOWS[window]}：{unit.name}",
                        f"{licence}，有效期至 {licence.expires_on:%Y-%m-%d}",
                        url=unit.get_absolute_url(),
                        level="danger" if window == LicenceWarning.Window.EXPIRED else "warning",
                    )
                    notices += 1
        except IntegrityError:
            continue  # another run sent this one meanwhile
        warned += 1
    return {"licences": warned, "notices": notices}
