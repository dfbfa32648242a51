"""Dispute numbers: "JF", the local day (YYYYMMDD) and a five-digit sequence within it, from a
counter row. Disputes are registered by staff a few hundred a day at most, so the counter's
row lock (held to the end of the registration) costs nothing, unlike a case intake's."""

from datetime import datetime

from django.utils import timezone

from citygrid.core.models import VersionStamp

PREFIX = "JF"


def next_number(now: datetime) -> str:
    day = timezone.localdate(now)
    name = f"dispute_number_{day:%Y%m%d}"
    VersionStamp.bump(name)
    return f"{PREFIX}{day:%Y%m%d}{VersionStamp.read(name):05d}"
