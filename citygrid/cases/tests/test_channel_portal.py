"""A citizen's portal report is 群众上报 (`portal`), not 平台登记 (`web`, the desk registering a
call); migration 0013 gives existing portal cases their channel from what is stored."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from citygrid.cases.choices import Channel
from citygrid.cases.intake import Report, report_case
from citygrid.cases.models import Case
from citygrid.cases.tests.conftest import MONDAY_10
from citygrid.portal.services import submit_report

BEFORE = [("cases", "0012_indicator_rollup")]
AFTER = [("cases", "0013_case_channel_portal_desk")]


def _report(setup, **fields) -> Report:
    values = {
        "category": setup.category,
        "description": "路灯不亮",
        "lng": 120.005,
        "lat": 30.005,
        **fields,
    }
    return Report(**values)


@pytest.mark.django_db
def test_portal_files_its_cases_as_citizen_reports(setup):
    case = submit_report(_report(setup, channel=Channel.WEB), now=MONDAY_10)
    assert case.channel == "portal" and case.get_channel_display() == "群众上报"
    assert case.events.get(action="report").data["channel"] == "portal"


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("migrated_back")
def test_migration_tells_portal_cases_from_desk_registrations(setup, make_user, tree):
    citizen = report_case(_report(setup), actor=None, now=MONDAY_10)
    desk = report_case(_report(setup, lng=120.006), actor=setup.dispatcher, now=MONDAY_10)
    leaver = make_user(perms=["cases.add_case"], scope=[tree.city], username="leaver")
    gone = report_case(_report(setup, lng=120.007), actor=leaver, now=MONDAY_10)
    wechat = report_case(_report(setup, channel=Channel.WECHAT, lng=120.008), actor=None)
    MigrationExecutor(connection).migrate(BEFORE)
    with connection.cursor() as cursor:  # before 0013 every one of these was `web`
        cursor.execute(
            "UPDATE cases_case SET channel = 'web' WHERE id IN (%s, %s, %s)",
            [citizen.pk, desk.pk, gone.pk],
        )
        # The staff reporter's account deleted since: the event keeps their name.
        cursor.execute("UPDATE cases_case SET reporter_id = NULL WHERE id = %s", [gone.pk])
        cursor.execute("UPDATE cases_caseevent SET actor_id = NULL WHERE case_id = %s", [gone.pk])

    MigrationExecutor(connection).migrate(AFTER)
    channels = dict(Case.objects.values_list("pk", "channel"))
    assert channels == {citizen.pk: "portal", desk.pk: "web", gone.pk: "web", wechat.pk: "wechat"}
    MigrationExecutor(connection).migrate(BEFORE)
    assert dict(Case.objects.values_list("pk", "channel"))[citizen.pk] == "web"
    MigrationExecutor(connection).migrate(AFTER)
