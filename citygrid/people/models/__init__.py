from citygrid.people.models.care import CareRecord, CustodianAssignment
from citygrid.people.models.grid_population import GridPopulation
from citygrid.people.models.groups import (
    AidsRiskDetail,
    AtRiskYouth,
    CorrectionsDetail,
    DisabilityDetail,
    DrugUserDetail,
    KeyPerson,
    MentalDisorderDetail,
    ReleasedPrisonerDetail,
    SpecialGroup,
    Subsidy,
    VulnerableGroup,
)
from citygrid.people.models.persons import (
    FloatingDetail,
    LeftBehindDetail,
    OverseasDetail,
    Person,
    RegisteredDetail,
)
from citygrid.people.models.residency import Residency
from citygrid.people.models.snapshots import PopulationSnapshot

__all__ = [
    "AidsRiskDetail",
    "AtRiskYouth",
    "CareRecord",
    "CorrectionsDetail",
    "CustodianAssignment",
    "DisabilityDetail",
    "DrugUserDetail",
    "FloatingDetail",
    "GridPopulation",
    "KeyPerson",
    "LeftBehindDetail",
    "MentalDisorderDetail",
    "OverseasDetail",
    "Person",
    "PopulationSnapshot",
    "RegisteredDetail",
    "ReleasedPrisonerDetail",
    "Residency",
    "SpecialGroup",
    "Subsidy",
    "VulnerableGroup",
]
