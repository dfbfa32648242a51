import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from citygrid.accounts.models import Role
from citygrid.core.errors import ActionError
from citygrid.core.models import ObjectChange
from citygrid.core.testing import logged
from citygrid.orgs import actions
from citygrid.orgs.models import OrgUnit, Staff

pytestmark = pytest.mark.django_db

OFFICER = ["orgs.view_orgunit", "orgs.view_staff", "orgs.add_staff", "orgs.change_staff"]


def role(name, *perms, view_sensitive=False):
    r = Role.objects.create(name=name, view_sensitive=view_sensitive)
    for perm in perms:
        app, codename = perm.split(".")
        r.permissions.add(Permission.objects.get(content_type__app_label=app, codename=codename))
    return r


@pytest.fixture
def officer(tree, make_user):
    """A county-A officer who may grant: holds the tree and staff permissions, nothing else."""
    return make_user(perms=[*OFFICER, "orgs.grant_staff"], scope=[tree.county_a])


@pytest.fixture
def member(teams, make_user):
    account = make_user(username="member")
    return logged(Staff, unit=teams["330101001"], name="孙成员", user=account)


def test_grant_within_own_roles_and_scope(officer, member, tree):
    viewer = role("机构查看员", "orgs.view_orgunit")
    before = ObjectChange.objects.count()
    actions.grant_access(member, actor=officer, roles=[viewer], scope_regions=[tree.township_a])
    account = member.user
    assert list(account.roles.all()) == [viewer]
    assert list(account.scope_regions.all()) == [tree.township_a]
    assert ObjectChange.objects.count() == before + 1


def test_grant_above_own_roles_is_refused(officer, member, tree):
    admin = role("用户管理员", "accounts.change_user")
    with pytest.raises(ActionError) as exc:
        actions.grant_access(member, actor=officer, roles=[admin], scope_regions=[])
    assert exc.value.code == "role_beyond_own"
    assert "用户管理员" in exc.value.message
    assert not member.user.roles.exists()


def test_grant_of_sensitive_view_needs_it_oneself(officer, member):
    sensitive = role("明文查看", "orgs.view_staff", view_sensitive=True)
    with pytest.raises(ActionError) as exc:
        actions.grant_access(member, actor=officer, roles=[sensitive], scope_regions=[])
    assert exc.value.code == "role_beyond_own"


def test_taking_away_a_role_above_own_is_refused(officer, member):
    admin = role("用户管理员", "accounts.change_user")
    member.user.roles.add(admin)
    with pytest.raises(ActionError) as exc:
        actions.grant_access(member, actor=officer, roles=[], scope_regions=[])
    assert exc.value.code == "role_beyond_own"
    assert list(member.user.roles.all()) == [admin]


def test_grant_outside_own_scope_is_refused(officer, member, tree):
    with pytest.raises(ActionError) as exc:
        actions.grant_access(member, actor=officer, roles=[], scope_regions=[tree.county_b])
    assert exc.value.code == "scope_beyond_own"
    assert "乙区" in exc.value.message
    assert not member.user.scope_regions.exists()
    # The city is above the officer's scope: refused too.
    with pytest.raises(ActionError):
        actions.grant_access(member, actor=officer, roles=[], scope_regions=[tree.city])


def test_superuser_may_grant_anything(make_user, member, tree):
    admin = role("用户管理员", "accounts.change_user")
    boss = make_user(superuser=True)
    actions.grant_access(member, actor=boss, roles=[admin], scope_regions=[tree.county_b])
    assert list(member.user.roles.all()) == [admin]


def test_grant_page_shows_the_refusal_and_changes_nothing(client, officer, member, tree):
    admin = role("用户管理员", "accounts.change_user")
    client.force_login(officer)
    url = reverse("orgs:staff_grant", args=[member.pk])
    response = client.post(url, {"roles": [admin.pk]}, follow=True)
    assert "不能授予或撤销超出您自身权限的角色：用户管理员" in response.content.decode()
    response = client.post(url, {"scope_regions": [tree.county_b.pk]}, follow=True)
    assert "不能授予或撤销您管辖范围以外的区域：乙区" in response.content.decode()
    assert not member.user.roles.exists() and not member.user.scope_regions.exists()


def test_grant_page_offers_only_grantable_roles(client, officer, member):
    role("机构查看员", "orgs.view_orgunit")
    role("用户管理员", "accounts.change_user")
    client.force_login(officer)
    page = client.get(member.get_absolute_url()).content.decode()
    assert "机构查看员" in page
    assert "用户管理员" not in page


def test_add_member_to_a_unit_out_of_scope_is_refused(officer, teams):
    with pytest.raises(ActionError) as exc:
        actions.add_staff(teams["330102"], actor=officer, name="外区人员")
    assert exc.value.code == "unit_out_of_scope"
    assert not Staff.objects.filter(name="外区人员").exists()


def test_add_and_move_member(officer, teams):
    added = actions.add_staff(teams["330101"], actor=officer, name="周新人", post="文员")
    assert added.region_code == "330101"
    actions.move_staff(added, teams["JQ-CG"], actor=officer)
    added.refresh_from_db()
    assert added.unit == teams["JQ-CG"]
    with pytest.raises(ActionError) as exc:
        actions.move_staff(added, teams["330102"], actor=officer)
    assert exc.value.code == "unit_out_of_scope"


def test_mirrored_members_move_with_their_source(officer, teams):
    worker = Staff.objects.get(name="王网格")
    with pytest.raises(ActionError) as exc:
        actions.move_staff(worker, teams["330101"], actor=officer)
    assert exc.value.code == "mirrored"


def test_county_user_never_sees_the_other_county(client, officer, teams):
    client.force_login(officer)
    page = client.get(reverse("orgs:tree")).content.decode()
    assert "甲区网格化管理分中心" in page
    assert "乙区" not in page and "测试市" not in page
    b_unit = teams["330102"]
    assert client.get(b_unit.get_absolute_url()).status_code == 404
    assert client.get(reverse("orgs:unit_children", args=[b_unit.pk])).status_code == 404
    b_member = Staff.objects.get(name="钱网格")
    assert client.get(b_member.get_absolute_url()).status_code == 404
    assert client.post(reverse("orgs:staff_grant", args=[b_member.pk])).status_code == 404
    found = client.get(reverse("orgs:tree"), {"q": "网格"}).content.decode()
    assert "王网格" in found and "钱网格" not in found


def test_children_json_has_head_counts(client, officer, teams):
    client.force_login(officer)
    data = client.get(reverse("orgs:unit_children", args=[teams["330101"].pk])).json()
    got = {c["name"]: (c["own"], c["total"], c["has_children"]) for c in data["children"]}
    assert got == {
        "甲街道网格化管理分中心": (0, 2, True),
        "甲区城管局": (1, 1, False),
        "甲区城管分中心": (1, 1, False),
    }


def test_tree_page_without_permission_is_403(client, make_user, tree):
    client.force_login(make_user(scope=[tree.county_a]))
    assert client.get(reverse("orgs:tree")).status_code == 403


def test_unit_picker_searches_own_territory_only(client, officer, teams):
    client.force_login(officer)
    found = client.get(reverse("orgs:unit_search"), {"q": "服务团队"}).json()["results"]
    assert {r["text"] for r in found} == {
        "甲一网格服务团队（330101001001001）",
        "甲二网格服务团队（330101001001002）",
    }


def test_tree_page_picks_up_a_new_region_on_its_next_check(client, officer, teams, tree):
    from django.core.cache import cache

    from citygrid.regions.models import Region

    Region.objects.create(
        parent=tree.community_a, level="grid", code="330101001001003", name="甲三网格"
    )
    cache.delete("orgs:mirror-checked")
    client.force_login(officer)
    client.get(reverse("orgs:tree"))
    assert OrgUnit.objects.filter(code="330101001001003", name="甲三网格服务团队").exists()


def test_a_members_account_is_searched_in_the_keepers_territory(client, tree, make_user):
    keeper = make_user(perms=["orgs.add_staff", "orgs.view_staff"], scope=[tree.county_a])
    inside = make_user(scope=[tree.grid_a1])
    inside.full_name = "钱网格"
    inside.save()
    outside = make_user(scope=[tree.grid_b1])
    outside.full_name = "钱乙区"
    outside.save()
    client.force_login(keeper)
    url = reverse("orgs:account_search")
    found = client.get(url, {"q": "钱"}).json()["results"]
    assert [row["text"] for row in found] == [f"钱网格（{inside.username}）"]
    # The member form holds the chosen account only, not a list of every account.
    page = client.get(reverse("orgs:staff_add")).content.decode()
    assert 'data-search-url="/teams/accounts/search/"' in page and "钱网格" not in page
    client.force_login(make_user(perms=["orgs.view_staff"], scope=[tree.county_a]))
    assert client.get(url, {"q": "钱"}).status_code == 403
