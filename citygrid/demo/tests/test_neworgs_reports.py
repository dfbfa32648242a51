"""The demo monthly reports: three months, submitted and missing ones, townships rolled up,
the same from the same seed."""

import random
from datetime import datetime

import pytest
from django.utils import timezone

from citygrid.core import records
from citygrid.demo.neworgs_reports import generate_demo_monthly_reports
from citygrid.neworgs.models import MonthlyReport, MonthlyReportLine, NewOrganisation
from citygrid.neworgs.models.reports import ReportState
from citygrid.regions.models import Region

pytestmark = pytest.mark.django_db

NOW = timezone.make_aware(datetime(2026, 12, 10, 9))


@pytest.fixture
def territory(tree, make_user):
    extra = Region(parent=tree.township_a, level="community", code="330101001002", name="甲二社区")
    extra.save()
    for place in (tree.grid_a1, tree.grid_a2, extra, tree.grid_b1):
        organisation = NewOrganisation(
            region=place, name=f"{place.name}企业", kind="enterprise", head_name="张三", employees=5
        )
        records.save_record(organisation, actor=None)
    return make_user(superuser=True)


def snapshot():
    return sorted(
        MonthlyReport.objects.values_list("region__code", "month", "state", "generated_at")
    )


def test_three_months_with_submitted_missing_and_rolled_up_reports(territory, tree):
    result = generate_demo_monthly_reports(
        random.Random(3), now=NOW, missing_share=0.3, draft_share=0.0
    )

    assert [f"{m:%Y-%m}" for m in result.months] == ["2026-09", "2026-10", "2026-11"]
    states = dict(((code, f"{month:%m}"), state) for code, month, state, _ in snapshot())
    assert result.missing >= 1
    for month in ("09", "10", "11"):
        submitted = [
            states.get((c, month)) == ReportState.SUBMITTED
            for c in ("330101001001", "330101001002")
        ]
        township = states.get(("330101001", month))
        # A township submits exactly when all its communities have.
        assert (township == ReportState.SUBMITTED) == all(submitted)
    full = MonthlyReport.objects.filter(region=tree.township_b, state=ReportState.SUBMITTED).first()
    if full is not None:
        assert MonthlyReportLine.objects.get(report=full, kind="enterprise").total == 1


def test_the_same_seed_gives_the_same_reports(territory):
    generate_demo_monthly_reports(random.Random(5), now=NOW)
    first = snapshot()
    MonthlyReport.objects.all().delete()
    generate_demo_monthly_reports(random.Random(5), now=NOW)
    assert snapshot() == first
