"""工作台: my to-dos with countdowns, new reports, notices and a trend, all bounded and scoped
(issue 12, item 1)."""

from datetime import datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from citygrid.accounts import roles
from citygrid.cases import actions, indicators
from citygrid.cases.models import Case, Task
from citygrid.cases.tests.conftest import MONDAY_10, TZ
from citygrid.cases.views.workbench import due, span_text
from citygrid.notify.services import notify_user

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 12, 4, 10, 0, tzinfo=TZ)


def test_time_left_reads_as_a_person_says_it():
    assert span_text(2 * 3600) == "2 小时"
    assert span_text(86400) == "1 天"
    assert span_text(86400 + 3 * 3600 + 59) == "1 天 3 小时"
    assert span_text(12 * 60 + 30) == "12 分钟"
    assert span_text(5) == "1 分钟"
    left = due(NOW + timedelta(hours=2), NOW, warn_at=NOW - timedelta(hours=1))
    assert (left.text, left.state, left.label) == ("剩余 2 小时", "warning", "临期")
    left = due(NOW + timedelta(hours=2), NOW, warn_at=NOW + timedelta(hours=1))
    assert (left.text, left.state, left.label) == ("剩余 2 小时", "", "")
    left = due(NOW - timedelta(days=1, minutes=5), NOW)
    assert (left.text, left.state, left.label) == ("已超期 1 天", "overdue", "超期")
    # Without a warning time (tasks, supervision orders) the last day is 临期.
    assert due(NOW + timedelta(hours=23), NOW).state == "warning"
    assert due(NOW + timedelta(hours=25), NOW).state == ""
    assert due(None, NOW) is None


def _clock(case, *, deadline, warn_at):
    Case.objects.filter(pk=case.pk).update(step_deadline=deadline, step_warn_at=warn_at)


@pytest.fixture
def desk_cases(setup, report):
    """Three cases awaiting the dispatcher's registration: overdue, near, and relaxed; one
    awaiting dispatch; one in county B (outside the inspector's scope only)."""
    now = timezone.now()
    overdue = report(now=now)
    _clock(overdue, deadline=now - timedelta(days=1, hours=2), warn_at=now - timedelta(days=2))
    near = report(now=now, lng=120.015)
    _clock(near, deadline=now + timedelta(hours=2, minutes=10), warn_at=now - timedelta(hours=1))
    relaxed = report(now=now, lng=120.012)
    _clock(
        relaxed,
        deadline=now + timedelta(days=3, hours=1, minutes=30),
        warn_at=now + timedelta(days=2),
    )
    registered = report(now=now, lng=120.018)
    actions.register_case(registered, actor=setup.dispatcher, now=now)
    _clock(registered, deadline=now + timedelta(days=5), warn_at=now + timedelta(days=4))
    return {"overdue": overdue, "near": near, "relaxed": relaxed, "registered": registered}


def test_dispatcher_sees_todos_with_countdowns_and_new_reports(client, setup, desk_cases):
    client.force_login(setup.dispatcher)
    response = client.get("/")
    assert response.status_code == 200
    todos = {case.number: left for case, left in response.context["todos"]}
    overdue, near, relaxed = (desk_cases[k].number for k in ("overdue", "near", "relaxed"))
    # Most urgent first: the desk's own to-do queryset.
    assert list(todos)[:3] == [overdue, near, relaxed]
    assert todos[overdue].text == "已超期 1 天 2 小时" and todos[overdue].state == "overdue"
    assert todos[near].text == "剩余 2 小时" and todos[near].state == "warning"
    assert todos[relaxed].text == "剩余 3 天 1 小时" and todos[relaxed].state == ""
    ctx = response.context
    assert (ctx["todo_count"], ctx["todo_warning"], ctx["todo_overdue"]) == (4, 1, 1)
    html = response.content.decode()
    assert f'data-case="{overdue}" data-due="overdue"' in html
    assert f'data-case="{near}" data-due="warning"' in html
    assert "已超期 1 天 2 小时" in html and "临期" in html and "超期 1" in html
    # New reports: waiting for registration (待受理) and dispatch (待派遣), newest first.
    reports = [c.number for c in ctx["new_reports"]]
    assert set(reports) == {c.number for c in desk_cases.values()}
    assert "新上报待处理" in html and "待派遣" in html


def test_handler_sees_only_the_departments_work_and_no_new_reports(client, setup, report):
    mine = report()
    for step in (actions.register_case, actions.dispatch_case):
        step(mine, actor=setup.dispatcher, now=MONDAY_10)
    report()  # awaiting registration: not the handler's business
    client.force_login(setup.handler)
    response = client.get("/")
    assert [c.number for c, _ in response.context["todos"]] == [mine.number]
    assert response.context["show_reports"] is False
    assert "新上报待处理" not in response.content.decode()


def test_workbench_is_scoped(client, setup, report):
    report(lng=120.105, lat=30.005, now=timezone.now())  # county B
    client.force_login(setup.inspector)  # county A only
    response = client.get("/")
    assert response.context["todos"] == []
    assert response.context["trend_totals"] == (0, 0)
    client.force_login(setup.outsider)  # county B
    response = client.get("/")
    assert len(response.context["new_reports"]) == 1
    assert response.context["trend_totals"] == (1, 0)


def test_trend_comes_from_the_day_rollup(client, setup, report, django_assert_num_queries):
    now = timezone.now()
    case = report(now=now)
    report(now=now - timedelta(days=3), lng=120.015)
    report(now=now - timedelta(days=30), lng=120.012)  # before the fortnight
    actions.register_case(case, actor=setup.dispatcher, now=now)
    client.force_login(setup.dispatcher)
    trend = client.get("/").context["trend"]
    assert len(trend["days"]) == 14
    assert trend["days"][-1] == f"{timezone.localdate(now):%m-%d}"
    assert trend["reported"][-1] == 1 and trend["reported"][-4] == 1
    assert sum(trend["reported"]) == 2 and sum(trend["closed"]) == 0
    # One query over the day rows, whatever the territory holds.
    with django_assert_num_queries(1):
        points = indicators.daily_trend(last_day=timezone.localdate(now), territory=["330101"])
    assert [p.reported for p in points][-4:] == [1, 0, 0, 1]


def test_notices_are_the_users_own_newest(client, setup, make_user):
    for i in range(7):
        notify_user(setup.dispatcher, f"案件即将超期 {i}")
    notify_user(setup.handler, "别人的消息")
    client.force_login(setup.dispatcher)
    response = client.get("/")
    titles = [n.title for n in response.context["notices"]]
    assert titles == [f"案件即将超期 {i}" for i in (6, 5, 4, 3, 2)]
    html = response.content.decode()
    assert "别人的消息" not in html and "7 条未读" in html


def test_tasks_and_supervision_orders_show_their_deadlines(client, setup, report):
    from django.contrib.auth.models import Permission

    setup.dispatcher.roles.get().permissions.add(
        Permission.objects.get(codename="view_supervisionorder")
    )
    case = report()
    Task.objects.create(
        kind="verification",
        title="核查占道施工",
        assignee=setup.dispatcher,
        region=case.region,
        case=case,
        due_at=timezone.now() - timedelta(hours=3),
    )
    for step in (actions.register_case, actions.dispatch_case):
        step(case, actor=setup.dispatcher, now=MONDAY_10)
    actions.supervise_case(
        case,
        actor=setup.dispatcher,
        note="请尽快处理",
        required_by=timezone.now() + timedelta(hours=5, minutes=10),
    )
    client.force_login(setup.dispatcher)
    response = client.get("/")
    [(task, task_left)] = response.context["tasks"]
    assert task.title == "核查占道施工" and task_left.text == "已超期 3 小时"
    [(order, order_left)] = response.context["orders"]
    assert order_left.text == "剩余 5 小时" and order_left.state == "warning"
    html = response.content.decode()
    assert "我的任务" in html and "待回复督办" in html


def test_query_count_does_not_grow_with_cases(client, setup, report, make_user):
    client.force_login(setup.dispatcher)
    for i in range(9):
        report(lng=120.001 + i * 0.001)
    notify_user(setup.dispatcher, "一")
    with CaptureQueriesContext(connection) as few:
        client.get("/")
    for i in range(12):
        report(lng=120.011 + i * 0.0005)
        notify_user(setup.dispatcher, f"消息{i}")
    with CaptureQueriesContext(connection) as many:
        response = client.get("/")
    assert len(response.context["todos"]) == 8  # a page of them, not all
    assert response.context["todo_count"] == 21
    assert len(many.captured_queries) == len(few.captured_queries)


def test_counts_stop_at_the_cap(client, setup, report, monkeypatch):
    from citygrid.cases.views import workbench

    monkeypatch.setattr(workbench, "COUNT_CAP", 2)
    monkeypatch.setattr(workbench, "ROWS", 2)
    for i in range(4):
        report(lng=120.001 + i * 0.001)  # all overdue: reported in March
    client.force_login(setup.dispatcher)
    response = client.get("/")
    assert response.context["todo_count"] == 3  # one more than the cap: "2+"
    html = response.content.decode()
    assert ">待办 2+<" in html and ">超期 2+<" in html


def test_a_leader_gets_the_trend_without_an_empty_todo_list(client, tree, make_user, report):
    leader = make_user(perms=["cases.view_case", "cases.export_case"], scope=[tree.city])
    report(now=timezone.now())
    client.force_login(leader)
    response = client.get("/")
    html = response.content.decode()
    assert "todos" not in response.context and response.context["trend_totals"] == (1, 0)
    assert 'id="workbench-todos"' not in html and 'id="workbench-trend"' in html
    assert '<i class="ti ti-clipboard-list"></i> 我的待办' not in html  # no button to nothing


def test_someone_without_cases_gets_notices_and_shortcuts(client, tree, make_user):
    user = make_user(perms=["regions.view_region"], scope=[tree.county_a])
    notify_user(user, "请更新网格信息")
    client.force_login(user)
    response = client.get("/")
    html = response.content.decode()
    assert "todos" not in response.context and "trend" not in response.context
    assert "我的待办" not in html and "请更新网格信息" in html
    assert 'id="workbench-shortcuts"' in html and "区域网格" in html


def test_grid_worker_at_a_desktop_gets_the_phone_app_card(client, tree):
    from citygrid.accounts.models import User

    role = roles.ensure_default_roles()[roles.GRID_WORKER]
    worker = User.objects.create_user(username="gw", password="Test@2026pw")
    worker.roles.add(role)
    worker.scope_regions.add(tree.grid_a1)
    client.force_login(worker)
    html = client.get("/").content.decode()
    assert 'id="mobile-app-card"' in html and 'href="/m/"' in html and "<svg" in html
    assert "网格员手机端" in html
    # A dispatcher gets no such card.
    dispatcher = User.objects.create_user(username="dd", password="Test@2026pw")
    dispatcher.roles.add(roles.ensure_default_roles()[roles.COUNTY_DISPATCHER])
    client.force_login(dispatcher)
    assert 'id="mobile-app-card"' not in client.get("/").content.decode()
