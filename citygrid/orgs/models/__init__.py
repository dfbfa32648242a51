from citygrid.orgs.models.staff import Staff, StaffRecord
from citygrid.orgs.models.units import OrgUnit

__all__ = ["OrgUnit", "Staff", "StaffRecord"]
