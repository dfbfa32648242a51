"""Indicators against a history written by hand: every expected figure is worked out in comments.

The story (all times Asia/Shanghai, 2026; evaluated with now = 04-02 12:00):

    case grid channel  events (actor, department; "late" = on_time false)
    C1   A1   inspector 03-02 report I · register P · dispatch P→D1 · accept H1 · report_back H1
                        (4 h) · verify_pass I · close P · 03-03 evaluate P (5)
    C2   A2   hotline   03-03 report · register · dispatch →D1 · accept · 03-05 report_back H1 late
                        (10 h) · 03-06 verify_pass · close · evaluate (3)
    C3   A1   grid_app  03-04 report G · register · dispatch →D1 · accept · report_back H1 (2 h) ·
                        verify_fail I (rework) · report_back H1 (1 h) · verify_pass · close
    C4   B1   inspector 03-05 report I · register · dispatch →D2 · accept H2 · 03-06 request and
                        approve extension · 03-09 report_back H2 (8 h) · verify_pass · close late
    C5   A2   wechat    02-28 23:50 report · 03-01 00:00 register (exactly at March's start) ·
                        03-09 dispatch →D2 late · 03-10 accept H2 (handle deadline 03-13 10:00) ·
                        04-01 09:00 report_back late (25 h) — now 待核查, deadline 04-01 13:00
    C6   B1   inspector 03-30 report I · register · dispatch →D2 · return by D2 · dispatch →D1
                        (accept deadline 03-31 09:00) — still 待签收
    C7   A1   inspector 03-31 report I — still 待受理
    C8   A1   inspector February: report · register · dispatch →D1 · accept · report_back (1 h) ·
                        verify_pass · close · evaluate (1)
    C9   A2   hotline   03-31 23:00 report · 04-01 00:00 register (exactly at March's end) —
                        待派遣, dispatch deadline 04-01 09:00
    C10  A1   web       03-31 20:00 report P · 21:00 register P — 待派遣, deadline 04-01 09:00
"""

from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from citygrid.cases import indicators, rollup
from citygrid.cases.indicators import IndicatorSet, MonthPoint
from citygrid.cases.models import Case, CaseCategory, CaseEvent, Department
from citygrid.cases.testing import street_order_class

pytestmark = pytest.mark.django_db

TZ = ZoneInfo("Asia/Shanghai")


def t(month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=TZ)


NOW = t(4, 2, 12)
MARCH = {"start": t(3, 1), "end": t(4, 1), "now": NOW}
APRIL = {"start": t(4, 1), "end": t(5, 1), "now": NOW}
FEBRUARY = {"start": t(2, 1), "end": t(3, 1), "now": NOW}
HOUR = 3600


@dataclass
class Story:
    tree: object
    d1: Department
    d2: Department
    inspector: object
    grid_worker: object
    dispatcher: object
    h1: object
    h2: object
    cases: dict


def ev(
    action, when, actor=None, *, to="", dept=None, on_time=None, elapsed=None, deadline=None, **data
) -> dict:
    return {
        "action": action,
        "time": when,
        "actor": actor,
        "to_state": to,
        "department": dept,
        "on_time": on_time,
        "elapsed_seconds": elapsed,
        "step_deadline": deadline,
        "data": data,
    }


def make_case(
    category, number, grid, channel, events, *, state, department=None, deadline=None
) -> Case:
    case = Case.objects.create(
        number=number,
        kind="event",
        category=category,
        description="测试",
        lng=120.0,
        lat=30.0,
        channel=channel,
        region=grid,
        state=state,
        department=department,
        step_deadline=deadline,
        reported_at=events[0]["time"],
    )
    CaseEvent.objects.bulk_create(
        CaseEvent(case=case, region_code=grid.code, actor_name=str(e["actor"] or "系统"), **e)
        for e in events
    )
    # Written directly, like a bulk load: the roll-up is rebuilt from the events.
    rollup.rebuild()
    return case


def build_story(tree, make_user) -> Story:
    category = street_order_class("0507", "乱堆物堆料")
    d1 = Department.objects.create(name="城管执法局", code="CG01", region=tree.city)
    d2 = Department.objects.create(name="住建局", code="ZJ01", region=tree.city)
    i = make_user(username="inspector")
    g = make_user(username="gridworker")
    p = make_user(username="dispatcher")
    h1 = make_user(username="handler1")
    h2 = make_user(username="handler2")
    a1, a2, b1 = tree.grid_a1, tree.grid_a2, tree.grid_b1
    ok = {"on_time": True}
    late = {"on_time": False}
    cases = {}

    def add(name, grid, channel, events, **kwargs):
        cases[name] = make_case(category, f"2026{len(cases):08d}", grid, channel, events, **kwargs)

    add(
        "C1",
        a1,
        "inspector",
        [
            ev("report", t(3, 2, 9), i, to="reported", channel="inspector"),
            ev("register", t(3, 2, 9, 10), p, to="registered", elapsed=600, **ok),
            ev("dispatch", t(3, 2, 9, 20), p, to="dispatched", dept=d1, **ok),
            ev("accept", t(3, 2, 9, 30), h1, to="handling", dept=d1, **ok),
            ev("report_back", t(3, 2, 15), h1, to="reported_back", dept=d1, elapsed=4 * HOUR, **ok),
            ev("verify_pass", t(3, 2, 16), i, to="verified", dept=d1, **ok),
            ev("close", t(3, 2, 16, 30), p, to="closed", dept=d1, **ok),
            ev("evaluate", t(3, 3, 10), p, to="closed", dept=d1, satisfaction=5),
        ],
        state="closed",
        department=d1,
    )
    add(
        "C2",
        a2,
        "hotline",
        [
            ev("report", t(3, 3, 9), to="reported", channel="hotline"),
            ev("register", t(3, 3, 9, 10), p, to="registered", **ok),
            ev("dispatch", t(3, 3, 9, 20), p, to="dispatched", dept=d1, **ok),
            ev("accept", t(3, 3, 9, 30), h1, to="handling", dept=d1, **ok),
            ev(
                "report_back",
                t(3, 5, 17),
                h1,
                to="reported_back",
                dept=d1,
                elapsed=10 * HOUR,
                **late,
            ),
            ev("verify_pass", t(3, 6, 9), i, to="verified", dept=d1, **ok),
            ev("close", t(3, 6, 9, 30), p, to="closed", dept=d1, **ok),
            ev("evaluate", t(3, 6, 15), p, to="closed", dept=d1, satisfaction=3),
        ],
        state="closed",
        department=d1,
    )
    add(
        "C3",
        a1,
        "grid_app",
        [
            ev("report", t(3, 4, 9), g, to="reported", channel="grid_app"),
            ev("register", t(3, 4, 9, 10), p, to="registered", **ok),
            ev("dispatch", t(3, 4, 9, 20), p, to="dispatched", dept=d1, **ok),
            ev("accept", t(3, 4, 9, 30), h1, to="handling", dept=d1, **ok),
            ev(
                "report_back",
                t(3, 4, 11, 30),
                h1,
                to="reported_back",
                dept=d1,
                elapsed=2 * HOUR,
                **ok,
            ),
            ev("verify_fail", t(3, 4, 14), i, to="handling", dept=d1, **ok),
            ev("report_back", t(3, 4, 15), h1, to="reported_back", dept=d1, elapsed=HOUR, **ok),
            ev("verify_pass", t(3, 4, 16), i, to="verified", dept=d1, **ok),
            ev("close", t(3, 4, 16, 30), p, to="closed", dept=d1, **ok),
        ],
        state="closed",
        department=d1,
    )
    add(
        "C4",
        b1,
        "inspector",
        [
            ev("report", t(3, 5, 9), i, to="reported", channel="inspector"),
            ev("register", t(3, 5, 9, 10), p, to="registered", **ok),
            ev("dispatch", t(3, 5, 9, 20), p, to="dispatched", dept=d2, **ok),
            ev("accept", t(3, 5, 9, 30), h2, to="handling", dept=d2, **ok),
            ev("request_extension", t(3, 6, 10), h2, to="handling", dept=d2, hours="8"),
            ev("approve_extension", t(3, 6, 11), p, to="handling", dept=d2, hours="8"),
            ev("report_back", t(3, 9, 10), h2, to="reported_back", dept=d2, elapsed=8 * HOUR, **ok),
            ev("verify_pass", t(3, 9, 11), i, to="verified", dept=d2, **ok),
            ev("close", t(3, 9, 11, 30), p, to="closed", dept=d2, **late),
        ],
        state="closed",
        department=d2,
    )
    add(
        "C5",
        a2,
        "wechat",
        [
            ev("report", t(2, 28, 23, 50), to="reported", channel="wechat"),
            ev("register", t(3, 1), p, to="registered", **ok),
            ev("dispatch", t(3, 9, 10), p, to="dispatched", dept=d2, **late),
            ev("accept", t(3, 10, 10), h2, to="handling", dept=d2, deadline=t(3, 13, 10), **ok),
            ev(
                "report_back",
                t(4, 1, 9),
                h2,
                to="reported_back",
                dept=d2,
                elapsed=25 * HOUR,
                deadline=t(4, 1, 13),
                **late,
            ),
        ],
        state="reported_back",
        department=d2,
        deadline=t(4, 1, 13),
    )
    add(
        "C6",
        b1,
        "inspector",
        [
            ev("report", t(3, 30, 15), i, to="reported", channel="inspector"),
            ev("register", t(3, 30, 15, 10), p, to="registered", **ok),
            ev(
                "dispatch",
                t(3, 30, 15, 20),
                p,
                to="dispatched",
                dept=d2,
                deadline=t(3, 30, 17, 20),
                **ok,
            ),
            ev(
                "return",
                t(3, 30, 16),
                h2,
                to="registered",
                deadline=t(3, 30, 17),
                returned_by_department_id=d2.pk,
                **ok,
            ),
            ev(
                "dispatch",
                t(3, 30, 16, 30),
                p,
                to="dispatched",
                dept=d1,
                deadline=t(3, 31, 9),
                **ok,
            ),
        ],
        state="dispatched",
        department=d1,
        deadline=t(3, 31, 9),
    )
    add(
        "C7",
        a1,
        "inspector",
        [
            ev(
                "report", t(3, 31, 10), i, to="reported", deadline=t(3, 31, 11), channel="inspector"
            ),
        ],
        state="reported",
        deadline=t(3, 31, 11),
    )
    add(
        "C8",
        a1,
        "inspector",
        [
            ev("report", t(2, 10, 9), i, to="reported", channel="inspector"),
            ev("register", t(2, 10, 9, 10), p, to="registered", **ok),
            ev("dispatch", t(2, 10, 9, 20), p, to="dispatched", dept=d1, **ok),
            ev("accept", t(2, 10, 9, 30), h1, to="handling", dept=d1, **ok),
            ev("report_back", t(2, 11, 10), h1, to="reported_back", dept=d1, elapsed=HOUR, **ok),
            ev("verify_pass", t(2, 11, 11), i, to="verified", dept=d1, **ok),
            ev("close", t(2, 12, 9), p, to="closed", dept=d1, **ok),
            ev("evaluate", t(2, 12, 15), p, to="closed", dept=d1, satisfaction=1),
        ],
        state="closed",
        department=d1,
    )
    add(
        "C9",
        a2,
        "hotline",
        [
            ev("report", t(3, 31, 23), to="reported", channel="hotline"),
            ev("register", t(4, 1), p, to="registered", deadline=t(4, 1, 9), **ok),
        ],
        state="registered",
        deadline=t(4, 1, 9),
    )
    add(
        "C10",
        a1,
        "web",
        [
            ev("report", t(3, 31, 20), p, to="reported", channel="web"),
            ev("register", t(3, 31, 21), p, to="registered", deadline=t(4, 1, 9), **ok),
        ],
        state="registered",
        deadline=t(4, 1, 9),
    )
    return Story(tree, d1, d2, i, g, p, h1, h2, cases)


@pytest.fixture
def story(tree, make_user) -> Story:
    return build_story(tree, make_user)


def assert_figures(ind: IndicatorSet, **expected) -> None:
    """Every indicator of `ind`: the ones named equal `expected`, all others 0 or None."""
    for indicator in indicators.INDICATORS:
        key = indicator.key
        default = None if indicator.kind != indicators.COUNT else 0
        want = expected.pop(key, default)
        got = ind.value(key)
        if isinstance(want, float):
            assert got == pytest.approx(want), key
        else:
            assert got == want, key
    assert not expected, f"unknown indicators {expected}"


# --- the whole territory --------------------------------------------------------------------


def test_march_totals_match_the_hand_count(story):
    ind = indicators.compute(**MARCH)
    assert_figures(
        ind,
        # report events 03-01 ≤ t < 04-01: C1 C2 C3 C4 C6 C7 C9(03-31 23:00) C10 = 8
        # (C5's report is 02-28, C8's February).
        reported=8,
        # register events: C1 C2 C3 C4 C5(at 03-01 00:00, start included) C6 C10 = 7
        # (C9's is at 04-01 00:00 = end, excluded).
        registered=7,
        # of those, reported by a field channel: C1 C4 C6 (inspector), C3 (grid_app) = 4.
        inspector_registered=4,
        inspector_rate=4 / 7,
        # dispatch events: C1 C2 C3 C4 C5 + C6 twice = 7; C6's return = 1.
        dispatched=7,
        returned=1,
        # report_back events: C1, C2, C3 twice, C4 = 5 (C5's is 04-01); on time: all but C2 = 4.
        handled=5,
        handled_on_time=4,
        # at T = end = 04-01 00:00: C5 处置中 since 03-10, deadline 03-13 (it changed on 04-01,
        # so it is rewound); C6 待签收, deadline 03-31 09:00 = 2.
        overdue_handling=2,
        due_to_handle=5 + 2,
        handle_rate=5 / 7,
        on_time_handle_rate=4 / 7,
        # (4 + 10 + 2 + 1 + 8) h / 5 = 25 / 5.
        avg_handling_hours=5.0,
        # verify_fail: C3 = 1 of 5 handlings; approve_extension: C4 = 1 of 7 dispatches.
        reworked=1,
        rework_rate=1 / 5,
        extended=1,
        extension_rate=1 / 7,
        # close events: C1 C2 C3 C4 = 4; every step on time: C1, C3 (C2 handled late, C4 closed
        # late) = 2.
        closed=4,
        closed_on_time=2,
        # overdue at T among registered..verified: C5, C6 = 2 (C10's deadline 04-01 09:00 is
        # after T; C9 was still 待受理 at T; C7 待受理).
        overdue_open=2,
        due_to_close=4 + 2,
        close_rate=4 / 6,
        on_time_close_rate=2 / 6,
        # evaluate: C1 5, C2 3 (C8's 1 is February).
        evaluated=2,
        satisfaction=4.0,
    )


def test_april_backlog_is_taken_now(story):
    ind = indicators.compute(**APRIL)
    assert_figures(
        ind,
        # C9's register at 04-01 00:00: the start is included. It was hotline.
        registered=1,
        inspector_rate=0.0,
        # C5's report_back 04-01 09:00, late, 25 h.
        handled=1,
        avg_handling_hours=25.0,
        rework_rate=0.0,
        # T = now (04-02 12:00, before the end): 待签收/处置中 overdue: C6 = 1 (C5 is 待核查 now).
        overdue_handling=1,
        due_to_handle=1 + 1,
        handle_rate=1 / 2,
        on_time_handle_rate=0.0,
        # registered..verified overdue now: C5 (04-01 13:00), C6, C9 and C10 (04-01 09:00) = 4.
        overdue_open=4,
        due_to_close=0 + 4,
        close_rate=0.0,
        on_time_close_rate=0.0,
    )


def test_february_sees_only_february(story):
    ind = indicators.compute(**FEBRUARY)
    assert_figures(
        ind,
        # C8 and C5's report (02-28 23:50); C5's register at 03-01 00:00 is the end: excluded.
        reported=2,
        registered=1,
        inspector_registered=1,
        inspector_rate=1.0,
        dispatched=1,
        handled=1,
        handled_on_time=1,
        due_to_handle=1,
        handle_rate=1.0,
        on_time_handle_rate=1.0,
        avg_handling_hours=1.0,
        rework_rate=0.0,
        extension_rate=0.0,
        # at T = 03-01 00:00 C5 was 待受理 (its register is at T, not before): no backlog.
        closed=1,
        closed_on_time=1,
        due_to_close=1,
        close_rate=1.0,
        on_time_close_rate=1.0,
        evaluated=1,
        satisfaction=1.0,
    )


def test_empty_period_has_no_ratios(story):
    ind = indicators.compute(start=t(1, 1).replace(year=2025), end=t(1, 1), now=NOW)
    assert_figures(ind)  # every count 0, every ratio None (nothing to divide by)
    assert ind.display()["close_rate"] == "—"
    assert ind.display()["registered"] == "0"


# --- filters ----------------------------------------------------------------------------------


def test_region_filter_is_a_subtree(story, tree):
    county_a = indicators.compute(region_code=tree.county_a.code, **MARCH)
    assert_figures(
        county_a,
        reported=6,  # C1 C2 C3 C7 C9 C10
        registered=5,  # C1 C2 C3 C5 C10
        inspector_registered=2,  # C1, C3
        inspector_rate=2 / 5,
        dispatched=4,  # C1 C2 C3 C5
        handled=4,  # C1 C2 C3 C3
        handled_on_time=3,
        overdue_handling=1,  # C5
        due_to_handle=5,
        handle_rate=4 / 5,
        on_time_handle_rate=3 / 5,
        avg_handling_hours=(4 + 10 + 2 + 1) / 4,
        reworked=1,
        rework_rate=1 / 4,
        extension_rate=0.0,
        closed=3,  # C1 C2 C3
        closed_on_time=2,  # C1 C3
        overdue_open=1,  # C5
        due_to_close=4,
        close_rate=3 / 4,
        on_time_close_rate=2 / 4,
        evaluated=2,
        satisfaction=4.0,
    )
    county_b = indicators.compute(region_code=tree.county_b.code, **MARCH)
    assert_figures(
        county_b,
        reported=2,  # C4 C6
        registered=2,
        inspector_registered=2,
        inspector_rate=1.0,
        dispatched=3,  # C4, C6 twice
        returned=1,
        handled=1,
        handled_on_time=1,
        overdue_handling=1,  # C6
        due_to_handle=2,
        handle_rate=1 / 2,
        on_time_handle_rate=1 / 2,
        avg_handling_hours=8.0,
        rework_rate=0.0,
        extended=1,
        extension_rate=1 / 3,
        closed=1,  # C4, closed late
        overdue_open=1,  # C6
        due_to_close=2,
        close_rate=1 / 2,
        on_time_close_rate=0.0,
    )


def test_department_filter_counts_its_own_actions_and_cases(story):
    d1 = indicators.compute(department_id=story.d1.pk, **MARCH)
    assert_figures(
        d1,
        # register events carry no department yet: 立案 0, so 监督员上报率 has nothing to divide.
        dispatched=4,  # C1 C2 C3 and C6's second dispatch
        handled=4,
        handled_on_time=3,
        overdue_handling=1,  # C6, waiting for D1 to accept since 03-31 09:00
        due_to_handle=5,
        handle_rate=4 / 5,
        on_time_handle_rate=3 / 5,
        avg_handling_hours=17 / 4,
        reworked=1,
        rework_rate=1 / 4,
        extension_rate=0.0,
        closed=3,
        closed_on_time=2,
        overdue_open=1,
        due_to_close=4,
        close_rate=3 / 4,
        on_time_close_rate=2 / 4,
        evaluated=2,
        satisfaction=4.0,
    )
    d2 = indicators.compute(department_id=story.d2.pk, **MARCH)
    assert_figures(
        d2,
        dispatched=3,  # C4, C5, C6's first dispatch
        returned=1,  # C6: the return event has no department; data names D2
        handled=1,
        handled_on_time=1,
        overdue_handling=1,  # C5: D2's at T (rewound to its accept event)
        due_to_handle=2,
        handle_rate=1 / 2,
        on_time_handle_rate=1 / 2,
        avg_handling_hours=8.0,
        rework_rate=0.0,
        extended=1,
        extension_rate=1 / 3,
        closed=1,
        overdue_open=1,
        due_to_close=2,
        close_rate=1 / 2,
        on_time_close_rate=0.0,
    )


def test_person_filter_counts_their_actions_without_backlog(story):
    h1 = indicators.compute(person_id=story.h1.pk, **MARCH)
    assert_figures(
        h1,
        # report_backs by H1: C1, C2 (late), C3 twice; backlogs are departments', not people's.
        handled=4,
        handled_on_time=3,
        overdue_handling=None,
        overdue_open=None,
        due_to_handle=4,
        handle_rate=1.0,
        on_time_handle_rate=3 / 4,
        avg_handling_hours=17 / 4,
        rework_rate=0.0,
    )
    inspector = indicators.compute(person_id=story.inspector.pk, **MARCH)
    # reports by I in March: C1 C4 C6 C7 = 4; C3's verify_fail = 1, but I handled nothing.
    assert_figures(inspector, reported=4, reworked=1, overdue_handling=None, overdue_open=None)
    dispatcher = indicators.compute(person_id=story.dispatcher.pk, **MARCH)
    assert_figures(
        dispatcher,
        reported=1,  # C10
        registered=7,
        inspector_registered=4,
        inspector_rate=4 / 7,
        dispatched=7,
        extended=1,
        extension_rate=1 / 7,
        closed=4,
        closed_on_time=2,
        overdue_handling=None,
        overdue_open=None,
        due_to_close=4,
        close_rate=1.0,
        on_time_close_rate=2 / 4,
        evaluated=2,
        satisfaction=4.0,
    )


def test_period_boundaries(story):
    c9_register = {"start": t(4, 1), "end": t(4, 1, 0, 1), "now": NOW}
    assert indicators.compute(**c9_register).registered == 1  # an event at `start` counts
    before = {"start": t(3, 31, 23, 59), "end": t(4, 1), "now": NOW}
    assert indicators.compute(**before).registered == 0  # one at `end` does not


def test_base_queryset_limits_the_events(story, tree):
    county_b_events = CaseEvent.objects.filter(region_code__within=tree.county_b.code)
    assert indicators.compute(base_queryset=county_b_events, **MARCH) == indicators.compute(
        region_code=tree.county_b.code, **MARCH
    )


def test_periods_must_be_aware_and_ordered(story):
    with pytest.raises(ValueError):
        indicators.compute(start=datetime(2026, 3, 1), end=datetime(2026, 4, 1))
    with pytest.raises(ValueError):
        indicators.compute(start=t(4, 1), end=t(3, 1))


def test_compute_is_a_handful_of_queries(story, django_assert_num_queries):
    # Event counts, steady backlog, cases spanning T; for March one batch of them (C5, C9) is
    # rewound. In April T is now: nothing has changed since, nothing to rewind.
    with django_assert_num_queries(4):
        indicators.compute(region_code="3301", department_id=story.d1.pk, **MARCH)
    with django_assert_num_queries(3):
        indicators.compute(region_code="3301", department_id=story.d1.pk, **APRIL)


def test_many_spanning_cases_are_rewound_in_batches(story, monkeypatch):
    monkeypatch.setattr(indicators, "REWIND_BATCH", 1)
    assert indicators.compute(**MARCH).overdue_open == 2


# --- breakdowns -----------------------------------------------------------------------------


def test_by_region_rows_equal_the_region_filter(story, tree, django_assert_num_queries):
    with django_assert_num_queries(4):
        rows = indicators.by_region([tree.county_a, tree.county_b], **MARCH)
    assert [r.region for r in rows] == [tree.county_a, tree.county_b]
    for row in rows:
        assert row.indicators == indicators.compute(region_code=row.region.code, **MARCH)
    assert rows[0].indicators.registered == 5 and rows[1].indicators.registered == 2
    grids = indicators.by_region([tree.grid_a1, tree.grid_a2], **MARCH)
    a1, a2 = (row.indicators for row in grids)
    # A1: registered C1 C3 C10, closed C1 C3 both on time, no backlog (C10 not yet due) → 2/2.
    assert (a1.registered, a1.closed, a1.closed_on_time, a1.due_to_close) == (3, 2, 2, 2)
    assert a1.close_rate == 1.0
    # A2: registered C2 C5, closed C2 (late), C5 overdue → 1/2 and 0/2.
    assert (a2.registered, a2.closed, a2.closed_on_time, a2.due_to_close) == (2, 1, 0, 2)
    assert (a2.close_rate, a2.on_time_close_rate) == (0.5, 0.0)


def test_by_region_with_a_department_and_mixed_levels(story, tree):
    rows = indicators.by_region([tree.grid_a1, tree.county_b], department_id=story.d1.pk, **MARCH)
    for row in rows:
        assert row.indicators == indicators.compute(
            region_code=row.region.code, department_id=story.d1.pk, **MARCH
        )
    # D1 in B1: only C6's second dispatch, and C6 overdue waiting for D1.
    assert (rows[1].indicators.dispatched, rows[1].indicators.overdue_handling) == (1, 1)


def test_department_ranking(story, django_assert_num_queries):
    with django_assert_num_queries(5):  # and one for the departments
        rows = indicators.department_ranking(**MARCH)
    # 按期处置率: D1 3/5 = 0.6 before D2 1/2 = 0.5.
    assert [r.department for r in rows] == [story.d1, story.d2]
    for row in rows:
        assert row.indicators == indicators.compute(department_id=row.department.pk, **MARCH)


def test_ranking_ties_fall_to_close_rate_then_none_last(tree, make_user):
    story = build_story(tree, make_user)
    extra = {
        name: Department.objects.create(name=name, code=name, region=tree.city)
        for name in ("X", "Y", "Z", "W")
    }
    category = CaseCategory.objects.get(kind="event", code="0507")
    day = t(5, 4, 10)
    period = {"start": t(5, 1), "end": t(6, 1), "now": t(6, 2)}

    def case(dept, events, state="closed", deadline=None):
        make_case(
            category,
            f"X{Case.objects.count():07d}",
            tree.grid_a1,
            "web",
            events,
            state=state,
            department=dept,
            deadline=deadline,
        )

    def back(dept, on_time):
        return ev("report_back", day, to="reported_back", dept=dept, on_time=on_time)

    def close(dept):
        return ev("close", day, to="closed", dept=dept, on_time=True)

    x, y, z, w = extra["X"], extra["Y"], extra["Z"], extra["W"]
    case(x, [back(x, True), back(x, False), close(x)])  # 按期处置 1/2, 结案 1/1
    case(y, [back(y, True), back(y, False), close(y)])  # 1/2, and with the overdue case below
    case(y, [ev("supervise", day, to="reported_back", dept=y)], "reported_back", t(5, 20))  # 1/2
    case(z, [back(z, True)], "reported_back", t(6, 10))  # 1/1, 结案率 None (nothing due)
    case(w, [ev("dispatch", day, to="dispatched", dept=w)], "dispatched", t(6, 10))  # None
    rows = indicators.department_ranking(**period)
    # The story's backlog still weighs at T = 06-01: D1 has C6 overdue 待签收 → 按期处置率 0/1,
    # 结案率 0/1; D2 has C5 overdue 待核查 → 应处置 0 (None), 结案率 0/1; W has neither (None).
    assert [r.department.name for r in rows] == ["Z", "X", "Y", "城管执法局", "住建局", "W"]
    assert [r.indicators.on_time_handle_rate for r in rows] == [1.0, 0.5, 0.5, 0.0, None, None]
    assert [r.indicators.close_rate for r in rows] == [None, 1.0, 0.5, 0.0, 0.0, None]
    assert story.d1 == rows[3].department


def test_monthly_trend_and_satisfaction(story, django_assert_num_queries):
    with django_assert_num_queries(1):
        trend = indicators.monthly_trend(last_month=date(2026, 4, 30), months=4)
    assert trend == [
        MonthPoint(date(2026, 1, 1), 0, 0),
        MonthPoint(date(2026, 2, 1), 1, 1),  # C8
        MonthPoint(date(2026, 3, 1), 7, 4),  # C5's register at 03-01 00:00 local is March
        MonthPoint(date(2026, 4, 1), 1, 0),  # C9 at 04-01 00:00
    ]
    assert len(indicators.monthly_trend(last_month=date(2026, 3, 1))) == 12
    assert indicators.satisfaction_distribution(**{k: MARCH[k] for k in ("start", "end")}) == {
        1: 0,
        2: 0,
        3: 1,
        4: 0,
        5: 1,
    }


def test_overview_is_compute_by_region_and_ranking_in_one_pass(
    story, tree, django_assert_num_queries
):
    children = [tree.county_a, tree.county_b]
    with django_assert_num_queries(5):  # one pass over events, backlog (3), departments
        found = indicators.overview(children, region_code="3301", **MARCH)
    assert found.total == indicators.compute(region_code="3301", **MARCH)
    assert found.regions == indicators.by_region(children, **MARCH)
    assert found.departments == indicators.department_ranking(region_code="3301", **MARCH)
    for department in (story.d1, story.d2):
        one = indicators.overview(children, department_id=department.pk, **MARCH)
        assert one.total == indicators.compute(department_id=department.pk, **MARCH)
        assert one.regions == indicators.by_region(children, department_id=department.pk, **MARCH)
        assert [r.department for r in one.departments] == [department]
        assert one.departments[0].indicators == one.total
    # Children of several code lengths fall back to the three functions.
    mixed = indicators.overview([tree.grid_a1, tree.county_b], **MARCH)
    assert mixed.regions == indicators.by_region([tree.grid_a1, tree.county_b], **MARCH)
    assert mixed.total == indicators.compute(**MARCH)


def test_indicator_sets_add_up(story, tree):
    a = indicators.compute(region_code=tree.county_a.code, **MARCH)
    b = indicators.compute(region_code=tree.county_b.code, **MARCH)
    assert a + b == indicators.compute(**MARCH)
    person = indicators.compute(person_id=story.h1.pk, **MARCH)
    assert (person + person).overdue_open is None
