"""One page of a list page's table, with its bounded total and links.

Numbered links use OFFSET, which reads every skipped row; they stop at
`CITYGRID_OFFSET_PAGE_LIMIT` when the list's ordering can be sought (`core/keyset.py`).
"上一页"/"下一页" then carry the first or last row's id (`before=`/`after=`; the key itself
is read back from the row, so no name lands in a URL) and stay as cheap on page 10 000 as on
page 2. Orderings that cannot be sought (a sort by a joined column) page by OFFSET.
"""

from dataclasses import dataclass

from django.conf import settings
from django.contrib import messages
from django.http import QueryDict

from citygrid.core import keyset
from citygrid.core.paginator import BoundedPage, BoundedPaginator, Total

PAGE_PARAMS = ("page", "after", "before")


@dataclass
class Listing:
    page: BoundedPage
    total: Total
    numbers: list[tuple[int, str]]
    previous_query: str | None
    next_query: str | None
    first_query: str


def positive(params: QueryDict, name: str) -> int | None:
    value = params.get(name, "")
    return int(value) if value.isdigit() and 0 < int(value) < 2**63 else None


def _query(params: QueryDict, **values) -> str:
    query = params.copy()
    for name in PAGE_PARAMS:
        query.pop(name, None)
    for name, value in values.items():
        if value is not None:
            query[name] = str(value)
    return query.urlencode()


def per_page(request, default: int) -> int:
    """`?per_page=` from the address bar, capped: a huge one would render the whole table."""
    cap = settings.CITYGRID_MAX_PAGE_SIZE
    asked = positive(request.GET, "per_page") or default
    if asked > cap:
        messages.warning(request, f"每页最多显示 {cap} 条")
    return min(asked, cap)


def seek_page(queryset, paginator, keys, number: int, anchor_id: int, forward: bool):
    """The page after (or before) the row `anchor_id`; None when that row is gone."""
    names, descending = keys
    anchor = queryset.filter(pk=anchor_id).values_list(*names).first()
    if anchor is None:
        return None
    size = paginator.per_page
    rows = list(keyset.seek(queryset, names, descending, anchor, forward=forward)[: size + 1])
    more = len(rows) > size
    rows = rows[:size]
    if forward:
        return BoundedPage(rows, number, paginator, has_next=more)
    rows.reverse()
    # Walking back to the start lands on page 1, whatever number the link carried.
    return BoundedPage(rows, number if more else 1, paginator, has_next=True)


def paginate(request, queryset, size: int) -> Listing:
    params = request.GET
    if not queryset.ordered:
        # Without an order the database may return a row on two pages and skip another.
        queryset = queryset.order_by("pk")
    paginator = BoundedPaginator(queryset, size)
    keys = keyset.key_fields(queryset)
    number = positive(params, "page") or 1
    page = None
    after, before = positive(params, "after"), positive(params, "before")
    if keys and (after or before):
        page = seek_page(queryset, paginator, keys, number, after or before, forward=bool(after))
    if page is None:
        page = paginator.page(number)
    total = paginator.total
    limit = settings.CITYGRID_OFFSET_PAGE_LIMIT if keys else None
    return Listing(
        page=page,
        total=total,
        numbers=[(n, _query(params, page=n)) for n in _numbers(page.number, total, size, limit)],
        previous_query=_previous(params, page, keys),
        next_query=_next(params, page, keys),
        first_query=_query(params),
    )


def _numbers(current: int, total: Total, size: int, limit: int | None) -> list[int]:
    last = max(1, -(-total.value // size))
    if limit is not None:
        last = min(last, limit)
    return list(range(max(1, current - 2), min(last, current + 2) + 1))


def _previous(params, page, keys) -> str | None:
    if page.number <= 1:
        return None
    if keys and page.object_list:
        return _query(params, page=page.number - 1, before=page.object_list[0].pk)
    return _query(params, page=page.number - 1)


def _next(params, page, keys) -> str | None:
    if not page.has_next():
        return None
    if keys:
        return _query(params, page=page.number + 1, after=page.object_list[-1].pk)
    return _query(params, page=page.number + 1)
