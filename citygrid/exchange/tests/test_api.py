"""Read API: boards, topics and replies through `restrict`, out of scope is 404."""

import pytest

from citygrid.core.testing import ApiReadTests
from citygrid.exchange import actions
from citygrid.exchange.models import Board, Reply, Topic


def _topic(tree, region, poster):
    return actions.post_topic(region, actor=poster(region), title="议题", body="内容")


class TestBoardApi(ApiReadTests):
    model = Board
    api_basename = "board"

    @pytest.fixture(autouse=True)
    def _posts(self, tree, poster):
        self.a = _topic(tree, tree.community_a, poster).board
        self.b = _topic(tree, tree.community_b, poster).board

    def in_scope(self, tree):
        return self.a

    def out_of_scope(self, tree):
        return self.b


class TestTopicApi(ApiReadTests):
    model = Topic
    api_basename = "topic"

    @pytest.fixture(autouse=True)
    def _posts(self, tree, poster):
        self.a = _topic(tree, tree.community_a, poster)
        self.b = _topic(tree, tree.community_b, poster)

    def in_scope(self, tree):
        return self.a

    def out_of_scope(self, tree):
        return self.b


class TestReplyApi(ApiReadTests):
    model = Reply
    api_basename = "reply"

    @pytest.fixture(autouse=True)
    def _posts(self, tree, poster):
        self.a = actions.post_reply(
            _topic(tree, tree.community_a, poster), actor=poster(tree.community_a), body="甲"
        )
        self.b = actions.post_reply(
            _topic(tree, tree.community_b, poster), actor=poster(tree.community_b), body="乙"
        )

    def in_scope(self, tree):
        return self.a

    def out_of_scope(self, tree):
        return self.b


def test_topic_fields(api_client, tree, poster):
    author = poster(tree.community_a)
    topic = actions.post_topic(tree.community_a, actor=author, title="议题", body="内容")
    actions.post_reply(topic, actor=author, body="回复")
    api_client.force_authenticate(author)
    row = api_client.get(f"/api/exchange-topics/{topic.pk}/").json()
    assert {k: row[k] for k in ("title", "pinned", "closed", "reply_count", "attachments")} == {
        "title": "议题",
        "pinned": False,
        "closed": False,
        "reply_count": 1,
        "attachments": [],
    }
