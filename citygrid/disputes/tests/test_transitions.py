"""Every transition of the dispute table, allowed to the person it names and denied — with
nothing changed — to someone in the same territory who only may view disputes."""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from citygrid.core.errors import ActionError
from citygrid.disputes import actions
from citygrid.disputes.tests.conftest import MONDAY_10
from citygrid.disputes.tests.test_workflow import concluded, mediating, snapshot
from citygrid.disputes.workflow import DISPUTES

pytestmark = pytest.mark.django_db


def _verified(setup, register):
    dispute = concluded(setup, register)
    for who in (setup.community, setup.township, setup.county):
        dispute = actions.verify_dispute(dispute, actor=who, passed=True, now=MONDAY_10)
    return dispute


def _at_county(setup, register):
    dispute = concluded(setup, register)
    for who in (setup.community, setup.township):
        dispute = actions.verify_dispute(dispute, actor=who, passed=True, now=MONDAY_10)
    return dispute


def _with_session(setup, register):
    dispute = mediating(setup, register)
    return actions.schedule_mediation(
        dispute,
        actor=setup.handler,
        starts_at=MONDAY_10 + timedelta(hours=1),
        place="调解室",
        mediators="王调解",
        now=MONDAY_10,
    )


def _assessed(setup, register):
    from citygrid.disputes.tests.test_workflow import assessed

    return assessed(setup, register)


def _dispatched(setup, register):
    return actions.dispatch_dispute(
        _assessed(setup, register),
        actor=setup.centre,
        department=setup.department,
        due_date=date(2026, 3, 13),
        now=MONDAY_10,
    )


def _archived(setup, register):
    return actions.archive_dispute(
        _verified(setup, register), actor=setup.centre, satisfaction=5, now=MONDAY_10
    )


# action → (the state it starts from, who takes it, the inputs a form would send)
CASES = {
    "assess": (
        lambda s, r: r(),
        "centre",
        {"category": "11", "level": "ordinary", "note": "研判"},
    ),
    "dispatch": (
        _assessed,
        "centre",
        {"department": "DEPT", "due_date": "WEEKDAY", "note": ""},
    ),
    "accept": (_dispatched, "handler", {}),
    "return": (_dispatched, "handler", {"note": "非本单位职责"}),
    "schedule": (
        mediating,
        "handler",
        {"starts_at": "TOMORROW", "place": "调解室", "mediators": "王调解"},
    ),
    "record_minutes": (_with_session, "handler", {"minutes": "双方陈述"}),
    "conclude": (
        mediating,
        "handler",
        {"outcome": "unresolved", "referral": "arbitration", "note": "引导仲裁"},
    ),
    "verify_pass": (concluded, "community", {}),
    "verify_final": (_at_county, "county", {}),
    "verify_fail": (concluded, "community", {"note": "未达成"}),
    "archive": (_verified, "centre", {"satisfaction": 4}),
    "follow_up": (_archived, "centre", {"days": 90}),
    "supervise": (
        mediating,
        "centre",
        {"note": "抓紧", "required_by": "TOMORROW", "level": 1},
    ),
}


def test_the_table_is_covered():
    assert set(CASES) == set(DISPUTES.by_action)


@pytest.mark.parametrize("action", sorted(CASES))
def test_each_transition_is_allowed_to_its_actor_and_denied_to_a_viewer(
    action, setup, register, make_user
):
    build, who, inputs = CASES[action]
    dispute = build(setup, register)
    # `perform` acts now, as a form does: dates in the inputs are from today.
    today = timezone.localdate()
    weekday = next(
        today + timedelta(days=n) for n in range(7, 14) if (today + timedelta(days=n)).weekday() < 5
    )
    stand_ins = {
        "DEPT": setup.department,
        "WEEKDAY": weekday,
        "TOMORROW": timezone.now() + timedelta(days=1),
    }
    inputs = {k: stand_ins.get(v, v) if isinstance(v, str) else v for k, v in inputs.items()}
    viewer = make_user(perms=["disputes.view_dispute"], scope=[setup.tree.community_a])
    before = snapshot(dispute)
    with pytest.raises(ActionError) as info:
        actions.perform(action, dispute, actor=viewer, inputs=inputs)
    assert info.value.code == "permission_denied" and info.value.status == 403
    assert snapshot(dispute) == before
    events = dispute.events.count()
    actions.perform(action, dispute, actor=getattr(setup, who), inputs=inputs)
    assert dispute.events.count() == events + 1
    assert dispute.events.order_by("-id").first().action == action
