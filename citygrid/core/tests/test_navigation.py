"""Modules not built yet are grouped under one entry and shown only to the roles that will use
them, and to administrators (issue 12, item 9)."""

import re

import pytest

from citygrid.accounts import roles
from citygrid.accounts.models import User
from citygrid.core.navigation import WIP_GROUP, WIP_ITEMS, WIP_MODULES

pytestmark = pytest.mark.django_db

ALL_WIP = {item.label for item in WIP_ITEMS}


def wip_menu(client, user) -> set[str]:
    """The labels under "更多（建设中）" in the page's menu; empty when the entry is absent."""
    client.force_login(user)
    html = client.get("/").content.decode()
    nav = html[html.index('id="main-nav"') :]
    nav = nav[: nav.index("</ul>")]
    if WIP_GROUP not in nav:
        return set()
    assert nav.count(WIP_GROUP) == 1
    block = nav[nav.index(WIP_GROUP) :]
    block = block[: block.index("</li>")]
    return set(re.findall(r'href="/core/wip/[^"]+/">([^<]+?) <span', block))


@pytest.fixture
def as_role(tree):
    default = roles.ensure_default_roles()

    def make(name):
        user = User.objects.create_user(username=f"u{len(User.objects.all())}", password="x")
        user.roles.add(default[name])
        user.scope_regions.add(tree.county_a)
        return user

    return make


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        (roles.DEPARTMENT_HANDLER, set()),
        (roles.CITY_LEADER, set()),
        (roles.INSPECTOR, {"社情民意"}),
        (roles.GRID_WORKER, {"社会治安", "社情民意"}),
        (roles.COUNTY_DISPATCHER, {"视频监控", "社情民意"}),
        (
            roles.POLITICAL_LEGAL_OFFICER,
            {"社会治安", "综治台账", "护路护线", "校园安全"},
        ),
        (roles.SYSTEM_ADMIN, ALL_WIP),
    ],
)
def test_modules_under_construction_show_to_the_roles_that_will_use_them(
    client, as_role, role, expected
):
    assert wip_menu(client, as_role(role)) == expected


def test_superusers_see_every_module_under_one_entry(client, make_user):
    html_user = make_user(superuser=True)
    assert (
        wip_menu(client, html_user)
        == ALL_WIP
        == {
            "社会治安",
            "综治台账",
            "视频监控",
            "护路护线",
            "校园安全",
            "社情民意",
        }
    )
    html = client.get("/").content.decode()
    nav = html[html.index('id="main-nav"') :]
    # No longer nine top-level groups of one placeholder each.
    top_level = re.findall(r'<span class="nav-link-title">([^<]+)</span>', nav)
    assert "视频监控" not in top_level and "社情民意" not in top_level
    assert top_level[-1] == WIP_GROUP


def test_the_placeholder_pages_still_say_what_is_coming(client, make_user):
    client.force_login(make_user())
    assert set(WIP_MODULES) == {item.wip for item in WIP_ITEMS}
    page = client.get("/core/wip/video/").content.decode()
    assert "视频监控 · 视频资源" in page and "尚未上线" in page
