from django.conf import settings
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response

from citygrid.core.api.errors import ApiError
from citygrid.core.paginator import BoundedPaginator


class Pagination(PageNumberPagination):
    """Page numbers with a bounded count (`core/paginator.py`): `count` is exact while
    `count_exact` is true; above `CITYGRID_EXACT_COUNT_LIMIT` it is PostgreSQL's estimate
    (or, elsewhere, the limit: "at least"). A page past the end is empty, not a 404."""

    django_paginator_class = BoundedPaginator
    page_size_query_param = "page_size"

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

    def get_paginated_response_schema(self, schema):
        response = super().get_paginated_response_schema(schema)
        response["properties"]["count_exact"] = {
            "type": "boolean",
            "description": "false: count is an estimate or a lower bound (many records)",
        }
        response["required"].append("count_exact")
        return response
