import pytest

from citygrid.core.testing import logged


@pytest.fixture
def teams(tree, make_user):
    """The teams tree of the `tree` fixture, with members whose head counts are known by hand:

    测试市 centre: 1 manual member
      甲区 sub-centre: 1 manual            甲区城管分中心 (hand-made, under 甲区): 1 manual
        甲区城管局 (department): 1 handler
        甲街道: 1 manual member *off post*
          甲社区工作站 → 甲一网格服务团队: 2 grid workers, one *off post*; 甲二网格: 1
      乙区 → 乙街道 → 乙社区 → 乙一网格服务团队: 1 grid worker
    """
    from citygrid.cases.models import Department
    from citygrid.orgs import mirror
    from citygrid.orgs.choices import UnitKind
    from citygrid.orgs.models import OrgUnit, Staff
    from citygrid.regions.models import GridWorker

    handler = make_user(username="handler")
    handler.full_name = "韩处置"
    handler.save()
    dept = logged(Department, name="甲区城管局", code="CG01", region=tree.county_a)
    dept.members.add(handler)
    for grid, name, phone, active in (
        (tree.grid_a1, "王网格", "13800000001", True),
        (tree.grid_a1, "李离岗", "13800000002", False),
        (tree.grid_a2, "赵网格", "13800000003", True),
        (tree.grid_b1, "钱网格", "13800000004", True),
    ):
        logged(GridWorker, region=grid, name=name, phone=phone, active=active)
    mirror.ensure_units()
    unit = {u.code: u for u in OrgUnit.objects.all()}
    sub = logged(
        OrgUnit,
        parent=unit["330101"],
        kind=UnitKind.SUB_CENTRE,
        code="JQ-CG",
        name="甲区城管分中心",
        region=tree.county_a,
    )
    unit["JQ-CG"] = sub
    for code, name, active in (
        ("3301", "市主任", True),
        ("330101", "甲区主任", True),
        ("JQ-CG", "分中心值班员", True),
        ("330101001", "街道离岗", False),
    ):
        logged(Staff, unit=unit[code], name=name, post="工作人员", active=active)
    return unit
