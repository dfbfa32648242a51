"""催报: a reminder to the people who may submit a late region's monthly report — in-app and
by SMS — sent by hand from the level above's status board, or by the periodic job after the
due day, at most once per region and month."""

import contextlib
from datetime import date, datetime

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from citygrid.core.errors import ActionError
from citygrid.neworgs import reports
from citygrid.neworgs.models import MonthlyReport, MonthlyReportReminder
from citygrid.neworgs.models.reports import ReportState
from citygrid.neworgs.reports_notify import SMS_TEMPLATE, submitters
from citygrid.notify.services import notify_user, send_sms
from citygrid.regions.models import Region

# Reports of a month are due by this day of the next month.
DUE_DAY = 5


def remind(
    region: Region,
    month: date,
    *,
    actor=None,
    now: datetime | None = None,
) -> MonthlyReportReminder:
    """Remind one late region; `actor` None is the periodic job. Raises ActionError when the
    actor may not, or the report is already submitted."""
    now = now or timezone.now()
    if actor is not None:
        if not actor.has_perm(reports.REMIND_PERMISSION):
            raise ActionError("permission_denied", "您没有催报的权限", 403)
        if region.parent is None or not actor.covers(region.parent.code):
            raise reports.ReportNotFound
    submitted = MonthlyReport.objects.filter(
        region=region, month=month, state=ReportState.SUBMITTED
    )
    if submitted.exists():
        raise ActionError("already_submitted", f"{region.name}已上报，无需催报", 409)
    people = list(submitters(region))
    with transaction.atomic():
        reminder = MonthlyReportReminder.objects.create(
            region=region,
            month=month,
            sent_at=now,
            sent_by=actor,
            automatic=actor is None,
            recipients=len(people),
        )
        label = reports.month_label(month)
        url = f"{reverse('neworgs:monthlyreport_home')}?region={region.pk}&month={month:%Y-%m}"
        for person in people:
            notify_user(
                person,
                f"请上报{region.name}{label}两新组织月报",
                f"{label}两新组织月报尚未上报，请尽快审核上报。",
                url=url,
                level="warning",
            )
            if person.phone:
                # A malformed number is skipped: the in-app message still reaches them.
                with contextlib.suppress(ValueError):
                    send_sms(
                        person.phone,
                        SMS_TEMPLATE,
                        {"region": region.name, "month": label},
                        region_code=region.code,
                    )
    return reminder


def remind_due(now: datetime | None = None) -> int:
    """The periodic job: after the due day, every region late with last month's report gets
    one automatic reminder. Returns how many regions were reminded."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    if today.day < DUE_DAY:
        return 0
    month = reports.previous_month(today.replace(day=1))
    sent = 0
    for region in reports.late_regions(month).select_related("parent"):
        try:
            remind(region, month, now=now)
        except IntegrityError:
            continue  # another run reminded it a moment ago
        sent += 1
    return sent
