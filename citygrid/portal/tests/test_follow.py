from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from citygrid.cases.intake import Report, report_case
from citygrid.notify.models import SmsMessage
from citygrid.portal.models import VerificationCode

PHONE = "13812345678"


@pytest.fixture
def case(category):
    return report_case(
        Report(
            category=category,
            description="路灯不亮",
            lng=120.005,
            lat=30.005,
            reporter_phone=PHONE,
            channel="web",
        )
    )


def send(client, case, phone=PHONE):
    return client.post(
        reverse("portal:follow"), {"number": case.number, "phone": phone, "action": "send"}
    )


def verify(client, case, code, phone=PHONE):
    return client.post(
        reverse("portal:follow"),
        {"number": case.number, "phone": phone, "code": code, "action": "verify"},
    )


def last_code() -> str:
    return SmsMessage.objects.filter(template__code="verify_code").latest("id").params["code"]


def test_progress_needs_a_grant(client, case):
    assert client.get(reverse("portal:case", args=[case.pk])).status_code == 404


def test_verified_code_grants_the_case_for_the_session(client, case):
    response = send(client, case)
    assert "验证码已发送" in response.content.decode()
    message = SmsMessage.objects.get()
    assert message.phone == PHONE
    code = message.params["code"]
    assert len(code) == 6 and code.isdigit()
    assert message.params["minutes"] == "5"
    record = VerificationCode.objects.get()
    # Only a hash is stored, valid for five minutes.
    assert code not in record.code_hash
    assert record.expires_at - record.created == timedelta(minutes=5)

    response = verify(client, case, code)
    assert response.status_code == 302
    assert response.url == reverse("portal:case", args=[case.pk])
    assert PHONE not in response.url and case.number not in response.url
    page = client.get(response.url).content.decode()
    assert case.number in page
    assert "已收到，等待受理" in page
    assert "提交上报" in page
    # A code works once.
    assert verify(client, case, code).status_code == 200


def test_no_code_is_sent_for_a_number_and_phone_that_do_not_match(client, case):
    response = send(client, case, phone="13900000000")
    # The same answer as for a match, so numbers cannot be probed; but nothing is sent.
    assert "验证码已发送" in response.content.decode()
    assert SmsMessage.objects.count() == 0
    assert VerificationCode.objects.count() == 0


def test_wrong_code_is_refused(client, case):
    send(client, case)
    code = last_code()
    wrong = "000000" if code != "000000" else "111111"
    response = verify(client, case, wrong)
    assert response.status_code == 200
    assert "验证码不正确，还可尝试 4 次" in response.content.decode()
    assert client.get(reverse("portal:case", args=[case.pk])).status_code == 404
    assert VerificationCode.objects.get().attempts == 1


def test_expired_code_is_refused(client, case):
    send(client, case)
    code = last_code()
    VerificationCode.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    response = verify(client, case, code)
    assert "验证码已过期，请重新获取" in response.content.decode()
    assert client.get(reverse("portal:case", args=[case.pk])).status_code == 404


def test_too_many_attempts_lock_the_code(client, case):
    send(client, case)
    code = last_code()
    wrong = "000000" if code != "000000" else "111111"
    for _ in range(4):
        verify(client, case, wrong)
    response = verify(client, case, wrong)
    assert "验证码错误次数过多，请重新获取" in response.content.decode()
    # Even the right code no longer opens it.
    response = verify(client, case, code)
    assert "验证码错误次数过多，请重新获取" in response.content.decode()
    assert VerificationCode.objects.get().attempts == 5
    assert client.get(reverse("portal:case", args=[case.pk])).status_code == 404


def test_resend_waits_a_minute(client, case):
    send(client, case)
    send(client, case)
    assert SmsMessage.objects.count() == 1


def test_progress_shows_no_staff_names_or_notes(client, case, make_user, tree):
    from citygrid.cases.actions import register_case

    dispatcher = make_user(
        perms=["cases.view_case", "cases.register_case"], scope=[tree.city], username="王调度"
    )
    register_case(case, actor=dispatcher, note="内部意见：先核实")
    send(client, case)
    page = client.get(verify(client, case, last_code()).url).content.decode()
    assert "已受理，正在安排处置单位" in page
    assert "受理" in page
    assert "王调度" not in page
    assert "内部意见" not in page
