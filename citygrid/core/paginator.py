"""Pages that never count more rows than they must.

Counting every row in scope costs as much as reading them (0.6 s at 10 M people), so a list
counts exactly only up to `CITYGRID_EXACT_COUNT_LIMIT`. Above that, PostgreSQL's planner
estimate is shown as "约 …"; other databases show "… 条以上". Pages fetch one row more than
they show, so "next" is known without the total, and a page past an estimate that was too
high is an empty page, not a 404.
"""

import json
from dataclasses import dataclass
from functools import cached_property

from django.conf import settings
from django.core.paginator import EmptyPage, Page, PageNotAnInteger, Paginator
from django.db import connections


@dataclass(frozen=True)
class Total:
    """How many rows a list holds: exact, a planner estimate, or at least `value`."""

    value: int
    exact: bool = True
    estimated: bool = False

    @property
    def label(self) -> str:
        if self.exact:
            return f"共 {self.value:,} 条"
        if self.estimated:
            return f"约 {self.value:,} 条"
        return f"{self.value:,} 条以上"


def planner_estimate(queryset) -> int | None:
    """PostgreSQL's row estimate for the filtered query ("Plan Rows"), or None elsewhere."""
    if connections[queryset.db].vendor != "postgresql":
        return None
    plan = json.loads(queryset.order_by().explain(format="json"))
    return int(plan[0]["Plan"]["Plan Rows"])


def bounded_count(queryset, limit: int | None = None) -> Total:
    """Exact up to `limit` (`SELECT count(*) FROM (… LIMIT limit+1)`), estimated above it."""
    limit = settings.CITYGRID_EXACT_COUNT_LIMIT if limit is None else limit
    counted = queryset.order_by()[: limit + 1].count()
    if counted <= limit:
        return Total(counted)
    estimate = planner_estimate(queryset)
    if estimate is None:
        return Total(limit, exact=False)
    # The planner may guess below what was just counted; never show less than that.
    return Total(max(estimate, counted), exact=False, estimated=True)


class BoundedPage(Page):
    """A page that knows whether another follows from one row fetched beyond it."""

    def __init__(self, object_list, number, paginator, has_next: bool):
        super().__init__(object_list, number, paginator)
        self._has_next = has_next

    def has_next(self) -> bool:
        return self._has_next

    def end_index(self) -> int:
        return self.start_index() + len(self.object_list) - 1 if self.object_list else 0


# No list holds this many rows; an OFFSET past it is answered empty without asking the database,
# whose integer it could overflow (a page number of 19 digits, say).
OFFSET_BEYOND_ANY_LIST = 2**31


class BoundedPaginator(Paginator):
    """Django's paginator with a bounded count; any page number ≥ 1 is valid."""

    @cached_property
    def total(self) -> Total:
        return bounded_count(self.object_list)

    @cached_property
    def count(self) -> int:
        return self.total.value

    def validate_number(self, number) -> int:
        try:
            number = int(number)
        except (TypeError, ValueError) as exc:
            raise PageNotAnInteger("页码应为整数") from exc
        if number < 1:
            raise EmptyPage("页码应大于 0")
        return number

    def page(self, number) -> BoundedPage:
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        if bottom >= OFFSET_BEYOND_ANY_LIST:
            return BoundedPage([], number, self, False)
        rows = list(self.object_list[bottom : bottom + self.per_page + 1])
        return BoundedPage(rows[: self.per_page], number, self, len(rows) > self.per_page)
