"""Posting, replying, pinning, closing and deleting: who may, and what each writes."""

import datetime

import pytest
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse
from django.utils import timezone

from citygrid.core.errors import ActionError
from citygrid.core.models import ObjectChange
from citygrid.exchange import actions
from citygrid.exchange.models import Board, Reply, Topic


def _changes(model, action) -> int:
    return ObjectChange.objects.filter(
        content_type=ContentType.objects.get_for_model(model), action=action
    ).count()


def test_first_topic_opens_the_board_once_and_counts(tree, post):
    first = post(tree.community_a, title="一")
    second = post(tree.community_a, title="二")
    board = Board.objects.get()
    assert (board.region, board.name, board.topic_count) == (tree.community_a, "甲社区交流区", 2)
    assert board.last_activity_at == second.last_activity_at
    assert first.board == second.board == board
    assert first.region_code == "330101001001"
    assert _changes(Board, "create") == 1 and _changes(Topic, "create") == 2


def test_reply_counts_and_moves_the_topic_up(tree, post, poster):
    old = post(tree.community_a, title="旧")
    new = post(tree.community_a, title="新")
    actions.post_reply(old, actor=poster(tree.township_a), body="收到")
    old.refresh_from_db()
    assert old.reply_count == 1 and old.last_activity_at > new.last_activity_at
    assert list(Topic.objects.filter(board=old.board)) == [old, new]
    assert _changes(Reply, "create") == 1


def test_closed_topic_takes_no_reply(tree, post, poster, make_user):
    topic = post(tree.community_a)
    moderator = make_user(perms=("exchange.change_topic",), scope=[tree.township_a])
    actions.close_topic(topic, actor=moderator, closed=True)
    with pytest.raises(ActionError) as refused:
        actions.post_reply(topic, actor=poster(tree.community_a), body="还想说")
    assert refused.value.message == "主题已关闭，不能回复"
    topic.refresh_from_db()
    assert topic.reply_count == 0 and not Reply.objects.exists()


def test_closing_needs_a_moderator_of_that_board(tree, post, make_user):
    topic = post(tree.community_a)
    for user in (
        make_user(perms=("exchange.change_topic",), scope=[tree.community_b]),
        make_user(perms=("exchange.add_topic",), scope=[tree.community_a]),
    ):
        with pytest.raises(ActionError):
            actions.close_topic(topic, actor=user, closed=True)
    topic.refresh_from_db()
    assert not topic.closed and _changes(Topic, "update") == 0


def test_pinning_at_the_boards_level_or_above(tree, post, make_user):
    topic = post(tree.community_a)
    street = make_user(perms=("exchange.pin_topic",), scope=[tree.township_a])
    actions.pin_topic(topic, actor=street, pinned=True)
    topic.refresh_from_db()
    assert topic.pinned and _changes(Topic, "update") == 1
    street_topic = post(tree.township_a)
    community = make_user(perms=("exchange.pin_topic",), scope=[tree.community_a])
    with pytest.raises(ActionError) as refused:
        actions.pin_topic(street_topic, actor=community, pinned=True)
    assert refused.value.message == "您没有置顶公告的权限"
    no_perm = make_user(perms=("exchange.change_topic",), scope=[tree.city])
    with pytest.raises(ActionError):
        actions.pin_topic(street_topic, actor=no_perm, pinned=True)
    street_topic.refresh_from_db()
    assert not street_topic.pinned and _changes(Topic, "update") == 1


def test_posting_a_pinned_notice_needs_the_permission(tree, poster):
    with pytest.raises(ActionError):
        actions.post_topic(
            tree.community_a, actor=poster(tree.community_a), title="公告", body="x", pinned=True
        )
    assert not Topic.objects.exists() and not Board.objects.exists()
    notice = actions.post_topic(
        tree.community_a,
        actor=poster(tree.community_a, "exchange.pin_topic"),
        title="公告",
        body="x",
        pinned=True,
    )
    assert notice.pinned


def test_board_page_shows_pinned_notices_first(client, tree, post, poster, make_user):
    notice = post(
        tree.community_a,
        title="停水公告",
        author=poster(tree.township_a, "exchange.pin_topic"),
        pinned=True,
    )
    later = post(tree.community_a, title="后发的讨论")
    client.force_login(
        make_user(perms=("exchange.view_board", "exchange.view_topic"), scope=[tree.community_a])
    )
    response = client.get(reverse("exchange:board", args=["330101001001"]))
    assert response.context["pinned"] == [notice]
    assert list(response.context["page"]) == [later]
    text = response.text
    assert text.index("停水公告") < text.index("后发的讨论")


def test_own_reply_may_be_deleted_within_the_window_only(tree, post, poster, make_user):
    topic = post(tree.community_a)
    author = poster(tree.community_a)
    reply = actions.post_reply(topic, actor=author, body="说错了")
    later = timezone.now() + actions.EDIT_WINDOW + datetime.timedelta(minutes=1)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(timezone, "now", lambda: later)
        with pytest.raises(ActionError):
            actions.delete_reply(reply, actor=author)
        assert Reply.objects.filter(pk=reply.pk).exists()
        moderator = make_user(perms=("exchange.change_topic",), scope=[tree.community_a])
        actions.delete_reply(reply, actor=moderator)
    topic.refresh_from_db()
    assert not Reply.objects.exists() and topic.reply_count == 0
    assert _changes(Reply, "delete") == 1


def test_others_may_not_edit_or_delete_a_topic(tree, post, poster):
    topic = post(tree.community_a, title="原标题")
    stranger = poster(tree.community_a)
    with pytest.raises(ActionError):
        actions.edit_topic(topic, actor=stranger, title="改", body="改")
    with pytest.raises(ActionError):
        actions.delete_topic(topic, actor=stranger)
    topic.refresh_from_db()
    assert topic.title == "原标题" and _changes(Topic, "update") == 0


def test_author_deletes_topic_with_its_replies(tree, post, poster):
    author = poster(tree.community_a)
    topic = post(tree.community_a, author=author)
    actions.post_reply(topic, actor=poster(tree.community_a), body="回复")
    actions.delete_topic(topic, actor=author)
    assert not Topic.objects.exists() and not Reply.objects.exists()
    assert Board.objects.get().topic_count == 0
    assert _changes(Topic, "delete") == 1 and _changes(Reply, "delete") == 1


def test_text_is_cleaned_and_rendered_escaped(client, tree, poster):
    author = poster(tree.community_a)
    topic = actions.post_topic(
        tree.community_a,
        actor=author,
        title="标\x07题",
        body="<script>alert(1)</script>\n第二行",
    )
    assert topic.title == "标题"
    client.force_login(author)
    text = client.get(topic.get_absolute_url()).text
    assert "<script>alert(1)</script>" not in text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;<br>第二行" in text


def test_reply_form_on_a_topic_page(client, tree, post, poster):
    topic = post(tree.community_a)
    client.force_login(poster(tree.community_a))
    response = client.post(reverse("exchange:reply_add", args=[topic.pk]), {"body": "好的"})
    reply = Reply.objects.get()
    assert response.url == f"{topic.get_absolute_url()}#reply-{reply.pk}"
    empty = client.post(reverse("exchange:reply_add", args=[topic.pk]), {"body": ""})
    assert empty.status_code == 200
    assert empty.context["form"].errors == {"body": ["该字段是必填项。"]}
    assert "该字段是必填项。" in empty.text
    assert Reply.objects.count() == 1
