from citygrid.neworgs.models.organisations import NewOrganisation, OrgBranch
from citygrid.neworgs.models.records import Regulation, WorkRecord
from citygrid.neworgs.models.reports import (
    MonthlyReport,
    MonthlyReportLine,
    MonthlyReportReminder,
)

__all__ = [
    "MonthlyReport",
    "MonthlyReportLine",
    "MonthlyReportReminder",
    "NewOrganisation",
    "OrgBranch",
    "Regulation",
    "WorkRecord",
]
