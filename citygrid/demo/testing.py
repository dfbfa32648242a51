"""A small demo city for tests that need every record type (the scope probe, the API fuzz)."""

from datetime import date, datetime

from django.utils import timezone

from citygrid.core import writeguard


def small_demo_city(
    settings, *, seed: int, grids: tuple[int, int], cases: int, people: int, disputes: int = 0
):
    """Two counties with one township and community each, their grids, accounts, `cases` cases,
    `disputes` disputes and `people` persons, written as `seed_demo` writes them (no history).
    Returns the city."""
    from citygrid.demo.cases import generate_demo_cases
    from citygrid.demo.disputes import generate_demo_disputes
    from citygrid.demo.people import generate_demo_people
    from citygrid.demo.regions import DemoSize, create_demo_accounts, generate_demo_city

    settings.DEMO_MODE = True
    size = DemoSize(counties=2, townships=(1, 1), communities=(1, 1), grids=grids)
    with writeguard.unlogged():
        result = generate_demo_city(seed, size)
        create_demo_accounts(result.city)
        now = timezone.make_aware(datetime(2026, 11, 30, 10))
        generate_demo_cases(result.city, seed=seed, count=cases, now=now)
        if disputes:
            generate_demo_disputes(result.city, seed=seed, count=disputes, now=now)
        generate_demo_people(result.city, seed=seed, count=people, today=date(2026, 11, 30))
    return result.city
