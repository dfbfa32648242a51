"""Who sees which board: the own regions and everything below, never above or beside."""

import pytest
from django.urls import reverse

from citygrid.core.errors import ActionError
from citygrid.exchange import actions
from citygrid.exchange.models import Board, Topic
from citygrid.exchange.tests.conftest import POST, READ


def _listed_codes(client) -> list[str]:
    response = client.get(reverse("exchange:index"))
    assert response.status_code == 200
    return [region.code for region in response.context["page"]]


def test_township_user_sees_own_board_and_the_communities_below(client, tree, make_user):
    client.force_login(make_user(perms=READ, scope=[tree.township_a]))
    assert _listed_codes(client) == ["330101001", "330101001001"]


def test_county_user_sees_the_whole_county_subtree_only(client, tree, make_user):
    client.force_login(make_user(perms=READ, scope=[tree.county_a]))
    assert _listed_codes(client) == ["330101", "330101001", "330101001001"]


def test_index_counts_topics_in_sql(client, tree, make_user, post):
    post(tree.community_a, title="一")
    post(tree.community_a, title="二")
    client.force_login(make_user(perms=READ, scope=[tree.township_a]))
    page = client.get(reverse("exchange:index")).context["page"]
    assert {r.code: r.topic_count for r in page} == {"330101001": None, "330101001001": 2}


def test_org_head_scoped_to_a_community_sees_that_board_only(client, tree, make_user, post):
    own = post(tree.community_a, title="社区通知")
    above = post(tree.township_a, title="街道通知")
    beside = post(tree.community_b, title="乙社区通知")
    head = make_user(perms=POST, scope=[tree.community_a])
    client.force_login(head)
    assert _listed_codes(client) == ["330101001001"]
    assert client.get(reverse("exchange:board", args=["330101001001"])).status_code == 200
    for code in ("330101001", "330101", "3301", "330102001001"):
        assert client.get(reverse("exchange:board", args=[code])).status_code == 404
    assert client.get(own.get_absolute_url()).status_code == 200
    for topic in (above, beside):
        assert client.get(topic.get_absolute_url()).status_code == 404
        assert (
            client.post(reverse("exchange:reply_add", args=[topic.pk]), {"body": "x"}).status_code
            == 404
        )
    assert not topic.replies.exists()


def test_village_group_user_sees_no_board_above(client, tree, make_user, village_group, post):
    post(tree.community_a)
    client.force_login(make_user(perms=POST, scope=[village_group]))
    assert _listed_codes(client) == []
    assert client.get(reverse("exchange:board", args=["330101001001"])).status_code == 404
    # A village group has no board of its own (it shares its community's).
    assert client.get(reverse("exchange:board", args=[village_group.code])).status_code == 404


def test_grid_is_not_a_board(client, tree, make_user):
    client.force_login(make_user(perms=READ, scope=[tree.county_a]))
    assert client.get(reverse("exchange:board", args=[tree.grid_a1.code])).status_code == 404


def test_county_a_never_sees_county_b_topics(client, tree, make_user, post):
    hidden = post(tree.county_b, title="乙区专属议题")
    shown = post(tree.county_a, title="甲区专属议题")
    client.force_login(make_user(perms=READ, scope=[tree.county_a]))
    assert client.get(hidden.get_absolute_url()).status_code == 404
    assert client.get(reverse("exchange:board", args=["330102"])).status_code == 404
    board = client.get(reverse("exchange:board", args=["330101"]))
    assert list(board.context["page"]) == [shown]
    search = client.get(reverse("core:search"), {"q": "专属议题"})
    assert "甲区专属议题" in search.text and "乙区专属议题" not in search.text
    api = client.get(reverse("api:topic-list"))
    assert [row["id"] for row in api.json()["results"]] == [shown.pk]


def test_reading_needs_the_permissions(client, tree, make_user, post):
    topic = post(tree.community_a)
    client.force_login(make_user(perms=("exchange.view_topic",), scope=[tree.county_a]))
    assert client.get(reverse("exchange:index")).status_code == 403
    assert client.get(reverse("exchange:board", args=["330101001001"])).status_code == 403
    client.force_login(make_user(scope=[tree.county_a]))
    assert client.get(topic.get_absolute_url()).status_code == 404


def test_posting_outside_ones_scope_is_refused(tree, poster):
    author = poster(tree.community_a)
    with pytest.raises(ActionError) as refused:
        actions.post_topic(tree.community_b, actor=author, title="越界", body="x")
    assert refused.value.status == 403
    assert not Board.objects.exists() and not Topic.objects.exists()
