"""The deadline sweep: one warning and one overdue reminder per step, SMS and in-app."""

from datetime import datetime, timedelta

import pytest

from citygrid.cases import actions
from citygrid.cases.models import Case, CaseEvent, SupervisionOrder
from citygrid.cases.sweep import sweep_deadlines
from citygrid.cases.tests.conftest import TZ
from citygrid.core.models import ObjectChange
from citygrid.notify.models import Notification, SmsMessage

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def templates():
    from citygrid.notify.seeds import seed_sms_templates

    seed_sms_templates()


def at(day, hour, minute=0):
    return datetime(2026, 3, day, hour, minute, tzinfo=TZ)


@pytest.fixture
def handling(setup, report):
    setup.handler.phone = "13600000001"
    setup.handler.save()
    case = report()
    actions.register_case(case, actor=setup.dispatcher, now=at(2, 10, 10))
    actions.dispatch_case(case, actor=setup.dispatcher, now=at(2, 10, 20))
    return actions.accept_case(case, actor=setup.handler, now=at(2, 10, 30))


def test_warning_then_overdue_once_each(handling, setup, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        assert sweep_deadlines(at(4, 16)).warned == 0  # before 80 % (Wed 16:12)
        assert sweep_deadlines(at(4, 16, 30)).warned == 1
        assert sweep_deadlines(at(4, 17)).warned == 0
        result = sweep_deadlines(at(5, 13))
        assert (result.warned, result.overdue) == (0, 1)
        assert sweep_deadlines(at(5, 14)).overdue == 0
    notes = Notification.objects.filter(recipient=setup.handler).order_by("created")
    assert [n.level for n in notes] == ["warning", "danger"]
    assert notes[1].title == f"已超期：{handling.number}"
    sms = SmsMessage.objects.order_by("pk")
    assert [m.template.code for m in sms] == ["deadline_warning", "deadline_overdue"]
    assert all(m.phone == "13600000001" and m.status == "sent" for m in sms)
    assert handling.number in sms[1].text


def test_suspended_cases_are_not_chased(handling, setup):
    actions.suspend_case(handling, actor=setup.dispatcher, note="等待", now=at(3, 9))
    result = sweep_deadlines(at(20, 9))
    assert (result.warned, result.overdue) == (0, 0)
    assert not Notification.objects.exists()


def test_register_step_reminds_the_centre(setup, report):
    report()  # register step: 1 working hour from Monday 10:00
    result = sweep_deadlines(at(2, 11, 30))
    assert result.overdue == 1
    assert Notification.objects.get().recipient == setup.dispatcher


def test_a_pending_extension_request_reminds_its_approvers_too(handling, setup):
    # The approvers hold a duty on the case until they decide (`CASES.who_acts`).
    actions.request_extension(handling, actor=setup.handler, hours=8, note="等材料", now=at(3, 9))
    assert sweep_deadlines(at(5, 13)).overdue == 1
    reminded = Notification.objects.filter(title=f"已超期：{handling.number}")
    assert sorted(reminded.values_list("recipient__username", flat=True)) == [
        "dispatcher",
        "handler",
    ]


def test_verification_step_reminds_the_verifier(handling, setup, tree):
    from citygrid.cases.tests.conftest import jpeg
    from citygrid.regions.models import GridWorker

    GridWorker.objects.create(
        region=tree.grid_a1, name="监督员甲", role="inspector", user=setup.inspector
    )
    actions.report_back_case(
        handling, actor=setup.handler, note="已清理", photos=[jpeg()], now=at(3, 9)
    )
    assert sweep_deadlines(at(4, 9)).overdue == 1  # 4 working hours from Tuesday 09:00
    assert Notification.objects.get().recipient == setup.inspector


def test_unanswered_supervision_order_escalates(handling, setup):
    actions.supervise_case(
        handling, actor=setup.dispatcher, note="限期处理", required_by=at(4, 12), now=at(3, 9)
    )
    assert sweep_deadlines(at(4, 11)).escalated_orders == 0
    assert sweep_deadlines(at(4, 13)).escalated_orders == 1
    old, new = SupervisionOrder.objects.order_by("pk")
    assert (old.status, old.escalated_to_id) == ("escalated", new.pk)
    assert (new.level, new.status) == (2, "open")
    assert new.required_by > at(4, 13)
    assert (
        Notification.objects.filter(recipient=setup.handler, title__startswith="督办升级").count()
        == 1
    )
    # The higher order is texted to the department's mobile like the first one.
    [text] = SmsMessage.objects.filter(template__code="supervision_order", object_id=new.pk)
    assert (text.phone, text.params["level"]) == ("13600000001", "重点")
    assert sweep_deadlines(at(4, 14) + timedelta(minutes=1)).escalated_orders == 0


def test_a_disabled_template_does_not_stop_the_sweep(handling, setup):
    from citygrid.notify.models import SmsTemplate

    SmsTemplate.objects.filter(code="deadline_overdue").update(active=False)
    assert sweep_deadlines(at(5, 13)).overdue == 1
    assert Notification.objects.filter(recipient=setup.handler, level="danger").count() == 1
    assert not SmsMessage.objects.exists()


def test_reminder_flags_are_bookkeeping_outside_the_change_log(handling):
    logged = ObjectChange.objects.count()
    assert sweep_deadlines(at(4, 16, 30)).warned == 1
    assert sweep_deadlines(at(5, 13)).overdue == 1
    handling.refresh_from_db()
    assert handling.warned and handling.overdue_notified
    assert ObjectChange.objects.count() == logged


def test_escalation_is_one_logged_change_and_one_case_event(handling, setup):
    actions.supervise_case(
        handling, actor=setup.dispatcher, note="限期处理", required_by=at(4, 12), now=at(3, 9)
    )
    order = SupervisionOrder.objects.get()
    order_changes = ObjectChange.objects.filter(
        content_type__model="supervisionorder", object_id=order.pk
    )
    assert list(order_changes.values_list("action", flat=True)) == ["create"]

    assert sweep_deadlines(at(4, 13)).escalated_orders == 1
    new = SupervisionOrder.objects.exclude(pk=order.pk).get()
    change = order_changes.get(action="update")
    assert (change.user, change.prechange_data["status"]) == (None, "open")
    assert change.postchange_data["status"] == "escalated"
    assert change.postchange_data["escalated_to"] == new.pk
    assert ObjectChange.objects.filter(
        content_type__model="supervisionorder", object_id=new.pk, action="create"
    ).exists()
    event = CaseEvent.objects.get(action="supervision_escalated")
    assert (event.case_id, event.actor, event.actor_name) == (handling.pk, None, "系统")
    assert event.from_state == event.to_state == Case.objects.get(pk=handling.pk).state
    assert event.data == {"order_id": order.pk, "escalated_to_id": new.pk, "level": 2}

    # Run again before the new order is due: nothing more is written.
    logged, recorded = ObjectChange.objects.count(), CaseEvent.objects.count()
    assert sweep_deadlines(at(4, 13, 30)).escalated_orders == 0
    assert (ObjectChange.objects.count(), CaseEvent.objects.count()) == (logged, recorded)
