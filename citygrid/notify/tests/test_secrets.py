"""A portal verification code is kept in the outbox only until its try is over."""

import io

import pytest
from django.db import connection

from citygrid.notify.backends.base import BaseSmsBackend, RetryLater
from citygrid.notify.backends.console import ConsoleBackend
from citygrid.notify.models import SmsMessage
from citygrid.notify.tasks import deliver
from citygrid.portal.services import send_code

pytestmark = pytest.mark.django_db

PHONE = "13812345678"
PRINTED = io.StringIO()


class PrintingBackend(ConsoleBackend):
    """A backend whose texts leave the outbox (the console stands in for a provider)."""

    def __init__(self, **options):
        super().__init__(stream=PRINTED, **options)


class ThrottledBackend(BaseSmsBackend):
    name = "throttled"

    def send(self, message):
        raise RetryLater("throttled", 60)


class RefusingBackend(BaseSmsBackend):
    name = "refusing"

    def send(self, message):
        self.mark_failed(message, "isv.BUSINESS_LIMIT_CONTROL")


def stored(message) -> str:
    """Everything the outbox row holds, as the database has it."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM notify_smsmessage WHERE id = %s", [message.pk])
        return str(cursor.fetchone())


def code_message(send) -> SmsMessage:
    return send(PHONE, "verify_code", {"code": "482916", "minutes": 5}, secret_params=("code",))


def test_sent_code_is_delivered_then_kept_only_masked(send, settings):
    settings.SMS_BACKEND = f"{__name__}.PrintingBackend"
    message = code_message(send)
    assert "482916" in PRINTED.getvalue()  # what the provider got
    assert message.status == "sent"
    assert message.params == {"code": "******", "minutes": "5"}
    assert "验证码为******，5分钟内有效" in message.text
    assert "482916" not in stored(message)


def test_failed_code_is_masked_too(send, settings):
    settings.SMS_BACKEND = f"{__name__}.RefusingBackend"
    message = code_message(send)
    assert message.status == "failed"
    assert "482916" not in stored(message)


def test_code_waiting_for_a_retry_is_kept_for_it(send, settings):
    settings.SMS_BACKEND = f"{__name__}.ThrottledBackend"
    message = code_message(send)
    assert message.status == "queued"
    assert message.params["code"] == "482916"
    settings.SMS_BACKEND = f"{__name__}.PrintingBackend"
    deliver(message.pk)
    message.refresh_from_db()
    assert message.status == "sent" and "482916" not in stored(message)


def test_trial_outbox_keeps_the_text_it_delivers_on_its_page(send, settings):
    settings.SMS_BACKEND = "citygrid.notify.backends.outbox.OutboxBackend"
    message = code_message(send)
    assert message.status == "sent" and message.params["code"] == "482916"


def test_other_texts_are_kept_whole(send, settings):
    settings.SMS_BACKEND = f"{__name__}.PrintingBackend"
    message = send(PHONE, "case_number", {"number": "A0001"})
    assert message.params == {"number": "A0001"} and "A0001" in message.text


def test_portal_code_is_sent_as_a_secret(settings, django_capture_on_commit_callbacks):
    settings.SMS_BACKEND = f"{__name__}.PrintingBackend"
    with django_capture_on_commit_callbacks(execute=True):
        send_code(PHONE)
    message = SmsMessage.objects.get()
    printed = PRINTED.getvalue().splitlines()[-1]
    code = printed.split("验证码为")[1][:6]
    assert code.isdigit()
    assert message.secret_params == ["code"]
    assert code not in stored(message) and message.params["code"] == "******"
