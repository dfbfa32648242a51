"""The endpoint as WeChat calls it: signatures, each message type, plain and safe modes."""

import pytest
import xmltodict
from wechatpy.crypto import WeChatCrypto

from citygrid.integrations.wechat.conversation import NO_RECOGNITION, OUTSIDE, UNSUPPORTED
from citygrid.integrations.wechat.models import Conversation, ProcessedMessage

from .conftest import (
    ACCOUNT,
    AES_KEY,
    APP_ID,
    INSIDE,
    NONCE,
    OPENID,
    TIMESTAMP,
    TOKEN,
    reply_text,
    sign,
)
from .conftest import OUTSIDE as FAR_AWAY

pytestmark = pytest.mark.django_db


def test_get_with_good_signature_echoes_echostr(wx, client):
    params = {**wx.params(), "echostr": "5837397520665436492"}
    response = client.get("/wechat/", params)
    assert response.status_code == 200
    assert response.content == b"5837397520665436492"
    assert response["Content-Type"].startswith("text/plain")


@pytest.mark.parametrize(
    "params",
    [
        {"signature": sign("wrong-token", TIMESTAMP, NONCE), "timestamp": TIMESTAMP},
        {"signature": sign(TOKEN, TIMESTAMP, NONCE), "timestamp": "1414243738"},
        {},
    ],
    ids=["other-token", "tampered-timestamp", "unsigned"],
)
def test_get_with_bad_signature_is_forbidden(client, params):
    response = client.get("/wechat/", {"nonce": NONCE, "echostr": "123", **params})
    assert response.status_code == 403
    assert b"123" not in response.content


def test_post_with_bad_signature_is_forbidden_and_does_nothing(wx, classes):
    params = {**wx.params(token="wrong-token"), "openid": OPENID}
    response = wx.post(wx.msg.text("路边堆了很多建材"), params=params)
    assert response.status_code == 403
    assert not Conversation.objects.exists()
    assert not ProcessedMessage.objects.exists()


def test_unconfigured_account_answers_503(wx, settings):
    settings.WECHAT_TOKEN = ""
    response = wx.client.get("/wechat/", {**wx.params(), "echostr": "1"})
    assert response.status_code == 503


def test_other_methods_are_refused(wx):
    assert (
        wx.client.put(
            "/wechat/?" + "&".join(f"{k}={v}" for k, v in wx.params().items())
        ).status_code
        == 405
    )


def test_malformed_body_is_a_bad_request(wx):
    response = wx.post("<xml><MsgType>text")
    assert response.status_code == 400
    assert not ProcessedMessage.objects.exists()


def test_subscribe_replies_with_how_to_report(wx):
    response = wx.post(wx.msg.event("subscribe"))
    assert response.status_code == 200
    reply = xmltodict.parse(response.content.decode())["xml"]
    assert reply["ToUserName"] == OPENID
    assert reply["FromUserName"] == ACCOUNT
    assert reply["MsgType"] == "text"
    assert reply["Content"].startswith("欢迎关注！")
    assert "发送问题所在位置" in reply["Content"]
    assert "30分钟内" in reply["Content"]
    assert "最多3张" in reply["Content"]


def test_unsubscribe_drops_the_conversation(wx, classes):
    wx.say(wx.msg.text("路边堆了很多建材"))
    assert Conversation.objects.count() == 1
    response = wx.post(wx.msg.event("unsubscribe"))
    assert response.content == b"success"
    assert not Conversation.objects.exists()


def test_text_starts_a_conversation(wx, classes):
    reply = wx.say(wx.msg.text("路边堆了很多建材"))
    assert reply == "已收到问题描述。还需要发送：问题所在位置（点“+”→“位置”）。"
    conv = Conversation.objects.get()
    assert conv.openid == OPENID
    assert conv.description == "路边堆了很多建材"
    assert conv.lng is None


def test_image_is_kept_for_the_report(wx, classes):
    reply = wx.say(wx.msg.image("http://mmbiz.qpic.cn/mmbiz/abc/0"))
    assert reply.startswith("已收到照片（共1张）。还需要发送：问题所在位置")
    assert Conversation.objects.get().photos == [
        {"url": "http://mmbiz.qpic.cn/mmbiz/abc/0", "media_id": "media_1"}
    ]


def test_photos_beyond_the_limit_are_refused(wx, classes, settings):
    settings.WECHAT_MAX_PHOTOS = 1
    wx.say(wx.msg.image("http://mmbiz.qpic.cn/a"))
    reply = wx.say(wx.msg.image("http://mmbiz.qpic.cn/b"))
    assert reply.startswith("每次上报最多1张照片，这张未保存。")
    assert [p["url"] for p in Conversation.objects.get().photos] == ["http://mmbiz.qpic.cn/a"]


def test_voice_recognition_is_the_description(wx, classes):
    reply = wx.say(wx.msg.voice("人行道上有人占道施工"))
    assert reply.startswith("已收到语音描述：人行道上有人占道施工。")
    assert Conversation.objects.get().description == "人行道上有人占道施工"


def test_voice_without_recognition_asks_for_text(wx, classes):
    assert wx.say(wx.msg.voice()) == NO_RECOGNITION
    assert not Conversation.objects.exists()


def test_location_inside_a_grid(wx, classes):
    reply = wx.say(wx.msg.location(*INSIDE, label="甲社区1号"))
    assert reply == "已收到位置：甲社区1号。还需要发送：问题描述（文字或语音）。"
    conv = Conversation.objects.get()
    assert (conv.lng, conv.lat) == pytest.approx(INSIDE)
    assert conv.address == "甲社区1号"


def test_location_outside_every_grid_keeps_the_conversation(wx, classes):
    wx.say(wx.msg.text("路边堆了很多建材"))
    assert wx.say(wx.msg.location(*FAR_AWAY, label="外地")) == OUTSIDE
    conv = Conversation.objects.get()
    assert conv.description == "路边堆了很多建材"
    assert conv.lng is None


def test_unsupported_message_type(wx, classes):
    assert wx.say(wx.msg.video()) == UNSUPPORTED


def test_phone_number_is_stored_and_echoed_masked(wx, classes):
    reply = wx.say(wx.msg.text("138 0013 8000"))
    assert reply.startswith("已记录您的手机号码 138****8000。")
    conv = Conversation.objects.get()
    assert conv.phone == "13800138000"
    assert conv.description == ""


def test_encrypted_round_trip(wx):
    response = wx.post_encrypted(wx.msg.event("subscribe"))
    assert response.status_code == 200
    sealed = xmltodict.parse(response.content.decode())["xml"]
    assert set(sealed) == {"Encrypt", "MsgSignature", "TimeStamp", "Nonce"}
    assert sealed["MsgSignature"] == sign(
        TOKEN, sealed["TimeStamp"], sealed["Nonce"], sealed["Encrypt"]
    )
    plain = WeChatCrypto(TOKEN, AES_KEY, APP_ID).decrypt_message(
        response.content.decode(), sealed["MsgSignature"], sealed["TimeStamp"], sealed["Nonce"]
    )
    reply = xmltodict.parse(plain)["xml"]
    assert reply["ToUserName"] == OPENID
    assert reply["Content"].startswith("欢迎关注！")


def test_encrypted_text_message(wx, classes):
    response = wx.post_encrypted(wx.msg.text("路边堆了很多建材"))
    assert response.status_code == 200
    assert Conversation.objects.get().description == "路边堆了很多建材"


def test_encrypted_with_bad_msg_signature_is_forbidden(wx, classes):
    response = wx.post_encrypted(wx.msg.text("路边堆了很多建材"), msg_signature="0" * 40)
    assert response.status_code == 403
    assert not Conversation.objects.exists()
    assert not ProcessedMessage.objects.exists()


def test_encrypted_for_another_app_is_forbidden(wx, classes, settings):
    settings.WECHAT_APP_ID = "wxffffffffffffffff"
    response = wx.post_encrypted(wx.msg.text("路边堆了很多建材"))
    assert response.status_code == 403
    assert not Conversation.objects.exists()


def test_plain_reply_is_rendered_for_plain_requests(wx, classes):
    response = wx.post(wx.msg.text("路边堆了很多建材"))
    assert response["Content-Type"] == "application/xml; charset=utf-8"
    assert reply_text(response).startswith("已收到问题描述。")


@pytest.mark.parametrize(
    ("body_age", "request_age"),
    # 100 s past the 300 s window: a slow test run must not drift a stale stamp back inside it.
    [(400, 0), (-400, 0), (0, 400), (0, -400)],
    ids=["old-message", "future-message", "old-request", "future-request"],
)
def test_a_message_outside_the_replay_window_is_forbidden(wx, classes, body_age, request_age):
    now = int(wx.msg.created)
    wx.msg.created = str(now - body_age)
    xml = wx.msg.text("路边堆了很多建材")
    wx.msg.created = str(now - request_age)
    response = wx.post(xml)
    assert response.status_code == 403
    assert not Conversation.objects.exists()
    assert not ProcessedMessage.objects.exists()


def test_a_message_within_a_configured_replay_window_is_accepted(wx, classes, settings):
    settings.WECHAT_REPLAY_SECONDS = 600
    now = int(wx.msg.created)
    wx.msg.created = str(now - 500)
    xml = wx.msg.text("路边堆了很多建材")
    wx.msg.created = str(now)
    response = wx.post(xml)
    assert response.status_code == 200
    assert Conversation.objects.get().description == "路边堆了很多建材"
