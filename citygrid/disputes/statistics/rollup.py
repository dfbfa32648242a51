"""Keeping `DisputeRollup` in step with the disputes.

`count(event, dispute)` is the workflow's `on_event`: inside the action's transaction it
recomputes the BASE rows of the dispute's registration day and grid from the disputes of that
day and grid (a handful on the `(region_code, reported_at)` index), then the DAY rows of that
day and the MONTH rows of that month for the grid and each region above it, each summed from the
finer rows. Every row thus equals what a grouped query over the disputes would say. A
registration can also make an earlier dispute a repeat one (its party now appears twice): that
dispute's buckets are refreshed too. `rebuild()` recomputes everything with a few
INSERT … SELECT statements, for bulk loads and after party edits made outside the workflow.
"""

from collections import defaultdict
from datetime import date, datetime, time, timedelta

from django.db import connection, transaction
from django.db.models import (
    Count,
    DateField,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Sum,
    Value,
)
from django.db.models.functions import Length, Substr, TruncDate, TruncMonth
from django.utils import timezone

from citygrid.disputes.models import Dispute, DisputeParty
from citygrid.disputes.statistics.models import BASE, DAY, MONTH, DisputeRollup
from citygrid.regions.models import Region

COLUMNS = ("span", "day", "region_code", "depth", "category", "level", "outcome")
COUNTERS = ("total", "due", "on_time", "petition", "mass_incident", "repeat")
CONCLUDED_DUE = Q(outcome__gt="", due_at__isnull=False)


def repeat_condition() -> Q:
    """The outer dispute has a party whose identity (`DisputeParty.identity_index`: the ID
    number's blind index when an ID was given, else the name's) is a party's of another
    dispute, at any time. Two correlated EXISTS on the indexed blind-index columns."""
    elsewhere = DisputeParty.objects.exclude(dispute=OuterRef("dispute"))
    by_id = (
        DisputeParty.objects.filter(dispute=OuterRef("pk"))
        .exclude(id_number_index="")
        .filter(Exists(elsewhere.filter(id_number_index=OuterRef("id_number_index"))))
    )
    by_name = DisputeParty.objects.filter(dispute=OuterRef("pk"), id_number_index="").filter(
        Exists(elsewhere.filter(id_number_index="", name_index=OuterRef("name_index")))
    )
    return Q(Exists(by_id)) | Q(Exists(by_name))


def _base(disputes: QuerySet) -> QuerySet:
    """BASE rows of `disputes`, grouped by registration day and their own region."""
    return (
        disputes.order_by()
        .annotate(
            span=Value(BASE),
            day=TruncDate("reported_at"),
            depth=Length("region_code", output_field=IntegerField()),
        )
        .values(*COLUMNS)
        .annotate(
            total=Count("id"),
            due=Count("id", filter=CONCLUDED_DUE),
            on_time=Count("id", filter=CONCLUDED_DUE & Q(concluded_at__lte=F("due_at"))),
            petition=Count("id", filter=Q(risk_petition=True)),
            mass_incident=Count("id", filter=Q(risk_mass_incident=True)),
            repeat=Count("id", filter=repeat_condition()),
        )
    )


def _summed(rows: QuerySet, span: str, depth: int, day) -> QuerySet:
    """`rows` summed into `span` rows of the regions `depth` long."""
    return (
        rows.order_by()
        .annotate(
            new_span=Value(span),
            new_day=day,
            code=Substr("region_code", 1, depth),
            new_depth=Value(depth, output_field=IntegerField()),
        )
        .values("new_span", "new_day", "code", "new_depth", "category", "level", "outcome")
        .annotate(**{name: Sum(name) for name in COUNTERS})
    )


def _insert(rows: QuerySet) -> int:
    """INSERT … SELECT: the rows never travel through Python."""
    sql, params = rows.query.get_compiler(connection=connection).as_sql()
    columns = ", ".join(connection.ops.quote_name(c) for c in (*COLUMNS, *COUNTERS))
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {DisputeRollup._meta.db_table} ({columns}) {sql}", params)
        return cursor.rowcount


def _midnight(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def _lock(keys: list[str]) -> None:
    """Actions on disputes sharing a bucket refresh its rows one after the other; the keys are
    taken in one sorted order, in one statement, so two refreshes never wait for each other
    crosswise (PostgreSQL; SQLite serialises writers anyway)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(pg_advisory_xact_lock(hashtext(k))) "
                "FROM (SELECT unnest(%s::text[]) AS k ORDER BY 1) keys",
                [sorted(keys)],
            )


def _regions_above(code: str) -> list[str]:
    """The region `code` and every region above it."""
    prefixes = [code[:n] for n in range(1, len(code) + 1)]
    return list(Region.objects.filter(code__in=prefixes).values_list("code", flat=True))


def _day_rows(day: date, codes: set[str]) -> QuerySet:
    """DAY rows of `day` for each region of `codes`, summed from the day's BASE rows within it
    (the unique index: span, day, code), as one UNION ALL."""
    base = DisputeRollup.objects.filter(span=BASE, day=day)
    parts = [
        _summed(base.filter(region_code__within=code), DAY, len(code), F("day"))
        for code in sorted(codes)
    ]
    return parts[0].union(*parts[1:], all=True)


def _month_rows(month: date, codes: set[str]) -> QuerySet:
    """MONTH rows of `month` for each region of `codes`, summed from their DAY rows (the cut
    index: span, depth, code, day)."""
    following = (month + timedelta(days=31)).replace(day=1)
    daily = DisputeRollup.objects.filter(
        span=DAY,
        depth__in={len(code) for code in codes},
        region_code__in=codes,
        day__gte=month,
        day__lt=following,
    )
    return (
        daily.order_by()
        .annotate(new_span=Value(MONTH), new_day=Value(month, output_field=DateField()))
        .values("new_span", "new_day", "region_code", "depth", "category", "level", "outcome")
        .annotate(**{name: Sum(name) for name in COUNTERS})
    )


def refresh(buckets: set[tuple[date, str]]) -> None:
    """Recompute the rows of each (registration day, grid): its BASE rows, then the DAY and
    MONTH rows of the grid and the regions above it. A fixed handful of statements per bucket,
    however deep the tree."""
    days: dict[date, set[str]] = defaultdict(set)
    months: dict[date, set[str]] = defaultdict(set)
    for day, region_code in buckets:
        codes = {region_code, *_regions_above(region_code)}
        days[day] |= codes
        months[day.replace(day=1)] |= codes
    keys = [f"disputerollup:{DAY}:{d}:{c}" for d, codes in days.items() for c in codes]
    keys += [f"disputerollup:{MONTH}:{m}:{c}" for m, codes in months.items() for c in codes]
    with transaction.atomic():
        _lock(keys)
        for day, region_code in sorted(buckets):
            DisputeRollup.objects.filter(span=BASE, day=day, region_code=region_code).delete()
            _insert(
                _base(
                    Dispute.objects.filter(
                        region_code=region_code,
                        reported_at__gte=_midnight(day),
                        reported_at__lt=_midnight(day + timedelta(days=1)),
                    )
                )
            )
        for day, codes in sorted(days.items()):
            DisputeRollup.objects.filter(span=DAY, day=day, region_code__in=codes).delete()
            _insert(_day_rows(day, codes))
        for month, codes in sorted(months.items()):
            DisputeRollup.objects.filter(span=MONTH, day=month, region_code__in=codes).delete()
            _insert(_month_rows(month, codes))


def _newly_repeated(dispute) -> set[tuple[date, str]]:
    """Buckets of the earlier disputes that this one makes repeat ones: an identity of its
    parties found in exactly one other dispute (found in two or more, those were repeat
    already). At most two rows read per party, however often a party has come before."""
    buckets = set()
    for id_index, name_index in dispute.parties.values_list("id_number_index", "name_index"):
        same = Q(id_number_index=id_index)
        if not id_index:
            same &= Q(name_index=name_index)
        parties = DisputeParty.objects.filter(same, dispute=OuterRef("pk"))
        others = list(
            Dispute.objects.filter(Exists(parties))
            .exclude(pk=dispute.pk)
            .values_list("reported_at", "region_code")[:2]
        )
        if len(others) == 1:
            reported_at, region_code = others[0]
            buckets.add((timezone.localdate(reported_at), region_code))
    return buckets


def count(event, dispute) -> None:
    """The workflow's `on_event`: refresh the dispute's own bucket after every event (its outcome,
    level, category, risks or deadline may have changed), and on registration the buckets of the
    disputes it turns into repeat ones."""
    buckets = {(timezone.localdate(dispute.reported_at), dispute.region_code)}
    if event.action == "register":
        buckets |= _newly_repeated(dispute)
    refresh(buckets)


def rebuild() -> int:
    """Every row again from the disputes; returns the number of rows."""
    depths = sorted(
        set(
            Region.objects.annotate(n=Length("code"))
            .values_list("n", flat=True)
            .distinct()
            .order_by()
        )
    )
    with transaction.atomic():
        DisputeRollup.objects.all().delete()
        rows = _insert(_base(Dispute.objects.all()))
        base = DisputeRollup.objects.filter(span=BASE)
        for depth in depths:
            rows += _insert(_summed(base.filter(depth__gte=depth), DAY, depth, F("day")))
        daily = DisputeRollup.objects.filter(span=DAY)
        for depth in depths:
            rows += _insert(_summed(daily.filter(depth=depth), MONTH, depth, TruncMonth("day")))
        return rows
