"""The demo people generator: valid, unique, consistent, every category present."""

from collections import Counter
from datetime import date
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from shapely.geometry import Point, shape

from citygrid.core.models import ObjectChange, VersionStamp
from citygrid.core.validators import parse_id_number
from citygrid.demo.people import CATEGORY_RATES, generate_demo_people
from citygrid.housing import numbering
from citygrid.housing.choices import Occupancy
from citygrid.housing.models import Building, Estate, House, Rental
from citygrid.people.choices import (
    SPECIAL_GROUP_KINDS,
    VULNERABLE_GROUP_KINDS,
    Category,
    Relation,
    ResidenceType,
)
from citygrid.people.models import (
    AidsRiskDetail,
    AtRiskYouth,
    CareRecord,
    CorrectionsDetail,
    CustodianAssignment,
    DisabilityDetail,
    DrugUserDetail,
    FloatingDetail,
    KeyPerson,
    MentalDisorderDetail,
    OverseasDetail,
    Person,
    RegisteredDetail,
    ReleasedPrisonerDetail,
    Residency,
    SpecialGroup,
    Subsidy,
    VulnerableGroup,
)

TODAY = date(2026, 6, 15)
COUNT = 400

pytestmark = pytest.mark.django_db

SPECIAL_DETAILS = {
    Category.RELEASED_PRISONER: ReleasedPrisonerDetail,
    Category.COMMUNITY_CORRECTIONS: CorrectionsDetail,
    Category.MENTAL_DISORDER: MentalDisorderDetail,
    Category.DRUG_USER: DrugUserDetail,
    Category.AIDS_RISK: AidsRiskDetail,
}


@pytest.fixture
def demo(tree):
    return generate_demo_people(tree.city, seed=5, count=COUNT, today=TODAY)


def test_exact_count_and_residence_mix(demo):
    assert demo.persons == Person.objects.count() == COUNT
    types = Counter(Person.objects.values_list("residence_type", flat=True))
    assert demo.by_type == types
    assert set(types) == set(ResidenceType.values)
    assert types[ResidenceType.REGISTERED] > types[ResidenceType.FLOATING] > 0
    assert RegisteredDetail.objects.count() == types[ResidenceType.REGISTERED]
    assert FloatingDetail.objects.count() == types[ResidenceType.FLOATING]
    assert OverseasDetail.objects.count() == types[ResidenceType.OVERSEAS]
    # No change history is invented for the demo's past.
    assert not ObjectChange.objects.filter(content_type__app_label="people").exists()


def test_id_numbers_are_valid_unique_and_agree_with_the_person(demo):
    from citygrid.core.crypto import blind_index

    numbers = []
    for person in Person.objects.filter(id_type="111"):
        info = parse_id_number(person.id_number)
        assert info.number == person.id_number
        assert info.birth_date == person.birth_date
        assert {"male": "1", "female": "2"}[info.sex] == person.sex
        assert person.id_number_index == blind_index(person.id_number)
        if person.residence_type == ResidenceType.REGISTERED:
            assert person.id_number[:6] == person.region_code[:6]
        numbers.append(person.id_number)
    assert len(numbers) == len(set(numbers)) > COUNT * 0.9
    passports = Person.objects.exclude(id_type="111")
    assert all(p.residence_type == ResidenceType.OVERSEAS for p in passports)
    assert all(p.nationality != "CHN" for p in passports)
    # The ciphertext in the table is not the number.
    raw = Person.objects.values_list("id_number", flat=True).query
    assert str(raw)  # queryable without decrypting errors


def test_everyone_lives_in_a_house_of_their_grid(tree, demo):
    grids = {g.pk: g for g in (tree.grid_a1, tree.grid_a2, tree.grid_b1)}
    residencies = Residency.objects.select_related("house", "person", "rental")
    assert residencies.count() == COUNT
    assert residencies.filter(ended_on__isnull=True).values("person").distinct().count() == COUNT
    for residency in residencies:
        person, house = residency.person, residency.house
        assert person.region_id in grids
        assert house.region_id == person.region_id == residency.region_id
        assert residency.region_code == grids[person.region_id].code
        assert house.occupancy != Occupancy.VACANT
        assert person.current_address == house.address
        assert residency.started_on >= person.birth_date
        if house.occupancy == Occupancy.RENTED:
            assert residency.relation == Relation.TENANT
            assert residency.rental.house_id == house.pk
        else:
            assert residency.rental is None
    heads = residencies.filter(relation=Relation.OWNER)
    for residency in heads:
        assert residency.house.owner_name == residency.person.name
        assert residency.house.owner_id_number == residency.person.id_number


def test_buildings_and_houses_are_inside_their_grid(tree, demo):
    grids = {g.pk: shape(g.boundary) for g in (tree.grid_a1, tree.grid_a2, tree.grid_b1)}
    assert Estate.objects.exists()
    for building in Building.objects.all():
        assert grids[building.region_id].contains(Point(building.lng, building.lat))
        assert 1 <= building.floors <= 40 and 1 <= building.entrances <= 4
    for house in House.objects.select_related("building"):
        assert house.region_id == house.building.region_id
        assert house.entrance <= house.building.entrances
        assert 1 <= house.floor <= house.building.floors
        assert house.number == f"{house.floor}{int(house.number[-2:]):02d}"
        assert numbering.is_valid(house.code) and house.code.startswith(house.region_code)
        # The map draws a house at its building: inserted raw, the house still knows where.
        assert (house.map_lng, house.map_lat) == (house.building.lng, house.building.lat)
    occupancies = set(House.objects.values_list("occupancy", flat=True))
    assert occupancies == set(Occupancy.values)
    persons_per_occupied = COUNT / House.objects.exclude(occupancy="vacant").count()
    assert 2.0 < persons_per_occupied < 4.0


def test_rentals_are_numbered_from_the_grid_counter(tree, demo):
    rentals = list(Rental.objects.select_related("house"))
    assert rentals
    assert len({r.rental_no for r in rentals}) == len(rentals)
    for rental in rentals:
        assert numbering.is_valid(rental.rental_no)
        assert rental.rental_no[1:16] == rental.house.region_code
        assert rental.house.occupancy == Occupancy.RENTED
        assert rental.landlord_name == rental.house.owner_name and rental.landlord_phone
    # The counters moved on: the next number issued one by one does not collide.
    grid = tree.grid_a1
    issued = Rental.objects.filter(region=grid).count()
    assert VersionStamp.read(f"rental_no_{grid.code}") == issued
    assert VersionStamp.read(f"house_code_{grid.code}") == House.objects.filter(region=grid).count()


def test_every_category_is_present_with_its_details(demo):
    for kind in SPECIAL_GROUP_KINDS:
        groups = SpecialGroup.objects.filter(kind=kind)
        assert groups.exists(), kind
        if kind in SPECIAL_DETAILS:
            details = SPECIAL_DETAILS[kind].objects.filter(membership__kind=kind)
            assert details.count() == groups.count(), kind
    for kind in VULNERABLE_GROUP_KINDS:
        assert VulnerableGroup.objects.filter(kind=kind).exists(), kind
    disabled = VulnerableGroup.objects.filter(kind=Category.DISABLED)
    assert DisabilityDetail.objects.count() == disabled.count()
    low_income = VulnerableGroup.objects.filter(kind=Category.LOW_INCOME)
    assert (
        Subsidy.objects.filter(membership__in=low_income, kind="01").count() == low_income.count()
    )
    assert KeyPerson.objects.exists() and AtRiskYouth.objects.exists()
    counted = Counter()
    for model in (SpecialGroup, VulnerableGroup, KeyPerson, AtRiskYouth):
        for group in model.objects.select_related("person"):
            counted[group.category_key()] += 1
            assert group.region_id == group.person.region_id
            assert group.custodian_department is not None
            assert group.started_on >= group.person.birth_date
    assert counted == demo.by_category
    assert set(counted) == set(CATEGORY_RATES)


def test_custodians_and_care_records(tree, demo):
    assignments = CustodianAssignment.objects.filter(region=tree.city)
    assert set(assignments.values_list("category", flat=True)) == set(Category.values)
    department = {a.category: a.department_id for a in assignments}
    for group in SpecialGroup.objects.all():
        assert group.custodian_department_id == department[group.kind]
    care = CareRecord.objects.select_related("person")
    assert care.count() == demo.care_records > 0
    latest = {}
    for record in care.order_by("date"):
        latest[(record.person_id, record.category)] = record
    overdue = sum(1 for r in latest.values() if r.next_date < TODAY)
    assert overdue == demo.overdue_care
    assert 0 < overdue < len(latest)
    assert care.filter(lng__isnull=False).exists()
    for record in care:
        assert record.date <= TODAY < record.next_date or record.next_date < TODAY
        assert record.region_id == record.person.region_id
        record.full_clean()


def test_same_seed_same_people(tree):
    first = generate_demo_people(tree.city, seed=9, count=60, today=TODAY)
    names = sorted(Person.objects.values_list("name", "birth_date"))
    Person.objects.all().delete()
    for model in (Rental, House, Building, Estate):
        model.objects.all().delete()
    again = generate_demo_people(tree.city, seed=9, count=60, today=TODAY)
    assert sorted(Person.objects.values_list("name", "birth_date")) == names
    assert again.by_category == first.by_category


def test_a_sample_passes_model_validation(demo):
    for person in Person.objects.all()[:60]:
        person.full_clean()
    for house in House.objects.all()[:60]:
        house.full_clean()
    for rental in Rental.objects.all()[:20]:
        rental.full_clean()


def test_seed_demo_generates_the_people_asked_for(db):
    out = StringIO()
    call_command(
        "seed_demo",
        "--people",
        "300",
        grids_per_community_min=1,
        grids_per_community_max=1,
        cases=0,
        stdout=out,
    )
    assert Person.objects.count() == 300
    text = out.getvalue()
    assert "实有人口：300 人" in text
    assert "已生成人口 300/300" in text


def test_houses_are_placed_without_a_query_each(tree):
    """The generator writes raw rows: a house finds its map position on the building it was
    planned with, not by reading that building back (a query per house once made the 10 M
    city take twice as long)."""
    with CaptureQueriesContext(connection) as captured:
        generate_demo_people(tree.city, seed=5, count=COUNT, today=TODAY)
    reads = [
        q["sql"]
        for q in captured
        if q["sql"].startswith("SELECT") and 'FROM "housing_building"' in q["sql"]
    ]
    assert House.objects.count() > 50
    assert len(reads) <= 2, reads[:3]
