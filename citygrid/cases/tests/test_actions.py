"""The workflow engine: every transition allowed and refused, with exact events and clocks."""

from datetime import datetime, timedelta
from functools import partial

import pytest

from citygrid.cases import actions
from citygrid.cases.errors import CaseNotFound
from citygrid.cases.models import Case, CaseEvent, SupervisionOrder, Task
from citygrid.cases.tests.conftest import TZ, jpeg
from citygrid.core.errors import ActionError
from citygrid.regions.models import GridWorker

pytestmark = pytest.mark.django_db

H = timedelta(hours=1)


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 3, day, hour, minute, tzinfo=TZ)


def history(case) -> list[tuple[str, str, str]]:
    return list(
        CaseEvent.objects.filter(case=case)
        .order_by("time", "id")
        .values_list("action", "from_state", "to_state")
    )


def snapshot(case):
    case = Case.objects.get(pk=case.pk)
    return (
        case.state,
        case.department_id,
        case.step,
        case.step_deadline,
        case.level,
        case.extension_hours,
        CaseEvent.objects.filter(case=case).count(),
        Task.objects.filter(case=case).count(),
        SupervisionOrder.objects.count(),
    )


def refused(code, fn, case, *args, **kwargs):
    before = snapshot(case)
    with pytest.raises(ActionError) as info:
        fn(case, *args, **kwargs)
    assert info.value.code == code, info.value.message
    assert snapshot(case) == before
    return info.value


def to_handling(setup, case):
    actions.register_case(case, actor=setup.dispatcher, now=at(2, 10, 10))
    actions.dispatch_case(case, actor=setup.dispatcher, now=at(2, 10, 20))
    return actions.accept_case(case, actor=setup.handler, now=at(2, 10, 30))


def test_happy_path_writes_exact_events_and_clocks(setup, report, tree):
    inspector_account = setup.inspector
    GridWorker.objects.create(
        region=tree.grid_a1,
        name="监督员甲",
        role="inspector",
        phone="13700000001",
        user=inspector_account,
    )
    case = report()
    assert case.number == "2026030200001"
    assert (case.state, case.step) == ("reported", "register")
    assert case.step_deadline == at(2, 11)  # 1 working hour
    to_handling(setup, case)
    case.refresh_from_db()
    assert case.department == setup.department  # from the dispatch matrix
    # 24 working hours from Monday 10:30: 5.5 h Mon + 7.5 Tue + 7.5 Wed + 3.5 Thu → 12:00.
    assert case.step_deadline == at(5, 12)
    actions.report_back_case(
        case, actor=setup.handler, note="已清理", photos=[jpeg()], now=at(3, 9)
    )
    task = Task.objects.get(case=case, kind="verification")
    assert task.assignee == inspector_account and task.status == "open"
    actions.verify_case(case, actor=setup.inspector, passed=True, now=at(3, 10))
    actions.close_case(case, actor=setup.dispatcher, now=at(3, 10, 30))
    actions.evaluate_case(case, actor=setup.dispatcher, satisfaction=5, now=at(3, 11))
    case.refresh_from_db()
    assert (case.state, case.satisfaction, case.closed_at) == ("closed", 5, at(3, 10, 30))
    assert case.step == "" and case.step_deadline is None
    assert history(case) == [
        ("report", "", "reported"),
        ("register", "reported", "registered"),
        ("dispatch", "registered", "dispatched"),
        ("accept", "dispatched", "handling"),
        ("report_back", "handling", "reported_back"),
        ("verify_pass", "reported_back", "verified"),
        ("close", "verified", "closed"),
        ("evaluate", "closed", "closed"),
    ]
    report_back = CaseEvent.objects.get(case=case, action="report_back")
    # Handling ran Mon 10:30 → Tue 09:00: 5.5 h + 0.5 h of working time, on time.
    assert (report_back.on_time, report_back.elapsed_seconds) == (True, 6 * 3600)
    assert report_back.attachments.get().stage == "after"
    assert Task.objects.get(pk=task.pk).status == "done"


def test_every_action_is_refused_in_a_wrong_state(setup, report):
    case = report()
    for name in [
        "dispatch",
        "accept",
        "return",
        "report_back",
        "approve_extension",
        "verify_pass",
        "verify_fail",
        "close",
        "evaluate",
        "reopen",
        "resume",
    ]:
        error = refused(
            "invalid_transition",
            lambda c, n=name: actions.perform(
                n,
                c,
                actor=setup.dispatcher,
                inputs={"note": "x", "photos": [jpeg()], "satisfaction": 5},
            ),
            case,
        )
        assert "当前状态为“待受理”" in error.message


def test_permission_department_and_scope_are_checked(setup, report, make_user, tree):
    case = report()
    refused("permission_denied", lambda c: actions.register_case(c, actor=setup.handler), case)
    with pytest.raises(CaseNotFound):
        actions.register_case(case, actor=setup.outsider)
    actions.register_case(case, actor=setup.dispatcher)
    actions.dispatch_case(case, actor=setup.dispatcher)
    stranger = make_user(perms=["cases.view_case", "cases.handle_case"], scope=[tree.city])
    error = refused("not_in_department", lambda c: actions.accept_case(c, actor=stranger), case)
    assert error.status == 403


def test_note_and_photo_are_required_where_the_table_says(setup, report):
    case = report()
    refused(
        "note_required", lambda c: actions.reject_case(c, actor=setup.dispatcher, note="  "), case
    )
    to_handling(setup, case)
    refused(
        "photo_required",
        lambda c: actions.report_back_case(c, actor=setup.handler, note="done", photos=[]),
        case,
    )
    refused(
        "note_required",
        lambda c: actions.report_back_case(c, actor=setup.handler, note="", photos=[jpeg()]),
        case,
    )


def test_reject(setup, report):
    case = report()
    actions.reject_case(case, actor=setup.dispatcher, note="不属于城市管理范围")
    case.refresh_from_db()
    assert case.state == "rejected" and case.step_deadline is None
    assert not case.is_open


def test_return_to_dispatcher_and_redispatch(setup, report):
    case = report()
    actions.register_case(case, actor=setup.dispatcher)
    actions.dispatch_case(case, actor=setup.dispatcher)
    actions.return_case(case, actor=setup.handler, note="非本部门职责")
    case.refresh_from_db()
    assert (case.state, case.department, case.step) == ("registered", None, "dispatch")
    event = CaseEvent.objects.get(case=case, action="return")
    assert event.data == {"returned_by_department_id": setup.department.pk}
    actions.dispatch_case(case, actor=setup.dispatcher, department=setup.other_department)
    case.refresh_from_db()
    assert case.department == setup.other_department


def test_dispatch_without_a_rule_needs_a_department(setup, report):
    case = report(category=setup.other_category)
    actions.register_case(case, actor=setup.dispatcher)
    refused("department_required", lambda c: actions.dispatch_case(c, actor=setup.dispatcher), case)


def test_rework_goes_back_to_the_department(setup, report):
    case = report()
    to_handling(setup, case)
    actions.report_back_case(case, actor=setup.handler, note="已处理", photos=[jpeg()])
    refused(
        "note_required",
        lambda c: actions.verify_case(c, actor=setup.inspector, passed=False),
        case,
    )
    actions.verify_case(case, actor=setup.inspector, passed=False, note="仍有堆放")
    case.refresh_from_db()
    assert (case.state, case.step) == ("handling", "handle")
    assert Task.objects.get(case=case).result == "未通过：仍有堆放"


def test_extension_moves_the_deadline_by_working_hours(setup, report):
    case = to_handling(setup, report())
    assert case.step_deadline == at(5, 12)
    refused(
        "no_extension_pending",
        lambda c: actions.approve_extension(c, actor=setup.dispatcher),
        case,
    )
    refused(
        "invalid_hours",
        lambda c: actions.request_extension(c, actor=setup.handler, hours="abc", note="x"),
        case,
    )
    actions.request_extension(case, actor=setup.handler, hours=4, note="需要调机械")
    refused(
        "extension_pending",
        lambda c: actions.request_extension(c, actor=setup.handler, hours=2, note="再延"),
        case,
    )
    actions.approve_extension(case, actor=setup.dispatcher)
    case.refresh_from_db()
    # Thursday 12:00 + 4 working hours: 13:30–17:30 → Thursday 17:30.
    assert case.step_deadline == at(5, 17, 30)
    assert case.extension_hours is None
    actions.request_extension(case, actor=setup.handler, hours=8, note="再申请")
    actions.deny_extension(case, actor=setup.dispatcher, note="不予延期")
    case.refresh_from_db()
    assert case.step_deadline == at(5, 17, 30) and case.extension_hours is None


def test_suspension_stops_the_clock(setup, report):
    case = to_handling(setup, report())
    actions.suspend_case(case, actor=setup.dispatcher, note="等待产权单位", now=at(3, 10))
    case.refresh_from_db()
    assert case.state == "suspended" and case.lateness(at(20, 10)) == "on_time"
    # Suspended Tue 10:00 → resumed Fri 10:00: three working days (22.5 h) given back.
    actions.resume_case(case, actor=setup.dispatcher, now=at(6, 10))
    case.refresh_from_db()
    assert case.state == "handling"
    assert case.step_deadline == at(10, 12)  # Thu 12:00 + 3 working days → next Tue 12:00
    assert case.paused_seconds == int(22.5 * 3600)
    actions.report_back_case(case, actor=setup.handler, note="完成", photos=[jpeg()], now=at(6, 11))
    event = CaseEvent.objects.get(case=case, action="report_back")
    # Worked Mon 10:30–Tue 10:00 (5.5 + 1.5 h) and Fri 10:00–11:00 (1 h): 8 h, pause excluded.
    assert (event.elapsed_seconds, event.on_time) == (8 * 3600, True)


def test_lateness_warning_and_overdue(setup, report):
    case = to_handling(setup, report())
    # 80 % of 24 working hours = 19.2 h from Mon 10:30: 5.5 (Mon) + 7.5 (Tue) + 3.5 (Wed
    # morning) = 16.5, then 2.7 h from 13:30 → Wed 16:12.
    assert case.step_warn_at == at(4, 16, 12)
    assert case.lateness(at(4, 16, 11)) == "on_time"
    assert case.lateness(at(4, 16, 12)) == "warning"
    assert case.lateness(at(5, 12)) == "overdue"
    actions.report_back_case(case, actor=setup.handler, note="晚了", photos=[jpeg()], now=at(5, 14))
    assert CaseEvent.objects.get(case=case, action="report_back").on_time is False


def test_escalate_up_the_levels_until_the_city(setup, report):
    case = report()
    for expected in ["community", "township", "county", "city"]:
        actions.escalate_case(case, actor=setup.dispatcher, note="本级无法解决")
        case.refresh_from_db()
        assert (case.level, case.state, case.step) == (expected, "registered", "dispatch")
    refused("top_level", lambda c: actions.escalate_case(c, actor=setup.dispatcher, note="x"), case)


def test_reopen_only_within_the_window(setup, report, settings):
    settings.CASE_REOPEN_DAYS = 7
    case = to_handling(setup, report())
    actions.report_back_case(case, actor=setup.handler, note="好", photos=[jpeg()], now=at(3, 9))
    actions.verify_case(case, actor=setup.inspector, passed=True, now=at(3, 10))
    actions.close_case(case, actor=setup.dispatcher, now=at(3, 11))
    refused(
        "reopen_window_passed",
        lambda c: actions.reopen_case(c, actor=setup.dispatcher, note="复发", now=at(11, 11)),
        case,
    )
    actions.reopen_case(case, actor=setup.dispatcher, note="复发", now=at(9, 11))
    case.refresh_from_db()
    assert (case.state, case.closed_at, case.department) == ("registered", None, None)


def test_evaluate_once_with_a_valid_score(setup, report):
    case = to_handling(setup, report())
    actions.report_back_case(case, actor=setup.handler, note="好", photos=[jpeg()])
    actions.verify_case(case, actor=setup.inspector, passed=True)
    actions.close_case(case, actor=setup.dispatcher)
    with pytest.raises(ActionError, match="满意度应为 1 至 5 分"):
        actions.evaluate_case(case, actor=setup.dispatcher, satisfaction=9)
    actions.evaluate_case(case, actor=setup.dispatcher, satisfaction=3, note="一般")
    refused(
        "already_evaluated",
        lambda c: actions.evaluate_case(c, actor=setup.dispatcher, satisfaction=5),
        case,
    )


def test_merge_duplicates(setup, report):
    first = report()
    second = report(description="同一处建材堆放", lng=120.0051)
    assert second.possible_duplicate_of == first
    refused(
        "merge_target_invalid",
        lambda c: actions.merge_case(c, actor=setup.dispatcher, into=second),
        second,
    )
    actions.merge_case(second, actor=setup.dispatcher, into=first)
    second.refresh_from_db()
    assert (second.state, second.merged_into) == ("merged", first)


def test_supervision_order_on_a_late_case(setup, report):
    case = report()
    refused(
        "no_department",
        lambda c: actions.supervise_case(
            c, actor=setup.dispatcher, note="尽快", required_by=at(9, 12)
        ),
        case,
    )
    to_handling(setup, case)
    actions.supervise_case(
        case,
        actor=setup.dispatcher,
        note="限期处理",
        required_by=at(9, 12),
        level=2,
        now=at(3, 9),
    )
    order = SupervisionOrder.objects.get(case=case)
    assert (order.department, order.level, order.status) == (setup.department, 2, "open")
    assert CaseEvent.objects.get(case=case, action="supervise").data == {
        "order_id": order.pk,
        "level": 2,
    }


def test_available_actions_per_role(setup, report):
    case = to_handling(setup, report())
    names = {t.action for t in actions.available_actions(case, setup.handler)}
    assert names == {"return", "report_back", "request_extension"}
    names = {t.action for t in actions.available_actions(case, setup.dispatcher)}
    assert names == {"suspend", "escalate", "supervise"}
    assert actions.available_actions(case, setup.inspector) == []


def test_unknown_action(setup, report):
    case = report()
    refused(
        "unknown_action",
        lambda c: actions.perform("teleport", c, actor=setup.dispatcher, inputs={}),
        case,
    )


def test_input_refusals_keep_their_codes_and_messages(setup, report):
    """The bounds and choices come from the declared inputs; the refusals read as before."""
    case = to_handling(setup, report())
    extend = partial(actions.request_extension, actor=setup.handler, note="x")
    supervise = partial(actions.supervise_case, actor=setup.dispatcher, note="尽快", now=at(3, 9))
    for code, message, fn in (
        ("invalid_hours", "延期时长应为数字（工作时）", partial(extend, hours="abc")),
        ("invalid_hours", "延期时长应在 0.5 至 720 个工作时之间", partial(extend, hours="0.4")),
        ("invalid_hours", "延期时长应在 0.5 至 720 个工作时之间", partial(extend, hours=720.5)),
        ("invalid_level", "督办级别无效", partial(supervise, required_by=at(9, 12), level=4)),
        (
            "invalid_required_by",
            "要求完成时间必须晚于当前时间",
            partial(supervise, required_by=at(3, 8)),
        ),
        (
            "photo_required",
            "“处置反馈”需要上传照片",
            partial(actions.report_back_case, actor=setup.handler, note="好"),
        ),
    ):
        error = refused(code, fn, case)
        assert (error.message, error.status) == (message, 400)
    extend(case, hours=1)
    error = refused(
        "note_required", partial(actions.deny_extension, actor=setup.dispatcher, note=" "), case
    )
    assert error.message == "“驳回延期”需要填写意见"


def test_dispatch_reaches_only_the_departments_the_dispatch_form_offers(
    setup, report, make_user, tree
):
    from citygrid.cases.models import Department
    from citygrid.cases.routing import dispatch_departments
    from citygrid.cases.tests.conftest import DISPATCHER_PERMS

    county_b = Department.objects.create(name="乙区城管", code="YQ01", region=tree.county_b)
    county_a = Department.objects.create(name="甲区城管", code="JQ01", region=tree.county_a)
    dispatcher = make_user(perms=DISPATCHER_PERMS, scope=[tree.county_a])
    case = report()
    actions.register_case(case, actor=dispatcher)
    reachable = set(dispatch_departments(case, dispatcher))
    assert county_a in reachable and setup.department in reachable
    assert county_b not in reachable
    county_b.active = False
    county_b.save()
    # An inactive department is refused as such before its reach is asked.
    refused(
        "department_inactive",
        lambda c: actions.dispatch_case(c, actor=dispatcher, department=county_b),
        case,
    )
    county_b.active = True
    county_b.save()
    error = refused(
        "department_out_of_reach",
        lambda c: actions.dispatch_case(c, actor=dispatcher, department=county_b),
        case,
    )
    assert error.message == "部门“乙区城管”不负责该事件所在区域"
    actions.dispatch_case(case, actor=dispatcher, department=county_a)
    assert Case.objects.get(pk=case.pk).department == county_a
