"""The monthly report at 1440 px: a community generates and submits its report; its township
sees it submitted and the other community missing, and sends a 催报."""

import os
import re

import pytest
from playwright.sync_api import expect

from citygrid.core import records
from citygrid.neworgs.models import MonthlyReportReminder, NewOrganisation
from citygrid.notify.models import Notification
from citygrid.regions.models import Region
from tests.e2e.conftest import DESKTOP, log_in_page

pytestmark = pytest.mark.browser

FILER = ["neworgs.view_monthlyreport", "neworgs.submit_monthlyreport"]
SHOTS = os.environ.get("CITYGRID_SCREENSHOTS", "")
LATIN = re.compile(r"[A-Za-z]{3,}")


def shot(page, name: str) -> None:
    if SHOTS:
        page.screenshot(path=os.path.join(SHOTS, f"{name}.png"), full_page=True)


def no_english(page) -> None:
    """Everything the user reads is Chinese (the month field's digits aside)."""
    text = page.locator("main, .page-wrapper").first.inner_text()
    assert not LATIN.findall(text), LATIN.findall(text)


def test_a_community_submits_and_its_township_reminds_the_late_one(tree, make_user, new_page):
    late = Region(parent=tree.township_a, level="community", code="330101001002", name="甲二社区")
    late.save()
    organisation = NewOrganisation(
        region=tree.grid_a1, name="甲公司", kind="enterprise", head_name="张三", employees=12
    )
    records.save_record(organisation, actor=None)
    filer = make_user(FILER, scope=[tree.community_a], username="甲社区填报员")
    late_filer = make_user(FILER, scope=[late], username="甲二社区填报员")
    township = make_user(
        [*FILER, "neworgs.remind_monthlyreport"], scope=[tree.township_a], username="甲街道审核员"
    )

    page = log_in_page(new_page(viewport=DESKTOP), filer)
    page.goto("/neworgs/reports/")
    expect(page.locator("#report-state")).to_have_text("未生成")
    page.locator("#generate-button").click()
    expect(page.locator("#report-state")).to_have_text("草稿（待审核上报）")
    expect(page.locator("#report-lines")).to_contain_text("非公有制经济组织")
    shot(page, "neworgs_report_draft")
    no_english(page)
    page.once("dialog", lambda dialog: dialog.accept())
    page.locator("#submit-button").click()
    expect(page.locator("#report-state")).to_contain_text("已上报")
    no_english(page)

    board = log_in_page(new_page(viewport=DESKTOP), township)
    board.goto("/neworgs/reports/")
    expect(board.locator("#report-title")).to_contain_text("甲街道")
    expect(board.locator("#board-summary")).to_have_text("共 2 个，已上报 1 个，未上报 1 个")
    submitted = board.locator('tr[data-region="330101001001"]')
    expect(submitted).to_contain_text("已上报")
    missing = board.locator('tr[data-region="330101001002"]')
    expect(missing).to_contain_text("未上报")
    missing.get_by_role("button", name="催报").click()
    expect(board.locator(".alert").first).to_contain_text("已向甲二社区催报")
    shot(board, "neworgs_report_board")
    no_english(board)

    assert MonthlyReportReminder.objects.get().region == late
    assert Notification.objects.get(recipient=late_filer).title.startswith("请上报甲二社区")
