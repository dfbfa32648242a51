from citygrid.neworgs.models.organisations import NewOrganisation, OrgBranch
from citygrid.neworgs.models.reports import MonthlyReport, MonthlyReportLine, MonthlyReportReminder  # noqa: F401, E501

__all__ = ["NewOrganisation", "OrgBranch"]
