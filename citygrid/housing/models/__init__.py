from citygrid.housing.models.buildings import Building, Estate
from citygrid.housing.models.houses import House
from citygrid.housing.models.rentals import HazardCheck, Rental

__all__ = ["Building", "Estate", "HazardCheck", "House", "Rental"]
