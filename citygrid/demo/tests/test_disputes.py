"""The demo disputes: every state and category, histories the workflow allows, deterministic, and
each demo role seeing and doing what it should."""

from collections import Counter
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command

from citygrid.accounts.models import User
from citygrid.cases.models import SupervisionOrder
from citygrid.core import dictionaries
from citygrid.core.models import VersionStamp
from citygrid.demo.cases import DAYS
from citygrid.demo.disputes import LEGAL_OFFICER_BODY, generate_demo_disputes
from citygrid.demo.regions import create_demo_accounts, generate_demo_city
from citygrid.demo.tests.test_cases import NOW, SMALL
from citygrid.disputes.choices import OPEN_STATES, DisputeState, Outcome
from citygrid.disputes.models import (
    CATEGORY_DICTIONARY,
    Dispute,
    DisputeEvent,
    FollowUp,
    MediationAgreement,
    MediationSession,
)
from citygrid.disputes.workflow import BY_ACTION, DISPUTES
from citygrid.notify.models.notifications import Notification
from citygrid.notify.models.sms import SmsMessage
from citygrid.regions.choices import RegionLevel
from citygrid.regions.models import Region

COUNT = 80


@pytest.fixture
def city(db) -> Region:
    city = generate_demo_city(seed=11, size=SMALL).city
    create_demo_accounts(city)
    return city


@pytest.fixture
def generated(city):
    return generate_demo_disputes(city, seed=5, count=COUNT, now=NOW)


def _fingerprint() -> list[tuple]:
    history: dict[int, list[tuple]] = {}
    for event in DisputeEvent.objects.select_related("actor").order_by("time", "id"):
        history.setdefault(event.dispute_id, []).append(
            (event.action, event.to_state, event.time, event.actor and event.actor.username)
        )
    return [
        (d.number, d.state, d.category, d.level, d.title, d.department_id, history[d.pk])
        for d in Dispute.objects.order_by("number")
    ]


def _check_path(dispute: Dispute, events: list[DisputeEvent]) -> None:
    """Each event leaves the state the next one starts from, as the transition table allows."""
    assert events[0].action == "register", dispute.number
    state = DisputeState.COLLECTED
    for previous, event in zip(events, events[1:], strict=False):
        where = f"{dispute.number} {event.action}"
        assert event.time >= previous.time, where
        assert event.from_state == state, where
        if event.action == "supervision_answered":
            assert event.to_state == state, where
            continue
        transition = BY_ACTION[event.action]
        assert event.from_state in transition.sources, where
        assert event.to_state == (transition.target or event.from_state), where
        state = event.to_state
    assert state == dispute.state and events[-1].time <= NOW, dispute.number


def test_demo_disputes_cover_every_state_and_category_with_valid_histories(generated):
    disputes = list(Dispute.objects.all())
    by_dispute: dict[int, list[DisputeEvent]] = {}
    for event in DisputeEvent.objects.order_by("time", "id"):
        by_dispute.setdefault(event.dispute_id, []).append(event)
    for dispute in disputes:
        _check_path(dispute, by_dispute[dispute.pk])
        assert dispute.created == dispute.reported_at
        assert NOW - timedelta(days=DAYS) <= dispute.reported_at <= NOW

    assert generated.created == COUNT == len(disputes)
    states = Counter(d.state for d in disputes)
    assert set(states) == set(DisputeState.values), states
    assert generated.by_state == dict(states)
    codes = {code for code, _ in dictionaries.choices(CATEGORY_DICTIONARY)}
    assert {d.category for d in disputes} == codes

    actions = Counter(e.action for events in by_dispute.values() for e in events)
    for action in ("return", "schedule", "record_minutes", "verify_fail", "follow_up"):
        assert actions[action] >= 1, action
    assert actions["verify_pass"] >= 1 and actions["verify_final"] >= 1
    outcomes = {d.outcome for d in disputes if d.outcome}
    assert outcomes == set(Outcome.values)
    # The reports the periodic job would have compiled: a week of daily ones, four weekly ones.
    from citygrid.disputes.models import DisputeReport

    kinds = set(DisputeReport.objects.values_list("kind", "period_start").distinct())
    assert len({p for k, p in kinds if k == "daily"}) == 7
    assert len({p for k, p in kinds if k == "weekly"}) == 4
    # Archived ones carry the parties' satisfaction; their sessions have minutes.
    archived = [d for d in disputes if d.state == DisputeState.ARCHIVED]
    assert all(d.satisfaction and d.archived_at for d in archived)
    assert MediationSession.objects.exclude(minutes="").exists()
    assert FollowUp.objects.exists() and generated.follow_ups == FollowUp.objects.count()
    # Every dispute has an applicant and a respondent, with a phone.
    for dispute in Dispute.objects.prefetch_related("parties"):
        sides = {p.side for p in dispute.parties.all()}
        assert sides == {"applicant", "respondent"}, dispute.number
        assert all(p.phone for p in dispute.parties.all())

    # Urgent ones were reported at registration (or at the assessment that flagged them).
    urgent = [d for d in disputes if d.urgent]
    assert urgent and all(d.urgent_reported_at for d in urgent)
    assert all(d.urgent_reported_at == d.reported_at for d in urgent if d.urgent_reported_at)
    assert generated.urgent == len(urgent)

    # Late ones: concluded past the deadline, and some still mediating past it, supervised.
    assert DisputeEvent.objects.filter(action="conclude", on_time=False).exists()
    late_open = Dispute.objects.filter(state=DisputeState.MEDIATING, due_at__lt=NOW)
    assert late_open.filter(supervision_orders__isnull=False).exists()
    assert DisputeEvent.objects.filter(action="supervision_answered").exists()
    assert SupervisionOrder.objects.filter(dispute__isnull=False).count() == (
        generated.supervision_orders
    )
    # The past is written muted: no notice, no SMS (urgent reports and sessions included).
    assert not Notification.objects.exists() and not SmsMessage.objects.exists()


def test_demo_disputes_are_deterministic(city):
    first = generate_demo_disputes(city, seed=5, count=COUNT, now=NOW)
    fingerprint = _fingerprint()
    Dispute.objects.all().delete()
    VersionStamp.objects.filter(name__startswith="dispute_number_").delete()
    again = generate_demo_disputes(city, seed=5, count=COUNT, now=NOW)
    assert _fingerprint() == fingerprint
    assert again.by_state == first.by_state


def test_each_demo_role_sees_and_does_what_it_should(generated):
    users = {u.username: u for u in User.objects.all()}
    first = {
        level: Region.objects.filter(level=level).order_by("code").first()
        for level in RegionLevel.values
    }
    everything = Dispute.objects.count()
    # Leaders see the whole city and receive the urgent reports; the centre its county.
    leader = users["city_leader"]
    assert Dispute.objects.restrict(leader, "view").count() == everything
    assert leader.has_perm("disputes.receive_urgent_dispute")
    assert not leader.has_perm("disputes.assess_dispute")
    dispatcher = users["county_dispatcher"]
    in_county = Dispute.objects.filter(region_code__startswith=first["county"].code).count()
    assert 0 < Dispute.objects.restrict(dispatcher, "view").count() == in_county < everything
    for perm in ("assess", "dispatch", "archive", "supervise", "verify"):
        assert dispatcher.has_perm(f"disputes.{perm}_dispute"), perm
    # Grid workers and street offices register; only the offices check outcomes.
    assert users["grid_worker"].has_perm("disputes.add_dispute")
    assert not users["grid_worker"].has_perm("disputes.verify_dispute")
    for name in ("street_staff", "community_staff"):
        assert users[name].has_perm("disputes.verify_dispute")
        assert not users[name].has_perm("disputes.dispatch_dispute")
    # Handlers mediate; only the legal officer sees the parties in clear.
    assert users["dept_handler"].has_perm("disputes.mediate_dispute")
    assert not users["dept_handler"].has_perm("disputes.view_party_dispute")
    officer = users["legal_officer"]
    assert officer.has_perm("disputes.view_party_dispute")
    assert officer.has_perm("cases.answer_supervisionorder")
    # The three verifying levels over the first community each have a demo account, and each
    # checked outcomes in the history.
    assert list(users["community_staff"].scope_regions.all()) == [first["community"]]
    verifiers = set(
        DisputeEvent.objects.filter(action__startswith="verify").values_list(
            "actor__username", flat=True
        )
    )
    assert {"community_staff", "street_staff", "county_dispatcher"} <= verifiers
    # The legal officer's 司法所 has disputes waiting for it, and the officer acted on others.
    body = officer.departments.get()
    assert body.code == f"{first['township'].code}{LEGAL_OFFICER_BODY}"
    waiting = Dispute.objects.filter(DISPUTES.todo_q(officer))
    assert waiting.filter(department=body, state__in=OPEN_STATES).exists()
    assert DisputeEvent.objects.filter(actor=officer, action="accept").exists()
    # Nobody outside the first county's scope sees a dispute of another county.
    other = Dispute.objects.exclude(region_code__startswith=first["county"].code)
    assert not Dispute.objects.restrict(users["street_staff"], "view").filter(
        pk__in=other.values("pk")
    )


def test_resolved_disputes_get_their_agreement(city):
    """Their terms are kept; the PDF is rendered when first opened (tested in the disputes
    app)."""
    result = generate_demo_disputes(city, seed=5, count=COUNT, now=NOW)
    resolved = Dispute.objects.filter(outcome=Outcome.RESOLVED)
    assert resolved.exists() and result.resolved == resolved.count()
    agreements = MediationAgreement.objects.filter(dispute__in=resolved)
    assert agreements.count() == resolved.count()
    for agreement in agreements:
        assert "申请人" in agreement.terms
    # Terms name the sides, never a party (names live sealed in the party rows).
    names = {p.name for d in resolved.prefetch_related("parties") for p in d.parties.all()}
    assert not any(name in a.terms for a in agreements for name in names)


@pytest.mark.parametrize("disputes", [0, 20])
def test_seed_demo_generates_the_disputes_asked_for(db, settings, disputes):
    settings.DEMO_MODE = True
    out = StringIO()
    call_command(
        "seed_demo",
        "--cases",
        "0",
        "--disputes",
        str(disputes),
        grids_per_community_min=1,
        grids_per_community_max=1,
        stdout=out,
    )
    assert Dispute.objects.count() == disputes
    assert (f"演示矛盾纠纷：{disputes} 件" in out.getvalue()) == bool(disputes)
