"""The desk tabs, the command-centre map endpoint, the case list's filters and its export."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse
from django.utils import timezone

from citygrid.cases import actions
from citygrid.cases.models import Case, SupervisionOrder
from citygrid.cases.tests.conftest import MONDAY_10, jpeg
from citygrid.core.models import AccessLog

pytestmark = pytest.mark.django_db

DESK = reverse("cases:desk")
MAP_DATA = reverse("cases:map_data")


def tab(client, name: str) -> list[str]:
    response = client.get(DESK, {"tab": name})
    assert response.status_code == 200
    return [getattr(row, "number", None) or row.pk for row in response.context["page"]]


@pytest.fixture
def cases(setup, report):
    """Cases in every state that matters to the desk; all but `fresh` are long overdue."""
    now = timezone.now()
    reported = report()
    registered = report(lng=120.015, lat=30.005)
    actions.register_case(registered, actor=setup.dispatcher, now=MONDAY_10)
    dispatched = report(category=setup.other_category)
    actions.register_case(dispatched, actor=setup.dispatcher, now=MONDAY_10)
    actions.dispatch_case(
        dispatched, actor=setup.dispatcher, now=MONDAY_10, department=setup.department
    )
    elsewhere = report(category=setup.other_category, lng=120.012, lat=30.002)
    actions.register_case(elsewhere, actor=setup.dispatcher, now=MONDAY_10)
    actions.dispatch_case(
        elsewhere, actor=setup.dispatcher, now=MONDAY_10, department=setup.other_department
    )
    closed = report(lng=120.018, lat=30.008)
    for step in (actions.register_case, actions.dispatch_case):
        step(closed, actor=setup.dispatcher, now=MONDAY_10)
    actions.accept_case(closed, actor=setup.handler, now=MONDAY_10)
    actions.report_back_case(
        closed, actor=setup.handler, note="好了", photos=[jpeg()], now=MONDAY_10
    )
    actions.verify_case(closed, actor=setup.inspector, passed=True, now=MONDAY_10)
    actions.close_case(closed, actor=setup.dispatcher, now=MONDAY_10)
    fresh = report(lng=120.003, lat=30.002, now=now, category=setup.other_category)
    in_b = report(lng=120.105, lat=30.005)
    names = ("reported", "registered", "dispatched", "elsewhere", "closed", "fresh", "in_b")
    made = (reported, registered, dispatched, elsewhere, closed, fresh, in_b)
    return {name: Case.objects.get(pk=case.pk) for name, case in zip(names, made, strict=True)}


def test_todo_tab_holds_the_cases_awaiting_the_user(client, setup, cases):
    client.force_login(setup.dispatcher)
    todo = tab(client, "todo")
    # Reported (register) and registered (dispatch); dispatched cases wait for a department.
    assert set(todo) == {cases[n].number for n in ("reported", "registered", "fresh", "in_b")}
    assert todo[-1] == cases["fresh"].number  # the latest deadline comes last
    client.force_login(setup.handler)
    assert tab(client, "todo") == [cases["dispatched"].number]
    response = client.get(DESK)
    (row,) = response.context["page"]
    assert [t.action for t in row.actions] == ["accept", "return"]


def test_todo_tab_respects_scope(client, setup, cases):
    client.force_login(setup.outsider)  # county B dispatcher
    assert tab(client, "todo") == [cases["in_b"].number]


def test_done_tab_lists_what_the_user_acted_on(client, setup, cases):
    client.force_login(setup.handler)
    assert tab(client, "done") == [cases["closed"].number]
    client.force_login(setup.inspector)
    assert tab(client, "done") == [cases["closed"].number]


def test_overdue_tab(client, setup, cases):
    client.force_login(setup.dispatcher)
    overdue = set(tab(client, "overdue"))
    expected = {
        cases[n].number for n in ("reported", "registered", "dispatched", "elsewhere", "in_b")
    }
    assert overdue == expected
    client.force_login(setup.inspector)  # county A only
    assert set(tab(client, "overdue")) == expected - {cases["in_b"].number}


def test_desk_pages_keep_their_tab(client, setup, cases, monkeypatch):
    monkeypatch.setattr("citygrid.cases.views.desk.PER_PAGE", 2)
    client.force_login(setup.dispatcher)
    first = client.get(DESK, {"tab": "overdue"}).content.decode()
    # The bounded paginator: no total, "next" known from one row fetched beyond the page.
    assert 'href="?tab=overdue&amp;page=2">下一页' in first and "第 1 页" in first
    last = client.get(DESK, {"tab": "overdue", "page": 3}).content.decode()
    assert 'href="?tab=overdue&amp;page=2">上一页' in last and "下一页" not in last
    assert "第 3 页" in last
    assert len(tab(client, "overdue")) == 2


def test_supervision_tab_shows_a_member_their_departments_orders(client, setup, cases, tree):
    later = timezone.now() + timedelta(days=2)
    mine = SupervisionOrder.objects.create(
        case=cases["dispatched"],
        department=setup.department,
        required_by=later,
        instructions="尽快",
        region=tree.grid_a1,
    )
    theirs = SupervisionOrder.objects.create(
        case=cases["elsewhere"],
        department=setup.other_department,
        required_by=later,
        instructions="尽快",
        region=tree.grid_a1,
    )
    perm = "view_supervisionorder"
    for user in (setup.handler, setup.dispatcher):
        user.roles.first().permissions.add(Permission.objects.get(codename=perm))
    client.force_login(setup.handler)
    assert tab(client, "supervision") == [mine.pk]
    client.force_login(setup.dispatcher)  # not a member of any department: every open order
    assert set(tab(client, "supervision")) == {mine.pk, theirs.pk}


def test_desk_tab_counts_and_permission(client, setup, cases, make_user, tree):
    client.force_login(setup.dispatcher)
    response = client.get(DESK)
    counts = {name: count for name, _, count, _ in response.context["tabs"]}
    # The dispatcher reported all seven cases: reporting is acting.
    assert counts == {"todo": 4, "done": 7, "overdue": 5, "supervision": 0}
    client.force_login(make_user(perms=["cases.register_case"], scope=[tree.city]))
    assert client.get(DESK).status_code == 403


def test_map_endpoint_returns_open_cases_in_scope(client, setup, cases):
    client.force_login(setup.inspector)  # county A
    body = client.get(MAP_DATA).json()
    numbers = {f["properties"]["number"] for f in body["features"]}
    open_in_a = {
        cases[n].number for n in ("reported", "registered", "dispatched", "elsewhere", "fresh")
    }
    assert numbers == open_in_a and body["truncated"] is False
    by_number = {f["properties"]["number"]: f for f in body["features"]}
    fresh = by_number[cases["fresh"].number]
    assert fresh["geometry"] == {"type": "Point", "coordinates": [120.003, 30.002]}
    assert fresh["properties"]["overdue"] is False
    assert fresh["properties"]["colour"] == "#4299e1"
    assert by_number[cases["reported"].number]["properties"]["overdue"] is True


def test_map_endpoint_filters_by_bbox(client, setup, cases):
    client.force_login(setup.dispatcher)
    body = client.get(MAP_DATA, {"bbox": "120.010,30.000,120.020,30.010"}).json()
    numbers = {f["properties"]["number"] for f in body["features"]}
    assert numbers == {cases["registered"].number, cases["elsewhere"].number}
    assert client.get(MAP_DATA, {"bbox": "a,b"}).status_code == 400


def test_map_endpoint_needs_view_permission(client, setup, make_user, tree):
    client.force_login(make_user(perms=["cases.register_case"], scope=[tree.city]))
    assert client.get(MAP_DATA).status_code == 403
    assert client.get(reverse("cases:map")).status_code == 403


def test_map_page_renders(client, setup):
    client.force_login(setup.dispatcher)
    html = client.get(reverse("cases:map")).content.decode()
    assert MAP_DATA in html and "超期" in html


def test_case_list_filters(client, setup, cases, tree):
    client.force_login(setup.dispatcher)
    url = reverse("cases:case_list")

    def listed(**params):
        response = client.get(url, params)
        assert response.status_code == 200
        return {row.record.number for row in response.context["table"].page.object_list}

    assert listed(state="closed") == {cases["closed"].number}
    assert listed(department=setup.other_department.pk) == {cases["elsewhere"].number}
    assert listed(within=tree.county_b.code) == {cases["in_b"].number}
    assert listed(lateness="on_time") == {cases["fresh"].number, cases["closed"].number}
    assert cases["fresh"].number not in listed(lateness="overdue")
    assert listed(category=setup.other_category.pk, state="dispatched") == {
        cases["dispatched"].number,
        cases["elsewhere"].number,
    }
    today = timezone.localdate().isoformat()
    assert listed(reported_from=today) == {cases["fresh"].number}
    assert listed(q=cases["in_b"].number) == {cases["in_b"].number}


def test_export_masks_the_reporter_phone_and_honours_filters(
    client, setup, report, make_user, tree
):
    report(reporter_phone="13912345678")
    report(lng=120.105, lat=30.005)
    user = make_user(
        perms=["cases.view_case", "cases.export_case"], scope=[tree.county_a], view_sensitive=True
    )
    client.force_login(user)
    response = client.get(reverse("cases:case_export"), {"export_format": "csv"})
    assert response.status_code == 200
    lines = response.getvalue().decode("utf-8-sig").strip().splitlines()
    assert (
        lines[0] == "案件编号,小类,状态,紧急程度,地址,责任部门,上报时间,结案时间,满意度,上报人电话"
    )
    assert len(lines) == 2
    assert "139****5678" in lines[1] and "13912345678" not in lines[1]
    assert ",待受理,一般," in lines[1]
    assert AccessLog.objects.get(user=user, action="export").record_count == 1
    response = client.get(reverse("cases:case_export"), {"export_format": "xlsx"})
    assert response.status_code == 200 and response.content[:2] == b"PK"
