import json
import logging
from datetime import timedelta

import pytest
from django.utils import timezone

from citygrid.notify.choices import SmsStatus
from citygrid.notify.models import SmsTemplate
from citygrid.notify.tests.fake_providers import aliyun_gateway

pytestmark = pytest.mark.django_db

PHONE = "13812345678"
KEY_ID = "LTAI5tTestKeyId"
SECRET = "testSecret0123456789abcdef"


@pytest.fixture
def gateway():
    with aliyun_gateway(KEY_ID, SECRET) as fake:
        yield fake


@pytest.fixture
def aliyun(settings, gateway):
    settings.SMS_BACKEND = "citygrid.notify.backends.aliyun.AliyunSmsBackend"
    settings.SMS_RETRY_BACKOFF = 0
    settings.SMS_MAX_ATTEMPTS = 3
    settings.SMS_ALIYUN = {
        "access_key_id": KEY_ID,
        "access_key_secret": SECRET,
        "sign_name": "网格化管理",
        "region": "cn-hangzhou",
        "endpoint": gateway.url,
        "templates": {"case_number": "SMS_200000002"},
    }
    SmsTemplate.objects.filter(code="verify_code").update(aliyun_code="SMS_100000001")
    SmsTemplate.objects.filter(code="deadline_warning").update(aliyun_code="SMS_100000003")
    return settings.SMS_ALIYUN


def test_success_stores_the_biz_id_and_sends_the_template_as_documented(aliyun, gateway, send):
    message = send(PHONE, "verify_code", {"code": "482913", "minutes": 5, "extra": "x"})

    assert message.status == SmsStatus.SENT
    assert message.backend == "aliyun"
    assert message.provider_message_id == "900001^0"
    assert message.attempts == 1
    assert message.error == ""
    [request] = gateway.requests
    # A form POST to "/": the number is in the body, never in the URL.
    assert request["path"] == "/"
    params = request["params"]
    assert params["PhoneNumbers"] == PHONE
    assert params["SignName"] == "网格化管理"
    assert params["TemplateCode"] == "SMS_100000001"
    assert json.loads(params["TemplateParam"]) == {"code": "482913", "minutes": "5"}
    assert params["OutId"] == str(message.pk)
    assert params["RegionId"] == "cn-hangzhou"
    assert params["Format"] == "JSON"


def test_signature_covers_chinese_spaces_and_reserved_characters(aliyun, gateway, send):
    message = send(PHONE, "deadline_warning", {"number": "A*1~+/", "deadline": "5月1日 17:00"})

    assert message.status == SmsStatus.SENT
    params = gateway.requests[0]["params"]
    assert json.loads(params["TemplateParam"]) == {"number": "A*1~+/", "deadline": "5月1日 17:00"}


def test_settings_map_gives_the_template_code_when_the_template_has_none(aliyun, gateway, send):
    message = send(PHONE, "case_number", {"number": "C20250001"})

    assert message.status == SmsStatus.SENT
    assert gateway.requests[0]["params"]["TemplateCode"] == "SMS_200000002"


def test_template_without_provider_code_fails_without_calling(aliyun, gateway, send):
    message = send(PHONE, "deadline_overdue", {"number": "C1", "deadline": "5月1日"})

    assert message.status == SmsStatus.FAILED
    assert message.error == "TemplateNotMapped：短信模板 deadline_overdue 未配置服务商模板编号"
    assert gateway.requests == []


def test_wrong_secret_is_rejected_and_not_retried(aliyun, gateway, send, settings):
    settings.SMS_ALIYUN = {**aliyun, "access_key_secret": "not-the-secret"}

    message = send(PHONE, "verify_code", {"code": "1", "minutes": "5"})

    assert message.status == SmsStatus.FAILED
    assert message.error.startswith("SignatureDoesNotMatch：Specified signature is not matched")
    assert message.attempts == 1
    assert message.provider_message_id == ""
    assert len(gateway.requests) == 1


def test_unknown_access_key_is_permanent(aliyun, gateway, send, settings):
    settings.SMS_ALIYUN = {**aliyun, "access_key_id": "LTAIwrong"}

    message = send(PHONE, "verify_code", {"code": "1", "minutes": "5"})

    assert message.status == SmsStatus.FAILED
    assert message.error == "InvalidAccessKeyId.NotFound：Specified access key is not found."
    assert len(gateway.requests) == 1


def test_throttling_is_retried_then_succeeds(aliyun, gateway, send):
    gateway.script = ["isv.BUSINESS_LIMIT_CONTROL"]

    message = send(PHONE, "verify_code", {"code": "1", "minutes": "5"})

    assert message.status == SmsStatus.SENT
    assert message.attempts == 2
    assert message.provider_message_id == "900002^0"
    assert len(gateway.requests) == 2
    # A new nonce (and signature) on every try, or Aliyun refuses the retry.
    nonces = {request["params"]["SignatureNonce"] for request in gateway.requests}
    assert len(nonces) == 2


def test_gateway_fault_and_timeout_are_retried(aliyun, gateway, send, settings):
    settings.SMS_ALIYUN = {**aliyun, "timeout": 0.3}
    gateway.slow_seconds = 1.0
    gateway.script = ["HTTP 503", "SLOW"]

    message = send(PHONE, "verify_code", {"code": "1", "minutes": "5"})

    assert message.status == SmsStatus.SENT
    assert message.attempts == 3
    assert len(gateway.requests) == 3


def test_permanent_error_is_not_retried_and_the_number_is_masked(aliyun, gateway, send, caplog):
    gateway.script = ["isv.MOBILE_NUMBER_ILLEGAL"]

    with caplog.at_level(logging.DEBUG):
        message = send(PHONE, "verify_code", {"code": "1", "minutes": "5"})

    assert message.status == SmsStatus.FAILED
    assert message.error == "isv.MOBILE_NUMBER_ILLEGAL：138****5678 isv.MOBILE_NUMBER_ILLEGAL"
    assert message.attempts == 1
    assert len(gateway.requests) == 1
    assert "isv.MOBILE_NUMBER_ILLEGAL" in caplog.text
    assert PHONE not in caplog.text


def test_a_retry_is_queued_for_later_with_exponential_backoff_and_nobody_sleeps(
    aliyun, gateway, send, settings, task_queue, no_sleep
):
    settings.SMS_RETRY_BACKOFF = 0.5
    settings.SMS_MAX_ATTEMPTS = 4
    gateway.script = ["isv.BUSINESS_LIMIT_CONTROL"] * 5
    message = send(PHONE, "verify_code", {"code": "1", "minutes": "5"})

    before = timezone.now()
    assert task_queue.run_next() is None  # the first try runs at once
    after = timezone.now()

    # Throttled: the row waits in the outbox and the next try is queued half a second on.
    message.refresh_from_db()
    assert (message.status, message.attempts) == (SmsStatus.QUEUED, 1)
    assert message.error.startswith("isv.BUSINESS_LIMIT_CONTROL：")
    [retry] = task_queue.pending()
    assert retry.task.run_after is not None
    assert before + timedelta(seconds=0.5) <= retry.task.run_after <= after + timedelta(seconds=0.5)
    assert retry.args_kwargs["args"] == [message.pk]

    # Doubling waits; the fourth try is the last.
    # The wait is counted from the enqueue, a moment after the retry time was set: on a busy
    # machine that moment is a tenth of a second.
    assert task_queue.run_all() == pytest.approx([0.5, 1.0, 2.0], abs=0.15)
    message.refresh_from_db()
    assert message.attempts == 4
    assert len(gateway.requests) == 4
    assert message.status == SmsStatus.FAILED
    assert message.error.startswith("isv.BUSINESS_LIMIT_CONTROL：")
    assert PHONE not in message.error
    assert task_queue.pending() == []


def test_template_map_setting_is_parsed(monkeypatch):
    from citygrid.settings import _sms_template_map

    monkeypatch.setenv("CITYGRID_SMS_TEST_MAP", " verify_code = SMS_1 ,case_number=SMS_2,,bad")

    assert _sms_template_map("CITYGRID_SMS_TEST_MAP") == {
        "verify_code": "SMS_1",
        "case_number": "SMS_2",
    }


def test_unreachable_gateway_is_retried_then_recorded(aliyun, send, settings):
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    settings.SMS_ALIYUN = {**aliyun, "endpoint": f"http://127.0.0.1:{port}/"}

    message = send(PHONE, "verify_code", {"code": "1", "minutes": "5"})

    assert message.status == SmsStatus.FAILED
    assert message.attempts == 3
    assert message.error == "ConnectionError：无法连接服务商接口"
