"""Age arithmetic shared by the person page, the list filters and the statistics, so that a
person's age, the "年龄不小于" filter and the age pyramid never disagree."""

from datetime import date


def years_before(day: date, years: int) -> date:
    """The same calendar day `years` earlier; 29 February becomes 28 February in a common year
    (so whoever was born on or before it has had that birthday — `age` agrees)."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)


def age(born: date | None, on: date | None = None) -> int | None:
    if born is None:
        return None
    on = on or date.today()
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))
