"""The transition table is the one declaration: the action form, the API serializer, the desk's
to-do filter and `actions.perform` all follow it, and a second workflow is another table on the
same engine."""

from datetime import timedelta

import pytest
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from citygrid.cases import actions
from citygrid.cases.api.serializers import ActionSerializer
from citygrid.cases.choices import TaskKind, TaskStatus
from citygrid.cases.engine import Guard, Input, Transition, Workflow
from citygrid.cases.forms import ActionForm
from citygrid.cases.models import Case, Task
from citygrid.cases.tests.conftest import MONDAY_10, jpeg
from citygrid.cases.workflow import CASES, TRANSITIONS
from citygrid.core.errors import ActionError

pytestmark = pytest.mark.django_db


def test_every_transition_has_an_action_function():
    assert set(actions.RUNNERS) == set(CASES.by_action)


@pytest.mark.parametrize("transition", TRANSITIONS, ids=lambda t: t.action)
def test_form_and_serializer_fields_are_the_declared_inputs(transition, setup, report, rf):
    case = report()
    request = rf.post("/")
    request.user = setup.dispatcher
    form = ActionForm(transition=transition, case=case, user=setup.dispatcher)
    serializer = ActionSerializer(
        context={"transition": transition, "case": case, "request": request}
    )
    declared = {i.name: i.required for i in transition.inputs}
    assert {n: f.required for n, f in form.fields.items()} == declared
    assert {n: f.required for n, f in serializer.fields.items()} == declared
    assert {n: f.label for n, f in form.fields.items()} == {
        i.name: i.label for i in transition.inputs
    }


def test_a_missing_required_input_is_refused_alike_by_form_api_and_perform(
    client, api_client, setup, report
):
    case = report()
    actions.register_case(case, actor=setup.dispatcher, now=MONDAY_10)
    actions.dispatch_case(case, actor=setup.dispatcher, now=MONDAY_10)
    # 督办 declares a required "要求完成时间".
    with pytest.raises(ActionError) as info:
        actions.perform("supervise", case, actor=setup.dispatcher, inputs={"note": "快"})
    assert (info.value.code, info.value.message) == ("invalid_required_by", "请填写要求完成时间")
    api_client.force_authenticate(setup.dispatcher)
    response = api_client.post(f"/api/cases/{case.pk}/actions/supervise/", {"note": "快"})
    assert response.status_code == 400
    assert response.json()["code"] == "invalid_required_by"
    client.force_login(setup.dispatcher)
    url = reverse("cases:case_act", args=[case.pk, "supervise"])
    response = client.post(url, {"note": "快"}, follow=True)
    assert "请填写要求完成时间" in response.content.decode()
    assert not case.supervision_orders.exists()


def test_perform_passes_only_declared_inputs(setup, report):
    case = report()
    # "hours" is not an input of 受理立案: ignored, not handed to register_case.
    actions.perform("register", case, actor=setup.dispatcher, inputs={"note": " 受理 ", "hours": 8})
    event = case.events.get(action="register")
    assert event.note == "受理"


def test_desk_filter_and_python_guards_agree(setup, report, make_user, tree):
    """For every case and user: on the to-do list (SQL) exactly when a duty is available
    (Python) — the declared guards' `q` and `allows` say the same thing."""
    reported = report()
    pending = report(lng=120.015, lat=30.005)
    handling = report(lng=120.012, lat=30.002)
    for case in (pending, handling):
        actions.register_case(case, actor=setup.dispatcher, now=MONDAY_10)
        actions.dispatch_case(case, actor=setup.dispatcher, now=MONDAY_10)
        actions.accept_case(case, actor=setup.handler, now=MONDAY_10)
    actions.request_extension(pending, actor=setup.handler, hours=8, note="材料未到")
    reviewed = report(lng=120.018, lat=30.008)
    actions.register_case(reviewed, actor=setup.dispatcher, now=MONDAY_10)
    actions.dispatch_case(reviewed, actor=setup.dispatcher, now=MONDAY_10)
    actions.accept_case(reviewed, actor=setup.handler, now=MONDAY_10)
    actions.report_back_case(reviewed, actor=setup.handler, note="好", photos=[jpeg()])
    stranger = make_user(perms=["cases.view_case", "cases.handle_case"], scope=[tree.city])
    setup.other_department.members.add(stranger)
    users = (setup.dispatcher, setup.handler, setup.inspector, stranger)
    expected_todo = {
        setup.dispatcher: {reported, pending},  # register; approve the pending extension
        setup.handler: {pending, handling},
        setup.inspector: {reviewed},
        stranger: set(),
    }
    for user in users:
        visible = Case.objects.restrict(user, "view")
        todo = set(visible.filter(CASES.todo_q(user)))
        duties = {c for c in visible if any(t.duty for t in actions.available_actions(c, user))}
        assert todo == duties == expected_todo[user], user


def test_who_acts_follows_the_duties_actors(setup, report, tree):
    from citygrid.regions.models import GridWorker

    GridWorker.objects.create(
        region=tree.grid_a1,
        name="监督员甲",
        role="inspector",
        phone="13700000001",
        user=setup.inspector,
    )
    case = report()
    # 受理立案: holders of register_case whose territory holds the case (not county B's).
    assert CASES.who_acts(case) == [setup.dispatcher]
    actions.register_case(case, actor=setup.dispatcher, now=MONDAY_10)
    actions.dispatch_case(case, actor=setup.dispatcher, now=MONDAY_10)
    assert CASES.who_acts(Case.objects.get(pk=case.pk)) == [setup.handler]
    actions.accept_case(case, actor=setup.handler, now=MONDAY_10)
    actions.request_extension(case, actor=setup.handler, hours=8, note="材料未到")
    # A pending extension adds the approvers' duty to the department's.
    assert CASES.who_acts(Case.objects.get(pk=case.pk)) == [setup.handler, setup.dispatcher]
    actions.deny_extension(case, actor=setup.dispatcher, note="不予延期")
    actions.report_back_case(case, actor=setup.handler, note="好", photos=[jpeg()])
    assert CASES.who_acts(Case.objects.get(pk=case.pk)) == [setup.inspector]


# --- a second workflow on the same engine -----------------------------------------------------

ASSIGNED = Guard(
    lambda task, now: task.assignee_id is not None,
    "unassigned",
    "任务尚未指派",
    Q(assignee__isnull=False),
)
RESULT = Input(
    "result", "执行情况", "text", required=True, code="result_required", message="请填写执行情况"
)
TASKS = Workflow(
    "task",
    Task,
    (
        Transition(
            "finish",
            "完成",
            (TaskStatus.OPEN,),
            TaskStatus.DONE,
            "change_task",
            inputs=(RESULT,),
            guards=(ASSIGNED,),
        ),
        Transition(
            "cancel", "取消", (TaskStatus.OPEN,), TaskStatus.CANCELLED, "delete_task", duty=False
        ),
    ),
    open_states=(TaskStatus.OPEN,),
    state_field="status",
    department_field=None,
)


def refusal(fn) -> str:
    with pytest.raises(ActionError) as info:
        fn()
    return info.value.code


def test_a_second_workflow_is_declared_and_guarded_without_case_code(make_user, tree):
    worker = make_user(perms=["cases.view_task", "cases.change_task"], scope=[tree.city])
    idle = make_user(perms=["cases.view_task"], scope=[tree.city])
    due = timezone.now() + timedelta(days=1)
    task = Task.objects.create(
        kind=TaskKind.PATROL, title="巡查", region=tree.grid_a1, assignee=worker, due_at=due
    )
    loose = Task.objects.create(kind=TaskKind.PATROL, title="待派", region=tree.grid_a1)
    done = Task.objects.create(
        kind=TaskKind.PATROL, title="已完成", region=tree.grid_a1, status=TaskStatus.DONE
    )
    finish = TASKS.get("finish")
    TASKS.guard(finish, task, worker)
    assert refusal(lambda: TASKS.guard(finish, done, worker)) == "invalid_transition"
    assert refusal(lambda: TASKS.guard(finish, task, idle)) == "permission_denied"
    assert refusal(lambda: TASKS.guard(finish, loose, worker)) == "unassigned"
    assert refusal(lambda: TASKS.get("explode")) == "unknown_action"
    assert [t.action for t in TASKS.available(task, worker)] == ["finish"]
    # The to-do filter: duties only (cancel is a side action), the guard's SQL applied.
    assert list(Task.objects.filter(TASKS.todo_q(worker))) == [task]
    assert not Task.objects.filter(TASKS.todo_q(idle)).exists()
    # Inputs: the form follows the declaration, and a missing one is refused with its code.
    form = ActionForm({"result": ""}, transition=finish, case=None, user=worker)
    assert list(form.fields) == ["result"] and not form.is_valid()
    assert form.errors["result"] == ["请填写执行情况"]
    assert refusal(lambda: TASKS.arguments(finish, {"result": "  "})) == "result_required"
    assert TASKS.arguments(finish, {"result": " 已巡查 ", "note": "x"}) == {"result": "已巡查"}
    assert TASKS.duties(task) == [finish]
