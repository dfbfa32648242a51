"""The phone of an SMS recipient: encrypted at rest, masked everywhere it is shown or logged."""

import io

import pytest
from django.db import connection

from citygrid.core import crypto
from citygrid.core.models import ObjectChange
from citygrid.notify.backends.console import ConsoleBackend
from citygrid.notify.models import SmsMessage

pytestmark = pytest.mark.django_db

PHONE = "13812345678"


@pytest.fixture
def message(send, tree):
    return send(PHONE, "case_number", {"number": "A0001"}, related=tree.grid_a1)


def test_phone_is_stored_encrypted_with_a_blind_index(message):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT phone, phone_index FROM notify_smsmessage WHERE id = %s", [message.pk]
        )
        stored, index = cursor.fetchone()
    assert PHONE not in stored
    assert crypto.decrypt(stored) == PHONE
    assert index == crypto.blind_index(PHONE)
    assert SmsMessage.objects.get(phone_index=crypto.blind_index(PHONE)) == message


def test_no_other_column_and_no_change_log_holds_the_phone(message):
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM notify_smsmessage WHERE id = %s", [message.pk])
        row = cursor.fetchone()
    assert not any(PHONE in str(value) for value in row)
    assert ObjectChange.objects.filter(object_repr__contains="短信").count() == 0
    assert str(message) == f"短信 #{message.pk} 138****5678"


def test_outbox_pages_show_the_phone_masked_only(client, message, make_user):
    client.force_login(make_user(superuser=True))
    for url in ["/notify/sms/", f"/notify/sms/{message.pk}/"]:
        page = client.get(url).content.decode()
        assert "138****5678" in page, url
        assert PHONE not in page, url
        assert "您反映的问题已受理，案件编号A0001" in page, url


def test_console_backend_prints_the_phone_masked(message):
    stream = io.StringIO()
    message.status = "queued"
    ConsoleBackend(stream=stream).send(message)
    assert stream.getvalue() == (
        f"[短信 #{message.pk}] 138****5678："
        "【网格化管理】您反映的问题已受理，案件编号A0001。可凭此编号查询办理进度。\n"
    )
    assert (message.status, message.backend) == ("sent", "console")


def test_console_backend_through_the_service_writes_stdout_masked(send, settings, capsys):
    settings.SMS_BACKEND = "citygrid.notify.backends.console.ConsoleBackend"
    message = send(PHONE, "verify_code", {"code": "493021", "minutes": 5})
    out = capsys.readouterr().out
    assert "138****5678" in out
    assert "您的验证码为493021，5分钟内有效" in out
    assert PHONE not in out
    assert (message.status, message.backend) == ("sent", "console")
