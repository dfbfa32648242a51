"""Case numbers: the local day (YYYYMMDD) and a sequence within it (five digits, more if a day
ever needs them).

On PostgreSQL each day has its own sequence. `nextval` takes no row lock and is not undone by a
rollback, so concurrent intakes never wait for each other; a rolled-back intake leaves a gap,
which is harmless (numbers are unique, not contiguous). A counter row updated inside the intake
transaction made every intake queue behind the one before it until it committed. The database
function `case_number_next` (migration 0011) creates a day's sequence on its first use, so no
process has to remember which exist (a rolled-back transaction takes a new one with it).

SQLite lets one writer in at a time anyway, so it keeps the counter row (`VersionStamp`).
"""

from datetime import date, datetime, timedelta

from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from citygrid.core.models import VersionStamp

PREFIX = "case_number_"
# Sequences of days this long ago are dropped by `prepare_sequences`: numbers are only ever
# drawn for the day of the report, which is at most a little in the past (a clock, a retry).
KEEP_DAYS = 7


def sequence_name(day: date) -> str:
    return f"{PREFIX}{day:%Y%m%d}"


def next_number(now: datetime) -> str:
    day = timezone.localdate(now)
    if connection.vendor == "postgresql":
        value = _next_in_sequence(sequence_name(day))
    else:
        name = sequence_name(day)
        VersionStamp.bump(name)
        value = VersionStamp.read(name)
    return f"{day:%Y%m%d}{value:05d}"


def _next_in_sequence(name: str) -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT case_number_next(%s)", [name])
        return cursor.fetchone()[0]


def sequences() -> list[str]:
    """The names of the day sequences that exist (PostgreSQL), oldest first."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT relname FROM pg_class WHERE relkind = 'S' AND relname LIKE %s "
            "AND pg_table_is_visible(oid) ORDER BY relname",
            [PREFIX.replace("_", r"\_") + "%"],
        )
        return [row[0] for row in cursor.fetchall()]


def prepare_sequences(today: date | None = None) -> int:
    """Create today's and tomorrow's sequences ahead of the first intake (which would otherwise
    create it while other intakes wait on the new name) and drop those older than KEEP_DAYS;
    returns how many were dropped."""
    if connection.vendor != "postgresql":
        return 0
    today = today or timezone.localdate()
    oldest = sequence_name(today - timedelta(days=KEEP_DAYS))
    with connection.cursor() as cursor:
        for day in (today, today + timedelta(days=1)):
            # In a savepoint: a concurrent first intake may create it at the same moment.
            try:
                with transaction.atomic():
                    cursor.execute(f'CREATE SEQUENCE IF NOT EXISTS "{sequence_name(day)}"')
            except IntegrityError:
                pass
        stale = [name for name in sequences() if name < oldest]
        for name in stale:
            cursor.execute(f'DROP SEQUENCE IF EXISTS "{name}"')
    return len(stale)
