"""Small units for tests, written through the one write path."""

from citygrid.core.testing import logged
from citygrid.units.codes import sample_uscc
from citygrid.units.models import Unit, UnitLicence

USCC_A, USCC_B, USCC_C = sample_uscc(1), sample_uscc(2), sample_uscc(3)


def unit(name="甲饭店", lng=120.005, lat=30.005, unit_class="restaurant", **values) -> Unit:
    return logged(Unit, name=name, unit_class=unit_class, lng=lng, lat=lat, **values)


def licence(unit, expires_on=None, kind="business", number="L-1", **values) -> UnitLicence:
    return logged(UnitLicence, unit=unit, kind=kind, number=number, expires_on=expires_on, **values)
