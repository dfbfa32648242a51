"""The dispute workflow on the cases engine: every transition allowed for the right person and
refused for the others, out of order, out of scope or with bad input — and a refusal changes
nothing."""

from datetime import date, datetime, timedelta

import pytest

from citygrid.cases.models import SupervisionOrder
from citygrid.core.errors import ActionError
from citygrid.disputes import actions
from citygrid.disputes.models import Dispute, DisputeEvent, FollowUp, MediationSession
from citygrid.disputes.tests.conftest import MONDAY_10, TZ
from citygrid.disputes.workflow import DISPUTES

pytestmark = pytest.mark.django_db

DUE = date(2026, 3, 13)  # a Friday


def refused(fn, code: str, status: int | None = None) -> ActionError:
    with pytest.raises(ActionError) as info:
        fn()
    assert info.value.code == code, info.value.message
    if status is not None:
        assert info.value.status == status
    return info.value


def snapshot(dispute: Dispute) -> tuple:
    """Everything a refused action must leave as it was."""
    fresh = Dispute.objects.get(pk=dispute.pk)
    return (
        fresh.state,
        fresh.department_id,
        fresh.step,
        fresh.step_deadline,
        fresh.verifying_region_id,
        fresh.outcome,
        DisputeEvent.objects.filter(dispute=dispute).count(),
        SupervisionOrder.objects.filter(dispute=dispute).count(),
        MediationSession.objects.filter(dispute=dispute).count(),
    )


def assessed(setup, register, **overrides):
    dispute = register(**overrides)
    return actions.assess_dispute(
        dispute,
        actor=setup.centre,
        category="11",
        level="ordinary",
        note="邻里纠纷，社区可调",
        now=MONDAY_10,
    )


def mediating(setup, register):
    dispute = assessed(setup, register)
    dispute = actions.dispatch_dispute(
        dispute, actor=setup.centre, department=setup.department, due_date=DUE, now=MONDAY_10
    )
    return actions.accept_dispute(dispute, actor=setup.handler, now=MONDAY_10)


def concluded(setup, register):
    dispute = mediating(setup, register)
    return actions.conclude_dispute(
        dispute,
        actor=setup.handler,
        outcome="unresolved",
        referral="litigation",
        note="双方分歧较大，引导诉讼",
        now=MONDAY_10,
    )


def test_registration_numbers_it_starts_the_assessment_clock_and_records_the_event(setup, register):
    dispute = register()
    assert dispute.number.startswith("JF20260302")
    assert dispute.state == "collected" and dispute.step == "assess"
    assert dispute.step_deadline > MONDAY_10
    assert dispute.source == "centre"
    assert [e.action for e in dispute.events.all()] == ["register"]
    names = sorted(p.name for p in dispute.parties.all())
    assert names == ["张三", "李四"]
    # Sealed in the database: the column holds no clear name.
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT name FROM disputes_disputeparty")
        stored = [row[0] for row in cursor.fetchall()]
    assert all("张三" not in s and "李四" not in s for s in stored)


def test_registration_outside_the_territory_or_without_an_applicant_is_refused(setup, register):
    refused(lambda: register(actor=setup.outsider), "out_of_scope", 403)
    refused(lambda: register(parties=[]), "applicant_required", 400)
    refused(lambda: register(category="nonsense"), "invalid_category", 400)
    assert not Dispute.objects.exists()


def test_the_whole_path_to_archive_with_level_by_level_verification(setup, register):
    dispute = concluded(setup, register)
    assert dispute.state == "reported_back"
    assert dispute.verifying_region == setup.tree.community_a
    # The township and county cannot verify before the community has.
    refused(
        lambda: actions.verify_dispute(dispute, actor=setup.township, passed=True, now=MONDAY_10),
        "not_verifying_level",
        403,
    )
    dispute = actions.verify_dispute(dispute, actor=setup.community, passed=True, now=MONDAY_10)
    assert dispute.state == "reported_back" and dispute.verifying_region == setup.tree.township_a
    dispute = actions.verify_dispute(dispute, actor=setup.township, passed=True, now=MONDAY_10)
    assert dispute.verifying_region == setup.tree.county_a
    dispute = actions.verify_dispute(dispute, actor=setup.county, passed=True, now=MONDAY_10)
    assert dispute.state == "verified" and dispute.step == "archive"
    dispute = actions.archive_dispute(dispute, actor=setup.centre, satisfaction=4, now=MONDAY_10)
    assert dispute.state == "archived" and dispute.satisfaction == 4 and not dispute.step
    actions_taken = list(dispute.events.values_list("action", flat=True))
    assert actions_taken == [
        "register",
        "assess",
        "dispatch",
        "accept",
        "conclude",
        "verify_pass",
        "verify_pass",
        "verify_final",
        "archive",
    ]
    # Archived is read-only: nothing but a follow-up visit.
    assert [t.action for t in DISPUTES.available(dispute, setup.centre)] == ["follow_up"]
    dispute = actions.schedule_follow_up(dispute, actor=setup.centre, days=30, now=MONDAY_10)
    assert FollowUp.objects.get(dispute=dispute).due_date == date(2026, 4, 1)
    refused(
        lambda: actions.schedule_follow_up(dispute, actor=setup.centre, days=30, now=MONDAY_10),
        "follow_up_exists",
    )


def test_a_failed_verification_sends_it_back_to_mediation(setup, register):
    dispute = concluded(setup, register)
    refused(
        lambda: actions.verify_dispute(dispute, actor=setup.community, passed=False),
        "note_required",
    )
    dispute = actions.verify_dispute(
        dispute, actor=setup.community, passed=False, note="当事人称未调解", now=MONDAY_10
    )
    assert dispute.state == "mediating" and dispute.verifying_region is None and not dispute.outcome


def test_a_transition_out_of_order_changes_nothing(setup, register):
    dispute = register()
    before = snapshot(dispute)
    refused(
        lambda: actions.dispatch_dispute(
            dispute, actor=setup.centre, department=setup.department, due_date=DUE
        ),
        "invalid_transition",
    )
    refused(lambda: actions.accept_dispute(dispute, actor=setup.handler), "invalid_transition")
    refused(
        lambda: actions.archive_dispute(dispute, actor=setup.centre, satisfaction=5),
        "invalid_transition",
    )
    assert snapshot(dispute) == before


@pytest.mark.parametrize(
    "who, code, status",
    [("handler", "permission_denied", 403), ("outsider", "not_found", 404)],
)
def test_assessment_by_the_wrong_person_is_refused(setup, register, who, code, status):
    dispute = register()
    before = snapshot(dispute)
    refused(
        lambda: actions.assess_dispute(
            dispute, actor=getattr(setup, who), category="11", level="ordinary", note="x"
        ),
        code,
        status,
    )
    assert snapshot(dispute) == before


def test_referral_outside_the_territory_or_on_a_holiday_is_refused(setup, register, tree):
    from citygrid.cases.models import Department

    dispute = assessed(setup, register)
    elsewhere = Department.objects.create(name="乙街道司法所", code="SF02", region=tree.township_b)
    before = snapshot(dispute)
    refused(
        lambda: actions.dispatch_dispute(
            dispute, actor=setup.centre, department=elsewhere, due_date=DUE, now=MONDAY_10
        ),
        "department_out_of_reach",
    )
    error = refused(
        lambda: actions.dispatch_dispute(
            dispute,
            actor=setup.centre,
            department=setup.department,
            due_date=date(2026, 10, 5),  # 国庆节
            now=MONDAY_10,
        ),
        "invalid_due_date",
    )
    assert "不是工作日" in error.message
    refused(
        lambda: actions.dispatch_dispute(
            dispute,
            actor=setup.centre,
            department=setup.department,
            due_date=date(2026, 2, 27),
            now=MONDAY_10,
        ),
        "invalid_due_date",
    )
    assert snapshot(dispute) == before


def test_mediation_runs_to_the_referrals_deadline_and_only_the_handling_body_acts(setup, register):
    dispute = assessed(setup, register)
    dispute = actions.dispatch_dispute(
        dispute, actor=setup.centre, department=setup.department, due_date=DUE, now=MONDAY_10
    )
    refused(lambda: actions.accept_dispute(dispute, actor=setup.centre), "permission_denied", 403)
    from citygrid.cases.models import Department

    other = Department.objects.create(name="甲区信访局", code="XF01", region=setup.tree.county_a)
    stranger = type(setup.handler).objects.create_user("stranger", password="Test@2026pw")
    stranger.roles.set(setup.handler.roles.all())
    stranger.scope_regions.set([setup.tree.county_a])
    other.members.add(stranger)
    refused(lambda: actions.accept_dispute(dispute, actor=stranger), "not_in_department", 403)
    dispute = actions.accept_dispute(dispute, actor=setup.handler, now=MONDAY_10)
    assert dispute.step == "mediate"
    assert dispute.step_deadline == datetime(2026, 3, 13, 18, 0, tzinfo=TZ)


def test_a_misdirected_referral_is_returned_for_another_one(setup, register):
    dispute = assessed(setup, register)
    dispute = actions.dispatch_dispute(
        dispute, actor=setup.centre, department=setup.department, due_date=DUE, now=MONDAY_10
    )
    refused(lambda: actions.return_dispute(dispute, actor=setup.handler, note=""), "note_required")
    dispute = actions.return_dispute(dispute, actor=setup.handler, note="劳动争议应由人社局处理")
    assert dispute.state == "assessed" and dispute.department is None and dispute.due_at is None
    dispute = actions.dispatch_dispute(
        dispute,
        actor=setup.centre,
        department=setup.county_department,
        due_date=DUE,
        now=MONDAY_10,
    )
    assert dispute.department == setup.county_department


def test_sessions_are_scheduled_parties_texted_and_minutes_recorded(
    setup, register, django_capture_on_commit_callbacks
):
    from citygrid.notify.models import SmsMessage

    dispute = mediating(setup, register)
    refused(
        lambda: actions.record_minutes(dispute, actor=setup.handler, minutes="x", now=MONDAY_10),
        "no_session",
    )
    starts = MONDAY_10 + timedelta(days=1)
    refused(
        lambda: actions.schedule_mediation(
            dispute,
            actor=setup.handler,
            starts_at=MONDAY_10 - timedelta(hours=1),
            place="调解室",
            mediators="王调解",
            now=MONDAY_10,
        ),
        "invalid_starts_at",
    )
    with django_capture_on_commit_callbacks(execute=True):
        actions.schedule_mediation(
            dispute,
            actor=setup.handler,
            starts_at=starts,
            place="甲社区调解室",
            mediators="王调解",
            now=MONDAY_10,
        )
    session = MediationSession.objects.get(dispute=dispute)
    assert session.place == "甲社区调解室"
    texts = SmsMessage.objects.filter(template__code="mediation_notice")
    assert texts.count() == 2 and session.__class__.objects.get(pk=session.pk).notified_count == 2
    actions.record_minutes(
        dispute,
        actor=setup.handler,
        minutes="双方同意分担维修费用",
        now=starts + timedelta(hours=2),
    )
    assert MediationSession.objects.get(pk=session.pk).minutes == "双方同意分担维修费用"


def test_an_unresolved_dispute_needs_its_next_route(setup, register):
    dispute = mediating(setup, register)
    before = snapshot(dispute)
    refused(
        lambda: actions.conclude_dispute(
            dispute, actor=setup.handler, outcome="unresolved", note="x"
        ),
        "referral_required",
    )
    refused(
        lambda: actions.conclude_dispute(
            dispute, actor=setup.handler, outcome="resolved", note="x"
        ),
        "terms_required",
    )
    assert snapshot(dispute) == before


def test_an_agreement_without_both_parties_is_refused(setup, register):
    from citygrid.disputes.intake import Party

    dispute = register(parties=[Party(side="applicant", name="王五")])
    dispute = actions.assess_dispute(
        dispute, actor=setup.centre, category="11", level="ordinary", note="x"
    )
    dispute = actions.dispatch_dispute(
        dispute, actor=setup.centre, department=setup.department, due_date=DUE, now=MONDAY_10
    )
    dispute = actions.accept_dispute(dispute, actor=setup.handler, now=MONDAY_10)
    before = snapshot(dispute)
    refused(
        lambda: actions.conclude_dispute(
            dispute, actor=setup.handler, outcome="resolved", terms="赔偿 500 元", note="达成协议"
        ),
        "agreement_without_parties",
    )
    assert snapshot(dispute) == before


def test_supervision_orders_are_the_same_as_for_cases(setup, register):
    from citygrid.cases.supervision import answer_supervision

    dispute = register()
    refused(
        lambda: actions.supervise_dispute(
            dispute, actor=setup.centre, note="抓紧", required_by=MONDAY_10 + timedelta(days=2)
        ),
        "no_department",
    )
    dispute = mediating(setup, register)
    dispute = actions.supervise_dispute(
        dispute,
        actor=setup.centre,
        note="请于本周内化解",
        required_by=MONDAY_10 + timedelta(days=2),
        now=MONDAY_10,
    )
    order = SupervisionOrder.objects.get(dispute=dispute)
    assert order.department == setup.department and order.subject == dispute
    assert str(order).endswith(dispute.number)
    answer_supervision(order, actor=setup.handler, answer="已约双方周三调解", now=MONDAY_10)
    assert dispute.events.filter(action="supervision_answered").count() == 1


def test_the_deadline_sweep_reminds_the_handling_body_of_a_late_dispute(setup, register):
    from citygrid.cases.sweep import sweep_deadlines
    from citygrid.notify.models import Notification

    dispute = mediating(setup, register)
    result = sweep_deadlines(now=datetime(2026, 3, 16, 9, 0, tzinfo=TZ))
    assert result.overdue >= 1
    assert Notification.objects.filter(
        recipient=setup.handler, title__contains=dispute.number
    ).exists()
    again = sweep_deadlines(now=datetime(2026, 3, 16, 9, 1, tzinfo=TZ))
    assert again.overdue == 0


def test_the_urgent_report_fires_once(setup, register, django_capture_on_commit_callbacks):
    from citygrid.notify.models import Notification

    with django_capture_on_commit_callbacks(execute=True):
        dispute = register(risk_petition=True)
    assert Notification.objects.filter(recipient=setup.leader).count() == 1
    assert Dispute.objects.get(pk=dispute.pk).urgent_reported_at is not None
    with django_capture_on_commit_callbacks(execute=True):
        actions.assess_dispute(
            dispute,
            actor=setup.centre,
            category="11",
            level="major",
            note="升级",
            risk_petition=True,
        )
    assert Notification.objects.filter(recipient=setup.leader).count() == 1
    # An ordinary one becoming 重大 at assessment goes up then, once.
    with django_capture_on_commit_callbacks(execute=True):
        quiet = register()
    assert Notification.objects.filter(recipient=setup.leader).count() == 1
    with django_capture_on_commit_callbacks(execute=True):
        actions.assess_dispute(
            quiet, actor=setup.centre, category="11", level="major", note="研判为重大"
        )
    assert Notification.objects.filter(recipient=setup.leader).count() == 2


def test_every_transition_has_an_action_function():
    assert set(actions.RUNNERS) == set(DISPUTES.by_action)


def test_a_partys_id_number_credit_code_and_mobile_are_checked(setup, register):
    from citygrid.disputes.intake import Party

    refused(
        lambda: register(
            parties=[Party(side="applicant", name="张三", id_number="110105194912310028")]
        ),
        "invalid",
    )
    refused(
        lambda: register(parties=[Party(side="applicant", name="张三", phone="12000000000")]),
        "invalid",
    )
    refused(
        lambda: register(
            parties=[
                Party(
                    side="applicant",
                    name="某公司",
                    kind="organisation",
                    id_number="91350100M000100Y44",
                )
            ]
        ),
        "invalid",
    )
    assert not Dispute.objects.exists()
    dispute = register(
        parties=[
            Party(
                side="applicant", name="张三", id_number="11010519491231002X", phone="0571-88886666"
            ),
            Party(side="respondent", name="John Smith", id_number="E12345678"),
        ]
    )
    assert dispute.parties.count() == 2
