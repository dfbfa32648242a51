"""Deadline arithmetic on the working calendar (citygrid.cases.calendar)."""

import importlib
import time as clock
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from citygrid.cases import calendar as workcal
from citygrid.cases.calendar import WorkCalendar
from citygrid.cases.choices import TimeUnit

SH = ZoneInfo("Asia/Shanghai")
WH, CH, WD = TimeUnit.WORKING_HOURS, TimeUnit.CALENDAR_HOURS, TimeUnit.WORKING_DAYS
seed_migration = importlib.import_module("citygrid.cases.migrations.0002_seed_calendar")


def exceptions_2026() -> dict[date, bool]:
    days: dict[date, bool] = {}
    for first, last, _ in seed_migration.HOLIDAYS_2026:
        for d in seed_migration._days(first, last):
            days[d] = False
    for d, _ in seed_migration.MAKEUP_WORKDAYS_2026:
        days[d] = True
    return days


CAL = WorkCalendar(
    [(time(8, 30), time(12, 0)), (time(13, 30), time(17, 30))], exceptions_2026(), SH
)


def at(y, mo, d, h=0, mi=0, s=0) -> datetime:
    return datetime(y, mo, d, h, mi, s, tzinfo=SH)


# -- Construction ----------------------------------------------------------------------------------


def test_empty_periods_fall_back_to_default_office_hours():
    cal = WorkCalendar([], {}, SH)
    assert cal.periods == ((time(8, 30), time(12, 0)), (time(13, 30), time(17, 30)))
    assert cal.day_seconds == 27000


@pytest.mark.parametrize(
    "periods",
    [
        [(time(12, 0), time(8, 30))],
        [(time(8, 0), time(12, 0)), (time(11, 0), time(17, 0))],
        [(time(13, 0), time(17, 0)), (time(8, 0), time(12, 0))],
    ],
)
def test_invalid_periods_are_rejected(periods):
    with pytest.raises(ValueError):
        WorkCalendar(periods, {}, SH)


def test_naive_datetimes_and_unknown_units_are_rejected():
    naive = datetime(2026, 3, 10, 9, 0)
    with pytest.raises(ValueError, match="aware"):
        CAL.add(naive, 1, WH)
    with pytest.raises(ValueError, match="aware"):
        CAL.working_seconds(at(2026, 3, 10), naive)
    with pytest.raises(ValueError, match="aware"):
        CAL.add(naive, 1, CH)
    with pytest.raises(ValueError, match="unit"):
        CAL.add(at(2026, 3, 10), 1, "fortnights")
    with pytest.raises(ValueError):
        CAL.add(at(2026, 3, 10), -1, WH)


def test_no_working_day_for_a_year_raises_instead_of_looping():
    start = date(2027, 1, 1)
    closed = {start + timedelta(days=i): False for i in range(400)}
    cal = WorkCalendar([], closed, SH)
    with pytest.raises(ValueError, match="No working day"):
        cal.add(at(2027, 1, 1, 9), 1, WH)
    assert cal.working_seconds(at(2027, 1, 1), at(2028, 1, 1)) == 0


# -- Working days ----------------------------------------------------------------------------------


def test_is_workday_exceptions_override_the_week():
    assert CAL.is_workday(date(2026, 3, 13))  # Friday
    assert not CAL.is_workday(date(2026, 3, 14))  # Saturday
    assert not CAL.is_workday(date(2026, 10, 1))  # 国庆, Thursday
    assert CAL.is_workday(date(2026, 10, 10))  # 调休 Saturday
    assert CAL.is_workday(date(2026, 9, 20))  # 调休 Sunday


def test_workdays_between_matches_counting_day_by_day():
    first = date(2025, 12, 20)
    for span in range(0, 400, 7):
        for extra in range(7):
            last = first + timedelta(days=span + extra)
            expected = sum(
                CAL.is_workday(first + timedelta(days=i)) for i in range((last - first).days + 1)
            )
            assert CAL.workdays_between(first, last) == expected
    assert CAL.workdays_between(date(2026, 3, 2), date(2026, 3, 1)) == 0


def test_seed_lists_match_the_notice():
    lengths = {note: (last - first).days + 1 for first, last, note in seed_migration.HOLIDAYS_2026}
    assert lengths == {
        "元旦": 3,
        "春节": 9,
        "清明节": 3,
        "劳动节": 5,
        "端午节": 3,
        "中秋节": 3,
        "国庆节": 7,
    }
    assert all(d.weekday() >= 5 for d, _ in seed_migration.MAKEUP_WORKDAYS_2026)
    assert sum(not v for v in exceptions_2026().values()) == 33
    # 2026 has 261 Monday–Friday days; 19 holidays fall on weekdays, 6 weekend days are worked.
    assert CAL.workdays_between(date(2026, 1, 1), date(2026, 12, 31)) == 261 - 19 + 6


# -- Hand-checked deadlines ------------------------------------------------------------------------


def test_four_working_hours_from_friday_afternoon():
    # Friday 16:00–17:30 uses 1.5 h; the remaining 2.5 h run from Monday 08:30.
    assert CAL.add(at(2026, 3, 13, 16), 4, WH) == at(2026, 3, 16, 11)


def test_start_in_the_lunch_break():
    assert CAL.add(at(2026, 3, 10, 12, 30), 2, WH) == at(2026, 3, 10, 15, 30)
    # Exactly one afternoon: the deadline is the period end, not the next morning.
    assert CAL.add(at(2026, 3, 10, 12, 30), 4, WH) == at(2026, 3, 10, 17, 30)
    assert CAL.add(at(2026, 3, 10, 12, 30), Decimal("4.5"), WH) == at(2026, 3, 11, 9)


def test_morning_limit_ending_at_noon_stays_at_noon():
    assert CAL.add(at(2026, 3, 10, 8, 30), Decimal("3.5"), WH) == at(2026, 3, 10, 12)
    assert CAL.add(at(2026, 3, 10, 11), Decimal("1.5"), WH) == at(2026, 3, 10, 14)


def test_start_before_office_hours_and_at_night():
    assert CAL.add(at(2026, 3, 10, 7), 1, WH) == at(2026, 3, 10, 9, 30)
    assert CAL.add(at(2026, 3, 10, 2), 1, WH) == at(2026, 3, 10, 9, 30)
    assert CAL.add(at(2026, 3, 10, 22), 1, WH) == at(2026, 3, 11, 9, 30)
    assert CAL.add(at(2026, 3, 13, 22), Decimal("0.5"), WH) == at(2026, 3, 16, 9)


def test_across_a_holiday_week():
    # 国庆: Wednesday 30 Sep 16:00 uses 1.5 h, 1–7 Oct are off, Thursday 8 Oct 08:30 + 2.5 h.
    assert CAL.add(at(2026, 9, 30, 16), 4, WH) == at(2026, 10, 8, 11)
    # 春节: the make-up Saturday 14 Feb counts, then 15–23 Feb are off.
    assert CAL.add(at(2026, 2, 13, 16), 4, WH) == at(2026, 2, 14, 11)
    assert CAL.add(at(2026, 2, 14, 17), 1, WH) == at(2026, 2, 24, 9)


def test_across_a_make_up_saturday():
    # Friday 9 Oct 15:00 uses 2.5 h; Saturday 10 Oct is a working day.
    assert CAL.add(at(2026, 10, 9, 15), 4, WH) == at(2026, 10, 10, 10)


def test_calendar_hours_ignore_holidays_and_office_hours():
    assert CAL.add(at(2026, 9, 30, 16), 24, CH) == at(2026, 10, 1, 16)
    assert CAL.add(at(2026, 9, 30, 23), Decimal("0.5"), CH) == at(2026, 9, 30, 23, 30)
    utc_start = datetime(2026, 9, 30, 8, 0, tzinfo=UTC)  # 16:00 in Shanghai
    result = CAL.add(utc_start, 2, CH)
    assert result == at(2026, 9, 30, 18) and result.tzinfo == SH


def test_working_days():
    assert CAL.limit_seconds(1, WD) == 27000
    assert CAL.add(at(2026, 3, 9, 10), 1, WD) == at(2026, 3, 10, 10)
    assert CAL.add(at(2026, 3, 9, 10), 3, WD) == at(2026, 3, 12, 10)
    assert CAL.add(at(2026, 3, 13, 18), 1, WD) == at(2026, 3, 16, 17, 30)
    assert CAL.add(at(2026, 3, 9, 8, 30), 1, WD) == at(2026, 3, 9, 17, 30)
    assert CAL.add(at(2026, 3, 9, 10), Decimal("0.5"), WD) == at(2026, 3, 9, 15, 15)
    # 15 working days from Monday 21 Sep cross 中秋, 国庆 and the 调休 Saturday 10 Oct.
    assert CAL.add(at(2026, 9, 21, 9), 15, WD) == at(2026, 10, 19, 9)


def test_working_seconds_over_weekend_and_holidays():
    assert CAL.working_seconds(at(2026, 3, 13, 17), at(2026, 3, 16, 9)) == 3600
    assert CAL.working_seconds(at(2026, 9, 30, 17), at(2026, 10, 8, 9)) == 3600
    assert CAL.working_seconds(at(2026, 3, 9), at(2026, 3, 16)) == 5 * 27000
    assert CAL.working_seconds(at(2026, 2, 15), at(2026, 2, 24)) == 0
    assert CAL.working_seconds(at(2026, 3, 10, 12), at(2026, 3, 10, 13, 30)) == 0
    assert CAL.working_seconds(at(2026, 3, 10, 11), at(2026, 3, 10, 9)) == 0
    assert CAL.working_seconds(at(2026, 3, 10, 9), at(2026, 3, 10, 9)) == 0
    # The week of 28 Sep – 11 Oct 2026: 28, 29, 30 Sep, 8, 9, 10 Oct.
    assert CAL.working_seconds(at(2026, 9, 28), at(2026, 10, 12)) == 6 * 27000


def test_exception_marking_a_saturday_as_workday():
    cal = WorkCalendar([], {date(2026, 3, 14): True, date(2026, 3, 12): False}, SH)
    assert cal.is_workday(date(2026, 3, 14)) and not cal.is_workday(date(2026, 3, 12))
    assert cal.add(at(2026, 3, 13, 17), 1, WH) == at(2026, 3, 14, 9)
    assert cal.add(at(2026, 3, 11, 17), 1, WH) == at(2026, 3, 13, 9)
    assert cal.working_seconds(at(2026, 3, 9), at(2026, 3, 16)) == 5 * 27000


def test_zero_seconds_is_the_start_itself():
    start = at(2026, 3, 14, 3)
    assert CAL.add_working_seconds(start, 0) == start
    assert CAL.add(start, 0, WH) == start


# -- Warning point and clock stops -----------------------------------------------------------------


def test_warning_at_eighty_percent_of_working_time():
    start = at(2026, 3, 13, 16)
    # 80 % of 4 h = 3 h 12 min of working time: 1.5 h on Friday, 1 h 42 min on Monday.
    plan = CAL.schedule(start, 4, WH)
    assert plan.limit_seconds == 14400
    assert plan.warn_at == at(2026, 3, 16, 10, 12) and plan.deadline == at(2026, 3, 16, 11)
    assert CAL.schedule(start, 10, CH).warn_at == at(2026, 3, 14, 0)
    assert CAL.schedule(start, 10, CH, warn_fraction=Decimal("0.5")).warn_at == at(2026, 3, 13, 21)


def test_schedule_after_a_suspension_uses_the_remaining_limit():
    start = at(2026, 3, 10, 9)
    paused = at(2026, 3, 10, 11)
    used = CAL.elapsed(start, paused, WH)
    assert used == 7200
    resumed = at(2026, 3, 12, 14)
    plan = CAL.schedule(resumed, 4, WH, used_seconds=used)
    assert plan.deadline == at(2026, 3, 12, 16)  # 2 h left
    assert plan.warn_at == CAL.add_working_seconds(resumed, 14400 * 8 // 10 - 7200)
    late = CAL.schedule(resumed, 4, WH, used_seconds=20000)
    assert late.warn_at == resumed and late.deadline == resumed
    assert CAL.elapsed(at(2026, 9, 30, 16), at(2026, 10, 1, 16), CH) == 86400
    assert CAL.elapsed(at(2026, 10, 1, 16), at(2026, 9, 30, 16), CH) == 0


# -- Properties ------------------------------------------------------------------------------------

starts = st.datetimes(
    min_value=datetime(2025, 12, 1), max_value=datetime(2027, 1, 31), timezones=st.just(SH)
)
working_seconds_ = st.integers(min_value=0, max_value=40 * 27000)


@given(start=starts, seconds=working_seconds_)
def test_working_seconds_inverts_add_for_any_start(start, seconds):
    deadline = CAL.add_working_seconds(start, seconds)
    assert deadline >= start
    assert CAL.working_seconds(start, deadline) == seconds


@given(start=starts, a=working_seconds_, b=working_seconds_)
def test_more_seconds_never_give_an_earlier_deadline(start, a, b):
    low, high = sorted((a, b))
    assert CAL.add_working_seconds(start, low) <= CAL.add_working_seconds(start, high)


@given(start=starts, seconds=st.integers(min_value=1, max_value=40 * 27000))
def test_deadlines_lie_in_working_time_or_exactly_at_a_period_end(start, seconds):
    deadline = CAL.add_working_seconds(start, seconds)
    assert deadline.tzinfo == SH
    assert CAL.is_workday(deadline.date())
    t = deadline.time()
    assert any(s < t <= e for s, e in CAL.periods)
    # The earliest such instant: one microsecond earlier the limit is not yet used up.
    assert CAL._working_us(start, deadline - timedelta(microseconds=1)) < seconds * 1_000_000


@given(a=starts, b=starts, c=starts)
def test_working_time_is_additive(a, b, c):
    a, b, c = sorted((a, b, c))
    assert CAL._working_us(a, c) == CAL._working_us(a, b) + CAL._working_us(b, c)


minute_starts = st.datetimes(
    min_value=datetime(2026, 9, 15), max_value=datetime(2026, 10, 15), timezones=st.just(SH)
).map(lambda d: d.replace(second=0, microsecond=0))


@settings(max_examples=40, deadline=None)
@given(start=minute_starts, minutes=st.integers(min_value=0, max_value=6 * 24 * 60))
def test_working_seconds_matches_counting_minutes(start, minutes):
    end = start + timedelta(minutes=minutes)
    wall = start.replace(tzinfo=None)
    counted = 0
    for i in range(minutes):
        m = wall + timedelta(minutes=i)
        if CAL.is_workday(m.date()) and any(s <= m.time() < e for s, e in CAL.periods):
            counted += 60
    assert CAL.working_seconds(start, end) == counted


def test_fast_enough_for_sweeping_thousands_of_deadlines():
    begin = clock.perf_counter()
    start = at(2026, 9, 1, 9, 17)
    for i in range(2000):
        deadline = CAL.add(start + timedelta(minutes=7 * i), 15, WD)
        CAL.working_seconds(start, deadline)
    assert clock.perf_counter() - begin < 2.0


# -- Database --------------------------------------------------------------------------------------


@pytest.fixture
def fresh_cache():
    workcal.reset_calendar_cache()
    yield
    workcal.reset_calendar_cache()


@pytest.mark.django_db
def test_migration_seeds_office_hours_and_2026_holidays(fresh_cache):
    from citygrid.cases.models import CalendarDay, WorkingPeriod

    assert list(WorkingPeriod.objects.values_list("start", "end")) == [
        (time(8, 30), time(12, 0)),
        (time(13, 30), time(17, 30)),
    ]
    assert CalendarDay.objects.get(date=date(2026, 2, 17)).is_workday is False
    assert CalendarDay.objects.get(date=date(2026, 2, 28)).is_workday is True
    cal = WorkCalendar.load()
    assert str(cal.tz) == "Asia/Shanghai"
    assert cal.add(at(2026, 9, 30, 16), 4, WH) == at(2026, 10, 8, 11)


@pytest.mark.django_db
def test_seeding_again_changes_nothing(fresh_cache):
    from django.db import connection
    from django.db.migrations.loader import MigrationLoader

    from citygrid.cases.models import CalendarDay, WorkingPeriod

    # The migration's own historical models, as `migrate` passes them.
    apps = MigrationLoader(connection).project_state(("cases", "0002_seed_calendar")).apps
    before = (CalendarDay.objects.count(), WorkingPeriod.objects.count())
    seed_migration.seed(apps, None)
    assert (CalendarDay.objects.count(), WorkingPeriod.objects.count()) == before


@pytest.mark.django_db
def test_current_calendar_is_cached_until_the_stamp_changes(fresh_cache, django_assert_num_queries):
    from citygrid.core.models import VersionStamp

    first = workcal.current_calendar()
    with django_assert_num_queries(1):
        assert workcal.current_calendar() is first
    VersionStamp.bump(workcal.STAMP_NAME)  # as another process would, after its commit
    assert workcal.current_calendar() is not first


@pytest.mark.django_db
def test_current_calendar_reloads_after_a_calendar_day_is_added(fresh_cache):
    from citygrid.cases.models import CalendarDay, WorkingPeriod
    from citygrid.core.models import VersionStamp

    workcal.connect_signals()  # idempotent; CasesConfig.ready may already have run it
    saturday = date(2027, 3, 13)
    assert not workcal.current_calendar().is_workday(saturday)
    stamp = VersionStamp.read(workcal.STAMP_NAME)
    CalendarDay.objects.create(date=saturday, is_workday=True, note="测试调休")
    assert VersionStamp.read(workcal.STAMP_NAME) > stamp
    assert workcal.current_calendar().is_workday(saturday)

    stamp = VersionStamp.read(workcal.STAMP_NAME)
    WorkingPeriod.objects.filter(start=time(13, 30)).delete()
    assert VersionStamp.read(workcal.STAMP_NAME) > stamp
    assert workcal.current_calendar().day_seconds == Decimal("12600")


@pytest.mark.django_db
def test_bump_calendar_invalidates_even_without_signals(fresh_cache):
    from citygrid.cases.models import CalendarDay

    saturday = date(2027, 3, 20)
    assert not workcal.current_calendar().is_workday(saturday)
    CalendarDay.objects.bulk_create([CalendarDay(date=saturday, is_workday=True)])
    workcal.bump_calendar()
    assert workcal.current_calendar().is_workday(saturday)
