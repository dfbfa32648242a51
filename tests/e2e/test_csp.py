"""The Content Security Policy holds on the real pages: Chromium reports no blocked script,
style or image, and what used to be an inline handler (a confirm before generating houses)
still works from a file."""

import pytest
from playwright.sync_api import expect

from citygrid.housing.models import House
from citygrid.housing.tests import factories as f

pytestmark = pytest.mark.browser

PAGES = (
    "/",
    "/cases/desk/",
    "/cases/map/",
    "/territory/map/",
    "/statistics/",
    "/statistics/population/",
    "/statistics/population/map/",
    "/api/docs/",
    "/m/",
    "/portal/",
)


@pytest.fixture
def seeded(transactional_db):
    from citygrid.core import writeguard
    from citygrid.core.models import Dictionary, DictItem
    from citygrid.core.seeds import seed_dictionaries

    # Restoring what the migration seeded (the statistics pages label by the code tables).
    with writeguard.unlogged():
        seed_dictionaries(Dictionary, DictItem)


def test_pages_run_under_the_policy_without_violations(page_as, make_user, tree, seeded):
    building = f.building(tree.grid_a1, floors=2, entrances=1, houses_per_floor=1)
    admin = make_user(superuser=True)
    page = page_as(admin)
    blocked = []
    page.on(
        "console",
        lambda message: (
            blocked.append(f"{page.url}: {message.text}")
            if "Content Security Policy" in message.text
            else None
        ),
    )
    for path in (*PAGES, f"/housing/buildings/{building.pk}/"):
        response = page.goto(path)
        assert response.status == 200, path
        # Directives in any order (django-csp does not fix one): compare them as a mapping.
        header = response.headers["content-security-policy"]
        policy = dict(d.strip().split(" ", 1) for d in header.split(";") if d.strip())
        assert policy["script-src"] == "'self'" and policy["object-src"] == "'none'"
        page.wait_for_load_state("networkidle")
    assert blocked == []

    # The house generator asks first; declining sends nothing.
    page.goto(f"/housing/buildings/{building.pk}/")
    questions = []

    def decline(dialog):
        questions.append(dialog.message)
        dialog.dismiss()

    page.once("dialog", decline)
    page.get_by_role("button", name="批量生成房屋").click()
    expect(page.locator("body")).to_be_visible()
    assert questions and "生成尚未登记的房屋" in questions[0]
    assert not House.objects.filter(building=building).exists()
