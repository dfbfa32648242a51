"""Territory rules: hierarchical codes, levels, boundaries and derived geometry."""

import pytest
from django.core.exceptions import ValidationError

from citygrid.core import records
from citygrid.core.models import VersionStamp
from citygrid.core.testing import square
from citygrid.regions.models import Region
from citygrid.regions.models.regions import GEOMETRY_STAMP

pytestmark = pytest.mark.django_db


def errors_of(region: Region) -> dict:
    with pytest.raises(ValidationError) as info:
        region.full_clean()
    return info.value.message_dict


def test_child_code_must_extend_parent_code(tree):
    region = Region(parent=tree.community_a, level="grid", code="330102001001005", name="x")
    assert errors_of(region) == {"code": ["区划代码必须以上级区域代码 330101001001 开头"]}


@pytest.mark.parametrize(
    ("level", "code", "message"),
    [
        ("grid", "33010100100100", "网格的区划代码应为15位数字"),
        ("grid", "33010100100100A", "网格的区划代码应为15位数字"),
        ("community", "3301010010010", "社区/村的区划代码应为12位数字"),
    ],
)
def test_code_length_and_digits_per_level(tree, level, code, message):
    parent = tree.community_a if level == "grid" else tree.township_a
    assert errors_of(Region(parent=parent, level=level, code=code, name="x"))["code"] == [message]


def test_parent_must_be_the_level_directly_above(tree):
    region = Region(parent=tree.township_a, level="grid", code="330101001001005", name="x")
    assert errors_of(region) == {"parent": ["网格的上级必须是社区/村"]}


def test_city_has_no_parent_and_others_need_one(tree):
    assert errors_of(Region(parent=tree.city, level="city", code="3302", name="x")) == {
        "parent": ["市级区域不能有上级区域"]
    }
    assert errors_of(Region(level="county", code="330105", name="x")) == {
        "parent": ["区县必须选择上级区域"]
    }


def test_codes_are_unique(tree):
    region = Region(parent=tree.community_a, level="grid", code=tree.grid_a1.code, name="x")
    assert "code" in errors_of(region)


def test_boundary_derives_area_bbox_and_centre(tree):
    grid = tree.grid_a1
    assert (grid.bbox_min_lng, grid.bbox_min_lat) == pytest.approx((120.0, 30.0))
    assert (grid.bbox_max_lng, grid.bbox_max_lat) == pytest.approx((120.01, 30.01))
    # 0.01° × 0.01° at 30°N: ≈ 964 m × 1109 m.
    assert grid.area_m2 == pytest.approx(1_068_800, rel=0.005)
    assert grid.bbox_min_lng < grid.center_lng < grid.bbox_max_lng


def test_wkt_boundary_is_stored_as_geojson(tree):
    region = Region(
        parent=tree.community_a,
        level="grid",
        code="330101001001007",
        name="x",
        boundary="POLYGON ((120 30, 120.01 30, 120.01 30.01, 120 30))",
    )
    region.full_clean()
    assert region.boundary["type"] == "Polygon"


@pytest.mark.parametrize(
    ("boundary", "message"),
    [
        ("POLYGON ((0 0, 1 1, 1 0, 0 1, 0 0))", "边界自相交或不闭合"),
        ("POINT (120 30)", "边界必须是面（Polygon/MultiPolygon），而不是 Point"),
        ("not a shape", "边界格式无法识别，请使用 GeoJSON 或 WKT"),
        ("POLYGON ((500 30, 501 30, 501 31, 500 30))", "边界坐标超出经纬度范围"),
    ],
)
def test_bad_boundaries_are_refused_with_a_clear_message(tree, boundary, message):
    region = Region(
        parent=tree.community_a, level="grid", code="330101001001007", name="x", boundary=boundary
    )
    assert errors_of(region)["boundary"][0].startswith(message)


def test_grid_geometry_changes_bump_the_stamp(tree):
    before = VersionStamp.read(GEOMETRY_STAMP)
    grid = Region.objects.get(pk=tree.grid_a1.pk)
    grid.name = "只改名称"
    records.save_record(grid, actor=None)
    assert VersionStamp.read(GEOMETRY_STAMP) == before
    grid.boundary = square(120.0, 30.0, 0.02)
    records.save_record(grid, actor=None)
    assert VersionStamp.read(GEOMETRY_STAMP) == before + 1
    records.delete_record(Region.objects.get(pk=tree.grid_a2.pk), actor=None)
    assert VersionStamp.read(GEOMETRY_STAMP) == before + 2


def test_ancestors_and_full_name(tree):
    assert tree.grid_a1.ancestors() == [tree.city, tree.county_a, tree.township_a, tree.community_a]
    assert tree.grid_a1.full_name() == "测试市甲区甲街道甲社区甲一网格"


def test_deleting_a_region_with_children_is_refused(client, tree, make_user):
    client.force_login(make_user(superuser=True))
    response = client.post(f"/territory/regions/{tree.community_a.pk}/delete/", follow=True)
    assert "无法删除“甲社区”：仍有关联记录" in response.content.decode()
    assert Region.objects.filter(pk=tree.community_a.pk).exists()


def test_code_and_level_cannot_be_rewritten(tree):
    grid = Region.objects.get(pk=tree.grid_a2.pk)
    grid.code = "330101001001009"
    message = "区划代码和层级创建后不能修改；区划调整请新建区域并停用旧区域"
    assert errors_of(grid)["code"] == [message]


def test_user_scoped_to_a_grid_can_edit_its_introduction(client, tree, make_user):
    client.force_login(
        make_user(perms=["regions.view_region", "regions.change_region"], scope=[tree.grid_a1])
    )
    response = client.post(
        f"/territory/regions/{tree.grid_a1.pk}/edit/",
        {
            "name": "甲一网格",
            "kind": "basic",
            "introduction": "东至河，西至路",
        },
    )
    assert response.status_code == 302, response.context["form"].errors
    grid = Region.objects.get(pk=tree.grid_a1.pk)
    assert grid.introduction == "东至河，西至路"
    assert grid.code == "330101001001001" and grid.parent == tree.community_a
