"""指令下达: targets in the sender's subtree, receipts in every state, SMS failure, reminders."""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from citygrid.core.errors import ActionError
from citygrid.notify.backends.base import BaseSmsBackend
from citygrid.notify.directives import actions, states
from citygrid.notify.directives.targets import Targets
from citygrid.notify.models import (
    Directive,
    DirectiveFile,
    DirectiveReceipt,
    Notification,
    SmsMessage,
)
from citygrid.notify.tasks import remind_directives

pytestmark = pytest.mark.django_db

SENDER_PERMS = ["notify.send_directive", "notify.view_directive"]


class RefusingBackend(BaseSmsBackend):
    name = "refusing"

    def send(self, message):
        self.mark_failed(message, "isv.MOBILE_NUMBER_ILLEGAL")


@pytest.fixture
def people(tree, make_user):
    def staff(scope, phone="", perms=()):
        user = make_user(perms=perms, scope=[scope])
        if phone:
            user.phone = phone
            user.save()
        return user

    return {
        "officer": staff(tree.township_a, perms=SENDER_PERMS),
        "community_a": staff(tree.community_a, phone="13800000001"),
        "grid_a1": staff(tree.grid_a1, phone="13800000002"),
        "community_b": staff(tree.community_b, phone="13800000003"),
    }


@pytest.fixture
def send(django_capture_on_commit_callbacks):
    def run(sender, regions=(), levels=("community",), users=(), kinds=None, **fields):
        targets = Targets(
            regions=list(regions), levels=list(levels), users=list(users), kinds=kinds or {}
        )
        values = {
            "title": "防汛检查",
            "body": "请于本周内完成辖区防汛隐患排查。",
            "deadline": timezone.now() + timedelta(days=3),
            **fields,
        }
        with django_capture_on_commit_callbacks(execute=True):
            return actions.send_directive(sender, targets=targets, **values)

    return run


def test_regions_and_levels_reach_the_people_below(tree, people, send):
    directive = send(people["officer"], regions=[tree.township_a])
    receipt = directive.receipts.get()
    assert receipt.recipient == people["community_a"]
    assert receipt.region == tree.community_a
    assert receipt.sms.status == "sent"
    assert "防汛检查" in receipt.sms.text
    assert Notification.objects.filter(recipient=people["community_a"]).count() == 1
    assert directive.region == tree.township_a
    assert directive.targets == [{"label": "区域（社区/村）", "names": ["甲街道"]}]

    both = send(people["officer"], regions=[tree.township_a], levels=["community", "grid"])
    assert set(both.receipts.values_list("recipient__username", flat=True)) == {
        people["community_a"].username,
        people["grid_a1"].username,
    }


def test_a_region_outside_scope_is_refused_and_nothing_is_sent(tree, people, send):
    with pytest.raises(ActionError) as refused:
        send(people["officer"], regions=[tree.township_a, tree.township_b])
    assert refused.value.message == "不能向管辖范围以外的区域下达指令"
    assert not Directive.objects.exists()
    assert not DirectiveReceipt.objects.exists()
    assert not SmsMessage.objects.exists()
    assert not Notification.objects.exists()


def test_named_staff_outside_scope_is_refused(people, send):
    with pytest.raises(ActionError, match="管辖范围以外的人员"):
        send(people["officer"], levels=[], users=[people["community_b"]])
    directive = send(people["officer"], levels=[], users=[people["grid_a1"]])
    assert directive.receipts.get().recipient == people["grid_a1"]
    assert directive.targets[0]["label"] == "指定人员"


def test_only_community_level_and_above_may_send(tree, make_user, people, send):
    grid_worker = make_user(perms=SENDER_PERMS, scope=[tree.grid_a1])
    with pytest.raises(ActionError, match="社区（村）及以上"):
        send(grid_worker, levels=[], users=[people["grid_a1"]])
    no_permission = make_user(scope=[tree.township_a])
    with pytest.raises(ActionError):
        send(no_permission, regions=[tree.township_a])
    assert not Directive.objects.exists()


def test_sms_failure_shows_on_the_receipt(client, tree, people, send, settings):
    settings.SMS_BACKEND = f"{__name__}.RefusingBackend"
    directive = send(people["officer"], regions=[tree.township_a])
    receipt = directive.receipts.get()
    assert receipt.sms.status == "failed"
    assert receipt.sms_failed
    assert states.counts(directive.receipts.all())["sms_failed"] == 1
    client.force_login(people["officer"])
    page = client.get(reverse("notify:directive", args=[directive.pk])).content.decode()
    assert "短信发送失败" in page
    assert "13800000001" not in page


def test_receipt_states_from_unread_to_answered_and_overdue(client, tree, people, send):
    directive = send(people["officer"], regions=[tree.township_a], levels=["community", "grid"])
    worker = people["community_a"]
    receipt = directive.receipts.get(recipient=worker)
    assert receipt.get_state_display() == "未读"
    client.force_login(worker)
    page = client.get(reverse("notify:directive_receipt", args=[receipt.pk]))
    assert page.status_code == 200
    receipt.refresh_from_db()
    assert receipt.get_state_display() == "已读"
    act = reverse("notify:directive_receipt_act", args=[receipt.pk])
    client.post(act, {"acknowledge": "1"})
    receipt.refresh_from_db()
    assert receipt.get_state_display() == "已签收"
    empty = client.post(act, {"answer": "  "})
    assert empty.status_code == 400
    assert "请填写反馈内容或上传附件" in empty.content.decode()
    upload = SimpleUploadedFile("排查表.pdf", b"%PDF-1.4", content_type="application/pdf")
    client.post(act, {"answer": "已排查 12 处，整改 3 处", "files": [upload]})
    receipt.refresh_from_db()
    assert receipt.get_state_display() == "已反馈"
    answer_file = DirectiveFile.objects.get(receipt=receipt)
    assert answer_file.name == "排查表.pdf"

    counts = states.counts(directive.receipts.all())
    assert (counts["answered"], counts["unread"], counts["total"]) == (1, 1, 2)
    Directive.objects.filter(pk=directive.pk).update(deadline=timezone.now() - timedelta(hours=1))
    counts = states.counts(directive.receipts.all())
    assert (counts["answered"], counts["overdue"], counts["unread"]) == (1, 1, 0)
    grid_receipt = DirectiveReceipt.objects.get(directive=directive, recipient=people["grid_a1"])
    assert grid_receipt.get_state_display() == "逾期"

    # The sender sees the answer and may download its file; someone else's receipt is 404.
    client.force_login(people["officer"])
    page = client.get(reverse("notify:directive", args=[directive.pk]) + "?state=answered")
    assert "已排查 12 处" in page.content.decode()
    assert client.get(answer_file.file.url).status_code == 200
    assert client.get(reverse("notify:directive_receipt", args=[receipt.pk])).status_code == 404
    client.force_login(people["grid_a1"])
    assert client.post(act, {"acknowledge": "1"}).status_code == 404


def test_directive_pages_keep_to_the_territory(client, tree, make_user, people, send):
    directive = send(people["officer"], regions=[tree.township_a])
    url = reverse("notify:directive", args=[directive.pk])
    county_b = make_user(perms=SENDER_PERMS, scope=[tree.county_b])
    client.force_login(county_b)
    assert client.get(url).status_code == 404
    assert directive.title not in client.get(reverse("notify:directive_list")).content.decode()
    county_a = make_user(perms=SENDER_PERMS, scope=[tree.county_a])
    client.force_login(county_a)
    assert client.get(url).status_code == 200
    # Above the sender it may be read, but reminding is the sender's.
    remind = reverse("notify:directive_remind", args=[directive.pk])
    assert client.post(remind).status_code == 403


def test_form_refuses_an_outside_region_with_a_clear_error(client, tree, people):
    client.force_login(people["officer"])
    deadline = (timezone.localtime() + timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")
    data = {
        "title": "通知",
        "body": "内容",
        "deadline": deadline,
        "regions": [tree.township_b.pk],
        "levels": ["community"],
    }
    response = client.post(reverse("notify:directive_new"), data)
    assert response.status_code == 400
    assert "不能向管辖范围以外的区域下达指令" in response.content.decode()
    assert not Directive.objects.exists()
    data["regions"] = [tree.township_a.pk]
    response = client.post(reverse("notify:directive_new"), data)
    directive = Directive.objects.get()
    assert response.url == directive.get_absolute_url()


def test_grid_worker_gets_no_form(client, tree, make_user):
    client.force_login(make_user(perms=SENDER_PERMS, scope=[tree.grid_a1]))
    assert client.get(reverse("notify:directive_new")).status_code == 403


def test_remind_button_and_the_automatic_reminder_once(client, tree, people, send):
    directive = send(
        people["officer"],
        regions=[tree.township_a],
        levels=["community", "grid"],
        deadline=timezone.now() + timedelta(hours=5),
    )
    done = directive.receipts.get(recipient=people["grid_a1"])
    actions.answer(done, people["grid_a1"], "已完成")
    client.force_login(people["officer"])
    remind = reverse("notify:directive_remind", args=[directive.pk])
    assert client.post(remind, {"receipt": "9" * 20}).status_code == 302
    assert not DirectiveReceipt.objects.filter(remind_count__gt=0).exists()
    client.post(remind)
    waiting = directive.receipts.get(recipient=people["community_a"])
    assert waiting.remind_count == 1
    assert SmsMessage.objects.filter(template__code="directive_reminder").count() == 1

    assert remind_directives.call() == 1
    assert remind_directives.call() == 0
    waiting.refresh_from_db()
    assert waiting.remind_count == 2 and waiting.auto_reminded_at is not None
    assert SmsMessage.objects.filter(template__code="directive_reminder").count() == 2


def test_no_automatic_reminder_far_from_the_deadline(tree, people, send):
    send(people["officer"], regions=[tree.township_a])
    assert remind_directives.call() == 0


def test_mobile_inbox_acknowledge_and_answer(client, tree, people, send):
    directive = send(people["officer"], regions=[tree.township_a])
    receipt = directive.receipts.get()
    client.force_login(people["community_a"])
    home = client.get(reverse("mobile:home")).content.decode()
    assert "我的指令" in home
    listing = client.get(reverse("mobile:directive_list")).content.decode()
    assert "防汛检查" in listing
    assert client.get(reverse("mobile:directive", args=[receipt.pk])).status_code == 200
    act = reverse("mobile:directive_act", args=[receipt.pk])
    assert client.post(act, {"acknowledge": "1"}).status_code == 302
    assert client.post(act, {"answer": "已完成排查"}).status_code == 302
    receipt.refresh_from_db()
    assert receipt.get_state_display() == "已反馈"
    client.force_login(people["grid_a1"])
    assert client.get(reverse("mobile:directive", args=[receipt.pk])).status_code == 404


def test_named_staff_are_found_as_one_types_in_the_senders_territory_only(client, people):
    officer = people["officer"]
    for key, name in (("community_a", "张甲社区"), ("community_b", "张乙社区")):
        people[key].full_name = name
        people[key].save()
    client.force_login(officer)
    url = reverse("notify:directive_staff_search")
    found = client.get(url, {"q": "张"}).json()["results"]
    assert [row["text"].split("（")[0] for row in found] == ["张甲社区"]
    assert client.get(url, {"q": ""}).json()["results"] == []
    # The form holds the chosen staff only, never a list of every account in the territory.
    page = client.get(reverse("notify:directive_new")).content.decode()
    assert "data-search-picker" in page and "张甲社区" not in page
    client.force_login(people["grid_a1"])
    assert client.get(url, {"q": "张"}).status_code == 403
