"""The teams tree through the real UI at 1440 px: the org chart draws, a branch of the list
expands, a name is found, a member opened and given a role the officer may grant."""

import pytest
from django.contrib.auth.models import Permission
from playwright.sync_api import expect

from citygrid.accounts.models import Role
from citygrid.orgs import mirror
from citygrid.orgs.models import Staff
from citygrid.regions.models import GridWorker
from tests.e2e.conftest import DESKTOP, log_in_page

pytestmark = pytest.mark.browser

OFFICER = ["view_orgunit", "view_staff", "add_staff", "change_staff", "grant_staff"]


@pytest.fixture
def officer(tree, make_user, server_paused):
    with server_paused:
        GridWorker.objects.create(
            region=tree.grid_a1, region_code=tree.grid_a1.code, name="王网格", phone="13800000001"
        )
        mirror.ensure_units()
        account = make_user(username="sun")
        Staff.objects.create(
            unit=mirror.OrgUnit.objects.get(code=tree.township_a.code),
            region=tree.township_a,
            region_code=tree.township_a.code,
            name="孙成员",
            post="派遣员",
            user=account,
        )
        viewer = Role.objects.create(name="机构查看员")
        viewer.permissions.add(Permission.objects.get(codename="view_orgunit"))
        user = make_user(
            perms=[f"orgs.{p}" for p in OFFICER], scope=[tree.county_a], username="officer"
        )
        user.roles.update(name="区县机构管理员")
    return user


def test_tree_search_member_and_grant(new_page, officer):
    page = new_page(viewport=DESKTOP)
    page.set_default_timeout(30000)  # the chart page loads ECharts (1 MB) on a busy machine
    page = log_in_page(page, officer)
    page.goto("/teams/")
    expect(page.locator("h2.page-title")).to_have_text("机构队伍")
    expect(page.locator("#teams-chart canvas")).to_be_visible()
    page.screenshot(path="/tmp/teams_tree.png", full_page=True)

    page.locator("#teams-list-link").click()
    page.get_by_role("button", name="展开甲街道网格化管理分中心").click()
    expect(page.locator("#teams-list", has_text="甲社区工作站")).to_be_visible()
    # Folded and unfolded again without reloading the branch.
    page.get_by_role("button", name="收起甲街道网格化管理分中心").click()
    expect(page.locator("#teams-list").get_by_text("甲社区工作站")).to_be_hidden()
    page.get_by_role("button", name="展开甲街道网格化管理分中心").click()
    expect(page.locator("#teams-list").get_by_text("甲社区工作站")).to_be_visible()
    expect(page.locator("#teams-list")).not_to_contain_text("乙区")
    page.screenshot(path="/tmp/teams_list.png", full_page=True)

    page.locator('#teams-search input[name="q"]').fill("孙成员")
    page.locator("#teams-search button").click()
    page.locator("#teams-results a", has_text="孙成员").click()
    expect(page.locator("h2.page-title")).to_contain_text("孙成员")
    expect(page.locator("#basic-info")).to_contain_text("派遣员")

    grant = page.locator("#grant-form")
    grant.get_by_label("机构查看员").check()
    grant.locator('button[type="submit"]').click()
    expect(page.locator("body")).to_contain_text("已更新孙成员的角色和管辖区域")
    expect(page.locator("#member-roles")).to_contain_text("机构查看员")
    page.screenshot(path="/tmp/teams_member.png", full_page=True)
