"""Deadline arithmetic on the working calendar (standards §6.3).

Time limits count in working hours by default: only the office hours (`WorkingPeriod`) of working
days count. A working day is Monday–Friday unless `CalendarDay` says otherwise (public holidays are
exceptions with ``is_workday=False``, weekend make-up working days 调休 with ``is_workday=True``).

`WorkCalendar` is a plain value object: build it directly in tests, or use `current_calendar()`,
which keeps one per process and reloads it when the ``work_calendar`` version stamp changes. Every
save or delete of a `CalendarDay` or `WorkingPeriod` bumps the stamp once `connect_signals()` has
run (call it from ``CasesConfig.ready``); bulk operations send no signals, so call
`bump_calendar()` after them.

Semantics, all with aware datetimes (naive ones raise `ValueError`); results are aware datetimes
in the calendar's time zone:

- ``calendar_hours``: plain elapsed time, holidays ignored.
- ``working_hours``: only office hours on working days count. A clock started outside office
  hours starts at the next period start. A deadline is the *earliest* instant at which the limit
  has been used, so a limit that runs out exactly at the end of a period falls on that period end
  (12:00, not 13:30), and never inside non-working time otherwise.
- ``working_days``: N working days are N × (length of a full working day) of working time, e.g.
  with 08:30–12:00 and 13:30–17:30 one working day is 7.5 working hours. Started inside office
  hours this lands at the same time of day N working days later (Mon 10:00 + 1 → Tue 10:00); a
  clock started after hours ends at the close of the Nth working day (Fri 18:00 + 1 → Mon 17:30).
  Measuring days in working time also makes the 80 % warning and clock stops work the same way as
  for working hours.

``schedule(start, amount, unit)`` gives a step's deadline and its 80 % warning point, measured
like the limit (working time for working units, plain time otherwise); ``elapsed`` and
``point_after`` measure and move in the same metric (`cases/clock.py` uses them for suspensions
and extensions).

Office hours are wall-clock times of the calendar's zone (Asia/Shanghai has no DST). Everything is
computed day by day, never minute by minute; `working_seconds` is closed-form (weekday arithmetic
plus a bisect over the exception dates).
"""

from __future__ import annotations

import threading
from bisect import bisect_left, bisect_right
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.db import connection, transaction
from django.utils import timezone

from citygrid.cases.choices import TimeUnit

STAMP_NAME = "work_calendar"
DEFAULT_PERIODS: tuple[tuple[time, time], ...] = (
    (time(8, 30), time(12, 0)),
    (time(13, 30), time(17, 30)),
)
DEFAULT_WARN_FRACTION = Decimal("0.8")
# A calendar with more consecutive non-working days than this is certainly misconfigured.
MAX_IDLE_DAYS = 366

_US = 1_000_000
_ONE_DAY = timedelta(days=1)


def _time_us(t: time) -> int:
    return ((t.hour * 60 + t.minute) * 60 + t.second) * _US + t.microsecond


def _us_time(us: int) -> time:
    seconds, micro = divmod(us, _US)
    minutes, second = divmod(seconds, 60)
    hour, minute = divmod(minutes, 60)
    return time(hour, minute, second, micro)


def _decimal(value, what: str) -> Decimal:
    if isinstance(value, bool):
        raise ValueError(f"{what} must be a number, not {value!r}")
    try:
        number = value if isinstance(value, Decimal) else Decimal(str(value))
    except (InvalidOperation, ValueError, TypeError):
        raise ValueError(f"{what} must be a number, not {value!r}") from None
    if not number.is_finite() or number < 0:
        raise ValueError(f"{what} must be a finite number ≥ 0, not {value!r}")
    return number


@dataclass(frozen=True)
class Schedule:
    """The clock of one step: its limit in seconds, the 80 % warning instant and the deadline."""

    limit_seconds: int
    warn_at: datetime
    deadline: datetime


class WorkCalendar:
    """Working periods of a day plus date exceptions to the Monday–Friday week."""

    def __init__(
        self,
        periods: list[tuple[time, time]] | tuple[tuple[time, time], ...] = (),
        exceptions: dict[date, bool] | None = None,
        tz: tzinfo | None = None,
    ) -> None:
        periods = list(periods) or list(DEFAULT_PERIODS)
        spans: list[tuple[int, int]] = []
        for start, end in periods:
            if start.tzinfo is not None or end.tzinfo is not None:
                raise ValueError("Working periods are wall-clock times without a time zone")
            s, e = _time_us(start), _time_us(end)
            if e <= s:
                raise ValueError(f"Working period {start}–{end} must end after it starts")
            if spans and s < spans[-1][1]:
                raise ValueError("Working periods must be sorted and must not overlap")
            spans.append((s, e))
        self.periods: tuple[tuple[time, time], ...] = tuple(periods)
        self._spans: tuple[tuple[int, int], ...] = tuple(spans)
        self._day_us: int = sum(e - s for s, e in spans)
        self.exceptions: dict[date, bool] = dict(exceptions or {})
        self.tz: tzinfo = tz or timezone.get_current_timezone()
        # Sorted exception ordinals and the prefix sums of their effect on the weekday count.
        items = sorted(self.exceptions.items())
        self._exc_ords = [d.toordinal() for d, _ in items]
        self._exc_prefix = [0]
        for d, workday in items:
            self._exc_prefix.append(self._exc_prefix[-1] + int(workday) - int(d.weekday() < 5))

    def __repr__(self) -> str:
        periods = ", ".join(f"{s:%H:%M}–{e:%H:%M}" for s, e in self.periods)
        return f"<WorkCalendar {periods}; {len(self.exceptions)} exceptions; {self.tz}>"

    # -- Loading ---------------------------------------------------------------------------------

    @classmethod
    def load(cls, tz: tzinfo | None = None) -> WorkCalendar:
        """The calendar in the database (two queries), in the default zone (settings.TIME_ZONE).

        The default zone, not the active one: office hours are the city's, whoever asks.
        """
        from citygrid.cases.models import CalendarDay, WorkingPeriod

        periods = list(WorkingPeriod.objects.order_by("start", "end").values_list("start", "end"))
        exceptions = dict(CalendarDay.objects.values_list("date", "is_workday"))
        return cls(periods, exceptions, tz or timezone.get_default_timezone())

    # -- Days ------------------------------------------------------------------------------------

    @property
    def day_seconds(self) -> Decimal:
        """Working seconds in a full working day (27000 for 08:30–12:00 and 13:30–17:30)."""
        return Decimal(self._day_us) / _US

    def is_workday(self, d: date) -> bool:
        """Whether `d` is a working day: the exception table overrides Monday–Friday."""
        workday = self.exceptions.get(d)
        return d.weekday() < 5 if workday is None else workday

    def workdays_between(self, first: date, last: date) -> int:
        """Number of working days in [first, last], both included; 0 if last < first."""
        if last < first:
            return 0
        weeks, rest = divmod((last - first).days + 1, 7)
        wd = first.weekday()
        count = weeks * 5 + sum(1 for i in range(rest) if (wd + i) % 7 < 5)
        lo = bisect_left(self._exc_ords, first.toordinal())
        hi = bisect_right(self._exc_ords, last.toordinal())
        return count + self._exc_prefix[hi] - self._exc_prefix[lo]

    # -- Instants --------------------------------------------------------------------------------

    def _local(self, dt: datetime, name: str = "datetime") -> tuple[date, int]:
        if not isinstance(dt, datetime):
            raise ValueError(f"{name} must be a datetime, not {dt!r}")
        if timezone.is_naive(dt):
            raise ValueError(f"{name} must be an aware datetime, got naive {dt.isoformat()}")
        local = dt.astimezone(self.tz)
        return local.date(), _time_us(local.time())

    def _at(self, d: date, us: int) -> datetime:
        return datetime.combine(d, _us_time(us), tzinfo=self.tz)

    def _overlap_us(self, d: date, lo: int, hi: int) -> int:
        """Working microseconds of day `d` between wall-clock offsets lo and hi."""
        if hi <= lo or not self.is_workday(d):
            return 0
        total = 0
        for s, e in self._spans:
            if e > lo and s < hi:
                total += min(e, hi) - max(s, lo)
        return total

    def _check_idle(self, idle: int, d: date) -> None:
        if idle > MAX_IDLE_DAYS:
            raise ValueError(
                f"No working day within {MAX_IDLE_DAYS} days before {d.isoformat()}: "
                "check the working calendar (工作日历)"
            )

    def working_seconds(self, start: datetime, end: datetime) -> int:
        """Whole working seconds between two aware datetimes; 0 if end ≤ start."""
        return self._working_us(start, end) // _US

    def _working_us(self, start: datetime, end: datetime) -> int:
        da, pa = self._local(start, "start")
        db, pb = self._local(end, "end")
        if end <= start:
            return 0
        if da == db:
            return self._overlap_us(da, pa, pb)
        full_days = self.workdays_between(da + _ONE_DAY, db - _ONE_DAY)
        return (
            self._overlap_us(da, pa, 24 * 3600 * _US)
            + full_days * self._day_us
            + self._overlap_us(db, 0, pb)
        )

    def add_working_seconds(self, start: datetime, seconds: int | float | Decimal) -> datetime:
        """The earliest instant at which `seconds` of working time have run since `start`.

        0 seconds gives `start` itself. Otherwise the result lies inside a working period or
        exactly at a period end, never in non-working time; for every start,
        ``working_seconds(start, add_working_seconds(start, s)) == s`` for whole seconds s.
        """
        d, pos = self._local(start, "start")
        remaining = int((_decimal(seconds, "seconds") * _US).to_integral_value(ROUND_HALF_UP))
        if remaining == 0:
            return start.astimezone(self.tz)
        idle = 0
        while True:
            if self.is_workday(d):
                idle = 0
                if pos == 0 and remaining > self._day_us:
                    remaining -= self._day_us
                else:
                    for s, e in self._spans:
                        if e <= pos:
                            continue
                        begin = max(s, pos)
                        if remaining <= e - begin:
                            return self._at(d, begin + remaining)
                        remaining -= e - begin
            else:
                idle += 1
                self._check_idle(idle, d)
            d += _ONE_DAY
            pos = 0

    # -- Limits ----------------------------------------------------------------------------------

    def limit_seconds(self, amount: Decimal | float | int, unit: str) -> int:
        """A limit in seconds of its own metric: plain seconds for calendar hours, working seconds
        for working hours and working days (a working day = `day_seconds`); rounded half up."""
        amount = _decimal(amount, "amount")
        if unit == TimeUnit.CALENDAR_HOURS or unit == TimeUnit.WORKING_HOURS:
            seconds = amount * 3600
        elif unit == TimeUnit.WORKING_DAYS:
            seconds = amount * self.day_seconds
        else:
            raise ValueError(f"Unknown time unit {unit!r}")
        return int(seconds.to_integral_value(ROUND_HALF_UP))

    def point_after(self, start: datetime, seconds: int | float | Decimal, unit: str) -> datetime:
        """The instant `seconds` of the unit's metric after `start` (see `limit_seconds`)."""
        if unit == TimeUnit.CALENDAR_HOURS:
            self._local(start, "start")
            delta = timedelta(seconds=float(_decimal(seconds, "seconds")))
            return (start.astimezone(UTC) + delta).astimezone(self.tz)
        if unit == TimeUnit.WORKING_HOURS or unit == TimeUnit.WORKING_DAYS:
            return self.add_working_seconds(start, seconds)
        raise ValueError(f"Unknown time unit {unit!r}")

    def elapsed(self, start: datetime, end: datetime, unit: str) -> int:
        """Whole seconds of the unit's metric between start and end; 0 if end ≤ start."""
        if unit == TimeUnit.CALENDAR_HOURS:
            self._local(start, "start")
            self._local(end, "end")
            return max(0, int((end - start).total_seconds()))
        if unit == TimeUnit.WORKING_HOURS or unit == TimeUnit.WORKING_DAYS:
            return self.working_seconds(start, end)
        raise ValueError(f"Unknown time unit {unit!r}")

    def add(self, start: datetime, amount: Decimal | float | int, unit: str) -> datetime:
        """The deadline of a limit of `amount` `unit`s started at `start`."""
        return self.point_after(start, self.limit_seconds(amount, unit), unit)

    def schedule(
        self,
        start: datetime,
        amount: Decimal | float | int,
        unit: str,
        *,
        used_seconds: int = 0,
        warn_fraction: Decimal | float = DEFAULT_WARN_FRACTION,
    ) -> Schedule:
        """Warning and deadline of a clock (re)started at `start`.

        `used_seconds` is what the step had already used (in the unit's metric) before a
        suspension; a point already passed (warning or deadline) comes out as `start`.
        """
        limit = self.limit_seconds(amount, unit)
        fraction = _decimal(warn_fraction, "warn_fraction")
        if fraction > 1:
            raise ValueError(f"warn_fraction must be between 0 and 1, not {warn_fraction!r}")
        threshold = int((limit * fraction).to_integral_value(ROUND_HALF_UP))
        used = int(_decimal(used_seconds, "used_seconds"))
        return Schedule(
            limit_seconds=limit,
            warn_at=self.point_after(start, max(threshold - used, 0), unit),
            deadline=self.point_after(start, max(limit - used, 0), unit),
        )


# -- Per-process cache ---------------------------------------------------------------------------

_lock = threading.Lock()
_cached: tuple[int, WorkCalendar] | None = None
_txn = threading.local()  # per thread, like DB connections


def current_calendar() -> WorkCalendar:
    """The database calendar, cached per process; one cheap query checks the version stamp.

    Inside a transaction that itself changed the calendar, the calendar is loaded fresh and not
    cached (the change may still roll back, and a later bump elsewhere would reuse the stamp).
    """
    from citygrid.core.models import VersionStamp

    global _cached
    if getattr(_txn, "dirty", False):
        if connection.in_atomic_block:
            return WorkCalendar.load()
        _txn.dirty = False
    stamp = VersionStamp.read(STAMP_NAME)
    cached = _cached
    if cached is not None and cached[0] == stamp:
        return cached[1]
    with _lock:
        if _cached is not None and _cached[0] == stamp:
            return _cached[1]
        calendar = WorkCalendar.load()
        _cached = (stamp, calendar)
        return calendar


def bump_calendar() -> None:
    """Mark the calendar changed: every process reloads it on its next `current_calendar()`."""
    from citygrid.core.models import VersionStamp

    VersionStamp.bump(STAMP_NAME)
    if connection.in_atomic_block:
        _txn.dirty = True
        transaction.on_commit(_clear_dirty)


def _clear_dirty() -> None:
    _txn.dirty = False


def reset_calendar_cache() -> None:
    """Forget the cached calendar (tests: stamps repeat when transactions roll back)."""
    global _cached
    _cached = None
    _txn.dirty = False


def _on_calendar_change(sender, **kwargs) -> None:
    bump_calendar()


def connect_signals() -> None:
    """Bump the stamp on every save or delete of CalendarDay and WorkingPeriod (idempotent)."""
    from django.db.models.signals import post_delete, post_save

    from citygrid.cases.models import CalendarDay, WorkingPeriod

    for model in (CalendarDay, WorkingPeriod):
        for signal, action in ((post_save, "save"), (post_delete, "delete")):
            signal.connect(
                _on_calendar_change,
                sender=model,
                dispatch_uid=f"work_calendar_{action}_{model._meta.label_lower}",
            )
