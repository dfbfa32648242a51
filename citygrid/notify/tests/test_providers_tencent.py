import json
import logging

import pytest

from citygrid.notify.choices import SmsStatus
from citygrid.notify.models import SmsTemplate
from citygrid.notify.tests.fake_providers import tencent_gateway

pytestmark = pytest.mark.django_db

PHONE = "13812345678"
SECRET_ID = "AKIDtestSecretId0123"
SECRET_KEY = "testSecretKey0123456789"


@pytest.fixture
def gateway():
    with tencent_gateway(SECRET_ID, SECRET_KEY) as fake:
        yield fake


@pytest.fixture
def tencent(settings, gateway):
    settings.SMS_BACKEND = "citygrid.notify.backends.tencent.TencentSmsBackend"
    settings.SMS_RETRY_BACKOFF = 0
    settings.SMS_MAX_ATTEMPTS = 3
    settings.SMS_TENCENT = {
        "secret_id": SECRET_ID,
        "secret_key": SECRET_KEY,
        "app_id": "1400006666",
        "sign_name": "网格化管理",
        "region": "ap-guangzhou",
        "endpoint": gateway.url,
        "templates": {"case_number": "2000002"},
    }
    SmsTemplate.objects.filter(code="verify_code").update(tencent_id="1000001")
    SmsTemplate.objects.filter(code="supervision_order").update(tencent_id="1000005")
    return settings.SMS_TENCENT


def test_success_stores_the_serial_number_and_sends_the_template_as_documented(
    tencent, gateway, send
):
    message = send(PHONE, "verify_code", {"code": "482913", "minutes": 5})

    assert message.status == SmsStatus.SENT
    assert message.backend == "tencent"
    assert message.provider_message_id == "2433:1001"
    assert message.attempts == 1
    [request] = gateway.requests
    assert request["path"] == "/"
    headers = request["headers"]
    assert headers["X-TC-Action"] == "SendSms"
    assert headers["X-TC-Version"] == "2021-01-11"
    assert headers["X-TC-Region"] == "ap-guangzhou"
    assert headers["Authorization"].startswith(f"TC3-HMAC-SHA256 Credential={SECRET_ID}/")
    assert (
        "/sms/tc3_request, SignedHeaders=content-type;host;x-tc-action, "
        in (headers["Authorization"])
    )
    body = json.loads(request["body"])
    assert body == {
        "PhoneNumberSet": [f"+86{PHONE}"],
        "SmsSdkAppId": "1400006666",
        "SignName": "网格化管理",
        "TemplateId": "1000001",
        "TemplateParamSet": ["482913", "5"],
        "SessionContext": str(message.pk),
    }


def test_template_param_set_follows_the_order_of_the_text(tencent, gateway, send):
    message = send(
        PHONE, "supervision_order", {"deadline": "5月3日", "number": "C9", "level": "黄牌"}
    )

    assert message.status == SmsStatus.SENT
    body = json.loads(gateway.requests[0]["body"])
    assert body["TemplateParamSet"] == ["黄牌", "C9", "5月3日"]


def test_settings_map_gives_the_template_id(tencent, gateway, send):
    message = send(PHONE, "case_number", {"number": "C20250001"})

    assert message.status == SmsStatus.SENT
    assert json.loads(gateway.requests[0]["body"])["TemplateId"] == "2000002"


def test_wrong_secret_is_rejected_and_not_retried(tencent, gateway, send, settings):
    settings.SMS_TENCENT = {**tencent, "secret_key": "not-the-key"}

    message = send(PHONE, "verify_code", {"code": "1", "minutes": "5"})

    assert message.status == SmsStatus.FAILED
    assert message.error.startswith("AuthFailure.SignatureFailure：The provided credentials")
    assert message.attempts == 1
    assert message.provider_message_id == ""
    assert len(gateway.requests) == 1


def test_unknown_secret_id_is_permanent(tencent, gateway, send, settings):
    settings.SMS_TENCENT = {**tencent, "secret_id": "AKIDwrong"}

    message = send(PHONE, "verify_code", {"code": "1", "minutes": "5"})

    assert message.status == SmsStatus.FAILED
    assert message.error == "AuthFailure.SecretIdNotFound：secret id not found"
    assert len(gateway.requests) == 1


def test_frequency_limits_are_retried_then_succeed(tencent, gateway, send):
    gateway.script = ["LimitExceeded.PhoneNumberThirtySecondLimit", "RequestLimitExceeded"]

    message = send(PHONE, "verify_code", {"code": "1", "minutes": "5"})

    assert message.status == SmsStatus.SENT
    assert message.attempts == 3
    assert message.provider_message_id == "2433:1003"
    assert len(gateway.requests) == 3


def test_gateway_fault_is_retried(tencent, gateway, send):
    gateway.script = ["HTTP 502"]

    message = send(PHONE, "verify_code", {"code": "1", "minutes": "5"})

    assert message.status == SmsStatus.SENT
    assert message.attempts == 2


@pytest.mark.parametrize(
    "code",
    [
        "FailedOperation.TemplateIncorrectOrUnapproved",
        "FailedOperation.SignatureIncorrectOrUnapproved",
        "InvalidParameterValue.IncorrectPhoneNumber",
        "LimitExceeded.PhoneNumberDailyLimit",
    ],
)
def test_permanent_errors_are_not_retried(tencent, gateway, send, caplog, code):
    gateway.script = [code]

    with caplog.at_level(logging.DEBUG):
        message = send(PHONE, "verify_code", {"code": "1", "minutes": "5"})

    assert message.status == SmsStatus.FAILED
    assert message.error == f"{code}：+86138****5678 {code}"
    assert message.attempts == 1
    assert len(gateway.requests) == 1
    assert PHONE not in caplog.text


def test_retries_are_bounded_with_exponential_backoff(tencent, gateway, send):
    gateway.script = ["RequestLimitExceeded"] * 3
    message = send(PHONE, "verify_code", {"code": "1", "minutes": "5"})
    assert message.status == SmsStatus.FAILED
    assert message.attempts == 3
    assert message.error == "RequestLimitExceeded：try later"
    assert len(gateway.requests) == 3


def test_retry_waits_double_up_to_a_cap(tencent, gateway, send, settings, task_queue, no_sleep):
    settings.SMS_TENCENT = {**tencent, "backoff": 20, "max_attempts": 4}
    gateway.script = ["RequestLimitExceeded"] * 4

    message = send(PHONE, "verify_code", {"code": "1", "minutes": "5"})

    # Doubling from 20 s, capped at 30 s; each wait is spent in the queue, not in a worker.
    first, *waits = task_queue.run_all()
    assert first is None and waits == pytest.approx([20.0, 30.0, 30.0], abs=0.15)
    message.refresh_from_db()
    assert (message.status, message.attempts) == (SmsStatus.FAILED, 4)


def test_a_non_json_client_error_is_permanent(tencent, gateway, send):
    gateway.script = ["HTTP 403"]

    message = send(PHONE, "verify_code", {"code": "1", "minutes": "5"})

    assert message.status == SmsStatus.FAILED
    assert message.error == "HTTP 403：服务商应答不是 JSON"
    assert message.attempts == 1
    assert len(gateway.requests) == 1
