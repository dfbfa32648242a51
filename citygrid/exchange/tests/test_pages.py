"""The pages around the actions: keyset pages of a board, edit, pin, close and delete forms."""

from django.urls import reverse

from citygrid.exchange import views
from citygrid.exchange.models import Topic
from citygrid.exchange.tests.conftest import READ


def test_board_pages_by_latest_activity(client, tree, post, poster, make_user):
    author = poster(tree.community_a)
    topics = [post(tree.community_a, title=f"主题{n}", author=author) for n in range(22)]
    client.force_login(make_user(perms=READ, scope=[tree.community_a]))
    url = reverse("exchange:board", args=["330101001001"])
    first = client.get(url)
    assert list(first.context["page"]) == topics[::-1][: views.TOPICS_PER_PAGE]
    second = client.get(f"{url}?{first.context['listing'].next_query}")
    assert list(second.context["page"]) == topics[1::-1]
    assert "after=" in first.context["listing"].next_query


def test_author_edits_pins_closes_and_deletes_through_the_pages(client, tree, poster):
    author = poster(tree.township_a, "exchange.pin_topic", "exchange.change_topic")
    client.force_login(author)
    client.post(
        reverse("exchange:topic_add", args=["330101001"]),
        {"title": "初稿", "body": "内容", "pinned": "on"},
    )
    topic = Topic.objects.get()
    assert topic.pinned and topic.author == author
    page = client.get(topic.get_absolute_url()).text
    assert "取消置顶" in page and "关闭主题" in page and "修改" in page
    edit = reverse("exchange:topic_edit", args=[topic.pk])
    assert client.get(edit).context["form"].initial == {"title": "初稿", "body": "内容"}
    client.post(edit, {"title": "定稿", "body": "新内容"})
    client.post(reverse("exchange:topic_pin", args=[topic.pk]), {"pinned": "0"})
    client.post(reverse("exchange:topic_close", args=[topic.pk]), {"closed": "1"})
    topic.refresh_from_db()
    assert (topic.title, topic.body, topic.pinned, topic.closed) == ("定稿", "新内容", False, True)
    assert "主题已关闭，不能回复" in client.get(topic.get_absolute_url()).text
    response = client.post(reverse("exchange:topic_delete", args=[topic.pk]))
    assert response.url == reverse("exchange:board", args=["330101001"])
    assert not Topic.objects.exists()


def test_refused_pin_shows_a_message_and_changes_nothing(client, tree, post, poster):
    topic = post(tree.community_a)
    client.force_login(poster(tree.community_a))
    page = client.get(topic.get_absolute_url()).text
    assert "置顶公告" not in page
    response = client.post(
        reverse("exchange:topic_pin", args=[topic.pk]), {"pinned": "1"}, follow=True
    )
    assert "您没有置顶公告的权限" in response.text
    topic.refresh_from_db()
    assert not topic.pinned


def test_someone_elses_topic_has_no_edit_page(client, tree, post, poster):
    topic = post(tree.community_a)
    client.force_login(poster(tree.community_a))
    assert client.get(reverse("exchange:topic_edit", args=[topic.pk])).status_code == 403
