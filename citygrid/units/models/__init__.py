from citygrid.units.models.units import LicenceWarning, Unit, UnitLicence

__all__ = ["LicenceWarning", "Unit", "UnitLicence"]
