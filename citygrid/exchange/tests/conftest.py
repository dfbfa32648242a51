"""Fixtures of the board tests: the shared tree plus a village group, and people of each kind."""

import pytest

from citygrid.exchange import actions

READ = ("exchange.view_board", "exchange.view_topic", "exchange.view_reply")
POST = (*READ, "exchange.add_topic", "exchange.add_reply")


@pytest.fixture
def village_group(tree):
    from citygrid.regions.models import Region

    region = Region(
        parent=tree.community_a, level="village_group", code="330101001001901", name="甲一组"
    )
    region.full_clean()
    region.save()
    return region


@pytest.fixture
def poster(make_user):
    """poster(region, *extra_perms) → a user who may read and post in `region`'s subtree."""

    def make(region, *extra):
        return make_user(perms=(*POST, *extra), scope=[region])

    return make


@pytest.fixture
def post(poster):
    """post(region, title=...) → a topic on the region's board, by a poster of that region."""

    def make(region, title="通知", body="内容", author=None, **kwargs):
        author = author or poster(region)
        return actions.post_topic(region, actor=author, title=title, body=body, **kwargs)

    return make
