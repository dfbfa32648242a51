"""Demo people in committed batches: an interrupted run continues to the uninterrupted result."""

from datetime import date
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction

from citygrid.demo import people as demo_people
from citygrid.demo.models import SeedProgress
from citygrid.demo.people import _Sequences, generate_demo_people
from citygrid.demo.progress import ProgressLines
from citygrid.demo.regions import CITY_CODE, DemoSize
from citygrid.demo.resume import ResumeMismatch
from citygrid.housing.models import Building, Estate, House, Rental
from citygrid.people.models import (
    CareRecord,
    FloatingDetail,
    Person,
    RegisteredDetail,
    Residency,
    SpecialGroup,
    VulnerableGroup,
)

TODAY = date(2026, 6, 15)
COUNT = 300
BATCH = 50  # the 3 grids of `tree` hold ~100 people each: one committed batch per grid

pytestmark = pytest.mark.django_db


class Interrupted(Exception):
    pass


def _fingerprint() -> dict:
    """What was generated, without the row ids (which differ between two runs)."""
    person = "person__id_number_index"
    return {
        "persons": sorted(
            Person.objects.values_list(
                "id_number_index", "name", "birth_date", "region_code", "phone_index"
            )
        ),
        "houses": sorted(
            House.objects.values_list("code", "address", "occupancy", "owner_id_number_index")
        ),
        "rentals": sorted(Rental.objects.values_list("rental_no", "house__code", "start_date")),
        "residencies": sorted(
            Residency.objects.values_list(person, "house__code", "relation", "started_on")
        ),
        "registered": sorted(RegisteredDetail.objects.values_list(person, "household_number")),
        "floating": sorted(FloatingDetail.objects.values_list(person, "registered_on")),
        "special": sorted(SpecialGroup.objects.values_list(person, "kind", "started_on")),
        "vulnerable": sorted(VulnerableGroup.objects.values_list(person, "kind", "started_on")),
        "care": sorted(CareRecord.objects.values_list(person, "category", "date", "measures")),
    }


def _generate(city, progress=None, count=COUNT):
    return generate_demo_people(
        city, seed=3, count=count, today=TODAY, progress=progress, batch=BATCH
    )


def _interrupt_after(batches: int):
    calls = []

    def progress(done, total):
        calls.append(done)
        if len(calls) == batches:
            raise Interrupted

    return progress, calls


def test_an_interrupted_run_continues_to_the_uninterrupted_result(tree):
    with transaction.atomic():
        whole = _generate(tree.city)
        expected = _fingerprint()
        transaction.set_rollback(True)
    assert len(expected["persons"]) == COUNT

    progress, calls = _interrupt_after(2)
    with pytest.raises(Interrupted):
        _generate(tree.city, progress)
    run = SeedProgress.objects.get(city_code=tree.city.code)
    assert not run.finished
    assert run.persons == calls[-1] == Person.objects.count() < COUNT  # batches 1–2 committed
    assert run.next_grid == 2

    resumed_calls = []
    resumed = _generate(tree.city, lambda done, total: resumed_calls.append(done))
    assert resumed_calls == [COUNT]  # only the third batch was written
    assert _fingerprint() == expected
    assert (resumed.persons, resumed.houses, resumed.by_category) == (
        whole.persons,
        whole.houses,
        whole.by_category,
    )
    run.refresh_from_db()
    assert run.finished and run.persons == COUNT


def test_a_finished_run_is_not_resumed_but_started_again(tree):
    _generate(tree.city, count=30)
    Person.objects.all().delete()
    for model in (Rental, House, Building, Estate):
        model.objects.all().delete()
    again = _generate(tree.city, count=30)
    assert again.persons == Person.objects.count() == 30


def test_resuming_with_other_parameters_is_refused(tree):
    progress, _ = _interrupt_after(1)
    with pytest.raises(Interrupted):
        _generate(tree.city, progress)
    with pytest.raises(ResumeMismatch, match="未完成"):
        _generate(tree.city, count=COUNT + 1)


def test_id_number_sequences_survive_a_checkpoint():
    sequences = _Sequences()
    born = date(1990, 5, 1)
    assert [sequences.take("330101", born, True) for _ in range(3)] == [0, 1, 2]
    restored = _Sequences.load(sequences.dump())
    assert restored.take("330101", born, True) == 3
    assert restored.take("330101", born, False) == 0
    for _ in range(_Sequences.LIMIT - 4):
        restored.take("330101", born, True)
    assert restored.take("330101", born, True) is None  # the caller moves to the next day


def test_seed_demo_continues_after_an_interruption(db, monkeypatch):
    options = {"grids_per_community_min": 1, "grids_per_community_max": 1, "cases": 0}
    monkeypatch.setitem(generate_demo_people.__kwdefaults__, "batch", 40)
    real = ProgressLines.__call__
    calls = []

    def stop_after_two(self, done, total):
        real(self, done, total)
        calls.append(done)
        if len(calls) == 2:
            raise Interrupted

    monkeypatch.setattr(ProgressLines, "__call__", stop_after_two)
    with pytest.raises(Interrupted):
        call_command("seed_demo", "--people", "300", stdout=StringIO(), **options)
    committed = Person.objects.count()
    assert committed == calls[-1] < 300
    monkeypatch.setattr(ProgressLines, "__call__", real)

    with pytest.raises(CommandError, match="未完成"):
        call_command("seed_demo", "--people", "301", stdout=StringIO(), **options)
    out = StringIO()
    call_command("seed_demo", "--people", "300", stdout=out, **options)
    text = out.getvalue()
    assert f"继续上次未完成的人口生成：已提交 {committed}/300 人" in text
    assert "已生成人口 300/300（100.0%" in text
    assert Person.objects.count() == 300
    assert Person.objects.values("id_number_index").distinct().count() == 300
    with pytest.raises(CommandError, match="已存在"):
        call_command("seed_demo", "--people", "300", stdout=StringIO(), **options)
    assert SeedProgress.objects.get(city_code=CITY_CODE).finished


def test_the_city_grows_with_the_people_beyond_a_million():
    assert DemoSize.for_people(demo_people.DEFAULT_PEOPLE) == DemoSize()
    assert DemoSize.for_people(1_000_000) == DemoSize()
    big = DemoSize.for_people(10_000_000)
    grids = big.counties
    for low, high in (big.townships, big.communities, big.grids):
        grids *= (low + high) / 2
    assert 5_000 <= grids <= 8_000  # about 1 500–2 000 people per grid, as at a million
