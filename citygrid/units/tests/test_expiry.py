"""Licence expiry warnings: to the staff who may change the unit in whose territory it lies,
once per licence and window."""

import datetime

import pytest

from citygrid.notify.models import Notification
from citygrid.units.expiry import warn_expiring
from citygrid.units.models import LicenceWarning
from citygrid.units.tasks import warn_expiring_licences
from citygrid.units.tests import factories as f

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 6, 1)


def days(n: int) -> datetime.date:
    return TODAY + datetime.timedelta(days=n)


@pytest.fixture
def staff(tree, make_user):
    return {
        "grid": make_user(perms=["units.change_unit"], scope=[tree.grid_a1]),
        "county": make_user(perms=["units.change_unit"], scope=[tree.county_a]),
        "reader": make_user(perms=["units.view_unit"], scope=[tree.county_a]),
        "other_grid": make_user(perms=["units.change_unit"], scope=[tree.grid_a2]),
        "other_county": make_user(perms=["units.change_unit"], scope=[tree.county_b]),
    }


def told(user) -> list[str]:
    return sorted(Notification.objects.filter(recipient=user).values_list("title", flat=True))


def test_warned_once_per_window_to_the_staff_in_scope(tree, staff):
    unit = f.unit("甲饭店")
    f.licence(unit, expires_on=days(30), number="SOON")
    f.licence(unit, expires_on=days(31), number="LATER")
    f.licence(unit, expires_on=None, number="FOREVER")
    assert warn_expiring(TODAY) == {"licences": 1, "notices": 2}
    assert told(staff["grid"]) == told(staff["county"]) == ["证照即将到期：甲饭店"]
    for name in ("reader", "other_grid", "other_county"):
        assert told(staff[name]) == []
    # Run again the same day, or the next: nothing new.
    assert warn_expiring(TODAY) == {"licences": 0, "notices": 0}
    assert warn_expiring(days(1)) == {"licences": 1, "notices": 2}  # LATER enters its window
    assert warn_expiring(days(1)) == {"licences": 0, "notices": 0}
    # On expiry: the second window, once.
    assert warn_expiring(days(31)) == {"licences": 1, "notices": 2}
    assert warn_expiring(days(40)) == {"licences": 1, "notices": 2}
    assert warn_expiring(days(41)) == {"licences": 0, "notices": 0}
    assert told(staff["grid"]).count("证照已过期：甲饭店") == 2
    assert LicenceWarning.objects.count() == 4


def test_a_renewed_licence_is_warned_again(tree, staff):
    from citygrid.core import records

    licence = f.licence(f.unit("甲饭店"), expires_on=days(10))
    warn_expiring(TODAY)
    licence.expires_on = days(300)
    records.save_record(licence, actor=None)
    assert warn_expiring(TODAY) == {"licences": 0, "notices": 0}
    assert warn_expiring(days(280)) == {"licences": 1, "notices": 2}


def test_the_periodic_task_runs(tree, staff):
    f.licence(f.unit("甲饭店"), expires_on=datetime.date.today() - datetime.timedelta(days=1))
    result = warn_expiring_licences.enqueue()
    assert result.return_value == {"licences": 1, "notices": 2}
    assert told(staff["county"]) == ["证照已过期：甲饭店"]
