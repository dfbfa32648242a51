"""The five-level organisation system: 市 → 区县 → 乡镇 → 村居 → 村小组. A villager group is a node
below a community beside its grids; a community user sees and manages their level and below."""

import pytest
from django.core.exceptions import ValidationError

from citygrid.core import records
from citygrid.regions.models import Region

pytestmark = pytest.mark.django_db


def group(parent: Region, code: str, name: str) -> Region:
    region = Region(parent=parent, level="village_group", code=code, name=name)
    records.save_record(region, actor=None)
    return region


@pytest.fixture
def groups(tree):
    return (
        group(tree.community_a, "330101001001901", "甲社区第一村民小组"),
        group(tree.community_b, "330102001001901", "乙社区第一村民小组"),
    )


def test_a_villager_group_sits_below_a_community_and_not_below_a_grid(tree):
    region = Region(parent=tree.grid_a1, level="village_group", code="330101001001902", name="x")
    with pytest.raises(ValidationError) as info:
        region.full_clean()
    assert info.value.message_dict["parent"] == ["村小组的上级必须是社区/村"]


def test_a_community_user_sees_their_level_and_below_and_nothing_beside_or_above(
    client, tree, groups, make_user
):
    own, beside = groups
    client.force_login(make_user(perms=["regions.view_region"], scope=[tree.community_a]))
    listed = client.get("/territory/regions/", {"per_page": 100}).content.decode()
    for name in ("甲社区", "甲一网格", "甲二网格", own.name):
        assert name in listed
    for name in (beside.name, "乙社区", "测试市"):
        assert name not in listed
    # The township is named as the community's parent, but is no row of its own.
    assert "街道/乡镇</span>" not in listed and "区县</span>" not in listed
    assert client.get(f"/territory/regions/{own.pk}/").status_code == 200
    for region in (beside, tree.township_a, tree.community_b):
        assert client.get(f"/territory/regions/{region.pk}/").status_code == 404


def test_a_community_user_manages_their_villager_groups_only(client, tree, groups, make_user):
    own, beside = groups
    perms = ["regions.view_region", "regions.change_region"]
    client.force_login(make_user(perms=perms, scope=[tree.community_a]))
    response = client.post(
        f"/territory/regions/{own.pk}/edit/", {"name": "甲社区第一组", "introduction": "十二户"}
    )
    assert response.status_code == 302, response.context["form"].errors
    assert Region.objects.get(pk=own.pk).name == "甲社区第一组"
    response = client.post(f"/territory/regions/{beside.pk}/edit/", {"name": "改名"})
    assert response.status_code == 404
    assert Region.objects.get(pk=beside.pk).name == "乙社区第一村民小组"
