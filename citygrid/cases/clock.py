"""The current step's clock: deadline and warning point from the time-limit table and the
working calendar; paused while suspended, lengthened by approved extensions."""

from datetime import datetime, timedelta
from decimal import Decimal

from django.conf import settings

from citygrid.cases.calendar import current_calendar
from citygrid.cases.choices import TimeUnit
from citygrid.cases.models import Case, TimeLimit


def limit_for(case: Case, step: str) -> tuple[Decimal, str]:
    row = (
        TimeLimit.objects.filter(category=case.category, urgency=case.urgency, step=step)
        .values_list("amount", "unit")
        .first()
    )
    if row:
        return Decimal(row[0]), row[1]
    amount, unit = settings.CASE_DEFAULT_LIMITS[step]
    return Decimal(str(amount)), unit


def _elapsed(cal, case: Case, start: datetime, end: datetime) -> int:
    """Seconds of the step's clock between two instants, in the unit's own time."""
    if case.step_unit == TimeUnit.CALENDAR_HOURS:
        return max(0, int((end - start).total_seconds()))
    return cal.working_seconds(start, end)


def _after(cal, case: Case, start: datetime, seconds: int) -> datetime:
    if case.step_unit == TimeUnit.CALENDAR_HOURS:
        return start + timedelta(seconds=seconds)
    return cal.add_working_seconds(start, seconds)


def _set_warning(cal, case: Case) -> None:
    total = _elapsed(cal, case, case.step_started, case.step_deadline) - case.paused_seconds
    point = int(max(total, 0) * settings.CASE_WARN_FRACTION) + case.paused_seconds
    case.step_warn_at = _after(cal, case, case.step_started, point)


def start_step(case: Case, step: str, now: datetime) -> None:
    cal = current_calendar()
    amount, unit = limit_for(case, step)
    case.step, case.step_unit, case.step_started = step, unit, now
    case.step_deadline = cal.add(now, amount, unit)
    case.paused_seconds = 0
    case.paused_at = None
    case.warned = case.overdue_notified = False
    _set_warning(cal, case)


def stop_clock(case: Case) -> None:
    case.step = case.step_unit = ""
    case.step_started = case.step_deadline = case.step_warn_at = None
    case.paused_seconds = 0


def finish_step(case: Case, now: datetime) -> tuple[bool | None, int | None]:
    """Whether the step ends on time, and the clock-seconds it used (pauses excluded)."""
    if not case.step_started:
        return None, None
    used = max(0, _elapsed(current_calendar(), case, case.step_started, now) - case.paused_seconds)
    return now <= case.step_deadline, used


def pause(case: Case, now: datetime) -> None:
    case.paused_at = now


def resume(case: Case, now: datetime) -> None:
    """Give back the time spent suspended: the deadline moves by the paused clock time."""
    if case.paused_at and case.step_started:
        cal = current_calendar()
        case.paused_seconds += _elapsed(cal, case, case.paused_at, now)
        remaining = _elapsed(cal, case, case.paused_at, case.step_deadline)
        if remaining:
            case.step_deadline = _after(cal, case, now, remaining)
        _set_warning(cal, case)
    case.paused_at = None


def extend(case: Case, hours: Decimal) -> None:
    cal = current_calendar()
    case.step_deadline = cal.add(case.step_deadline, hours, TimeUnit.WORKING_HOURS)
    case.warned = case.overdue_notified = False
    _set_warning(cal, case)
