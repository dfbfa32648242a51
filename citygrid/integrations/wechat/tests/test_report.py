"""The report conversation: pieces in any order → exactly one case, retries change nothing."""

from datetime import timedelta

import pytest
from django.utils import timezone

from citygrid.cases.models import Case, CaseEvent
from citygrid.integrations.wechat import conversation
from citygrid.integrations.wechat.models import Conversation, ProcessedMessage

from .conftest import INSIDE, OPENID

pytestmark = pytest.mark.django_db

MENU = (
    "请回复数字选择问题类别（如需补充照片或手机号码，请在选择类别前发送）：\n"
    "1 乱堆物堆料\n2 占道施工\n0 其他"
)


def test_full_report_creates_exactly_one_case(wx, classes, tree, image_server):
    first = wx.msg.image(f"{image_server}/photo.jpg")
    wx.say(first)
    assert wx.say(wx.msg.text("13800138000")).startswith("已记录您的手机号码 138****8000。")
    reply = wx.say(wx.msg.location(*INSIDE, label="甲社区1号"))
    assert reply == "已收到位置：甲社区1号。还需要发送：问题描述（文字或语音）。"
    reply = wx.say(wx.msg.text("人行道上堆放建材"))
    assert reply == "已收到问题描述。\n" + MENU
    assert not Case.objects.exists()

    final = wx.msg.text("1")
    reply = wx.say(final)
    case = Case.objects.get()
    assert reply == (
        f"上报成功！案件编号：{case.number}。\n"
        f"查询办理进度：https://grid.example.gov.cn/portal/follow/?number={case.number}"
    )
    assert "13800138000" not in reply
    assert case.channel == "wechat"
    assert case.category == classes["0507"]
    assert case.description == "人行道上堆放建材"
    assert case.address == "甲社区1号"
    assert case.region == tree.grid_a1
    assert (case.lng, case.lat) == pytest.approx((120.005, 30.005), abs=1e-6)
    assert case.reporter_phone == "13800138000"
    assert case.reporter is None
    assert case.idempotency_key.startswith("wechat-")
    assert case.attachments.count() == 1
    assert CaseEvent.objects.filter(case=case, action="report").count() == 1
    assert not Conversation.objects.exists()

    # WeChat retries the last message (same MsgId): same reply, no second case.
    assert wx.say(final) == reply
    assert Case.objects.count() == 1


def test_idempotency_key_comes_from_openid_and_first_message(wx, classes, image_server):
    first = wx.msg.location(*INSIDE)
    wx.say(first)
    first_id = Conversation.objects.get().first_msg_id
    wx.say(wx.msg.text("人行道上堆放建材"))
    wx.say(wx.msg.text("2"))
    case = Case.objects.get()
    expected = conversation.idempotency_key(Conversation(openid=OPENID, first_msg_id=first_id))
    assert case.idempotency_key == expected
    assert case.category == classes["0508"]


def test_retried_piece_is_not_counted_twice(wx, classes):
    text = wx.msg.text("人行道上堆放建材")
    first = wx.say(text)
    assert wx.say(text) == first
    assert Conversation.objects.get().description == "人行道上堆放建材"
    assert ProcessedMessage.objects.count() == 1


def test_voice_and_default_class(wx, classes):
    wx.say(wx.msg.voice("有人在路边摆摊"))
    wx.say(wx.msg.location(*INSIDE))
    reply = wx.say(wx.msg.text("0"))
    case = Case.objects.get()
    assert case.category == classes["0501"]
    assert case.description == "有人在路边摆摊"
    assert case.reporter_phone == ""
    assert "本次未留号码" in reply


def test_unknown_menu_number_shows_the_menu_again(wx, classes):
    wx.say(wx.msg.location(*INSIDE))
    wx.say(wx.msg.text("人行道上堆放建材"))
    assert wx.say(wx.msg.text("7")) == "没有这个选项。\n" + MENU
    assert not Case.objects.exists()
    assert Conversation.objects.get().awaiting_category


def test_digits_before_the_menu_are_description(wx, classes):
    wx.say(wx.msg.text("3"))
    assert Conversation.objects.get().description == "3"
    assert not Case.objects.exists()


def test_failed_photo_download_still_files_the_report(wx, classes, image_server):
    wx.say(wx.msg.image(f"{image_server}/missing.jpg"))
    wx.say(wx.msg.image("http://evil.example.com/photo.jpg"))
    wx.say(wx.msg.location(*INSIDE))
    wx.say(wx.msg.text("人行道上堆放建材"))
    reply = wx.say(wx.msg.text("1"))
    case = Case.objects.get()
    assert case.attachments.count() == 0
    assert reply.endswith("有2张照片未能保存，案件已先行上报，处置人员会到现场核实。")


def test_photo_the_intake_refuses_is_dropped_not_the_report(wx, classes, settings, monkeypatch):
    settings.WECHAT_IMAGE_DOWNLOADER = "citygrid.integrations.wechat.tests.test_report.not_an_image"
    wx.say(wx.msg.image("http://127.0.0.1/x.jpg"))
    wx.say(wx.msg.location(*INSIDE))
    wx.say(wx.msg.text("人行道上堆放建材"))
    reply = wx.say(wx.msg.text("1"))
    assert Case.objects.get().attachments.count() == 0
    assert "有1张照片未能保存" in reply


def not_an_image(url, *, timeout):
    return b"this is not a picture"


def test_cancel_drops_the_conversation(wx, classes):
    wx.say(wx.msg.location(*INSIDE))
    assert wx.say(wx.msg.text("取消")).startswith("已取消本次上报。")
    assert not Conversation.objects.exists()
    assert not Case.objects.exists()


def test_idle_conversation_restarts(classes, wx):
    wx.say(wx.msg.location(*INSIDE))
    Conversation.objects.update(updated_at=timezone.now() - timedelta(minutes=31))
    reply = wx.say(wx.msg.text("人行道上堆放建材"))
    assert reply == "已收到问题描述。还需要发送：问题所在位置（点“+”→“位置”）。"
    conv = Conversation.objects.get()
    assert conv.lng is None


def test_conversation_within_the_window_continues(classes, wx):
    wx.say(wx.msg.location(*INSIDE))
    Conversation.objects.update(updated_at=timezone.now() - timedelta(minutes=29))
    reply = wx.say(wx.msg.text("人行道上堆放建材"))
    assert reply.startswith("已收到问题描述。\n请回复数字选择问题类别")


def test_two_citizens_have_separate_conversations(wx, classes):
    wx.say(wx.msg.location(*INSIDE))
    wx.say(wx.msg.text("另一处问题", openid="oOther000000000000000000000"))
    assert Conversation.objects.count() == 2
    assert Conversation.objects.get(openid=OPENID).description == ""


def test_old_processed_keys_are_pruned(wx, classes):
    wx.say(wx.msg.text("人行道上堆放建材"))
    ProcessedMessage.objects.update(received_at=timezone.now() - timedelta(days=2))
    wx.say(wx.msg.text("补充说明"))
    assert ProcessedMessage.objects.count() == 1


def test_slow_photos_share_one_time_budget(wx, classes, image_server, settings):
    settings.WECHAT_IMAGE_TIMEOUT = 0.5
    wx.say(wx.msg.image(f"{image_server}/slow.jpg"))
    wx.say(wx.msg.image(f"{image_server}/photo.jpg"))
    wx.say(wx.msg.location(*INSIDE))
    wx.say(wx.msg.text("人行道上堆放建材"))
    reply = wx.say(wx.msg.text("1"))
    assert Case.objects.get().attachments.count() == 0
    assert "有2张照片未能保存" in reply
