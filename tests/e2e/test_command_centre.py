"""The command centre's pages that are mostly JavaScript: the case map and the statistics
charts must draw, with no script error, what the server computed."""

import pytest

from citygrid.cases import actions
from citygrid.cases.intake import Report, report_case
from citygrid.cases.models import Department, DispatchRule
from citygrid.cases.testing import street_order_class
from citygrid.cases.tests.conftest import jpeg
from citygrid.notify.seeds import seed_sms_templates

pytestmark = pytest.mark.browser

VIEWER_PERMS = ["cases.view_case", "regions.view_region"]


@pytest.fixture
def two_cases(tree, make_user):
    """One case closed and one still waiting, both this month, in grid A1 and A2."""
    seed_sms_templates()
    category = street_order_class("0508", "占道施工")
    department = Department.objects.create(name="城管执法局", code="CG01", region=tree.city)
    DispatchRule.objects.create(category=category, department=department, region=tree.city)
    admin = make_user(superuser=True, username="centre")
    department.members.add(admin)
    closed = report_case(
        Report(category=category, description="占道堆放", lng=120.005, lat=30.005), actor=admin
    )
    steps = [
        ("register", {}),
        ("dispatch", {}),
        ("accept", {}),
        ("report_back", {"note": "已清理", "photos": [jpeg()]}),
        ("verify_pass", {}),
        ("close", {}),
    ]
    for name, inputs in steps:
        actions.perform(name, closed, actor=admin, inputs=inputs)
    waiting = report_case(
        Report(category=category, description="施工占道", lng=120.015, lat=30.005), actor=admin
    )
    return closed, waiting


def watch_errors(page) -> list[str]:
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    return errors


def test_statistics_page_draws_its_charts(two_cases, tree, make_user, page, log_in):
    log_in(make_user(perms=VIEWER_PERMS, scope=[tree.city]))
    errors = watch_errors(page)
    page.goto("/statistics/")
    assert page.locator('[data-kpi="registered"]').inner_text() == "1"
    assert page.locator('[data-kpi="closed"]').inner_text() == "1"
    for chart in ("#chart-regions", "#chart-trend", "#chart-satisfaction"):
        # ECharts draws into a canvas it creates inside the container.
        page.locator(f"{chart} canvas").first.wait_for()
    assert errors == []


def test_case_map_shows_the_open_cases(two_cases, tree, make_user, page, log_in):
    log_in(make_user(perms=VIEWER_PERMS, scope=[tree.city]))
    errors = watch_errors(page)
    page.goto("/cases/map/")
    page.locator('#case-map[data-count="1"]').wait_for()
    assert "显示 1 件未办结事件" in page.locator("#map-status").inner_text()
    assert errors == []
