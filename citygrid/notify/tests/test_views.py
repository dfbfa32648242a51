import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from citygrid.notify.models import Notification
from citygrid.notify.services import notify_user

pytestmark = pytest.mark.django_db

PHONE = "13812345678"
LIST = "/notify/sms/"


@pytest.fixture
def messages_by_region(send, tree):
    """One SMS in county A, one in county B, one without a region."""
    return {
        "a": send(PHONE, "case_number", {"number": "A1"}, related=tree.grid_a1),
        "b": send("13900001111", "case_number", {"number": "B1"}, related=tree.grid_b1),
        "none": send("13700002222", "verify_code", {"code": "1234", "minutes": 5}),
    }


def shown(response) -> set[int]:
    return {row.record.pk for row in response.context["table"].page.object_list}


# --- SMS outbox ---------------------------------------------------------------------------


def test_url_names():
    assert reverse("notify:smsmessage_list") == LIST
    assert reverse("notify:smsmessage", args=[7]) == "/notify/sms/7/"
    assert reverse("notify:notification_list") == "/notify/notifications/"


def test_outbox_anonymous_redirects_to_login(client):
    response = client.get(LIST)
    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]


def test_outbox_without_permission_is_403(client, tree, make_user, messages_by_region):
    client.force_login(make_user(scope=[tree.city]))
    assert client.get(LIST).status_code == 403
    assert client.get(f"{LIST}{messages_by_region['a'].pk}/").status_code == 403


def test_outbox_shows_only_messages_in_scope(client, tree, make_user, messages_by_region):
    client.force_login(make_user(perms=["notify.view_smsmessage"], scope=[tree.county_a]))
    response = client.get(LIST)
    assert response.status_code == 200
    assert shown(response) == {messages_by_region["a"].pk}
    assert client.get(f"{LIST}{messages_by_region['a'].pk}/").status_code == 200
    assert client.get(f"{LIST}{messages_by_region['b'].pk}/").status_code == 404
    # No region: superusers only.
    assert client.get(f"{LIST}{messages_by_region['none'].pk}/").status_code == 404


def test_superuser_sees_every_message(client, make_user, messages_by_region):
    client.force_login(make_user(superuser=True))
    response = client.get(LIST)
    assert shown(response) == {m.pk for m in messages_by_region.values()}
    assert '<h2 class="page-title">短信发件箱</h2>' in response.content.decode()


def test_outbox_filters(client, make_user, messages_by_region):
    from citygrid.notify.models import SmsMessage, SmsTemplate

    SmsMessage.objects.filter(pk=messages_by_region["b"].pk).update(status="failed")
    verify = SmsTemplate.objects.get(code="verify_code")
    today = timezone.localdate().isoformat()
    client.force_login(make_user(superuser=True))
    a, b, none = (messages_by_region[k].pk for k in ("a", "b", "none"))
    assert shown(client.get(LIST, {"status": "failed"})) == {b}
    assert shown(client.get(LIST, {"template": verify.pk})) == {none}
    assert shown(client.get(LIST, {"created__gte": today, "created__lte": today})) == {a, b, none}
    assert shown(client.get(LIST, {"created__gte": "2999-01-01"})) == set()
    assert shown(client.get(LIST, {"phone": "139 0000 1111"})) == {b}
    assert shown(client.get(LIST, {"phone": "not a phone"})) == set()
    assert shown(client.get(LIST, {"q": "案件编号A1"})) == {a}


def test_outbox_menu_item_follows_the_permission(client, tree, make_user):
    client.force_login(make_user(perms=["notify.view_smsmessage"], scope=[tree.city]))
    assert "短信发件箱" in client.get("/").content.decode()
    client.force_login(make_user(scope=[tree.city]))
    assert "短信发件箱" not in client.get("/").content.decode()


def test_template_link_opens_the_outbox_filtered(client, make_user, messages_by_region):
    template = messages_by_region["none"].template
    client.force_login(make_user(superuser=True))
    assert shown(client.get(template.get_absolute_url())) == {messages_by_region["none"].pk}


# --- my notifications ---------------------------------------------------------------------


def test_notifications_list_is_own_newest_first_unread_highlighted(client, make_user):
    user, other = make_user(), make_user()
    old = notify_user(user, "旧消息")
    Notification.objects.filter(pk=old.pk).update(read_at=timezone.now())
    new = notify_user(user, "新的督办单", "请于今天内办结", level="danger")
    notify_user(other, "别人的消息")
    client.force_login(user)
    response = client.get("/notify/notifications/")
    assert response.status_code == 200
    assert [n.pk for n in response.context["page"]] == [new.pk, old.pk]
    page = response.content.decode()
    assert "别人的消息" not in page
    assert page.count("notification-unread") == 1
    assert page.index("新的督办单") < page.index("旧消息")
    unread = client.get("/notify/notifications/", {"unread": "1"})
    assert [n.pk for n in unread.context["page"]] == [new.pk]


def test_notifications_anonymous_redirects_to_login(client):
    assert client.get("/notify/notifications/").status_code == 302


def test_opening_marks_read_and_redirects(client, make_user):
    user = make_user()
    notification = notify_user(user, "案件即将超期", url="/territory/regions/")
    client.force_login(user)
    response = client.post(f"/notify/notifications/{notification.pk}/open/")
    assert response.status_code == 302
    assert response["Location"] == "/territory/regions/"
    notification.refresh_from_db()
    assert notification.read_at is not None
    first_read = notification.read_at
    client.post(f"/notify/notifications/{notification.pk}/open/")
    notification.refresh_from_db()
    assert notification.read_at == first_read


def test_opening_without_url_or_with_foreign_url_stays_home(client, make_user):
    user = make_user()
    plain = notify_user(user, "无链接")
    foreign = notify_user(user, "外部链接", url="https://evil.example.com/")
    client.force_login(user)
    for notification in (plain, foreign):
        response = client.post(f"/notify/notifications/{notification.pk}/open/")
        assert response["Location"] == "/notify/notifications/"


def test_opening_needs_post_and_a_csrf_token(make_user):
    user = make_user()
    notification = notify_user(user, "x", url="/")
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    assert client.get(f"/notify/notifications/{notification.pk}/open/").status_code == 405
    assert client.post(f"/notify/notifications/{notification.pk}/open/").status_code == 403
    assert client.post("/notify/notifications/read-all/").status_code == 403
    notification.refresh_from_db()
    assert notification.read_at is None


def test_another_users_notification_is_404_and_unchanged(client, make_user):
    owner, intruder = make_user(), make_user(superuser=True)
    notification = notify_user(owner, "私人消息", url="/")
    client.force_login(intruder)
    assert client.post(f"/notify/notifications/{notification.pk}/open/").status_code == 404
    assert client.post("/notify/notifications/999999/open/").status_code == 404
    notification.refresh_from_db()
    assert notification.read_at is None
    assert "私人消息" not in client.get("/notify/notifications/").content.decode()


def test_read_all_marks_only_own(client, make_user):
    user, other = make_user(), make_user()
    for title in ("一", "二"):
        notify_user(user, title)
    theirs = notify_user(other, "三")
    client.force_login(user)
    response = client.post("/notify/notifications/read-all/", follow=True)
    assert "已将 2 条消息标为已读" in response.content.decode()
    assert Notification.objects.filter(recipient=user, read_at__isnull=True).count() == 0
    theirs.refresh_from_db()
    assert theirs.read_at is None


# --- header bell --------------------------------------------------------------------------


def test_bell_shows_the_unread_count(client, make_user):
    user = make_user()
    for title in ("一", "二", "三"):
        notify_user(user, title)
    Notification.objects.filter(title="一").update(read_at=timezone.now())
    client.force_login(user)
    page = client.get("/").content.decode()
    assert 'id="notification-bell"' in page
    assert '<span class="badge bg-red text-red-fg badge-notification badge-pill" ' in page
    assert 'id="notification-count">2</span>' in page


def test_bell_without_unread_has_no_count_and_caps_at_99(client, make_user):
    user = make_user()
    client.force_login(user)
    page = client.get("/").content.decode()
    assert 'id="notification-bell"' in page
    assert "notification-count" not in page
    Notification.objects.bulk_create(Notification(recipient=user, title=str(i)) for i in range(100))
    assert 'id="notification-count">99+</span>' in client.get("/").content.decode()


def test_bell_costs_one_query_and_nothing_for_anonymous(rf, make_user, django_assert_num_queries):
    from django.contrib.auth.models import AnonymousUser

    from citygrid.notify.context_processors import notifications

    request = rf.get("/")
    request.user = AnonymousUser()
    with django_assert_num_queries(0):
        assert notifications(request) == {}
    request.user = make_user()
    notify_user(request.user, "x")
    with django_assert_num_queries(1):
        count = notifications(request)["unread_notifications"]
        assert count == 1
        assert str(count) == "1"
