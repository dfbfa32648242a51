"""日报告 and 周报告: hand-counted content at every level, compiling again changes nothing, a
submitted report stays as submitted, 上报 refused without permission, out of scope and twice,
the level above told, the pages in Chinese, and a query count that does not grow with the
number of regions."""

from datetime import date, datetime, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from citygrid.core import records
from citygrid.core.errors import ActionError
from citygrid.core.locks import only_one
from citygrid.core.models import ObjectChange
from citygrid.disputes import actions, reports, tasks
from citygrid.disputes.models import DisputeReport
from citygrid.disputes.tests.conftest import MONDAY_10, TZ
from citygrid.notify.models import Notification
from citygrid.regions.models import Region

# Notices and pages link to the reports: their routes must resolve.
pytestmark = pytest.mark.django_db

MONDAY = date(2026, 3, 2)
SUNDAY_10 = MONDAY_10 - timedelta(days=1)
TUESDAY_9 = datetime(2026, 3, 3, 9, 0, tzinfo=TZ)
TUESDAY_12 = datetime(2026, 3, 3, 12, 0, tzinfo=TZ)
REPORTERS = ["disputes.view_disputereport", "disputes.submit_disputereport"]


@pytest.fixture
def scene(setup, register):
    """Monday 2 March 2026 in county A's community: an ordinary 邻里 dispute concluded
    (调解不成), an urgent 征地拆迁 one (重大, 可能越级上访), Sunday's one still waiting for its
    assessment — overdue at Monday's end, assessed on Tuesday morning; a 物业 dispute in
    county B."""
    concluded = register()
    concluded = actions.assess_dispute(
        concluded,
        actor=setup.centre,
        category="11",
        level="ordinary",
        note="社区可调",
        now=MONDAY_10,
    )
    concluded = actions.dispatch_dispute(
        concluded,
        actor=setup.centre,
        department=setup.department,
        due_date=date(2026, 3, 13),
        now=MONDAY_10,
    )
    concluded = actions.accept_dispute(concluded, actor=setup.handler, now=MONDAY_10)
    concluded = actions.conclude_dispute(
        concluded,
        actor=setup.handler,
        outcome="unresolved",
        referral="litigation",
        note="引导诉讼",
        now=MONDAY_10 + timedelta(hours=5),
    )
    urgent = register(
        category="01",
        title="征地补偿纠纷",
        level="major",
        risk_petition=True,
        now=MONDAY_10 + timedelta(hours=1),
    )
    waiting = register(title="车位纠纷", now=SUNDAY_10)
    assert waiting.step_deadline < datetime(2026, 3, 3, tzinfo=TZ)  # overdue at Monday's end
    actions.assess_dispute(
        waiting,
        actor=setup.centre,
        category="11",
        level="ordinary",
        note="社区可调",
        now=TUESDAY_9,
    )
    other = register(
        actor=setup.outsider,
        region=setup.tree.grid_b1,
        category="07",
        title="物业费纠纷",
        now=MONDAY_10 + timedelta(hours=1),
    )
    return {"concluded": concluded, "urgent": urgent, "waiting": waiting, "other": other}


def content(region, kind="daily", start=MONDAY):
    return DisputeReport.objects.get(region=region, kind=kind, period_start=start).content


def test_daily_reports_count_each_level_by_hand(setup, scene):
    result = reports.compile_reports("daily", MONDAY, TUESDAY_12)

    assert (result.created, result.updated, result.unchanged) == (7, 0, 0)
    tree = setup.tree
    a = {
        "new": {
            "total": 2,
            "by_category": {"11": 1, "01": 1},
            "by_level": {"ordinary": 1, "major": 1},
        },
        "urgent": {
            "total": 1,
            "items": [
                {
                    "number": scene["urgent"].number,
                    "title": "征地补偿纠纷",
                    "level": "major",
                    "risks": ["可能越级上访"],
                }
            ],
        },
        "concluded": {"total": 1, "resolved": 0, "unresolved": 1, "withdrawn": 0},
        "archived": 0,
        # The concluded one is open until archived; Sunday's waits for its assessment.
        "backlog": 3,
        # Sunday's was overdue at the end of Monday, though assessed since.
        "overdue": 1,
    }
    for region in (tree.community_a, tree.township_a, tree.county_a):
        assert content(region) == a, region
    b = {
        "new": {"total": 1, "by_category": {"07": 1}, "by_level": {"ordinary": 1}},
        "urgent": {"total": 0, "items": []},
        "concluded": {"total": 0, "resolved": 0, "unresolved": 0, "withdrawn": 0},
        "archived": 0,
        "backlog": 1,
        "overdue": 0,
    }
    for region in (tree.community_b, tree.township_b, tree.county_b):
        assert content(region) == b, region
    city = content(tree.city)
    assert city["new"] == {
        "total": 3,
        "by_category": {"11": 1, "01": 1, "07": 1},
        "by_level": {"ordinary": 2, "major": 1},
    }
    assert (city["urgent"]["total"], city["backlog"], city["overdue"]) == (1, 4, 1)
    assert city["concluded"]["unresolved"] == 1
    # Every report is change-logged, made by the system.
    logged = ObjectChange.objects.filter(content_type__model="disputereport", action="create")
    assert logged.count() == 7
    assert not logged.exclude(user=None).exists()


def test_a_quiet_community_files_nothing_but_its_township_does(setup, scene):
    quiet = Region(
        parent=setup.tree.township_b, level="community", code="330102001002", name="丙社区"
    )
    quiet.full_clean()
    quiet.save()

    reports.compile_reports("daily", MONDAY, TUESDAY_12)

    assert not DisputeReport.objects.filter(region=quiet).exists()
    assert DisputeReport.objects.filter(region=setup.tree.township_b).exists()


def test_the_day_before_has_only_the_sunday_dispute_and_zero_reports(setup, scene):
    reports.compile_reports("daily", MONDAY - timedelta(days=1), TUESDAY_12)

    tree = setup.tree
    a = content(tree.community_a, start=MONDAY - timedelta(days=1))
    assert a["new"] == {"total": 1, "by_category": {"11": 1}, "by_level": {"ordinary": 1}}
    # Its deadline was Monday: not overdue at Sunday's end.
    assert (a["backlog"], a["overdue"]) == (1, 0)
    # County B had nothing: its township files a 零报告, its community nothing.
    zero = content(tree.township_b, start=MONDAY - timedelta(days=1))
    assert zero == reports.empty_content(None)
    assert not DisputeReport.objects.filter(region=tree.community_b).exists()


def test_the_weekly_report_has_a_trend_by_day(setup, scene):
    week = date(2026, 3, 2)
    reports.compile_reports("weekly", week, datetime(2026, 3, 9, 1, 0, tzinfo=TZ))

    a = content(setup.tree.county_a, kind="weekly", start=week)
    assert a["new"]["total"] == 2  # Sunday's belongs to the week before
    assert a["trend"][0] == {"day": "2026-03-02", "new": 2, "concluded": 1}
    assert a["trend"][1] == {"day": "2026-03-03", "new": 0, "concluded": 0}
    assert len(a["trend"]) == 7
    # At Sunday's end all three are still open.
    assert a["backlog"] == 3


def test_a_period_must_be_over_and_a_week_start_on_monday(setup):
    with pytest.raises(ValueError, match="尚未结束"):
        reports.compile_reports("daily", MONDAY, MONDAY_10)
    with pytest.raises(ValueError, match="星期一"):
        reports.compile_reports(
            "weekly", MONDAY + timedelta(days=1), TUESDAY_12 + timedelta(days=9)
        )
    assert not DisputeReport.objects.exists()


def test_compiling_again_writes_nothing_and_a_late_commit_updates_the_compiled_one(
    setup, scene, register
):
    reports.compile_reports("daily", MONDAY, TUESDAY_12)
    logged = ObjectChange.objects.filter(content_type__model="disputereport").count()

    again = reports.compile_reports("daily", MONDAY, TUESDAY_12 + timedelta(hours=1))

    assert (again.created, again.updated, again.unchanged) == (0, 0, 7)
    assert DisputeReport.objects.count() == 7
    assert ObjectChange.objects.filter(content_type__model="disputereport").count() == logged

    # A dispute stamped on Monday but committed after the first compile.
    register(title="迟到的纠纷", now=MONDAY_10 + timedelta(hours=12))
    late = reports.compile_reports("daily", MONDAY, TUESDAY_12 + timedelta(hours=2))

    # community, township, county and city A changed; county B's three did not.
    assert (late.created, late.updated, late.unchanged) == (0, 4, 3)
    assert content(setup.tree.community_a)["new"]["total"] == 3


def test_a_community_whose_disputes_were_deleted_is_emptied(setup, scene):
    reports.compile_reports("daily", MONDAY, TUESDAY_12)
    records.delete_record(scene["other"], actor=None)

    result = reports.compile_reports("daily", MONDAY, TUESDAY_12)

    # County B's community, township, county and the city changed.
    assert (result.created, result.updated, result.unchanged) == (0, 4, 3)
    assert content(setup.tree.community_b) == reports.empty_content(None)


def test_a_submitted_report_is_not_overwritten(setup, scene, register, make_user):
    reports.compile_reports("daily", MONDAY, TUESDAY_12)
    reporter = make_user(perms=REPORTERS, scope=[setup.tree.community_a])
    report = DisputeReport.objects.get(region=setup.tree.community_a, kind="daily")
    reports.submit_report(report, actor=reporter, now=TUESDAY_12)

    register(title="迟到的纠纷", now=MONDAY_10 + timedelta(hours=12))
    result = reports.compile_reports("daily", MONDAY, TUESDAY_12 + timedelta(hours=1))

    assert result.submitted == 1
    report.refresh_from_db()
    assert report.content["new"]["total"] == 2
    assert report.compiled_at == TUESDAY_12
    assert content(setup.tree.township_a)["new"]["total"] == 3


def test_the_write_path_refuses_to_change_a_submitted_report(setup, scene, make_user):
    reports.compile_reports("daily", MONDAY, TUESDAY_12)
    report = DisputeReport.objects.get(region=setup.tree.community_a, kind="daily")
    reports.submit_report(
        report, actor=make_user(perms=REPORTERS, scope=[setup.tree.community_a]), now=TUESDAY_12
    )
    report = DisputeReport.objects.get(pk=report.pk)
    report.content = reports.empty_content(None)

    with pytest.raises(ValidationError, match="已上报的报告不能修改"):
        records.save_record(report, actor=None)

    assert DisputeReport.objects.get(pk=report.pk).content["new"]["total"] == 2


def test_one_compile_of_a_period_at_a_time(setup, scene):
    with only_one("disputes:reports:daily:2026-03-02", 60):
        with pytest.raises(reports.CompileBusy, match="正在由另一进程生成"):
            reports.compile_reports("daily", MONDAY, TUESDAY_12)
        done = reports.compile_due(TUESDAY_12)

    assert done["daily"] is None
    # The week before: townships and above, and community A with Sunday's dispute.
    assert done["weekly"].created == 6
    assert not DisputeReport.objects.filter(kind="daily").exists()


@pytest.fixture
def compiled(setup, scene):
    reports.compile_reports("daily", MONDAY, TUESDAY_12)
    return DisputeReport.objects.get(region=setup.tree.community_a, kind="daily")


def refused(report, actor, code, status):
    with pytest.raises(ActionError) as info:
        reports.submit_report(report, actor=actor, now=TUESDAY_12)
    assert (info.value.code, info.value.status) == (code, status)
    fresh = DisputeReport.objects.get(pk=report.pk)
    return fresh


def test_submitting_tells_the_level_above_only(
    setup, compiled, make_user, django_capture_on_commit_callbacks
):
    reporter = make_user(perms=REPORTERS, scope=[setup.tree.community_a])
    above = make_user(perms=["disputes.view_disputereport"], scope=[setup.tree.township_a])
    county = make_user(perms=["disputes.view_disputereport"], scope=[setup.tree.county_a])
    no_perm = make_user(perms=["disputes.view_dispute"], scope=[setup.tree.township_a])

    with django_capture_on_commit_callbacks(execute=True):
        report = reports.submit_report(compiled, actor=reporter, now=TUESDAY_12)

    assert (report.status, report.submitted_by, report.submitted_at) == (
        "submitted",
        reporter,
        TUESDAY_12,
    )
    notices = Notification.objects.all()
    assert [n.recipient for n in notices] == [above]
    assert notices[0].title == "甲社区日报告已上报"
    assert notices[0].url == f"/disputes/reports/{report.pk}/"
    assert not Notification.objects.filter(recipient__in=[county, no_perm, reporter]).exists()
    change = ObjectChange.objects.get(content_type__model="disputereport", action="update")
    assert change.user == reporter


def test_submitting_is_refused_without_permission_out_of_scope_and_twice(
    setup, compiled, make_user, django_capture_on_commit_callbacks
):
    viewer = make_user(perms=["disputes.view_disputereport"], scope=[setup.tree.community_a])
    stranger = make_user(perms=REPORTERS, scope=[setup.tree.community_b])
    reporter = make_user(perms=REPORTERS, scope=[setup.tree.community_a])
    make_user(perms=["disputes.view_disputereport"], scope=[setup.tree.township_a])

    with django_capture_on_commit_callbacks(execute=True):
        for actor, code, status in (
            (viewer, "permission_denied", 403),
            (stranger, "not_found", 404),
        ):
            fresh = refused(compiled, actor, code, status)
            assert (fresh.status, fresh.submitted_by, fresh.submitted_at) == (
                "compiled",
                None,
                None,
            )
    assert not Notification.objects.exists()
    assert not ObjectChange.objects.filter(
        content_type__model="disputereport", action="update"
    ).exists()

    reports.submit_report(compiled, actor=reporter, now=TUESDAY_12)
    with django_capture_on_commit_callbacks(execute=True):
        fresh = refused(compiled, reporter, "already_submitted", 409)
    assert fresh.submitted_at == TUESDAY_12
    assert not Notification.objects.exists()


def test_compiling_costs_the_same_queries_for_many_regions(
    setup, scene, register, django_assert_max_num_queries
):
    with CaptureQueriesContext(connection) as few:
        reports.compile_reports("daily", MONDAY, TUESDAY_12)

    # Ten more communities, each with a dispute on Tuesday.
    tree = setup.tree
    for i in range(2, 12):
        community = Region(
            parent=tree.township_a, level="community", code=f"330101001{i:03d}", name=f"社区{i}"
        )
        community.full_clean()
        community.save()
        register(region=community, now=TUESDAY_9 + timedelta(minutes=i))
    wednesday = TUESDAY_12 + timedelta(days=1)

    with django_assert_max_num_queries(len(few)):
        result = reports.compile_reports("daily", MONDAY + timedelta(days=1), wednesday)

    assert result.created == 7 + 10


def test_the_command_compiles_a_day(setup, scene, capsys):
    call_command("compile_dispute_reports", "--kind", "daily", "--date", "2026-03-02")

    assert "新生成 7 份" in capsys.readouterr().out
    assert DisputeReport.objects.filter(kind="daily", period_start=MONDAY).count() == 7


def test_the_periodic_job_compiles_yesterday_and_last_week(setup, scene):
    done = reports.compile_due(datetime(2026, 3, 10, 0, 30, tzinfo=TZ))

    # Monday 9 March: nothing new, but both communities still have open disputes to report.
    assert done["daily"].created == 7
    assert content(setup.tree.community_a, start=date(2026, 3, 9))["backlog"] == 3
    assert done["weekly"].created == 7
    assert DisputeReport.objects.filter(kind="weekly", period_start=MONDAY).count() == 7


def test_the_pages_render_in_chinese(setup, compiled, make_user, client):
    reports.submit_report(
        compiled, actor=make_user(perms=REPORTERS, scope=[setup.tree.community_a]), now=TUESDAY_12
    )
    township = DisputeReport.objects.get(region=setup.tree.township_a, kind="daily")
    user = make_user(perms=REPORTERS, scope=[setup.tree.township_a])
    client.force_login(user)

    listing = client.get("/disputes/reports/?kind=daily")
    page = client.get(f"/disputes/reports/{township.pk}/")

    assert listing.status_code == 200
    text = listing.content.decode()
    assert "甲社区" in text and "甲街道" in text and "乙街道" not in text
    assert "待上报" in text and "已上报" in text
    assert page.status_code == 200
    html = page.content.decode()
    for words in ("甲街道矛盾纠纷日报告", "邻里", "征地拆迁", "重大", "可能越级上访", "调解不成"):
        assert words in html, words
    assert "征地补偿纠纷" in html
    assert "张三" not in html and "李四" not in html
    assert 'id="submit-form"' in html
    assert "下级报告汇总" in html and "已上报 1 / 1 份" in html

    client.force_login(make_user(perms=["disputes.view_dispute"], scope=[setup.tree.county_a]))
    assert client.get(f"/disputes/reports/{township.pk}/").status_code == 403
    assert client.get("/disputes/reports/").status_code == 403
    client.force_login(user)
    out = client.get(
        f"/disputes/reports/{DisputeReport.objects.get(region=setup.tree.township_b).pk}/"
    )
    assert out.status_code == 404


def test_the_submit_button_posts_and_a_second_time_says_why(setup, compiled, make_user, client):
    client.force_login(make_user(perms=REPORTERS, scope=[setup.tree.community_a]))

    first = client.post(f"/disputes/reports/{compiled.pk}/submit/", follow=True)
    second = client.post(f"/disputes/reports/{compiled.pk}/submit/", follow=True)

    assert "报告已上报" in first.content.decode()
    assert "未能上报：该报告已上报，不能重复上报" in second.content.decode()
    assert 'id="submit-form"' not in second.content.decode()


def test_the_command_refuses_a_bad_date_in_chinese(setup):
    with pytest.raises(CommandError, match="日期格式应为 YYYY-MM-DD"):
        call_command("compile_dispute_reports", "--date", "2026-13-01")
    with pytest.raises(CommandError, match="周报告的起始日期须为星期一"):
        call_command("compile_dispute_reports", "--kind", "weekly", "--date", "2026-03-03")
    assert not DisputeReport.objects.exists()


def test_the_task_runs_the_periodic_compile(setup, scene):
    done = tasks.compile_dispute_reports.call()

    # Whatever today is, March's open disputes are still open: both communities file.
    assert done["daily"] == {"created": 7, "updated": 0, "unchanged": 0, "submitted": 0}
    assert done["weekly"]["created"] == 7
    again = tasks.compile_dispute_reports.call()
    assert again["daily"] == {"created": 0, "updated": 0, "unchanged": 7, "submitted": 0}


def test_the_list_filters_by_status_kind_and_level(setup, compiled, make_user, client):
    reports.submit_report(
        compiled, actor=make_user(perms=REPORTERS, scope=[setup.tree.community_a]), now=TUESDAY_12
    )
    township = DisputeReport.objects.get(region=setup.tree.township_a, kind="daily")
    client.force_login(make_user(perms=REPORTERS, scope=[setup.tree.county_a]))

    def listed(query: str) -> set[int]:
        html = client.get(f"/disputes/reports/?{query}").content.decode()
        return {r.pk for r in DisputeReport.objects.all() if f"/disputes/reports/{r.pk}/" in html}

    assert listed("status=submitted") == {compiled.pk}
    assert listed("status=compiled&level=township") == {township.pk}
    assert listed("kind=weekly") == set()
    assert listed("within=330101001001") == {compiled.pk}
    # County A's community, township and county; county B's and the city's are outside.
    assert len(listed("")) == 3
