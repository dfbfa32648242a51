"""What people do on the boards. Each action checks the actor's permission and territory,
writes through the one write path (`core.records`) so history holds every post, and keeps the
board's and topic's counters in SQL (`records.touch`) so lists never count rows."""

import datetime

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from citygrid.core import records
from citygrid.core.errors import ActionError, RecordNotFound
from citygrid.exchange.models import BOARD_LEVELS, Attachment, Board, Reply, Topic
from citygrid.regions.models import Region

# Authors may correct or withdraw their own post for this long; afterwards only moderators.
EDIT_WINDOW = datetime.timedelta(minutes=30)


def can_read(actor, region: Region) -> bool:
    return (
        actor.has_perm("exchange.view_board")
        and actor.has_perm("exchange.view_topic")
        and actor.covers(region.code)
    )


def board_region(actor, code: str) -> Region:
    """The region of a board the actor may read, else `RecordNotFound` (404)."""
    region = Region.objects.filter(code=code, level__in=BOARD_LEVELS).first()
    if region is None or not can_read(actor, region):
        raise RecordNotFound
    return region


def ensure_board(region: Region, *, actor) -> Board:
    """The region's board, created the first time it is needed (safe to call concurrently)."""
    board = Board.objects.filter(region=region).first()
    if board is not None:
        return board
    try:
        with transaction.atomic():
            return records.save_record(
                Board(region=region, name=f"{region.name}交流区"), actor=actor
            )
    except IntegrityError:
        return Board.objects.get(region=region)


def is_moderator(actor, topic: Topic) -> bool:
    return actor.has_perm("exchange.change_topic") and actor.covers(topic.region_code)


def may_pin(actor, board_code: str) -> bool:
    """Pin at this board's level or above: the permission, and the board inside one's scope."""
    return actor.has_perm("exchange.pin_topic") and actor.covers(board_code)


def within_window(post, now=None) -> bool:
    return post.created is not None and (now or timezone.now()) - post.created <= EDIT_WINDOW


def may_change(actor, post, topic: Topic) -> bool:
    """The author within the edit window, or a moderator of the topic's board."""
    own = post.author_id == actor.pk and within_window(post)
    return own or is_moderator(actor, topic)


def _attach(topic: Topic, reply: Reply | None, uploads, *, actor) -> None:
    for upload, is_image in uploads:
        records.save_record(
            Attachment(
                topic=topic,
                reply=reply,
                file=upload,
                name=upload.display_name,
                size=upload.size,
                is_image=is_image,
            ),
            actor=actor,
        )


def post_topic(
    region: Region, *, actor, title: str, body: str, pinned: bool = False, uploads=()
) -> Topic:
    if not actor.has_perm("exchange.add_topic") or not can_read(actor, region):
        raise ActionError("forbidden", "您没有在该版块发帖的权限", 403)
    if pinned and not may_pin(actor, region.code):
        raise ActionError("forbidden", "您没有置顶公告的权限", 403)
    now = timezone.now()
    with transaction.atomic():
        board = ensure_board(region, actor=actor)
        topic = records.save_record(
            Topic(
                board=board,
                author=actor,
                title=title,
                body=body,
                pinned=pinned,
                last_activity_at=now,
            ),
            actor=actor,
        )
        _attach(topic, None, uploads, actor=actor)
        records.touch(
            Board.objects.filter(pk=board.pk),
            topic_count=F("topic_count") + 1,
            last_activity_at=now,
        )
    return topic


def post_reply(topic: Topic, *, actor, body: str, uploads=()) -> Reply:
    if not actor.has_perm("exchange.add_reply") or not can_read(actor, topic.region):
        raise ActionError("forbidden", "您没有回复的权限", 403)
    now = timezone.now()
    with transaction.atomic():
        locked = Topic.objects.select_for_update().get(pk=topic.pk)
        if locked.closed:
            raise ActionError("closed", "主题已关闭，不能回复")
        reply = records.save_record(Reply(topic=locked, author=actor, body=body), actor=actor)
        _attach(locked, reply, uploads, actor=actor)
        records.touch(
            Topic.objects.filter(pk=topic.pk),
            reply_count=F("reply_count") + 1,
            last_activity_at=now,
        )
        records.touch(Board.objects.filter(pk=topic.board_id), last_activity_at=now)
    return reply


def edit_topic(topic: Topic, *, actor, title: str, body: str) -> Topic:
    if not may_change(actor, topic, topic):
        raise ActionError("forbidden", "只能在发布后 30 分钟内修改自己的主题", 403)
    topic.title, topic.body = title, body
    return records.save_record(topic, actor=actor, update_fields=["title", "body"])


def delete_topic(topic: Topic, *, actor) -> None:
    if not may_change(actor, topic, topic):
        raise ActionError("forbidden", "只能在发布后 30 分钟内删除自己的主题", 403)
    with transaction.atomic():
        records.delete_record(topic, actor=actor)
        records.touch(
            Board.objects.filter(pk=topic.board_id, topic_count__gt=0),
            topic_count=F("topic_count") - 1,
        )


def delete_reply(reply: Reply, *, actor) -> None:
    topic = reply.topic
    if not may_change(actor, reply, topic):
        raise ActionError("forbidden", "只能在发布后 30 分钟内删除自己的回复", 403)
    with transaction.atomic():
        records.delete_record(reply, actor=actor)
        records.touch(
            Topic.objects.filter(pk=topic.pk, reply_count__gt=0),
            reply_count=F("reply_count") - 1,
        )


def pin_topic(topic: Topic, *, actor, pinned: bool) -> Topic:
    if not may_pin(actor, topic.region_code):
        raise ActionError("forbidden", "您没有置顶公告的权限", 403)
    topic.pinned = pinned
    return records.save_record(topic, actor=actor, update_fields=["pinned"])


def close_topic(topic: Topic, *, actor, closed: bool) -> Topic:
    if not is_moderator(actor, topic):
        raise ActionError("forbidden", "只有版主可以关闭或重新开放主题", 403)
    topic.closed = closed
    return records.save_record(topic, actor=actor, update_fields=["closed"])
