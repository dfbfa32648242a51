"""The monthly report: a community's figures, the roll-up of submitted reports, the freeze,
and who may do what."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from citygrid.core import records
from citygrid.core.errors import ActionError
from citygrid.neworgs import reports
from citygrid.neworgs.models import MonthlyReport, NewOrganisation, OrgBranch
from citygrid.neworgs.models.reports import ReportState
from citygrid.regions.models import Region

pytestmark = pytest.mark.django_db

SUBMIT = ["neworgs.view_monthlyreport", "neworgs.submit_monthlyreport"]


def org(region, kind="enterprise", *, staff=0, employees=0, branches=(), closed=False):
    organisation = NewOrganisation(
        region=region,
        name=f"组织{NewOrganisation.objects.count() + 1}",
        kind=kind,
        head_name="张三",
        full_time_staff=staff,
        employees=employees,
        closed_on=timezone.localdate() if closed else None,
    )
    records.save_record(organisation, actor=None)
    for branch in branches:
        records.save_record(OrgBranch(organisation=organisation, kind=branch), actor=None)
    return organisation


def close(organisation):
    organisation.closed_on = timezone.localdate()
    records.save_record(organisation, actor=None)


def region(parent, level, code, name):
    made = Region(parent=parent, level=level, code=code, name=name)
    made.save()
    return made


@pytest.fixture
def this_month():
    return timezone.localdate().replace(day=1)


@pytest.fixture
def community_a2(tree):
    return region(tree.township_a, "community", "330101001002", "甲二社区")


def line(report, kind):
    return report.lines.get(kind=kind)


def figures(report, kind):
    found = line(report, kind)
    return {name: getattr(found, name) for name in reports.FIGURES}


def test_a_community_counts_its_subtree_per_kind(tree, make_user, this_month):
    group = region(tree.community_a, "village_group", "330101001001901", "一组")
    org(tree.community_a, staff=2, employees=10, branches=["party", "union"])
    org(tree.grid_a1, staff=1, employees=5, branches=["party"])
    org(group, employees=3)
    org(tree.grid_a2, staff=7, employees=70, branches=["party"], closed=True)
    org(tree.community_a, "social_group", staff=1, employees=4, branches=["women"])
    org(tree.community_b, staff=9, employees=99)  # another township's: not counted
    user = make_user(SUBMIT, scope=[tree.community_a])

    report = reports.generate_report(tree.community_a, this_month, actor=user)

    assert figures(report, "enterprise") == {
        "total": 3,
        "new": 4,  # the one closed this month was new this month too
        "closed": 1,
        "full_time_staff": 3,
        "employees": 18,
        "with_party": 2,
        "with_union": 1,
        "with_youth_league": 0,
        "with_women": 0,
        "with_comprehensive_office": 0,
    }
    assert figures(report, "social_group")["total"] == 1
    assert figures(report, "social_group")["with_women"] == 1
    assert figures(report, "foundation") == dict.fromkeys(reports.FIGURES, 0)
    assert report.state == ReportState.DRAFT
    assert report.window_start == reports.first_instant(this_month)


def test_the_count_is_a_fixed_number_of_queries(tree, django_assert_num_queries):
    for _ in range(3):
        org(tree.grid_a1, branches=["party"])
    start = timezone.now() - timedelta(days=1)
    with django_assert_num_queries(2):  # organisations, closures (content type cached)
        reports.count_community(tree.community_a, start, timezone.now())


def test_a_submitted_month_is_frozen_and_later_edits_go_to_the_next(tree, make_user, this_month):
    kept, to_close = org(tree.grid_a1), org(tree.grid_a1)
    user = make_user(SUBMIT, scope=[tree.community_a])
    first = reports.generate_report(tree.community_a, this_month, actor=user)
    reports.submit_report(first, actor=user)

    close(to_close)
    late = org(tree.grid_a2)

    first.refresh_from_db()
    assert figures(first, "enterprise")["total"] == 2
    assert figures(first, "enterprise")["new"] == 2
    assert figures(first, "enterprise")["closed"] == 0
    with pytest.raises(ActionError) as refused:
        reports.generate_report(tree.community_a, this_month, actor=user)
    assert refused.value.code == "frozen"
    stored = MonthlyReport.objects.get(pk=first.pk)
    stored.submitted_at = None
    with pytest.raises(ValidationError):
        records.save_record(stored, actor=user)

    following = reports.next_month(this_month)
    later = reports.first_instant(following) + timedelta(days=1)
    second = reports.generate_report(tree.community_a, following, actor=user, now=later)
    assert second.window_start == MonthlyReport.objects.get(pk=first.pk).generated_at
    assert figures(second, "enterprise")["total"] == 2  # kept and late
    assert figures(second, "enterprise")["new"] == 1  # late only
    assert figures(second, "enterprise")["closed"] == 1  # closed after March went up
    assert kept.pk != late.pk


def test_a_future_month_or_a_day_other_than_the_first_is_refused(tree, make_user, this_month):
    user = make_user(SUBMIT, scope=[tree.community_a])
    for month, code in (
        (reports.next_month(this_month), "future_month"),
        (this_month.replace(day=2), "invalid_month"),
    ):
        with pytest.raises(ActionError) as refused:
            reports.generate_report(tree.community_a, month, actor=user)
        assert refused.value.code == code
    assert not MonthlyReport.objects.exists()


def _submitted(community, month, user):
    report = reports.generate_report(community, month, actor=user)
    return reports.submit_report(report, actor=user)


def test_a_township_sums_its_submitted_children_only(tree, community_a2, make_user, this_month):
    org(tree.grid_a1, staff=2, employees=10, branches=["party"])
    org(tree.grid_a1, "foundation", employees=1)
    org(community_a2, staff=3, employees=30, branches=["party", "union"])
    org(community_a2, staff=5, employees=50)
    org(tree.community_b, staff=100)
    first = make_user(SUBMIT, scope=[tree.community_a])
    second = make_user(SUBMIT, scope=[community_a2])
    township = make_user(SUBMIT, scope=[tree.township_a])
    _submitted(tree.community_a, this_month, first)
    reports.generate_report(community_a2, this_month, actor=second)  # a draft: not counted

    report = reports.generate_report(tree.township_a, this_month, actor=township)

    assert figures(report, "enterprise")["total"] == 1
    assert figures(report, "enterprise")["full_time_staff"] == 2
    assert figures(report, "foundation")["total"] == 1
    assert [r.name for r in reports.missing(tree.township_a, this_month)] == ["甲二社区"]
    with pytest.raises(ActionError) as refused:
        reports.submit_report(report, actor=township)
    assert refused.value.code == "children_missing"
    assert "甲二社区" in refused.value.message

    _submitted(community_a2, this_month, second)
    with pytest.raises(ActionError) as refused:
        reports.submit_report(report, actor=township)
    assert refused.value.code == "stale"

    report = reports.generate_report(tree.township_a, this_month, actor=township)
    assert figures(report, "enterprise") == {
        "total": 3,
        "new": 3,
        "closed": 0,
        "full_time_staff": 10,
        "employees": 90,
        "with_party": 2,
        "with_union": 1,
        "with_youth_league": 0,
        "with_women": 0,
        "with_comprehensive_office": 0,
    }
    reports.submit_report(report, actor=township)
    county = make_user(SUBMIT, scope=[tree.county_a])
    rolled = reports.generate_report(tree.county_a, this_month, actor=county)
    assert figures(rolled, "enterprise")["employees"] == 90


def test_the_roll_up_is_one_query(
    tree, community_a2, make_user, this_month, django_assert_num_queries
):
    user = make_user(SUBMIT, scope=[tree.township_a])
    org(tree.grid_a1)
    org(community_a2)
    _submitted(tree.community_a, this_month, user)
    _submitted(community_a2, this_month, user)
    with django_assert_num_queries(1):
        summed = reports.roll_up(tree.township_a, this_month)
    assert summed["enterprise"]["total"] == 2


def test_nobody_files_for_a_region_outside_their_territory(tree, make_user, this_month):
    other = make_user(SUBMIT, scope=[tree.county_b])
    viewer = make_user(["neworgs.view_monthlyreport"], scope=[tree.community_a])
    with pytest.raises(ActionError) as refused:
        reports.generate_report(tree.community_a, this_month, actor=other)
    assert refused.value.status == 404
    with pytest.raises(ActionError) as refused:
        reports.generate_report(tree.community_a, this_month, actor=viewer)
    assert refused.value.code == "permission_denied"
    assert not MonthlyReport.objects.exists()


def test_the_level_above_returns_a_report_and_it_is_filed_again(tree, make_user, this_month):
    org(tree.grid_a1)
    community = make_user(SUBMIT, scope=[tree.community_a])
    township = make_user(SUBMIT, scope=[tree.township_a])
    report = _submitted(tree.community_a, this_month, community)

    with pytest.raises(ActionError) as refused:
        reports.return_report(report, actor=community, reason="数据有误")
    assert refused.value.code == "not_above"
    with pytest.raises(ActionError) as refused:
        reports.return_report(report, actor=township, reason=" ")
    assert refused.value.code == "reason_required"
    assert MonthlyReport.objects.get(pk=report.pk).state == ReportState.SUBMITTED

    returned = reports.return_report(report, actor=township, reason="从业人员数有误")
    assert (returned.state, returned.return_reason) == (ReportState.RETURNED, "从业人员数有误")
    with pytest.raises(ActionError) as refused:
        reports.submit_report(returned, actor=community)
    assert refused.value.code == "returned"
    again = reports.generate_report(tree.community_a, this_month, actor=community)
    assert (again.state, again.return_reason) == (ReportState.DRAFT, "")
    assert reports.submit_report(again, actor=community).state == ReportState.SUBMITTED
