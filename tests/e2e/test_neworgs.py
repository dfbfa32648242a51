"""New organisations through the real UI at desktop width: the list filtered by kind and by
"has a party organisation", one organisation opened, a branch added from its page, and the
coverage page drilled down one level."""

import re

import pytest
from playwright.sync_api import expect

from citygrid.neworgs.models import NewOrganisation, OrgBranch
from citygrid.neworgs.tests.conftest import uscc
from tests.e2e.conftest import DESKTOP

pytestmark = pytest.mark.browser

SHOTS = "/tmp"
# Latin words a Chinese screen must not show (identifiers, English labels).
ENGLISH = re.compile(r"\b(?!PDF\b)[A-Za-z]{4,}\b")


@pytest.fixture
def orgs(tree, server_paused):
    with server_paused:
        made = []
        for n, (grid, name, kind, party) in enumerate(
            [
                (tree.grid_a1, "甲一科技有限公司", "enterprise", True),
                (tree.grid_a1, "甲一商贸有限公司", "enterprise", False),
                (tree.grid_a2, "甲二志愿者协会", "social_group", False),
            ],
            start=1,
        ):
            org = NewOrganisation.objects.create(
                region=grid, name=name, kind=kind, uscc=uscc(n), head_name="王经理"
            )
            if party:
                OrgBranch.objects.create(organisation=org, kind="party", members=5)
            made.append(org)
    return made


def _visible_text(page) -> str:
    return page.locator("main, .page-wrapper").first.inner_text()


def test_list_detail_add_branch_and_coverage(page_as, make_user, tree, orgs):
    perms = ["view_neworganisation", "change_neworganisation", "view_orgbranch"]
    perms += ["add_orgbranch", "change_orgbranch"]
    user = make_user(perms=[f"neworgs.{p}" for p in perms], scope=[tree.county_a])
    page = page_as(user)
    page.set_viewport_size(DESKTOP)

    page.goto("/neworgs/organisations/?has_branch=party")
    rows = page.locator("table tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("甲一科技有限公司")
    page.goto("/neworgs/organisations/?kind=social_group")
    expect(page.locator("table tbody tr")).to_have_count(1)
    expect(page.locator("table tbody")).to_contain_text("甲二志愿者协会")
    page.goto("/neworgs/organisations/")
    expect(page.locator("table tbody tr")).to_have_count(3)
    page.screenshot(path=f"{SHOTS}/neworgs_list.png", full_page=True)
    assert not ENGLISH.findall(_visible_text(page))

    page.get_by_role("link", name="甲一商贸有限公司").click()
    expect(page.locator("h2.page-title")).to_have_text("甲一商贸有限公司")
    expect(page.locator("#branches")).to_contain_text("尚未建立")
    page.locator("#add-branch").click()
    page.locator("select[name=kind]").select_option(label="工会")
    page.locator("input[name=head_name]").fill("李主席")
    page.locator("input[name=members]").fill("12")
    page.get_by_role("button", name="保存").click()
    expect(page.locator(".alert-success, .alert")).to_contain_text("已保存组织建设")
    page.get_by_role("link", name="甲一商贸有限公司").first.click()
    expect(page.locator("#branches")).to_contain_text("工会")
    expect(page.locator("#branches")).to_contain_text("李主席")
    page.screenshot(path=f"{SHOTS}/neworgs_detail.png", full_page=True)
    assert not ENGLISH.findall(_visible_text(page))

    page.goto("/neworgs/coverage/")
    expect(page.locator("h2.page-title")).to_contain_text("甲区")
    page.get_by_role("link", name="甲街道").click()
    page.get_by_role("link", name="甲社区").click()
    row = page.locator('tr[data-region="330101001001001"]')
    # Grid A1: 2 organisations, party in one, union in one (the branch just added).
    expect(row).to_contain_text("50.0%")
    page.screenshot(path=f"{SHOTS}/neworgs_coverage.png", full_page=True)
    assert not ENGLISH.findall(_visible_text(page))
