from citygrid.regions.models.regions import Region
from citygrid.regions.models.workers import GridWorker

__all__ = ["GridWorker", "Region"]
