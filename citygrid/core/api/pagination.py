from django.conf import settings
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response
from rest_framework.utils.urls import remove_query_param, replace_query_param

from citygrid.core import keyset
from citygrid.core.api.errors import ApiError
from citygrid.core.listing import positive, seek_page
from citygrid.core.paginator import BoundedPaginator

SEEK_PARAMS = ("after", "before")


class Pagination(PageNumberPagination):
    """Page numbers with a bounded count (`core/paginator.py`): `count` is exact while
    `count_exact` is true; above `CITYGRID_EXACT_COUNT_LIMIT` it is PostgreSQL's estimate
    (or, elsewhere, the limit: "at least"). A page past the end is empty, not a 404.

    Where the ordering can be sought (`core/keyset.py`), `next` and `previous` carry the
    boundary row's id (`after=` / `before=`, as the list pages do): a client walking a million
    records by `next` pays for each page what it pays for page 2, where `?page=` would make
    the database read and skip every earlier row."""

    django_paginator_class = BoundedPaginator
    page_size_query_param = "page_size"

    def paginate_queryset(self, queryset, request, view=None):
        self.request = request
        self.keys = keyset.key_fields(queryset)
        after, before = (
            positive(request.query_params, "after"),
            positive(request.query_params, "before"),
        )
        if not self.keys or not (after or before):
            return super().paginate_queryset(queryset, request, view)
        size = self.get_page_size(request)
        paginator = self.django_paginator_class(queryset, size)
        number = positive(request.query_params, self.page_query_param) or 1
        self.page = seek_page(
            queryset, paginator, self.keys, number, after or before, forward=bool(after)
        )
        if self.page is None:
            raise ApiError("anchor_not_found", "翻页依据的记录已不存在或不可见，请从第一页重新开始")
        return list(self.page)

    def _link(self, number: int, **anchor) -> str:
        url = self.request.build_absolute_uri()
        for name in SEEK_PARAMS:
            url = remove_query_param(url, name)
        url = replace_query_param(url, self.page_query_param, number)
        for name, pk in anchor.items():
            url = replace_query_param(url, name, pk)
        return url

    def get_next_link(self):
        if not self.keys or not self.page.has_next():
            return super().get_next_link()
        return self._link(self.page.number + 1, after=self.page.object_list[-1].pk)

    def get_previous_link(self):
        if not self.keys or self.page.number <= 1 or not self.page.object_list:
            return super().get_previous_link()
        return self._link(self.page.number - 1, before=self.page.object_list[0].pk)

    @property
    def max_page_size(self) -> int:
        return settings.CITYGRID_MAX_PAGE_SIZE

    def get_page_size(self, request):
        # DRF would quietly shrink an oversized page; a client that asked for more than the
        # cap must learn that it got less.
        raw = request.query_params.get(self.page_size_query_param, "")
        if raw.isdigit() and int(raw) > self.max_page_size:
            raise ApiError("page_size_too_large", f"每页最多 {self.max_page_size} 条")
        return super().get_page_size(request)

    def get_paginated_response(self, data):
        total = self.page.paginator.total
        return Response(
            {
                "count": total.value,
                "count_exact": total.exact,
                "next": self.get_next_link(),
                "previous": self.get_previous_link(),
                "results": data,
            }
        )

    def get_schema_operation_parameters(self, view):
        described = {
            "after": "从该记录之后开始的一页（取自 next 链接）",
            "before": "到该记录之前为止的一页（取自 previous 链接）",
        }
        return super().get_schema_operation_parameters(view) + [
            {
                "name": name,
                "required": False,
                "in": "query",
                "description": text,
                "schema": {"type": "integer", "minimum": 1},
            }
            for name, text in described.items()
        ]

    def get_paginated_response_schema(self, schema):
        response = super().get_paginated_response_schema(schema)
        response["properties"]["count_exact"] = {
            "type": "boolean",
            "description": "false: count is an estimate or a lower bound (many records)",
        }
        response["required"].append("count_exact")
        return response
