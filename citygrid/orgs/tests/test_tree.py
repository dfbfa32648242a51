import pytest

from citygrid.orgs import mirror
from citygrid.orgs import tree as teams_tree
from citygrid.orgs.choices import StaffSource, UnitKind
from citygrid.orgs.models import OrgUnit, Staff

pytestmark = pytest.mark.django_db


def counts(units):
    return {n.unit.code: (n.own, n.total) for n in teams_tree.nodes(units)}


def test_mirrors_regions_departments_and_workers(teams):
    kinds = dict(OrgUnit.objects.values_list("code", "kind"))
    assert kinds["3301"] == UnitKind.COMMAND_CENTRE
    assert kinds["330101"] == UnitKind.SUB_CENTRE
    assert kinds["330101001001"] == UnitKind.WORK_STATION
    assert kinds["330101001001001"] == UnitKind.SERVICE_TEAM
    assert kinds["BM-CG01"] == UnitKind.DEPARTMENT
    assert teams["BM-CG01"].parent == teams["330101"]
    assert teams["330101001001001"].parent == teams["330101001001"]
    assert Staff.objects.filter(source=StaffSource.GRID_WORKER).count() == 4
    handler = Staff.objects.get(source=StaffSource.DEPARTMENT)
    assert (handler.name, handler.unit) == ("韩处置", teams["BM-CG01"])


def test_ensure_units_is_idempotent_and_follows_new_regions(teams, tree):
    from citygrid.regions.models import Region

    assert not mirror.out_of_date()
    assert mirror.ensure_units() == 0
    Region.objects.create(
        parent=tree.community_a, level="grid", code="330101001001003", name="甲三网格"
    )
    assert mirror.out_of_date()
    assert mirror.ensure_units() == 1
    team = OrgUnit.objects.get(code="330101001001003")
    assert (team.parent, team.name) == (teams["330101001001"], "甲三网格服务团队")


def test_head_counts_own_and_subtree(teams):
    """Hand-computed from the fixture's docstring."""
    assert counts([teams["3301"]]) == {"3301": (1, 7)}
    children = {n.unit.code: (n.own, n.total) for n in teams_tree.children(teams["3301"])}
    assert children == {"330101": (1, 5), "330102": (0, 1)}
    county_a = {n.unit.code: (n.own, n.total) for n in teams_tree.children(teams["330101"])}
    assert county_a == {"330101001": (0, 2), "BM-CG01": (1, 1), "JQ-CG": (1, 1)}
    teams_a = {n.unit.code: (n.own, n.total) for n in teams_tree.children(teams["330101001001"])}
    assert teams_a == {"330101001001001": (1, 1), "330101001001002": (1, 1)}


def test_head_counts_are_a_fixed_number_of_queries(teams, django_assert_max_num_queries):
    with django_assert_max_num_queries(5):
        teams_tree.children(teams["330101001001"])


def test_subtree_counts_are_cached_until_a_member_changes(teams):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from citygrid.core import records

    city = teams["3301"]

    def grouped_by_path() -> bool:
        with CaptureQueriesContext(connection) as queries:
            assert teams_tree.branch(city)[0].total == 7
        return any("SUBSTR" in q["sql"].upper() for q in queries.captured_queries)

    assert grouped_by_path()
    assert not grouped_by_path()  # the second time the subtree counts come from the cache
    member = Staff(unit=teams["330102"], name="新成员", post="干事")
    records.save_record(member, actor=None)
    assert teams_tree.branch(city)[0].total == 8  # shown at once, not after the cache expires
    records.delete_record(member, actor=None)
    assert teams_tree.branch(city)[0].total == 7


def test_roots_start_at_the_users_scope(teams, tree, make_user):
    county = make_user(perms=["orgs.view_orgunit"], scope=[tree.county_a])
    assert [u.code for u in teams_tree.roots(county)] == ["330101"]
    city = make_user(superuser=True)
    assert [u.code for u in teams_tree.roots(city)] == ["3301"]


def test_a_moved_grid_worker_follows_to_the_new_team(teams, tree):
    from citygrid.core import records
    from citygrid.regions.models import GridWorker

    worker = GridWorker.objects.get(name="赵网格")
    worker.region = tree.grid_a1
    records.save_record(worker, actor=None)
    assert mirror.out_of_date()
    mirror.ensure_units()
    assert Staff.objects.get(grid_worker=worker).unit == teams["330101001001001"]


def test_a_unit_cannot_sit_outside_its_parents_region(teams, tree):
    from django.core.exceptions import ValidationError

    from citygrid.core import records

    unit = OrgUnit(
        parent=teams["330101"], kind="other", code="X1", name="越界单位", region=tree.county_b
    )
    with pytest.raises(ValidationError) as exc:
        records.save_record(unit, actor=None)
    assert "上级单位的区域" in str(exc.value)


def test_a_worker_off_post_leaves_the_head_count(teams):
    from citygrid.core import records
    from citygrid.regions.models import GridWorker

    worker = GridWorker.objects.get(name="王网格")
    worker.active = False
    records.save_record(worker, actor=None)
    assert mirror.out_of_date()
    mirror.ensure_units()
    assert counts([teams["330101001001001"]]) == {"330101001001001": (0, 0)}
    assert teams_tree.branch(teams["3301"])[0].total == 6
