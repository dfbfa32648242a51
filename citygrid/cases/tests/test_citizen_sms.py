"""SMS the workflow sends outside the staff: the reporting citizen at report (已收到),
registration (已受理) and closure (办结, with the link to rate), and a 督办单 to the supervised
department's mobiles."""

from datetime import timedelta

import pytest
from django.utils import timezone

from citygrid.cases import actions, notifications
from citygrid.cases.tests.conftest import HANDLER_PERMS, jpeg
from citygrid.notify.models import Notification, SmsMessage, SmsTemplate
from citygrid.regions.models import GridWorker

pytestmark = pytest.mark.django_db

CITIZEN = "13912345678"


@pytest.fixture
def run(django_capture_on_commit_callbacks):
    """run(action, ...) → (template code, phone) of each SMS the action queued, in order."""

    def call(action, *args, **kwargs):
        seen = set(SmsMessage.objects.values_list("pk", flat=True))
        with django_capture_on_commit_callbacks(execute=True):
            result = action(*args, **kwargs)
        sent = SmsMessage.objects.exclude(pk__in=seen).select_related("template").order_by("id")
        call.last = result
        return [(m.template.code, m.phone) for m in sent]

    return call


@pytest.fixture
def inspector_post(setup, tree):
    GridWorker.objects.create(
        region=tree.grid_a1, name="监督员甲", role="inspector", user=setup.inspector
    )


def test_the_reporting_citizen_hears_at_report_registration_and_closure(
    setup, report, run, inspector_post
):
    # A hotline call taken by the dispatcher, with the caller's mobile.
    assert run(report, reporter_phone=CITIZEN) == [("case_received", CITIZEN)]
    case = run.last
    received = SmsMessage.objects.get(template__code="case_received")
    link = f"http://127.0.0.1:8000/portal/follow/?number={case.number}"
    assert received.params == {"number": case.number, "url": link}
    assert received.text == (
        f"【网格化管理】您反映的问题已收到，案件编号{case.number}，我们将尽快受理。查询进度：{link}"
    )
    assert received.related == case

    assert run(actions.register_case, case, actor=setup.dispatcher) == [("case_number", CITIZEN)]
    assert "已受理" in SmsMessage.objects.get(template__code="case_number").text
    # The steps in between are the staff's business.
    assert run(actions.dispatch_case, case, actor=setup.dispatcher) == []
    assert run(actions.accept_case, case, actor=setup.handler) == []
    report_back = actions.report_back_case
    assert run(report_back, case, actor=setup.handler, note="已清理", photos=[jpeg()]) == []
    assert run(actions.verify_case, case, actor=setup.inspector, passed=True) == []

    assert run(actions.close_case, case, actor=setup.dispatcher) == [("case_closed", CITIZEN)]
    closed = SmsMessage.objects.get(template__code="case_closed")
    assert closed.params == {"number": case.number, "url": link}
    assert "已办结" in closed.text and "评价" in closed.text and link in closed.text
    # No personal data in the link, only the case number.
    assert CITIZEN not in closed.params["url"]


def test_an_anonymous_reporter_is_texted_too_and_the_outbox_masks_the_number(setup, report, run):
    assert run(report, reporter_phone=CITIZEN, anonymous=True) == [("case_received", CITIZEN)]
    assert SmsMessage.objects.get().masked("phone") == "139****5678"


def test_no_phone_no_sms(setup, report, run):
    case = report()
    assert run(actions.register_case, case, actor=setup.dispatcher) == []
    assert not SmsMessage.objects.exists()


def test_the_demo_history_texts_nobody(setup, report, run):
    with notifications.muted():
        case = report(reporter_phone=CITIZEN)
        assert run(actions.register_case, case, actor=setup.dispatcher) == []
    assert not SmsMessage.objects.exists()


def test_a_disabled_template_costs_nothing_but_its_text(setup, report, run):
    SmsTemplate.objects.filter(code="case_number").update(active=False)
    case = report(reporter_phone=CITIZEN)
    assert run(actions.register_case, case, actor=setup.dispatcher) == []
    case.refresh_from_db()
    assert case.state == "registered"


@pytest.fixture
def supervised(setup, report, make_user, tree):
    """A dispatched case; the department has the handler and a colleague without a mobile."""
    colleague = make_user(perms=HANDLER_PERMS, scope=[tree.city], username="colleague")
    setup.department.members.add(colleague)
    case = report()
    actions.register_case(case, actor=setup.dispatcher)
    return actions.dispatch_case(case, actor=setup.dispatcher)


def _supervise(setup, case, run):
    required_by = timezone.now() + timedelta(days=3)
    sent = run(
        actions.supervise_case,
        case,
        actor=setup.dispatcher,
        note="尽快办理",
        required_by=required_by,
        level=2,
    )
    return sent, required_by


def test_a_supervision_order_is_texted_to_the_department_members_with_a_mobile(
    setup, supervised, run
):
    setup.handler.phone = "13800001111"
    setup.handler.save()
    sent, required_by = _supervise(setup, supervised, run)
    assert sent == [("supervision_order", "13800001111")]
    message = SmsMessage.objects.get()
    deadline = timezone.localtime(required_by).strftime("%m-%d %H:%M")
    expected = {"level": "重点", "number": supervised.number, "deadline": deadline}
    assert message.params == expected
    assert message.related == supervised.supervision_orders.get()
    assert f"您收到一份重点督办单，案件编号{supervised.number}" in message.text
    # The in-app notice still reaches every member.
    assert Notification.objects.filter(title__startswith="事件被督办").count() == 2


def test_without_member_mobiles_the_departments_mobile_duty_phone_gets_it(setup, supervised, run):
    setup.department.phone = "138-0000-2222"
    setup.department.save()
    sent, _ = _supervise(setup, supervised, run)
    assert sent == [("supervision_order", "13800002222")]


def test_a_landline_duty_phone_gets_no_text(setup, supervised, run):
    setup.department.phone = "12319"
    setup.department.save()
    sent, _ = _supervise(setup, supervised, run)
    assert sent == []
    assert Notification.objects.filter(title__startswith="事件被督办").count() == 2


def test_a_report_not_accepted_is_told_with_the_link_not_the_staffs_note(setup, report, run):
    case = run(report, reporter_phone=CITIZEN) and run.last
    note = "经现场核实，该问题属于私人住宅内部事务"
    assert run(actions.reject_case, case, actor=setup.dispatcher, note=note) == [
        ("case_rejected", CITIZEN)
    ]
    text = SmsMessage.objects.get(template__code="case_rejected").text
    assert "不予受理" in text and case.number in text and "/portal/follow/" in text
    assert note not in text
