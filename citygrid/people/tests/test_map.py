"""人员地图 and trails: counts per grid zoomed out, per house zoomed in, no names in the payload;
trails in time order, logged, 403 without the special-group permission, 404 outside the scope."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.urls import NoReverseMatch

from citygrid.cases.models import Visit
from citygrid.core.models import AccessLog
from citygrid.people import geo
from citygrid.people.models import CareRecord
from citygrid.people.tests.test_stats import VIEWER

pytestmark = pytest.mark.django_db

PAGE = "/statistics/population/map/"
DATA = "/statistics/population/map/data/"
CANDIDATES = "/statistics/population/map/trail-persons/"
EVERYWHERE = "119.9,29.9,120.2,30.1"
AROUND_A1 = "120.0,30.0,120.009,30.009"
SPECIAL = [*VIEWER, "people.view_specialgroup"]
TZ = ZoneInfo("Asia/Shanghai")


def trail_url(person) -> str:
    return f"/statistics/population/trail/{person.pk}/"


def url_of(house) -> str:
    try:
        return house.get_absolute_url()
    except NoReverseMatch:
        return ""


def data(client, bbox=EVERYWHERE, zoom=12, **params):
    return client.get(DATA, {"bbox": bbox, "zoom": zoom, **params})


# --- map data --------------------------------------------------------------------------------


def test_zoomed_out_counts_per_grid_in_scope(client, town, tree, make_user):
    client.force_login(make_user(perms=VIEWER, scope=[tree.county_a]))
    response = data(client)
    assert response.status_code == 200
    body = response.json()
    assert body["mode"] == "regions" and body["level"] == "grid"
    assert [(i["code"], i["name"], i["count"]) for i in body["items"]] == [
        (tree.grid_a1.code, "甲一网格", 4),
        (tree.grid_a2.code, "甲二网格", 2),
    ]
    assert body["items"][0]["lng"] == pytest.approx(tree.grid_a1.center_lng)
    assert body["total"] == 6


def test_superuser_sees_every_grid(client, town, tree, make_user):
    client.force_login(make_user(superuser=True))
    counts = {i["name"]: i["count"] for i in data(client).json()["items"]}
    assert counts == {"甲一网格": 4, "甲二网格": 2, "乙一网格": 2}


def test_too_many_grids_gives_coarser_regions(client, town, tree, make_user, monkeypatch):
    monkeypatch.setattr(geo, "MAX_ITEMS", 1)
    client.force_login(make_user(superuser=True))
    body = data(client).json()
    # Three grids, two communities, two townships, two counties: only the city fits.
    assert body["level"] == "city"
    [city] = body["items"]
    # The city has no boundary: its marker sits at the mean of its grids' centres, and it
    # counts everyone in it, the person not yet in a grid too.
    assert (city["name"], city["count"]) == ("测试市", 9)
    grids = [tree.grid_a1, tree.grid_a2, tree.grid_b1]
    assert city["lng"] == pytest.approx(sum(g.center_lng for g in grids) / 3)


def test_zoomed_in_counts_per_house(client, town, tree, make_user):
    client.force_login(make_user(perms=VIEWER, scope=[tree.county_a]))
    response = data(client, AROUND_A1, 16)
    body = response.json()
    assert body["mode"] == "houses"
    flat, other, cottage = town["flat"], town["flat_without_point"], town["cottage"]
    assert body["items"] == [
        {"house": flat.pk, "lng": 120.0031, "lat": 30.0031, "count": 2, "url": url_of(flat)},
        # No point of its own: drawn at its building.
        {"house": other.pk, "lng": 120.003, "lat": 30.003, "count": 1, "url": url_of(other)},
        {"house": cottage.pk, "lng": 120.006, "lat": 30.006, "count": 1, "url": url_of(cottage)},
    ]
    assert body["total"] == 4
    text = response.content.decode()
    for person in town["p"].values():
        assert person.name not in text
        assert person.id_number not in text


def test_zoomed_in_with_too_many_houses_falls_back_to_grids(
    client, town, tree, make_user, monkeypatch
):
    monkeypatch.setattr(geo, "MAX_ITEMS", 2)
    client.force_login(make_user(perms=VIEWER, scope=[tree.county_a]))
    body = data(client, AROUND_A1, 16).json()
    assert body["mode"] == "regions"
    assert [(i["name"], i["count"]) for i in body["items"]] == [("甲一网格", 4)]


def test_category_filters_the_persons(client, town, tree, make_user):
    client.force_login(make_user(perms=VIEWER, scope=[tree.county_a]))
    houses = data(client, AROUND_A1, 16, category="left_behind_child").json()["items"]
    assert [(h["house"], h["count"]) for h in houses] == [(town["flat"].pk, 1)]
    grids = data(client, category="floating").json()["items"]
    assert [(g["name"], g["count"]) for g in grids] == [("甲一网格", 1), ("甲二网格", 2)]
    keyed = data(client, category="key_person").json()["items"]
    assert [(g["name"], g["count"]) for g in keyed] == [("甲二网格", 1)]


def test_special_group_category_needs_the_permission(client, town, tree, make_user):
    client.force_login(make_user(perms=VIEWER, scope=[tree.county_a]))
    assert data(client, category="released_prisoner").status_code == 403
    client.force_login(make_user(perms=SPECIAL, scope=[tree.county_a]))
    houses = data(client, AROUND_A1, 16, category="released_prisoner").json()["items"]
    assert [(h["house"], h["count"]) for h in houses] == [(town["cottage"].pk, 1)]


def test_bad_parameters_are_clear_errors(client, town, tree, make_user):
    client.force_login(make_user(perms=VIEWER, scope=[tree.county_a]))
    response = client.get(DATA, {"bbox": "a,b", "zoom": 12})
    assert response.status_code == 400 and response.json()["code"] == "invalid_bbox"
    assert data(client, zoom="x").json()["code"] == "invalid_zoom"
    assert data(client, category="nobody").json() == {
        "code": "invalid_category",
        "message": "人员类别不存在",
        "errors": {},
    }


def test_map_needs_view_person(client, town, tree, make_user):
    client.force_login(make_user(perms=["regions.view_region"], scope=[tree.county_a]))
    assert client.get(PAGE).status_code == 403
    assert data(client).status_code == 403


def test_map_page_offers_special_groups_only_with_permission(client, town, tree, make_user):
    client.force_login(make_user(perms=VIEWER, scope=[tree.county_a]))
    html = client.get(PAGE).content.decode()
    assert 'value="left_behind_child"' in html
    assert 'value="released_prisoner"' not in html
    assert 'id="trail-person"' not in html
    client.force_login(make_user(perms=SPECIAL, scope=[tree.county_a]))
    elder = town["p"]["elder"]
    html = client.get(PAGE, {"person": elder.pk}).content.decode()
    assert 'value="released_prisoner"' in html
    assert f'data-trail-person="{elder.pk}"' in html


# --- trails ----------------------------------------------------------------------------------


@pytest.fixture
def trail(town, tree):
    elder = town["p"]["elder"]

    def visit(at, lng=None, lat=None):
        return Visit.objects.create(
            region=tree.grid_a1,
            target="走访对象",
            person=elder,
            visited_at=at,
            lng=lng,
            lat=lat,
            findings="正常",
        )

    def care(day, lng=None, lat=None):
        return CareRecord.objects.create(
            person=elder,
            category="released_prisoner",
            date=day,
            helper="帮教员",
            measures="谈话",
            lng=lng,
            lat=lat,
        )

    visit(datetime(2026, 3, 10, 14, 0, tzinfo=TZ), 120.004, 30.004)
    care(date(2026, 3, 10), 120.003, 30.003)
    visit(datetime(2026, 3, 1, 9, 30, tzinfo=TZ), 120.001, 30.001)
    visit(datetime(2026, 3, 5, 9, 30, tzinfo=TZ))  # no position: not on the map
    care(date(2026, 2, 1), 120.002, 30.002)  # before the range
    return elder


def test_trail_in_time_order_and_logged(client, trail, tree, make_user):
    user = make_user(perms=SPECIAL, scope=[tree.county_a])
    client.force_login(user)
    response = client.get(trail_url(trail), {"start": "2026-03-01", "end": "2026-03-10"})
    assert response.status_code == 200
    body = response.json()
    assert body["name"] == "王*汉"
    assert [(p["seq"], p["time"], p["source"], p["lng"]) for p in body["points"]] == [
        (1, "2026-03-01 09:30", "visit", 120.001),
        (2, "2026-03-10", "care", 120.003),
        (3, "2026-03-10 14:00", "visit", 120.004),
    ]
    assert "王老汉" not in response.content.decode()
    log = AccessLog.objects.get()
    assert log.user == user
    assert log.action == AccessLog.Action.VIEW_SENSITIVE
    assert (log.content_type.model, log.object_id, log.record_count) == ("person", trail.pk, 3)
    assert log.detail == "行踪轨迹 2026-03-01 至 2026-03-10"


def test_trail_defaults_to_the_last_30_days(client, trail, tree, make_user):
    client.force_login(make_user(perms=SPECIAL, scope=[tree.county_a]))
    body = client.get(trail_url(trail)).json()
    assert (body["start"], body["end"]) == ("2026-02-13", "2026-03-15")
    assert len(body["points"]) == 3


def test_trail_without_permission_is_403_and_not_logged(client, trail, tree, make_user):
    client.force_login(make_user(perms=VIEWER, scope=[tree.county_a]))
    assert client.get(trail_url(trail)).status_code == 403
    assert client.get(CANDIDATES, {"bbox": EVERYWHERE}).status_code == 403
    assert AccessLog.objects.count() == 0


def test_trail_out_of_scope_is_404_and_not_logged(client, trail, town, tree, make_user):
    client.force_login(make_user(perms=SPECIAL, scope=[tree.county_b]))
    assert client.get(trail_url(trail)).status_code == 404
    # Not a special-group member: no trail either.
    client.force_login(make_user(perms=SPECIAL, scope=[tree.county_a]))
    assert client.get(trail_url(town["p"]["boy"])).status_code == 404
    assert AccessLog.objects.count() == 0


def test_trail_bad_dates(client, trail, tree, make_user):
    client.force_login(make_user(perms=SPECIAL, scope=[tree.county_a]))
    response = client.get(trail_url(trail), {"start": "2026-03-10", "end": "2026-03-01"})
    assert response.status_code == 400
    assert response.json()["message"] == "开始日期不能晚于结束日期"
    assert client.get(trail_url(trail), {"start": "3/1/2026"}).json()["code"] == "invalid_date"
    assert AccessLog.objects.count() == 0


def test_trail_candidates_are_masked_members_in_view(client, trail, town, tree, make_user):
    client.force_login(make_user(perms=SPECIAL, scope=[tree.city]))
    body = client.get(CANDIDATES, {"bbox": EVERYWHERE}).json()
    b_man = town["p"]["b_man"]
    assert body == {
        "items": [
            {"id": trail.pk, "name": "王*汉", "kinds": ["刑满释放人员"]},
            {"id": b_man.pk, "name": "吴*生", "kinds": ["刑满释放人员"]},
        ],
        "truncated": False,
    }
    body = client.get(CANDIDATES, {"bbox": AROUND_A1}).json()
    assert [p["id"] for p in body["items"]] == [trail.pk]


def test_sealed_member_has_no_trail_except_for_superusers(client, trail, tree, make_user):
    from citygrid.people.models import SpecialGroup

    SpecialGroup.objects.filter(person=trail).update(sealed=True)
    client.force_login(make_user(perms=SPECIAL, scope=[tree.county_a]))
    assert client.get(trail_url(trail)).status_code == 404
    assert not AccessLog.objects.exists()
    client.force_login(make_user(superuser=True))
    assert client.get(trail_url(trail)).status_code == 200
