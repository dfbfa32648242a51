"""催报: by hand from the status board and by the periodic job, to the late region's people."""

from datetime import date, datetime

import pytest
from django.utils import timezone

from citygrid.core.errors import ActionError
from citygrid.neworgs import reports, reports_remind
from citygrid.neworgs.models import MonthlyReportReminder
from citygrid.neworgs.tasks import remind_monthly_reports
from citygrid.notify.models import Notification, SmsMessage

pytestmark = pytest.mark.django_db

SUBMIT = ["neworgs.view_monthlyreport", "neworgs.submit_monthlyreport"]
REMIND = ["neworgs.view_monthlyreport", "neworgs.remind_monthlyreport"]


def with_phone(user, phone):
    user.phone = phone
    user.save()
    return user


def at(day: date) -> datetime:
    return timezone.make_aware(datetime(day.year, day.month, day.day, 9))


def test_a_reminder_reaches_the_people_who_may_submit(tree, make_user):
    filer = with_phone(make_user(SUBMIT, scope=[tree.community_a]), "13800138000")
    make_user(["neworgs.view_monthlyreport"], scope=[tree.community_a])  # may not submit
    make_user(SUBMIT, scope=[tree.community_b])  # another community
    township = make_user(REMIND, scope=[tree.township_a])
    month = date(2026, 11, 1)

    reminder = reports_remind.remind(tree.community_a, month, actor=township)

    assert (reminder.sent_by, reminder.automatic, reminder.recipients) == (township, False, 1)
    [note] = Notification.objects.all()
    assert note.recipient == filer
    assert note.title == "请上报甲社区2026年11月两新组织月报"
    [sms] = SmsMessage.objects.all()
    assert sms.template.code == "monthly_report_reminder"
    assert sms.text.endswith("甲社区2026年11月两新组织月报尚未上报，请尽快审核上报。")
    assert sms.region_code == tree.community_a.code


def test_a_reminder_is_refused_without_permission_beside_or_once_submitted(tree, make_user):
    month = timezone.localdate().replace(day=1)
    filer = make_user(SUBMIT, scope=[tree.community_a])
    no_perm = make_user(SUBMIT, scope=[tree.township_a])
    beside = make_user(REMIND, scope=[tree.county_b])
    itself = make_user(REMIND, scope=[tree.community_a])
    for actor, status in ((no_perm, 403), (beside, 404), (itself, 404)):
        with pytest.raises(ActionError) as refused:
            reports_remind.remind(tree.community_a, month, actor=actor)
        assert refused.value.status == status
    report = reports.generate_report(tree.community_a, month, actor=filer)
    reports.submit_report(report, actor=filer)
    with pytest.raises(ActionError) as refused:
        reports_remind.remind(tree.community_a, month, actor=make_user(REMIND, scope=[tree.city]))
    assert refused.value.code == "already_submitted"
    assert not MonthlyReportReminder.objects.exists()
    assert not Notification.objects.exists()


def test_the_periodic_job_reminds_each_late_region_once_after_the_due_day(tree, make_user):
    filer = make_user(SUBMIT, scope=[tree.community_a])
    make_user(SUBMIT, scope=[tree.community_b])
    november = date(2026, 11, 1)
    report = reports.generate_report(
        tree.community_a, november, actor=filer, now=at(date(2026, 12, 1))
    )
    reports.submit_report(report, actor=filer)

    assert reports_remind.remind_due(at(date(2026, 12, 4))) == 0
    # Late: community B, both townships and both counties; community A has submitted.
    assert reports_remind.remind_due(at(date(2026, 12, 5))) == 5
    assert reports_remind.remind_due(at(date(2026, 12, 6))) == 0
    reminded = MonthlyReportReminder.objects.filter(automatic=True, month=november)
    assert {r.region.name for r in reminded} == {"乙社区", "乙街道", "乙区", "甲街道", "甲区"}
    assert Notification.objects.filter(recipient__scope_regions=tree.community_b).count() == 1


def test_the_task_runs_the_reminders(tree, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    result = remind_monthly_reports.enqueue()
    # Every community, township and county of the test territory is late with last month.
    expected = 6 if timezone.localdate().day >= reports_remind.DUE_DAY else 0
    assert result.return_value == expected
