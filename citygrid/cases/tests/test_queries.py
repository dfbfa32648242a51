"""Hot pages cost a fixed number of queries, whatever the number of rows they show (counted
exactly: a new query on these pages must be a deliberate change of the expected figure)."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from citygrid.cases import actions
from citygrid.cases.tests.conftest import MONDAY_10, jpeg

pytestmark = pytest.mark.django_db

DESK = reverse("cases:desk")

# session, user, permissions (3), scope, 4 tab counts, the page, the user's departments (once),
# the supervision tab's membership test, the newest case id (the live feed's cursor), unread
# notifications, the filter form's minor classes and departments.
DESK_QUERIES = 16
# session, user, permissions (3), scope, the case, the user's departments, events, photos, the
# time limits of all steps (one query), the dispatch rule, supervision orders, tasks, merged
# cases, unread notifications.
CASE_PAGE_QUERIES = 14


def dispatched(setup, report, **fields):
    case = report(**fields)
    actions.register_case(case, actor=setup.dispatcher, now=MONDAY_10)
    return actions.dispatch_case(case, actor=setup.dispatcher, now=MONDAY_10)


def test_desk_todo_tab_queries_do_not_grow_with_rows(
    client, setup, report, django_assert_num_queries
):
    for _ in range(3):
        dispatched(setup, report)
    client.force_login(setup.handler)
    client.get(DESK)  # warm the per-process caches
    with django_assert_num_queries(DESK_QUERIES):
        response = client.get(DESK)
    rows = response.context["page"]
    assert len(rows) == 3 and all(
        [t.action for t in r.actions] == ["accept", "return"] for r in rows
    )
    for _ in range(5):
        dispatched(setup, report)
    with django_assert_num_queries(DESK_QUERIES):
        response = client.get(DESK)
    assert len(response.context["page"]) == 8


def test_case_page_queries_do_not_grow_with_events_or_steps(
    client, setup, report, django_assert_num_queries
):
    plain = dispatched(setup, report)
    busy = dispatched(setup, report, photos=[jpeg(), jpeg()], lng=120.015)
    reworked = dispatched(setup, report, lng=120.012)
    for case in (plain, busy, reworked):
        actions.accept_case(case, actor=setup.handler, now=MONDAY_10)
    for hours in (4, 8, 2):
        actions.request_extension(busy, actor=setup.handler, hours=hours, note="材料未到")
        actions.approve_extension(busy, actor=setup.dispatcher)
    actions.supervise_case(
        busy,
        actor=setup.dispatcher,
        note="尽快",
        required_by=timezone.now() + timedelta(days=30),
    )
    # Handled, verified and sent back: two more steps (处置, 核查) finished than the others.
    actions.report_back_case(reworked, actor=setup.handler, note="已清理", photos=[jpeg()])
    actions.verify_case(reworked, actor=setup.inspector, passed=False, note="未清理干净")
    client.force_login(setup.handler)
    client.get(reverse("cases:case", args=[plain.pk]))  # warm the per-process caches
    for case, events, steps in ((plain, 4, 3), (busy, 11, 3), (reworked, 6, 5)):
        with django_assert_num_queries(CASE_PAGE_QUERIES):
            response = client.get(reverse("cases:case", args=[case.pk]))
        timeline = response.context["timeline"]
        assert len(timeline) == events
        assert len([row for row in timeline if row.finished_step]) == steps
        assert {t.action for t, _ in response.context["action_forms"]} == {
            "return",
            "report_back",
            "request_extension",
        }
