"""The current step's clock: deadline and warning point from the time-limit table and the
working calendar; paused while suspended, lengthened by approved extensions. All time
arithmetic is the calendar's (`cases/calendar.py`), measured in the step's own unit."""

from datetime import datetime
from decimal import Decimal

from django.conf import settings

from citygrid.cases.calendar import current_calendar
from citygrid.cases.choices import TimeUnit
from citygrid.cases.models import Case, TimeLimit


def limits_for(case: Case) -> dict[str, tuple[Decimal, str]]:
    """Every step's limit (amount, unit) for the case's class and urgency, in one query: the
    time-limit table's row, else the default of settings."""
    rows = TimeLimit.objects.filter(category_id=case.category_id, urgency=case.urgency).values_list(
        "step", "amount", "unit"
    )
    found = {step: (Decimal(amount), unit) for step, amount, unit in rows}
    return {
        step: found.get(step, (Decimal(str(amount)), unit))
        for step, (amount, unit) in settings.CASE_DEFAULT_LIMITS.items()
    }


def _set_warning(cal, case: Case) -> None:
    """The warning point: the warn fraction of the step's clock time between start and
    deadline, counting from the start and skipping the time spent suspended."""
    unit = case.step_unit
    total = cal.elapsed(case.step_started, case.step_deadline, unit) - case.paused_seconds
    point = int(max(total, 0) * settings.CASE_WARN_FRACTION) + case.paused_seconds
    case.step_warn_at = cal.point_after(case.step_started, point, unit)


def start_step(case, step: str, now: datetime, limit: tuple[Decimal, str] | datetime) -> None:
    """Start `step`'s clock on a workflow record (a `StepClock`) with its limit: an (amount,
    unit), or a fixed deadline someone set (a dispute's referral), measured in working hours."""
    cal = current_calendar()
    if isinstance(limit, datetime):
        unit = TimeUnit.WORKING_HOURS
        deadline = max(limit, now)
        used = cal.elapsed(now, deadline, unit)
        warn_at = cal.point_after(now, int(used * settings.CASE_WARN_FRACTION), unit)
    else:
        amount, unit = limit
        plan = cal.schedule(now, amount, unit, warn_fraction=settings.CASE_WARN_FRACTION)
        deadline, warn_at = plan.deadline, plan.warn_at
    case.step, case.step_unit, case.step_started = step, unit, now
    case.step_deadline, case.step_warn_at = deadline, warn_at
    case.paused_seconds = 0
    case.paused_at = None
    case.warned = case.overdue_notified = False


def stop_clock(case: Case) -> None:
    case.step = case.step_unit = ""
    case.step_started = case.step_deadline = case.step_warn_at = None
    case.paused_seconds = 0


def finish_step(case: Case, now: datetime) -> tuple[bool | None, int | None]:
    """Whether the step ends on time, and the clock-seconds it used (pauses excluded)."""
    if not case.step_started:
        return None, None
    used = current_calendar().elapsed(case.step_started, now, case.step_unit)
    return now <= case.step_deadline, max(0, used - case.paused_seconds)


def pause(case: Case, now: datetime) -> None:
    case.paused_at = now


def resume(case: Case, now: datetime) -> None:
    """Give back the time spent suspended: the deadline moves by the paused clock time."""
    if case.paused_at and case.step_started:
        cal, unit = current_calendar(), case.step_unit
        case.paused_seconds += cal.elapsed(case.paused_at, now, unit)
        remaining = cal.elapsed(case.paused_at, case.step_deadline, unit)
        if remaining:
            case.step_deadline = cal.point_after(now, remaining, unit)
        _set_warning(cal, case)
    case.paused_at = None


def extend(case: Case, hours: Decimal) -> None:
    cal = current_calendar()
    case.step_deadline = cal.add(case.step_deadline, hours, TimeUnit.WORKING_HOURS)
    case.warned = case.overdue_notified = False
    _set_warning(cal, case)
