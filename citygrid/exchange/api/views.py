"""Read endpoints: what the pages show, through `restrict`, so out of scope is 404."""

from citygrid.core.api.viewsets import ScopedReadOnlyViewSet
from citygrid.exchange.api import serializers
from citygrid.exchange.filtersets import BoardFilterSet, ReplyFilterSet, TopicFilterSet
from citygrid.exchange.models import Board, Reply, Topic


class BoardViewSet(ScopedReadOnlyViewSet):
    queryset = Board.objects.select_related("region")
    serializer_class = serializers.BoardSerializer
    filterset_class = BoardFilterSet


class TopicViewSet(ScopedReadOnlyViewSet):
    queryset = Topic.objects.select_related("author").prefetch_related("attachments")
    serializer_class = serializers.TopicSerializer
    filterset_class = TopicFilterSet


class ReplyViewSet(ScopedReadOnlyViewSet):
    queryset = Reply.objects.select_related("author").prefetch_related("attachments")
    serializer_class = serializers.ReplySerializer
    filterset_class = ReplyFilterSet
