from citygrid.neworgs.models.organisations import NewOrganisation, OrgBranch

__all__ = ["NewOrganisation", "OrgBranch"]
