"""The demo boards: deterministic, in the demo territory, readable by the accounts covering them."""

import pytest

from citygrid.demo.exchange import generate_demo_exchange
from citygrid.demo.regions import create_demo_accounts, generate_demo_city
from citygrid.demo.tests.test_cases import NOW, SMALL
from citygrid.exchange.models import Board, Reply, Topic


@pytest.fixture
def city(db):
    city = generate_demo_city(seed=11, size=SMALL).city
    create_demo_accounts(city)
    return city


def _fingerprint() -> list[tuple]:
    return [
        (t.board.region_code, t.title, t.author.username, t.pinned, t.reply_count, t.created)
        for t in Topic.objects.select_related("board", "author").order_by(
            "board__region_code", "title"
        )
    ]


def test_demo_boards(city):
    result = generate_demo_exchange(city, seed=3, now=NOW)
    boards = list(Board.objects.order_by("region_code"))
    assert [b.region.level for b in boards] == ["county", "township", "community", "community"]
    assert result.boards == 4 and result.topics == Topic.objects.count() == 9
    assert result.replies == Reply.objects.count()
    pinned = Topic.objects.get(pinned=True)
    assert pinned.board.region.level == "township"
    for board in boards:
        assert board.topic_count == board.topics.count()
        for topic in board.topics.all():
            assert topic.author.covers(board.region_code)
            assert topic.reply_count == topic.replies.count()
            assert topic.created <= topic.last_activity_at <= NOW


def test_demo_boards_are_deterministic(city):
    generate_demo_exchange(city, seed=3, now=NOW)
    first = _fingerprint()
    Reply.objects.all()._raw_delete(Reply.objects.db)
    Topic.objects.all()._raw_delete(Topic.objects.db)
    generate_demo_exchange(city, seed=3, now=NOW)
    assert _fingerprint() == first
