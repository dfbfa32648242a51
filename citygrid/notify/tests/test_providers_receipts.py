import json
import logging

import pytest
from django.test import Client
from django.urls import reverse

from citygrid.notify.choices import SmsStatus
from citygrid.notify.models import SmsMessage, SmsTemplate

pytestmark = pytest.mark.django_db

PHONE = "13812345678"
TOKEN = "receipt-token-3f9a1c"


@pytest.fixture(autouse=True)
def receipt_token(settings):
    settings.SMS_RECEIPT_TOKEN = TOKEN


def sent_message(backend: str, provider_id: str, status=SmsStatus.SENT) -> SmsMessage:
    return SmsMessage.objects.create(
        phone=PHONE,
        template=SmsTemplate.objects.get(code="verify_code"),
        text="【网格化管理】您的验证码为1",
        status=status,
        backend=backend,
        provider_message_id=provider_id,
        attempts=1,
    )


def push(provider: str, reports, token: str = TOKEN):
    url = reverse(f"notify:sms_receipt_{provider}", args=[token])
    body = reports if isinstance(reports, str) else json.dumps(reports, ensure_ascii=False)
    return Client().post(url, data=body, content_type="application/json")


def aliyun_report(biz_id: str, success: bool, code: str, text: str) -> dict:
    return {
        "phone_number": PHONE,
        "send_time": "2025-05-01 10:00:00",
        "report_time": "2025-05-01 10:00:03",
        "success": success,
        "err_code": code,
        "err_msg": text,
        "sms_size": "1",
        "biz_id": biz_id,
        "out_id": "1",
    }


def tencent_report(sid: str, status: str, code: str, text: str) -> dict:
    return {
        "user_receive_time": "2025-05-01 10:00:03",
        "nationcode": "86",
        "mobile": PHONE,
        "report_status": status,
        "errmsg": code,
        "description": text,
        "sid": sid,
    }


def test_aliyun_receipts_mark_delivered_and_failed(caplog):
    delivered = sent_message("aliyun", "900001^0")
    undelivered = sent_message("aliyun", "900002^0")
    other_provider = sent_message("tencent", "900001^0")

    with caplog.at_level(logging.DEBUG):
        response = push(
            "aliyun",
            [
                aliyun_report("900001^0", True, "DELIVERED", "用户接收成功"),
                aliyun_report("900002^0", False, "MK:0001", "空号"),
                aliyun_report("unknown^0", True, "DELIVERED", "用户接收成功"),
            ],
        )

    assert response.status_code == 200
    assert response.json() == {"code": 0, "msg": "接收成功"}
    for message in (delivered, undelivered, other_provider):
        message.refresh_from_db()
    assert delivered.status == SmsStatus.DELIVERED
    assert delivered.error == ""
    assert undelivered.status == SmsStatus.FAILED
    assert undelivered.error == "MK:0001：空号"
    assert other_provider.status == SmsStatus.SENT
    assert PHONE not in caplog.text


def test_tencent_receipts_mark_delivered_and_failed():
    delivered = sent_message("tencent", "2433:1001")
    undelivered = sent_message("tencent", "2433:1002")

    response = push(
        "tencent",
        [
            tencent_report("2433:1001", "SUCCESS", "DELIVRD", "用户短信送达成功"),
            tencent_report("2433:1002", "FAIL", "UNDELIV", "用户关机"),
        ],
    )

    assert response.status_code == 200
    assert response.json() == {"result": 0, "errmsg": "OK"}
    delivered.refresh_from_db()
    undelivered.refresh_from_db()
    assert delivered.status == SmsStatus.DELIVERED
    assert undelivered.status == SmsStatus.FAILED
    assert undelivered.error == "UNDELIV：用户关机"


def test_a_repeated_or_late_receipt_changes_nothing():
    delivered = sent_message("tencent", "2433:1001", status=SmsStatus.DELIVERED)

    response = push("tencent", [tencent_report("2433:1001", "FAIL", "UNDELIV", "用户关机")])

    assert response.status_code == 200
    delivered.refresh_from_db()
    assert delivered.status == SmsStatus.DELIVERED
    assert delivered.error == ""


@pytest.mark.parametrize("provider", ["aliyun", "tencent"])
def test_wrong_token_is_not_found_and_changes_nothing(provider):
    message = sent_message(provider, "id-1")
    report = (
        aliyun_report("id-1", True, "DELIVERED", "")
        if provider == "aliyun"
        else tencent_report("id-1", "SUCCESS", "DELIVRD", "")
    )

    response = push(provider, [report], token="guessed")

    assert response.status_code == 404
    message.refresh_from_db()
    assert message.status == SmsStatus.SENT


def test_receipts_are_off_without_a_token(settings):
    settings.SMS_RECEIPT_TOKEN = ""
    message = sent_message("aliyun", "id-1")

    response = push("aliyun", [aliyun_report("id-1", True, "DELIVERED", "")], token=TOKEN)

    assert response.status_code == 404
    message.refresh_from_db()
    assert message.status == SmsStatus.SENT


@pytest.mark.parametrize(
    ("provider", "answer"),
    [
        ("aliyun", {"code": 1, "msg": "状态报告格式错误"}),
        ("tencent", {"result": 1, "errmsg": "状态报告格式错误"}),
    ],
)
@pytest.mark.parametrize("body", ["not json", '{"sid": "x"}', "[1, 2]"])
def test_malformed_push_answers_in_the_providers_format(provider, answer, body):
    response = push(provider, body)

    assert response.status_code == 400
    assert response.json() == answer


def test_receipt_endpoint_accepts_only_post():
    url = reverse("notify:sms_receipt_aliyun", args=[TOKEN])

    assert Client().get(url).status_code == 405
