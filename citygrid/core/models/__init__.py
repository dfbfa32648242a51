from citygrid.core.models.base import ChangeLoggedModel, ScopedModel
from citygrid.core.models.changes import AccessLog, ObjectChange
from citygrid.core.models.dictionaries import Dictionary, DictItem
from citygrid.core.models.jobs import ExportJob, ImportJob
from citygrid.core.models.periodic import PeriodicJob
from citygrid.core.models.stamps import VersionStamp

__all__ = [
    "AccessLog",
    "ChangeLoggedModel",
    "DictItem",
    "ExportJob",
    "Dictionary",
    "ImportJob",
    "ObjectChange",
    "PeriodicJob",
    "ScopedModel",
    "VersionStamp",
]
