"""House imports on the bulk path give what the row path gives: houses, codes, errors, history.

`HouseResource.bulk` is switched off and on for the same files and the results compared; then
the number of queries is shown not to grow with the rows.
"""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from citygrid.core.io import bulk, importer
from citygrid.core.models import ImportJob, ObjectChange, VersionStamp
from citygrid.core.testing import csv_bytes
from citygrid.housing import numbering
from citygrid.housing.models import House
from citygrid.housing.resources import HouseResource
from citygrid.housing.tests import factories as f

pytestmark = pytest.mark.django_db

PERMS = [f"housing.{a}_house" for a in ("view", "add", "change", "import")]
HEADER = [
    "房屋编码",
    "小区名称",
    "楼栋名称",
    "网格代码",
    "单元",
    "楼层",
    "门牌号",
    "详细地址",
    "建筑面积（㎡）",
    "使用状态",
    "产权人",
    "产权人证件号码",
    "产权人电话",
]


@pytest.fixture
def places(tree):
    """Two buildings called 1号楼 (one per estate and grid), 2号楼 alone, 乙楼 out of scope."""
    happy = f.estate(tree.community_a, "幸福小区")
    peace = f.estate(tree.grid_a2, "和平小区")
    return {
        "happy": f.building(tree.grid_a1, "1号楼", estate=happy, floors=6),
        "peace": f.building(tree.grid_a2, "1号楼", estate=peace, floors=6),
        "plain": f.building(tree.grid_a1, "2号楼", floors=6, underground_floors=1),
        "other": f.building(tree.grid_b1, "乙楼"),
    }


@pytest.fixture
def importer_user(client, make_user, tree):
    user = make_user(perms=PERMS, scope=[tree.county_a])
    client.force_login(user)
    return user


def row(**cells) -> dict:
    return {header: "" for header in HEADER} | cells


def rows(tree, n: int) -> list[dict]:
    """Houses named every way a building can be named, and standalone houses."""
    out = []
    for i in range(n):
        entrance, floor = (i // 4) % 2 + 1, (i // 8) % 6 + 1
        door = {"单元": str(entrance), "楼层": str(floor), "门牌号": f"{floor}{i // 4:03d}"}
        kind = i % 4
        if kind == 0:
            cells = {"小区名称": "幸福小区", "楼栋名称": "1号楼", **door}
        elif kind == 1:
            cells = {"网格代码": tree.grid_a2.code, "楼栋名称": "1号楼", **door}
        elif kind == 2:
            cells = {"楼栋名称": "2号楼", **door, "楼层": "-1" if i % 3 == 0 else door["楼层"]}
        else:
            grid = tree.grid_a1 if i % 8 == 3 else tree.grid_a2
            cells = {"网格代码": grid.code, "门牌号": f"{i}号", "详细地址": f"甲村{i}号"}
        cells["使用状态"] = "出租" if i % 2 else "自住"
        if i % 3 == 0:
            cells |= {"产权人": f"产权人{i}", "产权人电话": f"1390000{i:04d}"}
            cells["产权人证件号码"] = f.id_number(i)
        if i % 5 == 0:
            cells["建筑面积（㎡）"] = "88.50"
        out.append(row(**cells))
    return out


def upload(client, data: list[dict], valid_only: bool = False) -> ImportJob:
    file = SimpleUploadedFile("houses.csv", csv_bytes(data), content_type="text/csv")
    form = {"file": file, **({"valid_only": "on"} if valid_only else {})}
    assert client.post(reverse("housing:house_import"), form).status_code == 302
    return ImportJob.objects.latest("pk")


def reset() -> None:
    """Back to no houses, no history and fresh code counters, so both paths start equal."""
    House.objects.all().delete()
    ObjectChange.objects.filter(content_type__model="house").delete()
    VersionStamp.objects.filter(name__startswith=numbering.HOUSE_CODE).delete()


def snapshot() -> dict:
    """Houses by code and their change log, without what depends on the path (ids)."""
    houses = {
        h.code: (
            h.building.estate.name if h.building_id and h.building.estate_id else "",
            h.building.name if h.building_id else "",
            h.region_code,
            h.entrance,
            h.floor,
            h.number,
            h.address,
            h.area,
            h.occupancy,
            h.owner_name,
            h.owner_id_number,
            h.owner_id_number_index,
            h.owner_phone,
            h.owner_phone_index,
            h.use,
            h.ownership,
        )
        for h in House.objects.select_related("building__estate")
    }
    codes = dict(House.objects.values_list("pk", "code"))

    def strip(data):
        if data is None:
            return None
        return {k: v for k, v in data.items() if k != "id"}

    changes = sorted(
        (
            codes[c.object_id],
            c.action,
            c.user_name,
            c.object_repr,
            c.region_code,
            repr(strip(c.prechange_data)),
            repr(strip(c.postchange_data)),
        )
        for c in ObjectChange.objects.filter(content_type__model="house")
    )
    return {"houses": houses, "changes": changes}


def both_ways(client, monkeypatch, files) -> tuple[dict, dict, list, list]:
    """Import the files in turn with the row path, then (after a reset) with the bulk path.
    A file may be a function of the houses imported so far (to update them by code)."""
    results = []
    for fast in (False, True):
        reset()
        monkeypatch.setattr(HouseResource, "bulk", fast)
        jobs = [upload(client, data() if callable(data) else data) for data in files]
        results.append(
            (
                snapshot(),
                [(j.status, j.created_count, j.updated_count, j.skipped_count) for j in jobs],
            )
        )
    (slow, slow_jobs), (fast, fast_jobs) = results
    return slow, fast, slow_jobs, fast_jobs


@pytest.mark.parametrize("small", [False, True], ids=["one-chunk", "small-chunks"])
def test_bulk_and_row_paths_give_the_same_houses_codes_and_change_log(
    client, tree, places, importer_user, monkeypatch, small
):
    if small:  # look-ups cached across chunks, codes reserved per write batch
        monkeypatch.setattr(bulk, "CHUNK", 7)
        monkeypatch.setattr(bulk, "BATCH", 9)
    first = rows(tree, 40)

    def second() -> list[dict]:
        # Every 5th house by its code, the first building houses again by their door (one
        # renumbered per code), and four new houses.
        by_door = {(h.building_id, h.entrance, h.number): h for h in House.objects.all()}
        out = []
        for i, data in enumerate(first):
            if i % 5 == 0 and data["楼栋名称"]:
                building = places["happy"] if data["小区名称"] else None
                building = building or (places["peace"] if data["网格代码"] else places["plain"])
                house = by_door[(building.pk, int(data["单元"]), data["门牌号"])]
                out.append(row(**{"房屋编码": house.code, "门牌号": "9" + data["门牌号"]}))
            elif i % 4 == 0:
                out.append({**data, "使用状态": "空置", "产权人电话": "13811112222"})
        return out + rows(tree, 44)[40:]

    slow, fast, slow_jobs, fast_jobs = both_ways(client, monkeypatch, [first, second])
    assert slow_jobs == fast_jobs == [("done", 40, 0, 0), ("done", 4, 14, 0)]
    assert fast == slow
    assert len(fast["houses"]) == 44
    codes = list(fast["houses"])
    assert all(numbering.is_valid(code) for code in codes)
    # Serials run per grid where the house was registered, 1, 2, 3 ... in row order.
    for grid in (tree.grid_a1, tree.grid_a2):
        serials = sorted(int(code[15:20]) for code in codes if code.startswith(grid.code))
        assert serials == list(range(1, len(serials) + 1))
    assert {h[2] for h in fast["houses"].values()} == {tree.grid_a1.code, tree.grid_a2.code}
    actions = [c[1] for c in fast["changes"]]
    assert actions.count("create") == 44
    assert actions.count("update") == 14
    for change in fast["changes"]:  # owner numbers are masked in the history
        assert "13900000" not in change[6] and "1381111" not in change[6]
        assert "330101199001" not in change[6]
    renumbered = [c for c in fast["changes"] if c[1] == "update" and "'number': '9" in c[6]]
    assert len(renumbered) == 6


def test_bulk_path_reports_the_same_errors_and_writes_nothing(
    client, tree, places, importer_user, monkeypatch
):
    taken = f.house(places["happy"], "101", entrance=1)
    other = f.house(places["happy"], "102", entrance=1)
    unknown = taken.code[:15] + "99999"
    data = rows(tree, 8) + [
        row(**{"房屋编码": unknown + numbering.mod11_2(unknown), "门牌号": "1"}),
        row(
            **{"房屋编码": taken.code[:-1] + ("X" if taken.code[-1] != "X" else "0"), "门牌号": "1"}
        ),
        row(**{"楼栋名称": "1号楼", "门牌号": "301"}),
        row(**{"楼栋名称": "9号楼", "门牌号": "301"}),
        row(**{"小区名称": "幸福小区", "楼栋名称": "1号楼", "单元": "5", "门牌号": "501"}),
        row(**{"小区名称": "幸福小区", "楼栋名称": "1号楼", "楼层": "9", "门牌号": "901"}),
        rows(tree, 1)[0],  # the same door as the first row
        row(**{"楼栋名称": "乙楼", "门牌号": "101"}),
        row(**{"网格代码": tree.grid_a1.code, "门牌号": "7号"}),
        row(**{"楼栋名称": "2号楼", "门牌号": "101", "产权人电话": "12345"}),
        row(**{"网格代码": "330101001001099", "门牌号": "1号", "详细地址": "某村1号"}),
        row(**{"房屋编码": other.code, "门牌号": "101", "单元": "1"}),  # taken by another
    ]
    houses, changes, stamps = (
        House.objects.count(),
        ObjectChange.objects.count(),
        list(VersionStamp.objects.values_list("name", "value")),
    )
    jobs = {}
    for fast in (False, True):
        monkeypatch.setattr(HouseResource, "bulk", fast)
        jobs[fast] = upload(client, data)
        assert jobs[fast].status == ImportJob.Status.INVALID
        assert House.objects.count() == houses
        assert ObjectChange.objects.count() == changes
        assert list(VersionStamp.objects.values_list("name", "value")) == stamps
    assert jobs[True].errors == jobs[False].errors
    assert jobs[True].message == jobs[False].message
    assert [(e["row"], e["column"], e["message"]) for e in jobs[True].errors] == [
        (10, "房屋编码", "房屋编码不存在；新房屋请留空编码"),
        (11, "房屋编码", "房屋编码格式或校验位错误"),
        (12, "楼栋名称", "有多个同名楼栋，请同时填写小区名称或网格代码"),
        (13, "楼栋名称", "楼栋“9号楼”不存在"),
        (14, "单元", "该楼栋只有 2 个单元"),
        (15, "楼层", "楼层超出该楼栋的层数"),
        (16, "房屋编码", "文件中重复出现"),
        (17, "", "该记录不在您的管辖范围内"),
        (18, "详细地址", "不在楼栋中的房屋须填写详细地址"),
        (19, "产权人电话", jobs[True].errors[9]["message"]),
        (20, "网格代码", "网格 330101001001099 不存在"),
        (21, "", "该楼栋该单元已有此门牌号的房屋"),
    ]
    assert "手机" in jobs[True].errors[9]["message"]


def test_valid_rows_only_writes_the_good_rows_with_consecutive_codes(
    client, tree, places, importer_user
):
    data = rows(tree, 8)
    data[2]["楼栋名称"] = "9号楼"
    job = upload(client, data, valid_only=True)
    assert (job.status, job.created_count, job.updated_count, job.skipped_count) == (
        "done",
        7,
        0,
        1,
    )
    codes = sorted(House.objects.values_list("code", flat=True))
    assert len(set(codes)) == 7 and all(numbering.is_valid(c) for c in codes)
    a1 = [c for c in codes if c.startswith(tree.grid_a1.code)]
    assert [int(c[15:20]) for c in a1] == list(range(1, len(a1) + 1))


def test_upsert_by_code_and_by_door_updates_the_house(client, tree, places, importer_user):
    house = f.house(places["happy"], "101", entrance=1, owner_phone="13900001111")
    door = f.house(places["plain"], "202", entrance=1, floor=2)
    job = upload(
        client,
        [
            row(**{"房屋编码": house.code.lower(), "门牌号": "101", "使用状态": "空置"}),
            row(**{"楼栋名称": "2号楼", "单元": "1", "门牌号": "202", "产权人": "李四"}),
        ],
    )
    assert (job.status, job.created_count, job.updated_count) == ("done", 0, 2), job.errors
    house.refresh_from_db()
    door.refresh_from_db()
    assert (house.occupancy, house.owner_phone, house.building_id) == (
        "vacant",
        "13900001111",
        places["happy"].pk,
    )
    assert (door.owner_name, door.floor) == ("李四", 2)
    change = ObjectChange.objects.get(
        content_type__model="house", object_id=house.pk, action="update"
    )
    assert change.prechange_data["occupancy"] == "owner_occupied"
    assert change.postchange_data["occupancy"] == "vacant"
    assert change.postchange_data["owner_phone"] != "13900001111"  # masked
    assert change.object_repr == "幸福小区1号楼1单元101"
    assert House.objects.count() == 2


def test_unknown_code_is_a_row_error(client, tree, places, importer_user):
    house = f.house(places["happy"], "101")
    body = house.code[:15] + "00042"
    job = upload(client, [row(**{"房屋编码": body + numbering.mod11_2(body), "门牌号": "1"})])
    assert job.status == "invalid"
    assert job.errors == [
        {"row": 2, "column": "房屋编码", "message": "房屋编码不存在；新房屋请留空编码"}
    ]
    assert House.objects.count() == 1


def test_building_name_must_be_unique_or_qualified(client, tree, places, importer_user):
    job = upload(client, [row(**{"楼栋名称": "1号楼", "门牌号": "101"})])
    assert job.status == "invalid"
    assert job.errors == [
        {"row": 2, "column": "楼栋名称", "message": "有多个同名楼栋，请同时填写小区名称或网格代码"}
    ]
    job = upload(
        client,
        [
            row(**{"楼栋名称": "1号楼", "网格代码": tree.grid_a2.code, "门牌号": "101"}),
            row(**{"楼栋名称": "1号楼", "小区名称": "幸福小区", "门牌号": "101"}),
        ],
    )
    assert (job.status, job.created_count) == ("done", 2), job.errors
    assert set(House.objects.values_list("building_id", "region_id")) == {
        (places["peace"].pk, tree.grid_a2.pk),
        (places["happy"].pk, tree.grid_a1.pk),
    }


def test_queries_do_not_grow_with_the_rows(tree, places, make_user):
    """The same queries for 20 and 200 rows, but for the UPDATE statements of `bulk_update`:
    Django splits those by the database's limit on parameters (about 40 houses a statement on
    SQLite, 500 on PostgreSQL)."""
    user = make_user(perms=PERMS, scope=[tree.county_a])
    table = House._meta.db_table

    def run(data: list[dict]) -> tuple[int, int]:
        job = ImportJob.objects.create(
            user=user,
            resource=HouseResource.key(),
            file=SimpleUploadedFile("h.csv", csv_bytes(data)),
            file_name="h.csv",
        )
        with CaptureQueriesContext(connection) as queries:
            importer.run(job, HouseResource())
        job.refresh_from_db()
        assert (job.status, job.created_count + job.updated_count) == ("done", len(data))
        updates = sum(1 for q in queries if q["sql"].startswith(f'UPDATE "{table}"'))
        return len(queries) - updates, updates

    def create_then_update(n: int) -> tuple:
        reset()
        created = run(rows(tree, n))
        doors = House.objects.order_by("pk").values_list("code", "number")
        updated = run([row(**{"房屋编码": c, "门牌号": n, "使用状态": "空置"}) for c, n in doors])
        return created, updated

    assert HouseResource.bulk
    create_then_update(5)  # warm the per-process caches (code tables, content types)
    (created_200, updated_200), (created_20, updated_20) = (
        create_then_update(200),
        create_then_update(20),
    )
    assert created_200 == created_20
    assert created_200[1] == 0  # new houses: INSERTs only
    assert updated_200[0] == updated_20[0]
    assert updated_20[1] == 1 and updated_200[1] <= 200 // 40 + 1


# --- buildings ----------------------------------------------------------------------------------

BUILDING_HEADER = ["网格代码", "小区名称", "楼栋名称", "地上层数", "单元数", "楼栋长"]


def building_rows(tree, n: int, floors: int = 6) -> list[dict]:
    out = []
    for i in range(n):
        grid = (tree.grid_a1, tree.grid_a2)[i % 2]
        estate = ("幸福小区", "和平小区", "")[i % 3] if grid == tree.grid_a2 else ""
        estate = estate or ("幸福小区" if i % 4 == 0 else "")
        out.append(
            {
                "网格代码": grid.code,
                "小区名称": estate,
                "楼栋名称": f"{i + 10}号楼",
                "地上层数": str(floors),
                "单元数": str(i % 3 + 1),
                "楼栋长": f"楼栋长{i}",
            }
        )
    return out


def building_snapshot() -> dict:
    from citygrid.housing.models import Building

    buildings = sorted(
        (b.region_code, b.estate.name if b.estate_id else "", b.name, b.floors, b.entrances)
        for b in Building.objects.select_related("estate")
    )
    names = dict(Building.objects.values_list("pk", "name"))

    def strip(data):
        return None if data is None else {k: v for k, v in data.items() if k != "id"}

    changes = sorted(
        (
            names[c.object_id],
            c.action,
            c.object_repr,
            c.region_code,
            repr(strip(c.prechange_data)),
            repr(strip(c.postchange_data)),
        )
        for c in ObjectChange.objects.filter(content_type__model="building")
    )
    return {"buildings": buildings, "changes": changes}


def upload_buildings(client, data: list[dict]) -> ImportJob:
    file = SimpleUploadedFile("b.csv", csv_bytes(data), content_type="text/csv")
    assert client.post(reverse("housing:building_import"), {"file": file}).status_code == 302
    return ImportJob.objects.latest("pk")


@pytest.fixture
def building_importer(client, make_user, tree, places):
    perms = [f"housing.{a}_building" for a in ("view", "add", "change", "import")]
    client.force_login(make_user(perms=perms, scope=[tree.county_a]))


def test_buildings_both_ways_give_the_same_records_errors_and_change_log(
    client, tree, places, building_importer, monkeypatch
):
    from citygrid.housing.models import Building
    from citygrid.housing.resources import BuildingResource

    f.estate(tree.community_b, "和平小区")  # same name in another community: never matched
    before = set(Building.objects.values_list("pk", flat=True))
    first = building_rows(tree, 24)
    second = building_rows(tree, 30, floors=7)  # 24 updated, 6 new
    second[3]["地上层数"] = "6"  # unchanged: written, nothing logged
    bad = building_rows(tree, 6) + [
        {**building_rows(tree, 1)[0], "楼栋长": "重复"},  # same key as the first row
        {"网格代码": tree.grid_a1.code, "小区名称": "无名小区", "楼栋名称": "1号楼"},
        {"网格代码": tree.grid_b1.code, "小区名称": "", "楼栋名称": "X号楼"},
        {"网格代码": tree.grid_a1.code, "小区名称": "", "楼栋名称": "Y号楼", "单元数": "0"},
    ]
    results = {}
    for fast in (False, True):
        Building.objects.exclude(pk__in=before).delete()
        ObjectChange.objects.filter(content_type__model="building").delete()
        monkeypatch.setattr(BuildingResource, "bulk", fast)
        jobs = [upload_buildings(client, data) for data in (first, second, bad)]
        results[fast] = (
            building_snapshot(),
            [(j.status, j.created_count, j.updated_count) for j in jobs],
            jobs[2].errors,
        )
    assert results[True] == results[False]
    snapshot, counts, errors = results[True]
    assert counts == [("done", 24, 0), ("done", 6, 24), ("invalid", 0, 0)]
    assert len(snapshot["buildings"]) == 30 + len(before)
    assert [c[1] for c in snapshot["changes"]].count("update") == 23
    assert [(e["row"], e["column"]) for e in errors] == [
        (8, "楼栋名称"),
        (9, "小区名称"),
        (10, ""),
        (11, "单元数"),
    ]
    assert errors[1]["message"] == "该网格所在社区没有名为“无名小区”的小区"


def test_building_queries_do_not_grow_with_the_rows(tree, places, make_user):
    from citygrid.housing.models import Building
    from citygrid.housing.resources import BuildingResource

    perms = [f"housing.{a}_building" for a in ("view", "add", "change", "import")]
    user = make_user(perms=perms, scope=[tree.county_a])
    before = set(Building.objects.values_list("pk", flat=True))

    def run(n: int) -> int:
        Building.objects.exclude(pk__in=before).delete()
        job = ImportJob.objects.create(
            user=user,
            resource=BuildingResource.key(),
            file=SimpleUploadedFile("b.csv", csv_bytes(building_rows(tree, n))),
            file_name="b.csv",
        )
        with CaptureQueriesContext(connection) as queries:
            importer.run(job, BuildingResource())
        job.refresh_from_db()
        assert (job.status, job.created_count) == ("done", n), job.errors
        return len(queries)

    assert BuildingResource.bulk
    run(5)
    assert run(200) == run(20)


@pytest.mark.parametrize("fast", [False, True])
def test_moving_a_building_by_import_moves_its_houses_drawn_there(
    client, tree, places, building_importer, monkeypatch, fast
):
    from citygrid.housing.resources import BuildingResource

    monkeypatch.setattr(BuildingResource, "bulk", fast)
    plain = places["plain"]
    drawn = f.house(plain, "101")
    own = f.house(plain, "102", lng=120.005, lat=30.005)
    moved = {
        "网格代码": tree.grid_a1.code,
        "小区名称": "",
        "楼栋名称": "2号楼",
        "地上层数": "6",
        "单元数": "1",
        "楼栋长": "",
        "经度": "120.0123",
        "纬度": "30.0045",
    }
    job = upload_buildings(client, [moved])
    assert (job.status, job.updated_count) == ("done", 1), job.errors
    drawn.refresh_from_db()
    own.refresh_from_db()
    assert (drawn.map_lng, drawn.map_lat) == (120.0123, 30.0045)
    assert (own.map_lng, own.map_lat) == (120.005, 30.005)
