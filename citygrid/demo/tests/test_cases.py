"""The demo case history: deterministic, and every history a path the workflow engine allows."""

from collections import Counter
from datetime import datetime, timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection

from citygrid.accounts import roles
from citygrid.accounts.models import User
from citygrid.cases import indicators, numbering
from citygrid.cases.choices import OPEN_STATES, CaseState, Channel
from citygrid.cases.models import (
    Case,
    CaseCategory,
    CaseEvent,
    Department,
    DispatchRule,
    SupervisionOrder,
)
from citygrid.cases.routing import responsible_department
from citygrid.cases.tests.conftest import TZ
from citygrid.cases.workflow import BY_ACTION
from citygrid.core.models import VersionStamp
from citygrid.demo.cases import CITY_DEPARTMENTS, DAYS, HANDLER_DEPARTMENT, generate_demo_cases
from citygrid.demo.regions import DemoSize, create_demo_accounts, generate_demo_city
from citygrid.notify.models.notifications import Notification
from citygrid.notify.models.sms import SmsMessage
from citygrid.regions.choices import RegionLevel, WorkerRole
from citygrid.regions.models import GridWorker, Region

SMALL = DemoSize(counties=4, townships=(2, 3), communities=(2, 3), grids=(3, 5))
# A Wednesday afternoon: the 120 days before it include 春节, 清明 and 劳动节.
NOW = datetime(2026, 6, 10, 15, 30, tzinfo=TZ)
COUNT = 60


@pytest.fixture
def city(db) -> Region:
    city = generate_demo_city(seed=11, size=SMALL).city
    create_demo_accounts(city)
    return city


def _fingerprint() -> list[tuple]:
    """Numbers (their order within the day), states, places and every event's action, state,
    time and actor."""
    cases = Case.objects.select_related("category", "department").order_by("number")
    history: dict[str, list[tuple]] = {}
    for event in CaseEvent.objects.select_related("case", "actor").order_by("time", "id"):
        history.setdefault(event.case.number, []).append(
            (event.action, event.to_state, event.time, event.actor and event.actor.username)
        )
    # A day's numbers in order of issue, not their values: on PostgreSQL a day's sequence is
    # gap-tolerant by design (cases/numbering.py), so a number drawn and never used shifts the
    # values after it without changing the history.
    ranks: dict[str, int] = {}
    position = {}
    for c in cases:
        day = c.number[:8]
        ranks[day] = ranks.get(day, 0) + 1
        position[c.number] = f"{day}#{ranks[day]}"
    return [
        (
            position[c.number],
            c.state,
            c.category.code,
            c.urgency,
            c.channel,
            c.lng,
            c.lat,
            c.department.code if c.department else None,
            history[c.number],
        )
        for c in cases
    ]


def _check_path(case: Case, events: list[CaseEvent]) -> None:
    """Each event leaves the state the next one starts from, as the transition table allows."""
    assert events[0].action == "report", case.number
    assert (events[0].from_state, events[0].to_state) == ("", CaseState.REPORTED)
    state, resume_to = CaseState.REPORTED, None
    for previous, event in zip(events, events[1:], strict=False):
        where = f"{case.number} {event.action}"
        assert event.time >= previous.time, where
        assert event.from_state == state, where
        if event.action == "supervision_answered":  # the department's answer to a 督办单
            assert event.to_state == state, where
            continue
        transition = BY_ACTION[event.action]
        assert event.from_state in transition.sources, where
        if transition.target:
            assert event.to_state == transition.target, where
        elif event.action == "resume":
            assert event.to_state == resume_to, where
        else:
            assert event.to_state == event.from_state, where
        if event.action == "suspend":
            resume_to = event.data["resume_state"]
        state = event.to_state
    assert state == case.state, case.number
    assert events[-1].time <= NOW


def _check_histories(result) -> None:
    cases = list(Case.objects.select_related("category"))
    by_case: dict[int, list[CaseEvent]] = {}
    for event in CaseEvent.objects.order_by("time", "id"):
        by_case.setdefault(event.case_id, []).append(event)
    for case in cases:
        _check_path(case, by_case[case.pk])
        assert case.created == case.reported_at

    states = Counter(case.state for case in cases)
    assert result.created == COUNT and result.by_state == dict(states)
    assert states[CaseState.CLOSED] >= COUNT // 2
    assert sum(states[s] for s in OPEN_STATES) >= 4  # the most recent ones stay open
    actions = Counter(e.action for events in by_case.values() for e in events)
    assert CaseEvent.objects.filter(action="report_back", on_time=False).exists()  # late
    assert actions["verify_fail"] >= 1 and result.reworked >= 1
    assert actions["evaluate"] >= 1 and actions["approve_extension"] + actions["deny_extension"]
    assert actions["return"] >= 1 and actions["reject"] >= 1
    assert SupervisionOrder.objects.exists()
    # A well-run city: most cases closed with every step on time, but not all.
    summary = indicators.compute(start=NOW - timedelta(days=DAYS + 1), end=NOW, now=NOW)
    assert 0.80 <= summary.on_time_close_rate <= 0.95, summary.on_time_close_rate
    # Demo history notifies nobody and texts nobody.
    assert not Notification.objects.exists() and not SmsMessage.objects.exists()


def _check_matrix(city) -> None:
    minors = CaseCategory.objects.filter(parent__isnull=False, active=True)
    assert DispatchRule.objects.filter(region=city).count() == minors.count()  # all classes
    assert DispatchRule.objects.exclude(region=city).exists()  # local overrides
    dispatches = CaseEvent.objects.filter(action="dispatch").select_related("case")
    assert dispatches.exists()
    for event in dispatches:
        returned = CaseEvent.objects.filter(
            case=event.case, action="return", time__gte=event.time
        ).exists()
        # Only a dispatch the department then returned went elsewhere than the matrix says.
        assert event.department_id == event.data["matrix_department_id"] or returned
    for case in Case.objects.filter(department__isnull=False):
        assert case.department == responsible_department(case), case.number


def _check_accounts(city) -> None:
    handler = User.objects.get(username="dept_handler")
    inspector = User.objects.get(username="inspector")
    grid_worker = User.objects.get(username="grid_worker")
    department = Department.objects.get(code=f"{city.code}{HANDLER_DEPARTMENT}")
    assert department.name == {s: n for s, n, _ in CITY_DEPARTMENTS}[HANDLER_DEPARTMENT]
    assert list(handler.departments.all()) == [department]
    assert [r.name for r in handler.roles.all()] == [roles.DEPARTMENT_HANDLER]
    assert handler.has_perm("cases.handle_case")
    assert handler.has_perm("cases.answer_supervisionorder")
    first_grid = Region.objects.filter(level=RegionLevel.GRID).order_by("code").first()
    post = GridWorker.objects.get(region=first_grid, role=WorkerRole.INSPECTOR)
    assert post.user == inspector and inspector.full_name == post.name
    assert [r.code for r in inspector.scope_regions.all()] == [first_grid.code[:6]]
    assert inspector.has_perm("cases.verify_case") and grid_worker.has_perm("cases.verify_case")
    assert not grid_worker.has_perm("cases.dispatch_case")
    # The demo accounts act in the history where their role and scope allow.
    actors = set(CaseEvent.objects.values_list("actor__username", flat=True))
    assert {"admin", "county_dispatcher", "dept_handler", "inspector"} <= actors


def _restart_case_numbers() -> None:
    VersionStamp.objects.filter(name__startswith="case_number_").delete()
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            for name in numbering.sequences():
                cursor.execute(f'ALTER SEQUENCE "{name}" RESTART')


def test_demo_history_is_valid_and_deterministic(city):
    result = generate_demo_cases(city, seed=3, count=COUNT, now=NOW)
    _check_histories(result)
    _check_matrix(city)
    _check_accounts(city)
    first = _fingerprint()
    assert len(first) == COUNT

    Case.objects.all().delete()
    _restart_case_numbers()
    again = generate_demo_cases(city, seed=3, count=COUNT, now=NOW)
    assert _fingerprint() == first
    assert again.by_state == result.by_state


def test_citizens_own_reports_come_from_the_portal(city):
    generate_demo_cases(city, seed=3, count=COUNT, now=NOW)
    portal = Case.objects.filter(channel=Channel.PORTAL)
    assert portal.exists()
    # A citizen files their own report: no staff account acts for them.
    assert not portal.filter(events__actor__isnull=False, events__action="report").exists()
    assert not portal.filter(reporter_phone_index="").exists()


@pytest.mark.parametrize("cases", [0, 12])
def test_seed_demo_generates_the_cases_asked_for(db, settings, cases):
    settings.DEMO_MODE = True
    out = StringIO()
    call_command(
        "seed_demo",
        "--cases",
        str(cases),
        grids_per_community_min=1,
        grids_per_community_max=1,
        stdout=out,
    )
    assert Case.objects.count() == cases
    assert (f"演示事件：{cases} 条" in out.getvalue()) == bool(cases)
    # Long generations report progress; the last report is the total.
    assert (f"已生成事件 {cases}/{cases}" in out.getvalue()) == bool(cases)
