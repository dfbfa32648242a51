"""The indicator roll-up against the live computation over the event history.

A history is generated through the real action functions (every transition, late and on-time
steps, returns, reworks, extensions, reopenings, merges …) over three months around a new year;
the roll-up kept by `CASES.record_event` must give what the events give live (`base_queryset` forces
the live path), and rebuilding it from the events must write the same rows.
"""

import io
import random
from datetime import datetime, timedelta

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from citygrid.cases import actions, indicators, rollup, tasks
from citygrid.cases.models import Case, CaseEvent, IndicatorYear
from citygrid.cases.models.rollup import COUNTERS, ROLLUPS
from citygrid.cases.tests.conftest import TZ, jpeg
from citygrid.cases.tests.test_indicators import APRIL, MARCH, build_story, t
from citygrid.core.errors import ActionError

pytestmark = pytest.mark.django_db

FIRST_REPORT = datetime(2025, 12, 10, 9, tzinfo=TZ)
NOW = datetime(2026, 3, 20, 12, tzinfo=TZ)
POSITIONS = ((120.005, 30.005), (120.015, 30.005), (120.105, 30.005))  # grids A1, A2, B1
# Time between two actions: mostly within the steps' limits, now and then far beyond.
STEPS = (timedelta(minutes=5), timedelta(minutes=30), timedelta(hours=2), timedelta(days=3))
STEP_WEIGHTS = (6, 4, 2, 1)
CHANNELS = ("inspector", "grid_app", "hotline", "web")
LIVE = CaseEvent.objects.all()
# How often a walk takes a transition when it may: mostly the standard path.
WEIGHTS = {
    **dict.fromkeys(
        ("register", "dispatch", "accept", "report_back", "verify_pass", "close", "evaluate"), 12
    ),
    **dict.fromkeys(("approve_extension", "reopen"), 6),
    **dict.fromkeys(("verify_fail", "return", "request_extension"), 3),
}


def _inputs(action: str, rng: random.Random, setup, now: datetime, others: list) -> dict:
    inputs = {"note": "说明", "now": now}
    if action == "report_back":
        inputs["photos"] = [jpeg()]
    elif action == "request_extension":
        inputs["hours"] = 8
    elif action == "evaluate":
        inputs["satisfaction"] = rng.randint(1, 5)
    elif action == "supervise":
        inputs["required_by"] = now + timedelta(days=2)
    elif action == "merge":
        inputs["into"] = rng.choice(others)
    elif action == "dispatch":
        inputs["department"] = rng.choice((setup.department, setup.other_department))
    return inputs


def generate(setup, report, seed: int = 5, count: int = 36) -> set[str]:
    """`count` cases walked at random through the transitions their actors may take; returns
    the actions written."""
    rng = random.Random(seed)
    setup.other_department.members.add(setup.handler)
    users = (setup.dispatcher, setup.handler, setup.inspector)
    cases: list[Case] = []
    for i in range(count):
        now = FIRST_REPORT + timedelta(days=rng.randint(0, 80), hours=rng.randint(0, 10))
        lng, lat = POSITIONS[i % len(POSITIONS)]
        channel = CHANNELS[i % len(CHANNELS)]
        case = report(now=now, lng=lng, lat=lat, description=f"事件{i}", channel=channel)
        for _step in range(rng.randint(1, 20)):
            now += rng.choices(STEPS, STEP_WEIGHTS)[0]
            case = Case.objects.get(pk=case.pk)
            choices = [
                (t, u)
                for u in users
                for t in actions.available_actions(case, u)
                if cases or t.action != "merge"
            ]
            if not choices:
                break
            weights = [WEIGHTS.get(t.action, 1) for t, _user in choices]
            transition, user = rng.choices(choices, weights)[0]
            run = actions.RUNNERS[transition.action]
            try:
                case = run(case, actor=user, **_inputs(transition.action, rng, setup, now, cases))
            except ActionError:
                continue
        cases.append(case)
    _closed_twice(setup, report)
    _side_paths(setup, report)
    return set(CaseEvent.objects.values_list("action", flat=True))


def _side_paths(setup, report) -> None:
    """A rejected report and an approved extension, whatever the walks did (in February)."""
    now = datetime(2026, 2, 3, 9, tzinfo=TZ)
    actions.reject_case(report(now=now), actor=setup.dispatcher, note="不属实", now=now)
    case = report(now=now, lng=120.015, channel="grid_app")
    actions.register_case(case, actor=setup.dispatcher, now=now)
    actions.dispatch_case(case, actor=setup.dispatcher, now=now)
    actions.accept_case(case, actor=setup.handler, now=now)
    actions.request_extension(case, actor=setup.handler, hours=8, note="材料未到", now=now)
    actions.approve_extension(case, actor=setup.dispatcher, now=now + timedelta(hours=1))


def _closed_twice(setup, report) -> None:
    """A case handled late, closed, reopened, handled on time and closed again (in January)."""
    now = datetime(2026, 1, 6, 9, tzinfo=TZ)
    case = report(now=now)
    for day, late in ((0, timedelta(days=20)), (21, timedelta(hours=1))):
        at = now + timedelta(days=day)
        if day:
            actions.reopen_case(case, actor=setup.dispatcher, note="复发", now=at)
        else:
            actions.register_case(case, actor=setup.dispatcher, now=at)
        actions.dispatch_case(case, actor=setup.dispatcher, now=at)
        actions.accept_case(case, actor=setup.handler, now=at)
        at += late
        actions.report_back_case(case, actor=setup.handler, note="好", photos=[jpeg()], now=at)
        actions.verify_case(case, actor=setup.inspector, passed=True, now=at)
        actions.close_case(case, actor=setup.dispatcher, now=at)


def _rows() -> set[tuple]:
    return {
        (bucket, *row)
        for bucket, model in ROLLUPS.items()
        for row in model.objects.values_list(*rollup.KEY, *COUNTERS)
    }


def _clear() -> None:
    for model in ROLLUPS.values():
        model.objects.all().delete()


@pytest.fixture
def history(setup, report):
    return generate(setup, report)


PERIODS = [
    (datetime(2025, 12, 1, tzinfo=TZ), datetime(2026, 1, 1, tzinfo=TZ)),  # a month
    (datetime(2025, 1, 1, tzinfo=TZ), datetime(2027, 1, 1, tzinfo=TZ)),  # two years
    (datetime(2025, 12, 14, tzinfo=TZ), datetime(2026, 2, 11, tzinfo=TZ)),  # days and a month
    (datetime(2025, 11, 3, tzinfo=TZ), datetime(2026, 5, 1, tzinfo=TZ)),  # across a new year
    (datetime(2025, 12, 20, 13, 30, tzinfo=TZ), datetime(2026, 1, 9, 8, tzinfo=TZ)),  # parts
    (datetime(2026, 1, 5, 10, tzinfo=TZ), datetime(2026, 1, 5, 17, tzinfo=TZ)),  # within a day
]


def test_the_history_has_every_kind_of_event(history):
    wanted = {
        "report",
        "register",
        "reject",
        "dispatch",
        "accept",
        "return",
        "report_back",
        "request_extension",
        "approve_extension",
        "verify_fail",
        "verify_pass",
        "close",
        "evaluate",
        "reopen",
        "suspend",
        "escalate",
        "supervise",
    }
    assert wanted <= history
    assert CaseEvent.objects.filter(action="report_back", on_time=False).exists()
    assert CaseEvent.objects.filter(action="close").count() > 3


def test_rollup_gives_the_live_figures(history, tree):
    """Every breakdown of every period, and the trend; the history is not trivial."""
    for start, end in PERIODS:
        period = {"start": start, "end": end, "now": NOW}
        total = indicators.compute(**period)
        assert total == indicators.compute(base_queryset=LIVE, **period), (start, end)
        children = [tree.county_a, tree.county_b]
        found = indicators.overview(children, **period)
        assert found == indicators.overview(children, base_queryset=LIVE, **period)
        grids = [tree.grid_a1, tree.grid_a2, tree.grid_b1]
        assert indicators.by_region(grids, **period) == indicators.by_region(
            grids, base_queryset=LIVE, **period
        )
        for department in [row.department.pk for row in found.departments]:
            assert indicators.compute(department_id=department, **period) == indicators.compute(
                department_id=department, base_queryset=LIVE, **period
            )
        assert indicators.satisfaction_distribution(
            start=start, end=end
        ) == indicators.satisfaction_distribution(start=start, end=end, base_queryset=LIVE)
    last = datetime(2026, 3, 1).date()
    assert indicators.monthly_trend(last_month=last, months=6) == indicators.monthly_trend(
        last_month=last, months=6, base_queryset=LIVE
    )
    year = indicators.compute(start=PERIODS[1][0], end=PERIODS[1][1], now=NOW)
    assert year.reported == 39
    assert 0 < year.closed_on_time < year.closed
    assert 0 < year.inspector_registered < year.registered
    assert year.returned and year.reworked and year.extended and year.evaluated


def test_rebuild_writes_the_rows_kept_on_write(history):
    kept = _rows()
    assert kept
    assert rollup.rebuild() == len(kept)
    assert _rows() == kept
    # From a day on: only the rows from that day, month and year are recomputed.
    for model in ROLLUPS.values():
        model.objects.filter(start__gte=datetime(2026, 1, 1).date()).update(reported=999)
    rollup.rebuild(since=datetime(2026, 1, 1).date())
    assert _rows() == kept


def test_figures_come_from_the_rollup(history):
    """Emptied, the roll-up answers zeros for whole days; parts of days still come live."""
    _clear()
    month = {"start": PERIODS[0][0], "end": PERIODS[0][1], "now": NOW}
    assert indicators.compute(**month).reported == 0
    part = {"start": PERIODS[5][0], "end": PERIODS[5][1], "now": NOW}
    assert indicators.compute(**part) == indicators.compute(base_queryset=LIVE, **part)


def test_a_close_after_a_late_step_is_not_on_time(setup, report):
    case = report(now=FIRST_REPORT)
    day = FIRST_REPORT
    actions.register_case(case, actor=setup.dispatcher, now=day)
    actions.dispatch_case(case, actor=setup.dispatcher, now=day)
    actions.accept_case(case, actor=setup.handler, now=day)
    # Handled a month later: far beyond the handling limit.
    late = day + timedelta(days=30)
    actions.report_back_case(case, actor=setup.handler, note="好", photos=[jpeg()], now=late)
    actions.verify_case(case, actor=setup.inspector, passed=True, now=late)
    actions.close_case(case, actor=setup.dispatcher, now=late)
    month = {"start": datetime(2026, 1, 1, tzinfo=TZ), "end": datetime(2026, 2, 1, tzinfo=TZ)}
    found = indicators.compute(now=NOW, **month)
    assert (found.closed, found.closed_on_time, found.handled_on_time) == (1, 0, 0)


def test_events_add_to_day_month_and_year_rows_in_one_statement(
    setup, report, django_assert_num_queries
):
    case = report(now=FIRST_REPORT)
    key = {"region_code": case.region_code, "department_key": 0}
    day = FIRST_REPORT.date()
    assert [
        list(model.objects.filter(**key).values_list("start", "reported"))
        for model in ROLLUPS.values()
    ] == [[(day, 1)], [(day.replace(day=1), 1)], [(day.replace(month=1, day=1), 1)]]
    event = case.events.get()
    # One statement on PostgreSQL (three upserts in CTEs); SQLite has no DML in a CTE.
    with django_assert_num_queries(1 if connection.vendor == "postgresql" else 3):
        rollup.count(event, case)
    assert IndicatorYear.objects.get(**key).reported == 2
    with django_assert_num_queries(0):  # accept, supervise … count nowhere
        rollup.count(CaseEvent(case=case, action="accept", time=FIRST_REPORT), case)


# --- query counts: the story of test_indicators -----------------------------------------------


@pytest.fixture
def story(tree, make_user):
    return build_story(tree, make_user)


@pytest.mark.parametrize(
    "filters, past, current",
    [
        # Roll-up rows (March: one month row per grid and department), steady backlog, cases
        # spanning T, and for March one rewound batch; for April T is now: nothing to rewind.
        ({}, 4, 3),
        ({"region_code": "330101"}, 4, 3),
        ({"department": "d1"}, 4, 3),
        ({"territory": ["330101", "330102"]}, 4, 3),
        # A person is not in the roll-up: their events, and no backlog.
        ({"person": "h1"}, 1, 1),
        # From noon on 03-01: the half day from the events, then the day rows of March — and
        # up to the end of April the month row of April too.
        ({"start": t(3, 1, 12)}, 5, 5),
    ],
)
def test_indicator_queries_with_and_without_filters(
    story, filters, past, current, django_assert_num_queries
):
    filters = dict(filters)
    if "department" in filters:
        filters["department_id"] = getattr(story, filters.pop("department")).pk
    if "person" in filters:
        filters["person_id"] = getattr(story, filters.pop("person")).pk
    with django_assert_num_queries(past):
        indicators.compute(**{**MARCH, **filters})
    with django_assert_num_queries(current):
        indicators.compute(**{**MARCH, **filters, "end": APRIL["end"]})


def test_breakdowns_read_the_rollup_once(story, tree, django_assert_num_queries):
    children = [tree.county_a, tree.county_b]
    scope = {"territory": ["3301"], **MARCH}
    with django_assert_num_queries(5):  # roll-up, backlog (3), departments
        indicators.overview(children, region_code="3301", **scope)
    with django_assert_num_queries(1):
        indicators.monthly_trend(last_month=t(4, 1).date(), territory=["3301"])
    with django_assert_num_queries(1):
        indicators.satisfaction_distribution(start=MARCH["start"], end=MARCH["end"])
    with django_assert_num_queries(2):  # and the part of a day, from the events
        indicators.satisfaction_distribution(start=t(3, 2, 12), end=MARCH["end"])


def test_command_and_task_rebuild(story):
    kept = _rows()
    _clear()
    out = io.StringIO()
    call_command("rebuild_indicators", stdout=out)
    assert f"已重建事件指标汇总 {len(kept)} 行" in out.getvalue()
    assert _rows() == kept
    IndicatorYear.objects.all().delete()
    assert tasks.rebuild_indicators.enqueue("2026-03-01").return_value > 0
    assert _rows() == kept
    with pytest.raises(CommandError):
        call_command("rebuild_indicators", since="3月")


def test_backlog_at_past_times_is_every_case_rewound(history):
    """Overdue at T from the cases' last events before T, case by case in Python (1, 10 and 15
    cases overdue at these times)."""
    handling = ("dispatched", "handling")
    closing = ("registered", *handling, "reported_back", "verified")
    for at in (
        datetime(2026, 1, 1, tzinfo=TZ),
        datetime(2026, 2, 1, tzinfo=TZ),
        datetime(2026, 2, 20, 15, tzinfo=TZ),
    ):
        overdue_open = overdue_handling = 0
        for case in Case.objects.all():
            last = case.events.filter(time__lt=at).order_by("-time", "-id").first()
            if last and last.to_state in closing and last.step_deadline and last.step_deadline < at:
                overdue_open += 1
                overdue_handling += last.to_state in handling
        found = indicators.compute(start=at - timedelta(days=7), end=at, now=NOW)
        assert (found.overdue_open, found.overdue_handling) == (overdue_open, overdue_handling)
        assert overdue_open  # something to find
