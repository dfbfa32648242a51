"""Read-only representations of boards, topics and replies; files link to the protected view."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from citygrid.exchange.models import Attachment, Board, Reply, Topic


class ExchangeAttachmentSerializer(serializers.ModelSerializer):
    class Meta:
        model = Attachment
        fields = ["id", "name", "size", "is_image", "file"]


class BoardSerializer(serializers.ModelSerializer):
    region_name = serializers.CharField(source="region.name", read_only=True)

    class Meta:
        model = Board
        fields = [
            "id",
            "region",
            "region_code",
            "region_name",
            "name",
            "description",
            "topic_count",
            "last_activity_at",
        ]


class TopicSerializer(serializers.ModelSerializer):
    author_name = serializers.StringRelatedField(source="author")
    attachments = serializers.SerializerMethodField()

    class Meta:
        model = Topic
        fields = [
            "id",
            "board",
            "region_code",
            "author",
            "author_name",
            "title",
            "body",
            "pinned",
            "closed",
            "reply_count",
            "created",
            "last_activity_at",
            "attachments",
        ]

    @extend_schema_field(ExchangeAttachmentSerializer(many=True))
    def get_attachments(self, topic) -> list[dict]:
        own = [a for a in topic.attachments.all() if a.reply_id is None]
        return ExchangeAttachmentSerializer(own, many=True, context=self.context).data


class ReplySerializer(serializers.ModelSerializer):
    author_name = serializers.StringRelatedField(source="author")
    attachments = ExchangeAttachmentSerializer(many=True, read_only=True)

    class Meta:
        model = Reply
        fields = ["id", "topic", "author", "author_name", "body", "created", "attachments"]
