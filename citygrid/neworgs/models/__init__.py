from citygrid.neworgs.models.organisations import NewOrganisation, OrgBranch
from citygrid.neworgs.models.records import Regulation, WorkRecord

__all__ = ["NewOrganisation", "OrgBranch", "Regulation", "WorkRecord"]
