"""Case numbers: unique per day, and on PostgreSQL drawn without a row every intake waits on
(issue 11: the counter row held by each intake transaction serialised all intakes)."""

import threading
from datetime import UTC, date, datetime, timedelta

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from citygrid.cases import numbering
from citygrid.cases.tests.conftest import MONDAY_10, TZ
from citygrid.core.testing import at_once

on_postgresql = pytest.mark.skipif(
    "connection.vendor != 'postgresql'",
    reason="sequences and lock waits are PostgreSQL's (CI runs it)",
)


@pytest.mark.django_db
def test_numbers_are_the_local_day_and_a_sequence_that_starts_again_each_day():
    late = datetime(2026, 3, 2, 23, 30, tzinfo=TZ)
    first, second = numbering.next_number(late), numbering.next_number(late)
    # 16:30 UTC on 3 March is already 4 March in Shanghai.
    next_day = numbering.next_number(datetime(2026, 3, 3, 16, 30, tzinfo=UTC))
    assert (first, second) == ("2026030200001", "2026030200002")
    assert next_day == "2026030400001"


@pytest.mark.django_db
def test_reported_cases_get_consecutive_numbers_of_their_day(report):
    numbers = [report().number for _ in range(3)]
    assert numbers == [f"{MONDAY_10:%Y%m%d}{n:05d}" for n in (1, 2, 3)]


@pytest.fixture
def no_sequences(transactional_db):
    """These tests commit, and so did earlier ones in the worker: a day's sequence they left
    would shift the numbers asserted here."""
    with connection.cursor() as cursor:
        for name in numbering.sequences():
            cursor.execute(f'DROP SEQUENCE "{name}"')


def _number_in_open_transaction(started: threading.Event, release: threading.Event, out: list):
    try:
        with transaction.atomic():
            out.append(numbering.next_number(MONDAY_10))
            started.set()
            release.wait(10)
    finally:
        connection.close()


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("no_sequences")
@on_postgresql
def test_an_intake_never_waits_for_another_uncommitted_one():
    numbering.next_number(MONDAY_10)  # the day's sequence exists and is known
    started, release, held = threading.Event(), threading.Event(), []
    other = threading.Thread(target=_number_in_open_transaction, args=(started, release, held))
    other.start()
    try:
        assert started.wait(10)
        with transaction.atomic(), connection.cursor() as cursor:
            # A counter row locked by the other transaction would make this wait: fail fast.
            cursor.execute("SET LOCAL lock_timeout = '2s'")
            mine = numbering.next_number(MONDAY_10)
    finally:
        release.set()
        other.join()
    assert held and mine != held[0]
    assert sorted([held[0], mine]) == [f"{MONDAY_10:%Y%m%d}00002", f"{MONDAY_10:%Y%m%d}00003"]


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("no_sequences")
@on_postgresql
def test_a_rolled_back_intake_leaves_a_gap_not_a_repeat():
    day = date(2026, 3, 5)
    now = datetime(2026, 3, 5, 9, tzinfo=TZ)
    with pytest.raises(RuntimeError), transaction.atomic():
        numbering.next_number(now)
        raise RuntimeError
    # The sequence was created in the rolled-back transaction: it is created again.
    assert numbering.sequence_name(day) not in numbering.sequences()
    assert numbering.next_number(now) == "2026030500001"
    with pytest.raises(RuntimeError), transaction.atomic():
        numbering.next_number(now)
        raise RuntimeError
    assert numbering.next_number(now) == "2026030500003"


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("no_sequences")
@on_postgresql
def test_two_first_intakes_of_a_day_both_get_a_number():
    now = datetime(2026, 3, 6, 9, tzinfo=TZ)
    numbers = []

    def first_of_the_day():
        with transaction.atomic():
            numbers.append(numbering.next_number(now))

    at_once(first_of_the_day)
    assert sorted(numbers) == ["2026030600001", "2026030600002"]


@pytest.mark.django_db
@on_postgresql
def test_prepare_creates_today_and_tomorrow_and_drops_old_days():
    today = date(2026, 3, 10)
    old = numbering.sequence_name(today - timedelta(days=numbering.KEEP_DAYS + 1))
    kept = numbering.sequence_name(today - timedelta(days=numbering.KEEP_DAYS))
    with connection.cursor() as cursor:
        cursor.execute(f'CREATE SEQUENCE "{old}"')
        cursor.execute(f'CREATE SEQUENCE "{kept}"')
    assert numbering.prepare_sequences(today) == 1
    names = set(numbering.sequences())
    assert old not in names and kept in names
    assert {"case_number_20260310", "case_number_20260311"} <= names


@pytest.mark.django_db
def test_intake_through_the_api_costs_a_fixed_number_of_queries(api_client, setup):
    api_client.force_authenticate(setup.dispatcher)

    def post(i: int):
        data = {
            "category": setup.category.pk,
            "description": f"井盖缺失 {i}",
            "lng": 120.005 + i * 0.0001,
            "lat": 30.005,
        }
        return api_client.post("/api/cases/", data, format="json")

    assert post(0).status_code == 201  # warms the per-process caches and the day's sequence
    # category, both cache stamps, grid, number (PostgreSQL: one function call; SQLite: the
    # counter row and its read), duplicate search, time limits, the case, the change row, the
    # report event and its indicator roll-up rows (PostgreSQL: one statement; SQLite: one per
    # day, month and year table). The scope re-check is `covers` on the saved row's own region
    # code.
    expected = 12 if connection.vendor == "postgresql" else 15
    for i in (1, 2):
        with CaptureQueriesContext(connection) as queries:
            assert post(i).status_code == 201
        assert len(queries) == expected, [q["sql"][:80] for q in queries]
