"""在线交流: a board per region, its topics, their replies and the files attached to them.

A board belongs to a city, county, township or community; grids and village groups share their
community's board (a board per grid would split a handful of people across thousands of empty
boards). Who reads a board follows the record scope rule: a user sees the boards of their own
regions and below, never those above or beside.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils import timezone

from citygrid.core import files
from citygrid.core.models import ChangeLoggedModel, ScopedModel
from citygrid.regions.choices import RegionLevel

BOARD_LEVELS = (
    RegionLevel.CITY,
    RegionLevel.COUNTY,
    RegionLevel.TOWNSHIP,
    RegionLevel.COMMUNITY,
)

# Counters and activity times are kept by the actions with `records.touch`: bookkeeping that
# would flood the history with one change per reply.
_BOOKKEEPING = ("created", "last_updated")


class Board(ScopedModel):
    """交流版块: the discussion board of one region, opened when its first topic is posted."""

    name = models.CharField("版块名称", max_length=100)
    description = models.TextField("版块简介", blank=True)
    topic_count = models.PositiveIntegerField("主题数", default=0, editable=False)
    last_activity_at = models.DateTimeField("最后活动时间", null=True, blank=True, editable=False)

    changelog_exclude = (*_BOOKKEEPING, "topic_count", "last_activity_at")

    class Meta:
        verbose_name = "交流版块"
        verbose_name_plural = "交流版块"
        ordering = ["region_code", "id"]
        default_permissions = ("view", "add", "change", "delete")
        constraints = [
            models.UniqueConstraint(
                fields=["region"],
                name="exchange_board_one_per_region",
                violation_error_message="该区域已有交流版块",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("exchange:board", args=[self.region_code])

    def clean(self) -> None:
        if self.region_id and self.region.level not in BOARD_LEVELS:
            raise ValidationError({"region": "只有市、区县、街道/乡镇、社区/村设交流版块"})


class Topic(ScopedModel):
    """交流主题: a post opening a discussion on a board; pinned ones are notices (置顶公告)."""

    board = models.ForeignKey(
        Board, verbose_name="版块", on_delete=models.PROTECT, related_name="topics"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="发帖人",
        on_delete=models.PROTECT,
        related_name="exchange_topics",
    )
    title = models.CharField("标题", max_length=100)
    body = models.TextField("内容", max_length=10000)
    pinned = models.BooleanField("置顶公告", default=False)
    closed = models.BooleanField("已关闭", default=False)
    reply_count = models.PositiveIntegerField("回复数", default=0, editable=False)
    # Not null: the board's list seeks by it (core/keyset.py).
    last_activity_at = models.DateTimeField("最后活动时间", default=timezone.now, editable=False)

    changelog_exclude = (*_BOOKKEEPING, "reply_count", "last_activity_at")

    class Meta:
        verbose_name = "交流主题"
        verbose_name_plural = "交流主题"
        ordering = ["-last_activity_at", "-id"]
        default_permissions = ("view", "add", "change", "delete")
        permissions = [("pin_topic", "可置顶公告")]
        indexes = [
            models.Index(
                fields=["board", "pinned", "-last_activity_at", "-id"],
                name="exchange_topic_board_idx",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("exchange:topic", args=[self.pk])

    def derive_region(self) -> None:
        if self.board_id:
            self.region = self.board.region


class Reply(ChangeLoggedModel):
    """回复: an answer to a topic."""

    topic = models.ForeignKey(
        Topic, verbose_name="主题", on_delete=models.CASCADE, related_name="replies"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="回复人",
        on_delete=models.PROTECT,
        related_name="exchange_replies",
    )
    body = models.TextField("内容", max_length=10000)

    scope_field = "topic__region_code"
    changelog_permission = "exchange.view_topic"

    class Meta:
        verbose_name = "回复"
        verbose_name_plural = "回复"
        ordering = ["id"]
        default_permissions = ("view", "add", "change", "delete")

    def __str__(self) -> str:
        return f"回复：{self.topic}"

    def get_absolute_url(self) -> str:
        return f"{self.topic.get_absolute_url()}#reply-{self.pk}"


class Attachment(ChangeLoggedModel):
    """附件: an image or document attached to a topic or to one of its replies."""

    topic = models.ForeignKey(
        Topic, verbose_name="主题", on_delete=models.CASCADE, related_name="attachments"
    )
    reply = models.ForeignKey(
        Reply,
        verbose_name="回复",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="attachments",
    )
    file = models.FileField(
        "文件",
        upload_to=files.UnguessableName("exchange"),
        storage=files.PrivateStorage("exchange"),
    )
    name = models.CharField("文件名", max_length=100)
    size = models.PositiveIntegerField("大小（字节）")
    is_image = models.BooleanField("图片", default=False)

    scope_field = "topic__region_code"
    changelog_permission = "exchange.view_topic"

    class Meta:
        verbose_name = "附件"
        verbose_name_plural = "附件"
        ordering = ["id"]
        default_permissions = ()

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.reply_id and self.reply.topic_id != self.topic_id:
            raise ValidationError({"reply": "回复不属于该主题"})


# Whoever may read a topic may download its files (and its replies').
files.register(
    "exchange",
    ("file",),
    lambda user: Attachment.objects.filter(topic__in=Topic.objects.restrict(user, "view")),
)
