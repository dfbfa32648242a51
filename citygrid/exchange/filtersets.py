import django_filters

from citygrid.core.filtersets import BaseFilterSet, within
from citygrid.exchange.models import Board, Reply, Topic
from citygrid.regions.widgets import within_filter


class BoardFilterSet(BaseFilterSet):
    search_fields = ("name",)
    region_id = django_filters.NumberFilter(field_name="region_id", label="所属区域")
    within = within_filter()

    def filter_within(self, queryset, name, value):
        return within(queryset, "region_code", value)

    class Meta:
        model = Board
        fields = ["region_id"]


class TopicFilterSet(BaseFilterSet):
    search_fields = ("title", "body")
    board_id = django_filters.NumberFilter(field_name="board_id", label="版块")
    author_id = django_filters.NumberFilter(field_name="author_id", label="发帖人")

    class Meta:
        model = Topic
        fields = ["board_id", "author_id", "pinned", "closed"]


class ReplyFilterSet(BaseFilterSet):
    search_fields = ("body",)
    topic_id = django_filters.NumberFilter(field_name="topic_id", label="主题")
    author_id = django_filters.NumberFilter(field_name="author_id", label="回复人")

    class Meta:
        model = Reply
        fields = ["topic_id", "author_id"]
