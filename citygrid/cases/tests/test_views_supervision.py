"""督办单: the list and page in scope, and the department's answer."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse
from django.utils import timezone

from citygrid.cases import actions
from citygrid.cases.models import CaseEvent, SupervisionOrder
from citygrid.cases.supervision import answer_supervision
from citygrid.cases.tests.conftest import MONDAY_10
from citygrid.core.errors import ActionError

pytestmark = pytest.mark.django_db


def grant(user, *codenames):
    user.roles.first().permissions.add(*Permission.objects.filter(codename__in=codenames))


@pytest.fixture
def order(setup, report):
    case = report()
    actions.register_case(case, actor=setup.dispatcher, now=MONDAY_10)
    actions.dispatch_case(case, actor=setup.dispatcher, now=MONDAY_10)
    actions.supervise_case(
        case,
        actor=setup.dispatcher,
        note="三日内处置完毕",
        now=MONDAY_10,
        required_by=MONDAY_10 + timedelta(days=3),
    )
    grant(setup.handler, "view_supervisionorder", "answer_supervisionorder")
    grant(setup.dispatcher, "view_supervisionorder")
    return SupervisionOrder.objects.get(case=case)


def answer(client, order, text):
    url = reverse("cases:supervisionorder_answer", args=[order.pk])
    return client.post(url, {"answer": text}, follow=True)


def test_member_answers_the_order(client, setup, order):
    client.force_login(setup.handler)
    page = client.get(order.get_absolute_url()).content.decode()
    assert 'id="answer-form"' in page
    response = answer(client, order, "已安排人员，明日完成")
    assert "已回复督办单" in response.content.decode()
    order.refresh_from_db()
    assert (order.status, order.answer, order.answered_by) == (
        "answered",
        "已安排人员，明日完成",
        setup.handler,
    )
    assert order.answered_at is not None
    event = CaseEvent.objects.filter(case=order.case).latest("id")
    assert (event.action, event.actor, event.note) == (
        "supervision_answered",
        setup.handler,
        "已安排人员，明日完成",
    )
    assert event.data == {"order_id": order.pk}
    assert order.case.state == "dispatched"  # answering changes nothing of the case
    case_page = client.get(order.case.get_absolute_url()).content.decode()
    assert 'data-event="supervision_answered"' in case_page and "督办回复" in case_page


def test_answering_twice_or_empty_is_refused(client, setup, order):
    client.force_login(setup.handler)
    response = answer(client, order, "  ")
    assert "请填写回复内容" in response.content.decode()
    answer(client, order, "已处理")
    response = answer(client, order, "再回复一次")
    assert "督办单状态为“已回复”，不能回复" in response.content.decode()
    order.refresh_from_db()
    assert order.answer == "已处理"
    assert CaseEvent.objects.filter(action="supervision_answered").count() == 1


def test_only_members_of_the_department_answer(client, setup, order, make_user, tree):
    stranger = make_user(
        perms=["cases.view_supervisionorder", "cases.answer_supervisionorder"], scope=[tree.city]
    )
    setup.other_department.members.add(stranger)
    client.force_login(stranger)
    assert 'id="answer-form"' not in client.get(order.get_absolute_url()).content.decode()
    response = answer(client, order, "不是我们的")
    assert "只有被督办部门的人员可以回复" in response.content.decode()
    client.force_login(setup.dispatcher)  # may see it, may not answer it
    response = answer(client, order, "代为回复")
    assert "您没有“回复督办”的权限" in response.content.decode()
    order.refresh_from_db()
    assert order.status == "open" and order.answer == ""


def test_out_of_scope_order_is_404(client, setup, order, make_user, tree):
    outsider = make_user(
        perms=["cases.view_supervisionorder", "cases.answer_supervisionorder"],
        scope=[tree.county_b],
    )
    setup.department.members.add(outsider)
    client.force_login(outsider)
    assert client.get(order.get_absolute_url()).status_code == 404
    assert answer(client, order, "越权").status_code == 404
    with pytest.raises(ActionError) as error:
        answer_supervision(order, actor=outsider, answer="越权")
    assert error.value.status == 404
    order.refresh_from_db()
    assert order.status == "open"


def test_list_is_scoped(client, setup, order, report, tree):
    in_b = report(lng=120.105, lat=30.005)
    other = SupervisionOrder.objects.create(
        case=in_b,
        department=setup.department,
        instructions="乙区督办",
        region=in_b.region,
        required_by=timezone.now() + timedelta(days=1),
    )
    client.force_login(setup.dispatcher)
    response = client.get(reverse("cases:supervisionorder_list"))
    shown = {row.record.pk for row in response.context["table"].page.object_list}
    assert shown == {order.pk, other.pk}
    setup.dispatcher.scope_regions.set([tree.county_a])
    response = client.get(reverse("cases:supervisionorder_list"))
    shown = {row.record.pk for row in response.context["table"].page.object_list}
    assert shown == {order.pk}
