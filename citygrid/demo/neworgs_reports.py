"""Demo 两新组织月报: three months of the monthly report over the demo city's organisations —
most communities submitted, some left as drafts or never generated, and every township, county
and city that has all its children in rolled up and submitted — written through the real
actions (`neworgs.reports`) with simulated generation times in the first days of each next
month.

The organisations' `created` times are spread over the year before the first demo month (a
demo seeded today would otherwise have every organisation "new" in the current month and none
in the past); closures have no history in the demo, so the closed column stays at zero.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.db import transaction
from django.utils import timezone

from citygrid.accounts.models import User
from citygrid.core import writeguard
from citygrid.neworgs import reports
from citygrid.neworgs.models import NewOrganisation
from citygrid.regions.choices import RegionLevel
from citygrid.regions.models import Region

MONTHS = 3


@dataclass
class DemoReportsResult:
    months: list[date] = field(default_factory=list)
    submitted: int = 0
    drafts: int = 0
    missing: int = 0


def generate_demo_monthly_reports(
    rng: random.Random,
    *,
    now: datetime | None = None,
    missing_share: float = 0.1,
    draft_share: float = 0.05,
    actor: User | None = None,
) -> DemoReportsResult:
    """The three months before `now`'s month. `actor` files every report (default: the first
    superuser); deterministic given `rng` and `now`."""
    now = now or timezone.now()
    actor = actor or User.objects.filter(is_superuser=True, is_active=True).order_by("pk").first()
    if actor is None:
        raise ValueError("演示月报需要一个超级管理员账号")
    last = reports.previous_month(timezone.localdate(now).replace(day=1))
    months = [last]
    while len(months) < MONTHS:
        months.insert(0, reports.previous_month(months[0]))
    result = DemoReportsResult(months=months)
    # Its own stream: how many organisations need a past must not shift the draws below.
    _spread_created(random.Random(rng.getrandbits(32)), reports.first_instant(months[0]))
    communities = list(Region.objects.filter(level=RegionLevel.COMMUNITY).order_by("code"))
    for month in months:
        at = reports.first_instant(reports.next_month(month)) + timedelta(days=1, hours=9)
        for community in communities:
            draw = rng.random()
            if draw < missing_share:
                result.missing += 1
                continue
            report = reports.generate_report(
                community, month, actor=actor, now=at + timedelta(minutes=rng.randrange(600))
            )
            if draw < missing_share + draft_share:
                result.drafts += 1
                continue
            reports.submit_report(report, actor=actor, now=report.generated_at)
            result.submitted += 1
        for level in (RegionLevel.TOWNSHIP, RegionLevel.COUNTY, RegionLevel.CITY):
            at += timedelta(days=1)
            _roll_up_level(level, month, actor, at, result)
    return result


def _roll_up_level(level: str, month: date, actor, at: datetime, result) -> None:
    """Every region of the level sums its children; those with none missing submit."""
    for region in Region.objects.filter(level=level).order_by("code"):
        report = reports.generate_report(region, month, actor=actor, now=at)
        if reports.missing(region, month):
            result.drafts += 1
            continue
        reports.submit_report(report, actor=actor, now=at)
        result.submitted += 1


def _spread_created(rng: random.Random, before: datetime) -> None:
    """Organisations recorded later than `before` get a `created` time in the year before it:
    bookkeeping of the demo's past, written directly like the other demo histories."""
    late = list(NewOrganisation.objects.filter(created__gte=before).order_by("pk").only("pk"))
    year = int(timedelta(days=365).total_seconds())
    for organisation in late:
        organisation.created = before - timedelta(seconds=rng.randrange(1, year))
    with transaction.atomic(), writeguard.unlogged():
        NewOrganisation.objects.bulk_update(late, ["created"], batch_size=2000)


def summary(result: DemoReportsResult) -> str:
    return (
        f"两新组织月报：{len(result.months)} 个月，已上报 {result.submitted} 份、"
        f"草稿 {result.drafts} 份、未生成 {result.missing} 个社区次"
    )
