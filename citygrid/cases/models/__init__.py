from citygrid.cases.models.calendar import CalendarDay, WorkingPeriod
from citygrid.cases.models.cases import Case, CaseAttachment, CaseEvent
from citygrid.cases.models.categories import CaseCategory, Department, DispatchRule, TimeLimit
from citygrid.cases.models.rollup import IndicatorDay, IndicatorMonth, IndicatorYear
from citygrid.cases.models.supervision import SupervisionOrder
from citygrid.cases.models.tasks import Task, Visit

__all__ = [
    "CalendarDay",
    "Case",
    "CaseAttachment",
    "CaseCategory",
    "CaseEvent",
    "Department",
    "DispatchRule",
    "IndicatorDay",
    "IndicatorMonth",
    "IndicatorYear",
    "SupervisionOrder",
    "Task",
    "TimeLimit",
    "Visit",
    "WorkingPeriod",
]
