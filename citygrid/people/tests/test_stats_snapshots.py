"""人口统计 snapshots: equal to the live figures, fresh ones used, stale ones recomputed, special
groups still need-to-know, 立即刷新 (permission, scope, once a minute), the periodic command, and
that no request computes: stale and missing snapshots queue one refresh, one runs at a time."""

import io
from datetime import date, timedelta

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.utils import timezone
from django_tasks import default_task_backend
from openpyxl import load_workbook

from citygrid.core.models import AccessLog
from citygrid.people.models import Person, PopulationSnapshot
from citygrid.people.stats import figures, queries, snapshots
from citygrid.people.tests.test_stats import (
    DATA,
    EXPORT,
    TODAY,
    URL,
    VIEWER,
    build_population,
    kpis,
    make_person,
)

pytestmark = pytest.mark.django_db

REFRESH = "/statistics/population/refresh/"
SPECIAL = [*VIEWER, "people.view_specialgroup"]


@pytest.fixture
def population(tree, monkeypatch):
    monkeypatch.setattr(timezone, "localdate", lambda *a, **k: TODAY)
    return build_population(tree)


def age(region, seconds: float) -> None:
    """Make the region's snapshot `seconds` old."""
    PopulationSnapshot.objects.filter(region=region).update(
        computed_at=timezone.now() - timedelta(seconds=seconds)
    )


def add_person(tree) -> Person:
    return make_person(tree.grid_a1, "冯新", "1", date(1995, 5, 5))


# --- the snapshot equals the live figures -----------------------------------------------------


@pytest.mark.parametrize(
    "name", ["city", "county_a", "county_b", "township_a", "community_a", "grid_a1", "grid_b1"]
)
@pytest.mark.parametrize("perms", [VIEWER, SPECIAL, ["people.view_person"]])
def test_snapshot_equals_the_live_figures_of_a_user_scoped_there(
    population, tree, make_user, name, perms
):
    region = getattr(tree, name)
    user = make_user(perms=perms, scope=[region])
    # The reasoning of `snapshots`: inside the user's scope, restrict hides nobody.
    subtree = Person.objects.filter(region_code__within=region.code)
    restricted = Person.objects.restrict(user, "view").filter(region_code__within=region.code)
    assert set(restricted) == set(subtree)
    live = figures.overview(user, region, TODAY)
    assert figures.from_data(snapshots.compute(region), region, user) == live


def test_snapshot_of_a_region_inside_a_wider_scope(population, tree, make_user):
    """A county user opening a township, a user of two grids opening one of them."""
    county_user = make_user(perms=SPECIAL, scope=[tree.county_a])
    data = snapshots.compute(tree.township_a)
    live = figures.overview(county_user, tree.township_a, TODAY)
    assert figures.from_data(data, tree.township_a, county_user) == live
    two_grids = make_user(perms=VIEWER, scope=[tree.grid_a1, tree.grid_b1])
    live = figures.overview(two_grids, tree.grid_b1, TODAY)
    assert figures.from_data(snapshots.compute(tree.grid_b1), tree.grid_b1, two_grids) == live


def test_snapshot_holds_every_category_and_exact_figures(population, tree):
    data = snapshots.compute(tree.county_a)
    assert data["version"] == figures.VERSION
    assert data["region"] == "330101"
    assert data["today"] == "2026-03-15"
    assert data["total"] == 7
    counts = {c["value"]: c["count"] for c in data["categories"]}
    assert len(counts) == 12
    assert counts["released_prisoner"] == 1 and counts["drug_user"] == 0
    assert counts["left_behind_child"] == 1 and counts["key_person"] == 1
    assert [(c["label"], c["total"], c["drill"]) for c in data["children"]] == [("甲街道", 7, True)]
    community = snapshots.compute(tree.community_a)["children"]
    assert community[-1] == {
        "code": "330101001001",
        "label": "（直属，未分到下级）",
        "total": 1,
        "by_type": {"registered": 1},
        "drill": False,
    }
    # Counts and labels only: no name of the population.
    assert "张小明" not in str(data) and "周女士" not in str(community)


def test_unknown_category_in_a_snapshot_is_dropped(population, tree, make_user):
    rows = [queries.Row("retired_kind", "旧类别", 3), queries.Row("key_person", "重点人员", 1)]
    superuser = make_user(superuser=True)
    assert queries.visible_categories(superuser, rows) == [rows[1]]


# --- fresh, stale, refresh --------------------------------------------------------------------


def test_first_read_stores_the_snapshot(client, population, tree, make_user):
    client.force_login(make_user(perms=VIEWER, scope=[tree.county_a]))
    before = timezone.now()
    data = client.get(DATA).json()
    assert data["total"] == 7
    snapshot = PopulationSnapshot.objects.get()
    assert snapshot.region == tree.county_a
    assert before <= snapshot.computed_at <= timezone.now()
    assert data["computed_at"] == timezone.localtime(snapshot.computed_at).isoformat(
        timespec="seconds"
    )


def test_fresh_snapshot_is_used_until_refreshed(client, population, tree, make_user):
    client.force_login(make_user(perms=VIEWER, scope=[tree.county_a]))
    assert client.get(DATA).json()["total"] == 7
    add_person(tree)
    # Still the snapshot's figures: page, data and export.
    assert client.get(DATA).json()["total"] == 7
    html = client.get(URL).content.decode()
    assert kpis(html)["total"] == "7"
    snapshot = PopulationSnapshot.objects.get(region=tree.county_a)
    assert f"数据更新于 {timezone.localtime(snapshot.computed_at):%Y-%m-%d %H:%M}" in html
    wb = load_workbook(io.BytesIO(client.get(EXPORT).content))
    assert {r[0]: r[1] for r in wb["概况"].iter_rows(values_only=True)}["实有人口"] == 7
    # 立即刷新 (the last computation two minutes ago): new figures.
    age(tree.county_a, 120)
    response = client.post(REFRESH, {"region": tree.county_a.code})
    assert response.status_code == 302
    assert response["Location"] == f"{URL}?region=330101"
    page = client.get(response["Location"]).content.decode()
    assert "甲区的人口统计已刷新" in page
    assert kpis(page)["total"] == "8"
    assert client.get(DATA).json()["total"] == 8
    refreshed = PopulationSnapshot.objects.get(region=tree.county_a)
    assert timezone.now() - refreshed.computed_at < timedelta(seconds=30)


def test_stale_snapshot_is_recomputed(client, population, tree, make_user, settings):
    settings.POPULATION_SNAPSHOT_MAX_AGE = 900
    client.force_login(make_user(perms=VIEWER, scope=[tree.county_a]))
    client.get(DATA)
    add_person(tree)
    age(tree.county_a, 899)
    assert client.get(DATA).json()["total"] == 7
    age(tree.county_a, 901)
    assert client.get(DATA).json()["total"] == 8
    snapshot = PopulationSnapshot.objects.get(region=tree.county_a)
    assert snapshot.data["total"] == 8
    assert timezone.now() - snapshot.computed_at < timedelta(seconds=30)
    assert PopulationSnapshot.objects.count() == 1


def test_snapshot_of_another_layout_or_code_is_recomputed(client, population, tree, make_user):
    client.force_login(make_user(perms=VIEWER, scope=[tree.county_a]))
    client.get(DATA)
    add_person(tree)
    snapshot = PopulationSnapshot.objects.get()
    snapshot.data["version"] = figures.VERSION - 1
    snapshot.save()
    assert client.get(DATA).json()["total"] == 8
    snapshot = PopulationSnapshot.objects.get()
    snapshot.data.update(region="330199", total=999)
    snapshot.save()
    assert client.get(DATA).json()["total"] == 8


def test_max_age_zero_always_computes_live(client, population, tree, make_user, settings):
    settings.POPULATION_SNAPSHOT_MAX_AGE = 0
    client.force_login(make_user(perms=VIEWER, scope=[tree.county_a]))
    assert client.get(DATA).json()["total"] == 7
    add_person(tree)
    assert client.get(DATA).json()["total"] == 8


# --- need-to-know and scope -------------------------------------------------------------------


def test_special_group_counts_from_a_snapshot_need_the_permission(
    client, population, tree, make_user
):
    snapshots.refresh(tree.county_a)
    stored = {c["value"] for c in PopulationSnapshot.objects.get().data["categories"]}
    assert "released_prisoner" in stored
    client.force_login(make_user(perms=VIEWER, scope=[tree.county_a]))
    data = client.get(DATA).json()
    assert data["categories"]["values"] == [
        "empty_nest_elder",
        "left_behind_child",
        "disabled",
        "low_income",
        "key_person",
        "at_risk_youth",
    ]
    assert "刑满释放人员" not in client.get(URL).content.decode()
    wb = load_workbook(io.BytesIO(client.get(EXPORT).content))
    shown = [r[0] for r in wb["人员类别"].iter_rows(min_row=2, values_only=True)]
    assert "刑满释放人员" not in shown and "留守儿童" in shown
    # Only person view: no category at all, as live.
    client.force_login(make_user(perms=["people.view_person"], scope=[tree.county_a]))
    assert client.get(DATA).json()["categories"]["values"] == []
    client.force_login(make_user(perms=SPECIAL, scope=[tree.county_a]))
    data = client.get(DATA).json()
    counts = dict(zip(data["categories"]["values"], data["categories"]["counts"], strict=True))
    assert counts["released_prisoner"] == 1 and len(counts) == 12
    # All read from the one snapshot stored above.
    assert PopulationSnapshot.objects.count() == 1


def test_scope_404_unchanged_and_nothing_computed(client, population, tree, make_user):
    client.force_login(make_user(perms=VIEWER, scope=[tree.county_a]))
    snapshots.refresh(tree.county_b)
    for region in (tree.county_b, tree.city, tree.grid_b1):
        assert client.get(URL, {"region": region.code}).status_code == 404
        assert client.get(DATA, {"region": region.code}).status_code == 404
        assert client.get(EXPORT, {"region": region.code}).status_code == 404
        assert client.post(REFRESH, {"region": region.code}).status_code == 404
    assert client.post(REFRESH, {"region": "999999"}).status_code == 404
    assert list(PopulationSnapshot.objects.values_list("region__code", flat=True)) == ["330102"]
    assert AccessLog.objects.count() == 0


# --- 立即刷新 -----------------------------------------------------------------------------------


def test_refresh_needs_the_permission(client, population, tree, make_user):
    assert client.post(REFRESH, {"region": tree.county_a.code}).status_code == 302  # to login
    client.force_login(make_user(perms=["regions.view_region"], scope=[tree.city]))
    assert client.post(REFRESH, {"region": tree.county_a.code}).status_code == 403
    assert not PopulationSnapshot.objects.exists()
    client.force_login(make_user(perms=VIEWER, scope=[tree.city]))
    assert client.get(REFRESH).status_code == 405
    assert not PopulationSnapshot.objects.exists()


def test_refresh_is_once_a_minute_per_region(client, population, tree, make_user):
    client.force_login(make_user(perms=VIEWER, scope=[tree.city]))
    # No snapshot yet: refreshed; without a region, the user's widest (the city).
    response = client.post(REFRESH, follow=True)
    assert response.redirect_chain == [(f"{URL}?region=3301", 302)]
    assert "测试市的人口统计已刷新" in response.content.decode()
    first = PopulationSnapshot.objects.get(region=tree.city)
    add_person(tree)
    html = client.post(REFRESH, {"region": "3301"}, follow=True).content.decode()
    assert "每个区域每分钟最多刷新一次" in html
    assert PopulationSnapshot.objects.get(region=tree.city).computed_at == first.computed_at
    assert kpis(html)["total"] == "9"
    # Another region is not held up by the city's minute.
    client.post(REFRESH, {"region": tree.county_a.code})
    assert PopulationSnapshot.objects.get(region=tree.county_a).data["total"] == 8
    # A minute later the city may be refreshed again.
    age(tree.city, 61)
    html = client.post(REFRESH, {"region": "3301"}, follow=True).content.decode()
    assert kpis(html)["total"] == "10"


# --- the periodic job -------------------------------------------------------------------------


def test_command_refreshes_city_county_and_township(population, tree):
    snapshots.refresh(tree.community_a)
    age(tree.community_a, 3600)
    out = io.StringIO()
    call_command("snapshot_population", stdout=out)
    assert "已刷新 5 个区域的人口统计快照" in out.getvalue()
    found = {s.region.code: s for s in PopulationSnapshot.objects.select_related("region")}
    assert sorted(found) == ["3301", "330101", "330101001", "330101001001", "330102", "330102001"]
    assert {code: s.data["total"] for code, s in found.items()} == {
        "3301": 9,
        "330101": 7,
        "330101001": 7,
        "330102": 2,
        "330102001": 2,
        "330101001001": 7,
    }
    fresh = [c for c, s in found.items() if snapshots.is_fresh(s, s.region)]
    # Communities and grids are not the job's: the community's snapshot is still an hour old.
    assert sorted(fresh) == ["3301", "330101", "330101001", "330102", "330102001"]


# --- never computed in a request --------------------------------------------------------------


@pytest.fixture
def queue(settings):
    """A task backend that only records what is queued, like a worker that has not run yet."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    default_task_backend.clear()
    return default_task_backend


def run_queued(queue) -> int:
    """What the worker would do: run every queued task once."""
    results, queue.results = list(queue.results), []
    for result in results:
        result.task.call(*result.args, **result.kwargs)
    return len(results)


def test_stale_snapshot_is_shown_and_one_refresh_queued(
    client, population, tree, make_user, settings, queue
):
    settings.POPULATION_SNAPSHOT_MAX_AGE = 900
    snapshots.refresh(tree.county_a)
    add_person(tree)
    age(tree.county_a, 901)
    stale = PopulationSnapshot.objects.get(region=tree.county_a)
    client.force_login(make_user(perms=VIEWER, scope=[tree.county_a]))
    # Every request shows the old figures with their time and "正在更新"; only the first queues.
    data = client.get(DATA).json()
    assert (data["total"], data["updating"]) == (7, True)
    html = client.get(URL).content.decode()
    assert kpis(html)["total"] == "7"
    assert f"数据更新于 {timezone.localtime(stale.computed_at):%Y-%m-%d %H:%M}" in html
    assert "正在更新" in html
    assert client.get(EXPORT).status_code == 200
    assert len(queue.results) == 1
    assert PopulationSnapshot.objects.get(region=tree.county_a).computed_at == stale.computed_at
    assert run_queued(queue) == 1
    data = client.get(DATA).json()
    assert (data["total"], data["updating"]) == (8, False)
    assert "正在更新" not in client.get(URL).content.decode()
    assert queue.results == []


def test_missing_snapshot_says_so_and_queues_its_refresh(
    client, population, tree, make_user, queue
):
    client.force_login(make_user(perms=VIEWER, scope=[tree.county_a]))
    data = client.get(DATA).json()
    assert (data["total"], data["computed_at"], data["updating"]) == (0, None, True)
    html = client.get(URL).content.decode()
    assert "尚无统计数据" in html and "正在更新" in html
    response = client.get(EXPORT, follow=True)
    assert "正在生成，请稍后再导出" in response.content.decode()
    assert AccessLog.objects.count() == 0
    assert not PopulationSnapshot.objects.exists()
    assert run_queued(queue) == 1
    assert client.get(DATA).json()["total"] == 7


def test_refresh_button_queues_and_computes_nothing(client, population, tree, make_user, queue):
    client.force_login(make_user(perms=VIEWER, scope=[tree.county_a]))
    html = client.post(REFRESH, {"region": tree.county_a.code}, follow=True).content.decode()
    assert "甲区的人口统计正在更新" in html
    assert not PopulationSnapshot.objects.exists()
    # Pressed again before the worker ran: still the one task.
    client.post(REFRESH, {"region": tree.county_a.code})
    assert run_queued(queue) == 1
    assert PopulationSnapshot.objects.get(region=tree.county_a).data["total"] == 7


def test_one_refresh_at_a_time_per_region(population, tree, django_assert_num_queries):
    """While a region's refresh runs, another one of the same region does nothing; the
    periodic round skips it and refreshes the others."""
    running = f"population-snapshot:{tree.county_a.pk}:running"
    cache.add(running, 1)
    with django_assert_num_queries(0):
        assert snapshots.refresh(tree.county_a) is None
    refreshed = {s.region.code for s in snapshots.refresh_levels()}
    assert refreshed == {"3301", "330101001", "330102", "330102001"}
    cache.delete(running)
    assert snapshots.refresh(tree.county_a).data["total"] == 7
    # The lock is released when the refresh is done.
    assert cache.add(running, 1)
