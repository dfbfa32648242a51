from django.conf import settings
from rest_framework.pagination import PageNumberPagination

from citygrid.core.api.errors import ApiError


class Pagination(PageNumberPagination):
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
