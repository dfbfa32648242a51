import itertools
from io import StringIO

import pytest
import shapely
from django.core.management import CommandError, call_command
from shapely.geometry import shape

from citygrid.accounts import roles
from citygrid.accounts.models import Role, User
from citygrid.core import writeguard
from citygrid.core.crypto import blind_index
from citygrid.core.validators import normalize_mobile, validate_division_code
from citygrid.demo.regions import (
    CITY_CODE,
    DEMO_PASSWORD,
    DemoSize,
    build_demo_plan,
    create_demo_accounts,
    generate_demo_city,
)
from citygrid.regions.choices import CODE_LENGTH, PARENT_LEVEL, RegionLevel, WorkerRole
from citygrid.regions.models import GridWorker, Region

SMALL = DemoSize(counties=4, townships=(2, 3), communities=(2, 3), grids=(3, 5))


@pytest.fixture(autouse=True)
def _demo_mode(settings):
    settings.DEMO_MODE = True


@pytest.fixture
def city(db) -> Region:
    return generate_demo_city(seed=11, size=SMALL).city


def _default_roles() -> dict[str, Role]:
    # Their one caller, create_demo_accounts, writes them under the demo's escape too.
    with writeguard.unlogged():
        return roles.ensure_default_roles()


def _geom(region: Region):
    return shape(region.boundary)


@pytest.mark.django_db
def test_default_generation_meets_the_minimum_sizes():
    out = StringIO()
    call_command("seed_demo", cases=0, stdout=out)
    count = {level: Region.objects.filter(level=level).count() for level in RegionLevel.values}
    assert count[RegionLevel.CITY] == 1
    assert count[RegionLevel.COUNTY] >= 3
    assert count[RegionLevel.TOWNSHIP] >= 10
    assert count[RegionLevel.COMMUNITY] >= 40
    assert 400 <= count[RegionLevel.GRID] <= 800
    assert f"网格：{count[RegionLevel.GRID]} 个" in out.getvalue()
    # Villager groups are bodies of households, not areas: they alone have no boundary.
    assert count[RegionLevel.VILLAGE_GROUP] > 0
    assert f"村小组：{count[RegionLevel.VILLAGE_GROUP]} 个" in out.getvalue()
    for region in Region.objects.exclude(level=RegionLevel.VILLAGE_GROUP):
        geom = _geom(region)
        assert geom.geom_type in ("Polygon", "MultiPolygon") and geom.is_valid, region.code
        assert region.area_m2 > 0 and region.center_lng is not None


def test_codes_extend_their_parents(city):
    for region in Region.objects.select_related("parent"):
        assert len(region.code) == CODE_LENGTH[region.level]
        validate_division_code(region.code)
        parent = region.parent
        if region.level == RegionLevel.CITY:
            assert parent is None and region.code == CITY_CODE
        else:
            assert parent.level == PARENT_LEVEL[region.level]
            assert region.code.startswith(parent.code)


def test_township_and_community_segments_follow_the_division_rules(city):
    for township in Region.objects.filter(level=RegionLevel.TOWNSHIP):
        segment = int(township.code[6:9])
        assert (1 <= segment <= 99) if township.name.endswith("街道") else (100 <= segment <= 199)
    for community in Region.objects.filter(level=RegionLevel.COMMUNITY):
        segment = int(community.code[9:12])
        assert (1 <= segment < 200) if community.name.endswith("社区") else (segment > 200)


def test_children_tile_their_parent(city):
    for parent in Region.objects.exclude(level=RegionLevel.GRID):
        children = [_geom(c) for c in Region.objects.filter(parent=parent)]
        union = shapely.union_all(children)
        whole = _geom(parent)
        assert abs(union.area - whole.area) / whole.area < 0.005, parent.code
        assert union.symmetric_difference(whole).area / whole.area < 0.005, parent.code
        overlaps = sum(a.intersection(b).area for a, b in itertools.combinations(children, 2))
        assert overlaps / whole.area < 1e-6, parent.code
    grids = [_geom(g) for g in Region.objects.filter(level=RegionLevel.GRID)]
    assert shapely.coverage_is_valid(grids)


def test_grids_are_numbered_north_to_south_then_west_to_east(city):
    for community in Region.objects.filter(level=RegionLevel.COMMUNITY):
        grids = list(Region.objects.filter(parent=community).order_by("code"))
        points = [_geom(g).representative_point() for g in grids]
        northernmost = max(range(len(grids)), key=lambda i: points[i].y)
        rows = max(1, round(len(grids) ** 0.5))
        first_row = len(grids) // rows
        assert northernmost < first_row
        xs = [p.x for p in points[:first_row]]
        assert xs == sorted(xs)
        assert grids[0].name.endswith("第1网格")


def test_same_seed_gives_the_same_city_and_another_seed_does_not():
    def fingerprint(seed: int) -> list[tuple]:
        return [
            (r.code, r.name, r.introduction, r.geometry.wkb, [vars(w) for w in r.workers])
            for r in build_demo_plan(seed, SMALL).walk()
        ]

    first = fingerprint(5)
    assert fingerprint(5) == first
    other = fingerprint(6)
    assert [r[2:4] for r in other] != [r[2:4] for r in first]
    assert [r[1] for r in other] != [r[1] for r in first]


def test_every_grid_has_a_grid_worker_with_a_valid_mobile(city):
    grids = Region.objects.filter(level=RegionLevel.GRID)
    workers = list(GridWorker.objects.all())
    for grid in grids:
        team = [w for w in workers if w.region_id == grid.pk]
        assert [w.role for w in team].count(WorkerRole.GRID_WORKER) == 1
        assert len({w.phone for w in team}) == len(team)
    for worker in workers:
        assert normalize_mobile(worker.phone) == worker.phone
        assert worker.phone_index == blind_index(worker.phone)
        assert worker.region_code == worker.region.code
    assert GridWorker.objects.filter(phone_index=blind_index(workers[0].phone)).exists()
    extra = sum(w.role != WorkerRole.GRID_WORKER for w in workers)
    assert 0 < extra < grids.count()


def test_default_roles_reference_real_permissions_and_are_idempotent(db):
    first = _default_roles()
    again = _default_roles()
    assert {r.pk for r in first.values()} == {r.pk for r in again.values()}
    assert Role.objects.count() == len(roles.DEFAULT_ROLES)
    for spec in roles.DEFAULT_ROLES:
        granted = {
            f"{p.content_type.app_label}.{p.codename}"
            for p in again[spec.name].permissions.select_related("content_type")
        }
        assert granted == set(spec.permissions)
    grid_worker = set(again[roles.GRID_WORKER].permissions.values_list("codename", flat=True))
    assert {
        "view_region",
        "view_gridworker",
        "view_case",
        "add_case",
        "verify_case",
        "view_task",
        "change_task",
        "view_visit",
        "add_visit",
        "add_person",
        "change_person",
        "confirm_rental",
        "add_carerecord",
    } <= grid_worker
    # Special groups are need-to-know; grid workers register people, they do not delete them.
    assert not {"view_specialgroup", "view_keyperson", "delete_person"} & grid_worker
    assert not again[roles.GRID_WORKER].view_sensitive


def test_demo_accounts_have_the_right_roles_and_scopes(city):
    create_demo_accounts(city)
    users = create_demo_accounts(city)  # a second run changes nothing
    assert User.objects.count() == len(users)
    first = {
        level: Region.objects.filter(level=level).order_by("code").first()
        for level in RegionLevel.values
    }
    expected = {
        "admin": ("", RegionLevel.CITY),
        "city_leader": (roles.CITY_LEADER, RegionLevel.CITY),
        "county_dispatcher": (roles.COUNTY_DISPATCHER, RegionLevel.COUNTY),
        "street_staff": (roles.STREET_STAFF, RegionLevel.TOWNSHIP),
        "grid_worker": (roles.GRID_WORKER, RegionLevel.GRID),
        "legal_officer": (roles.POLITICAL_LEGAL_OFFICER, RegionLevel.TOWNSHIP),
        "sysadmin": (roles.SYSTEM_ADMIN, RegionLevel.CITY),
        "community_staff": (roles.STREET_STAFF, RegionLevel.COMMUNITY),
    }
    for username, (role, level) in expected.items():
        user = User.objects.get(username=username)
        assert user.check_password(DEMO_PASSWORD)
        assert list(user.scope_regions.all()) == [first[level]]
        assert [r.name for r in user.roles.all()] == ([role] if role else [])
        assert user.is_superuser == (username == "admin")
    post = GridWorker.objects.get(region=first[RegionLevel.GRID], role=WorkerRole.GRID_WORKER)
    assert post.user == users["grid_worker"]
    assert users["county_dispatcher"].has_perm("regions.import_gridworker")
    assert not users["street_staff"].has_perm("regions.delete_region")
    assert not users["grid_worker"].has_perm("regions.change_region")
    assert users["legal_officer"].has_perm("people.view_specialgroup")
    assert not users["street_staff"].has_perm("people.view_specialgroup")


def test_seed_with_if_empty_does_not_duplicate(db):
    options = {
        "grids_per_community_min": 1,
        "grids_per_community_max": 2,
        "cases": 0,
        "stdout": StringIO(),
    }
    call_command("seed_demo", "--if-empty", **options)
    regions, workers = Region.objects.count(), GridWorker.objects.count()
    out = StringIO()
    call_command("seed_demo", "--if-empty", **{**options, "stdout": out})
    assert (Region.objects.count(), GridWorker.objects.count()) == (regions, workers)
    assert "跳过" in out.getvalue()
    with pytest.raises(CommandError):
        call_command("seed_demo", **options)


def test_seed_reports_the_people_generated(db):
    out = StringIO()
    call_command(
        "seed_demo",
        "--people",
        "50",
        grids_per_community_min=1,
        grids_per_community_max=1,
        cases=0,
        stdout=out,
    )
    assert "实有人口：50 人" in out.getvalue()


def test_seed_and_account_list_refuse_outside_demo_mode(db, settings):
    settings.DEMO_MODE = False
    with pytest.raises(CommandError, match="Demo mode is off"):
        call_command("seed_demo")
    assert not Region.objects.exists()
    out, err = StringIO(), StringIO()
    call_command("demo_accounts", stdout=out, stderr=err)
    assert DEMO_PASSWORD not in out.getvalue()


def test_account_list_shows_accounts_and_password(city):
    create_demo_accounts(city)
    out = StringIO()
    call_command("demo_accounts", stdout=out)
    text = out.getvalue()
    assert "county_dispatcher" in text and roles.COUNTY_DISPATCHER in text
    assert DEMO_PASSWORD in text


def test_inspectors_can_use_the_report_forms_map(db):
    """The report form locates the grid and draws outlines through the regions API."""
    granted = _default_roles()[roles.INSPECTOR].permissions.values_list("codename", flat=True)
    assert {"add_case", "view_region"} <= set(granted)
