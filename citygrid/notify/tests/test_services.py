import pytest
from django.db import transaction

from citygrid.notify.backends.base import BaseSmsBackend
from citygrid.notify.models import Notification, SmsMessage, SmsTemplate
from citygrid.notify.seeds import SMS_TEMPLATES, seed_sms_templates
from citygrid.notify.services import notify_user, send_sms, unread_count

pytestmark = pytest.mark.django_db

PHONE = "13812345678"


class ExplodingBackend(BaseSmsBackend):
    name = "exploding"

    def send(self, message):
        raise ConnectionError(f"gateway refused +86{message.phone}")


class RefusingBackend(BaseSmsBackend):
    name = "refusing"

    def send(self, message):
        self.mark_failed(message, "isv.BUSINESS_LIMIT_CONTROL")


def test_seeded_templates_and_their_parameters():
    templates = {t.code: t.placeholders() for t in SmsTemplate.objects.all()}
    assert templates == {
        "verify_code": ["code", "minutes"],
        "case_received": ["number", "url"],
        "case_number": ["number"],
        "case_closed": ["number", "url"],
        "case_rejected": ["number", "url"],
        "deadline_warning": ["number", "deadline"],
        "deadline_overdue": ["number", "deadline"],
        "supervision_order": ["level", "number", "deadline"],
        "dispute_urgent": ["number", "summary", "region"],
        "mediation_notice": ["number", "time", "place"],
        "directive": ["sender", "title", "deadline"],
        "directive_reminder": ["title", "deadline"],
        "monthly_report_reminder": ["region", "month"],
    }
    assert len(SMS_TEMPLATES) == 13
    assert all(
        t.active and not t.aliyun_code and not t.tencent_id for t in SmsTemplate.objects.all()
    )


def test_seeding_again_restores_a_missing_template_through_the_write_path():
    from citygrid.core.models import ObjectChange

    SmsTemplate.objects.filter(code="case_number").delete()
    edited = SmsTemplate.objects.get(code="verify_code")
    SmsTemplate.objects.filter(pk=edited.pk).update(text="验证码{code}，{minutes}分钟有效")

    seed_sms_templates()

    restored = SmsTemplate.objects.get(code="case_number")
    [change] = ObjectChange.objects.all()
    assert (change.action, change.object_id, change.user, change.user_name) == (
        "create",
        restored.pk,
        None,
        "system",
    )
    # An administrator's edit is kept.
    assert SmsTemplate.objects.get(code="verify_code").text == "验证码{code}，{minutes}分钟有效"
    assert SmsTemplate.objects.count() == len(SMS_TEMPLATES)


def test_render_fills_every_placeholder():
    template = SmsTemplate(code="t", name="t", text="案件{number}将于{deadline}到期，编号{number}")
    text = template.render({"number": "A0001", "deadline": "5月1日 17:00", "extra": "x"})
    assert text == "案件A0001将于5月1日 17:00到期，编号A0001"


def test_render_missing_parameter_names_it():
    template = SmsTemplate(code="deadline_warning", name="t", text="案件{number}于{deadline}到期")
    with pytest.raises(ValueError, match=r"短信模板 deadline_warning 缺少参数：deadline"):
        template.render({"number": "A0001"})


def test_template_clean_refuses_malformed_placeholders():
    from django.core.exceptions import ValidationError

    template = SmsTemplate(code="bad", name="坏模板", text="案件{number将到期")
    with pytest.raises(ValidationError) as info:
        template.full_clean()
    assert list(info.value.message_dict) == ["text"]


def test_send_sms_renders_signs_and_sends_after_commit(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        message = send_sms(PHONE, "case_number", {"number": "330101-0001"})
        # Saved but not handed to the backend before the transaction commits.
        assert SmsMessage.objects.get(pk=message.pk).status == "queued"
    assert len(callbacks) == 1
    message.refresh_from_db()
    assert (
        message.text
        == "【网格化管理】您反映的问题已受理，案件编号330101-0001。可凭此编号查询办理进度。"
    )
    assert message.params == {"number": "330101-0001"}
    assert message.status == "sent"
    assert message.backend == "outbox"
    assert message.attempts == 1
    assert message.error == ""
    assert message.sent_at is not None
    assert message.phone == PHONE


def test_send_sms_normalises_the_phone(send):
    message = send("+86 138-1234-5678", "case_number", {"number": "1"})
    assert message.phone == PHONE


def test_signature_comes_from_settings(send, settings):
    settings.SMS_SIGNATURE = "某市城管"
    assert send(PHONE, "case_number", {"number": "1"}).text.startswith("【某市城管】您反映")


def test_rolled_back_action_sends_nothing(django_capture_on_commit_callbacks):
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        send_sms(PHONE, "case_number", {"number": "1"})
        raise RuntimeError("the action failed after queueing the SMS")
    assert callbacks == []
    assert SmsMessage.objects.count() == 0


@pytest.mark.parametrize(
    ("phone", "code", "params", "error"),
    [
        (PHONE, "case_number", {}, "短信模板 case_number 缺少参数：number"),
        (PHONE, "no_such_template", {}, "短信模板 no_such_template 不存在或已停用"),
        ("12345", "case_number", {"number": "1"}, "手机号码格式不正确"),
    ],
)
def test_send_sms_refuses_bad_calls_and_saves_nothing(
    django_capture_on_commit_callbacks, phone, code, params, error
):
    with django_capture_on_commit_callbacks() as callbacks, pytest.raises(ValueError) as info:
        send_sms(phone, code, params)
    assert str(info.value) == error
    assert callbacks == []
    assert SmsMessage.objects.count() == 0


def test_inactive_template_is_refused():
    SmsTemplate.objects.filter(code="case_number").update(active=False)
    with pytest.raises(ValueError, match="不存在或已停用"):
        send_sms(PHONE, "case_number", {"number": "1"})
    assert SmsMessage.objects.count() == 0


def test_backend_exception_is_recorded_not_raised_and_never_holds_the_phone(send, settings, caplog):
    settings.SMS_BACKEND = "citygrid.notify.tests.test_services.ExplodingBackend"
    message = send(PHONE, "case_number", {"number": "1"})
    assert message.status == "failed"
    assert message.backend == "exploding"
    assert message.error == "gateway refused +86138****5678"
    assert message.attempts == 1
    assert message.sent_at is None
    assert f"SMS #{message.pk} via exploding failed" in caplog.text
    assert PHONE not in caplog.text


def test_backend_refusal_is_recorded(send, settings):
    settings.SMS_BACKEND = "citygrid.notify.tests.test_services.RefusingBackend"
    message = send(PHONE, "case_number", {"number": "1"})
    assert (message.status, message.backend, message.error) == (
        "failed",
        "refusing",
        "isv.BUSINESS_LIMIT_CONTROL",
    )


def test_misconfigured_backend_is_recorded_not_raised(send, settings):
    settings.SMS_BACKEND = "citygrid.notify.backends.nowhere.Backend"
    message = send(PHONE, "case_number", {"number": "1"})
    assert message.status == "failed"
    assert "nowhere" in message.error


def test_failed_message_is_retried_and_sent_one_is_not_resent(send, settings):
    from citygrid.notify.tasks import deliver

    settings.SMS_BACKEND = "citygrid.notify.tests.test_services.ExplodingBackend"
    message = send(PHONE, "case_number", {"number": "1"})
    settings.SMS_BACKEND = "citygrid.notify.backends.outbox.OutboxBackend"
    deliver(message.pk)
    message.refresh_from_db()
    assert (message.status, message.attempts, message.error) == ("sent", 2, "")
    deliver(message.pk)
    message.refresh_from_db()
    assert message.attempts == 2


def test_related_object_and_its_region_scope_the_message(send, tree):
    message = send(PHONE, "case_number", {"number": "1"}, related=tree.grid_a1)
    assert message.related == tree.grid_a1
    assert message.region_code == "330101001001001"
    explicit = send(PHONE, "case_number", {"number": "1"}, related=tree.grid_a1, region_code="3301")
    assert explicit.region_code == "3301"


def test_notify_user_and_unread_count(make_user):
    user, other = make_user(), make_user()
    first = notify_user(user, "案件即将超期", "案件A0001将于今天17:00到期", "/cases/1/", "warning")
    notify_user(user, "新的督办单")
    notify_user(other, "别人的消息")
    assert (first.recipient, first.level, first.url, first.read_at) == (
        user,
        "warning",
        "/cases/1/",
        None,
    )
    assert unread_count(user) == 2
    assert unread_count(other) == 1


def test_notify_user_refuses_unknown_level(make_user):
    with pytest.raises(ValueError, match="未知的消息级别：urgent"):
        notify_user(make_user(), "x", level="urgent")
    assert Notification.objects.count() == 0


def test_unread_count_of_anonymous_is_zero_without_a_query(django_assert_num_queries):
    from django.contrib.auth.models import AnonymousUser

    with django_assert_num_queries(0):
        assert unread_count(AnonymousUser()) == 0
