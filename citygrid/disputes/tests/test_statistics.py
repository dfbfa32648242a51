"""Dispute statistics against a hand-computed fixture: eight disputes of March 2026 in city 3301
(five in county A, three in county B) and two outside the period that make two of them repeats.

d1  A1 03-02 邻里 一般 resolved   due 03-10, done 03-05 (on time)  张三 (ID X), 李四
d2  A1 03-03 邻里 较大 resolved   due 03-10, done 03-12 (late)     王五, 赵六       越级上访
d3  A2 03-04 劳动 一般 unresolved due 03-15, done 03-14 (on time)  张叁 (ID X)
d4  A2 03-05 劳动 重大 withdrawn  no due,    done 03-06            周九             群体性事件
d5  B1 03-06 邻里 一般 open       due 03-20                        李四
d6  B1 03-07 物业 较大 resolved   due 03-10, done 03-09 (on time)  孙八 twice       both risks
d7  B1 03-31 23:30 物业 一般 open                                  王五 (ID Y)
d10 A1 03-10 邻里 一般 resolved   due 18:00, done 17:00 (on time)  钱七
d8  A1 04-01 00:10 (outside)                                       赵六
d9  A1 02-28 (outside)                                             钱七

Repeats in March: d1 (ID X in d3; 李四 in d5), d2 (赵六 in d8), d3, d5, d10 (钱七 in d9) = 5.
Not: d4, d6 (a party twice in one dispute), d7 (王五 with an ID ≠ 王五 without one).
"""

from datetime import date, datetime
from io import BytesIO, StringIO
from zoneinfo import ZoneInfo

import pytest
from openpyxl import load_workbook

from citygrid.disputes.statistics import rollup
from citygrid.disputes.statistics.compute import compute
from citygrid.disputes.statistics.models import DisputeRollup

TZ = ZoneInfo("Asia/Shanghai")
MARCH = (date(2026, 3, 1), date(2026, 3, 31))


def at(month, day, hour=10, minute=0):
    return datetime(2026, month, day, hour, minute, tzinfo=TZ)


@pytest.fixture
def disputes(tree):
    from citygrid.core import writeguard
    from citygrid.disputes.models import Dispute, DisputeParty

    specs = [
        # number, grid, reported, category, level, outcome, due, concluded, risks, parties
        ("d1", tree.grid_a1, at(3, 2), "11", "ordinary", "resolved", at(3, 10), at(3, 5), (),
         [("张三", "330101199001011234"), ("李四", "")]),
        ("d2", tree.grid_a1, at(3, 3), "11", "significant", "resolved", at(3, 10), at(3, 12),
         ("risk_petition",), [("王五", ""), ("赵六", "")]),
        ("d3", tree.grid_a2, at(3, 4), "03", "ordinary", "unresolved", at(3, 15), at(3, 14), (),
         [("张叁", "330101199001011234")]),
        ("d4", tree.grid_a2, at(3, 5), "03", "major", "withdrawn", None, at(3, 6),
         ("risk_mass_incident",), [("周九", "")]),
        ("d5", tree.grid_b1, at(3, 6), "11", "ordinary", "", at(3, 20), None, (),
         [("李四", "")]),
        ("d6", tree.grid_b1, at(3, 7), "07", "significant", "resolved", at(3, 10), at(3, 9),
         ("risk_petition", "risk_mass_incident"), [("孙八", ""), ("孙八", "")]),
        ("d7", tree.grid_b1, at(3, 31, 23, 30), "07", "ordinary", "", None, None, (),
         [("王五", "330102198502023456")]),
        ("d10", tree.grid_a1, at(3, 10), "11", "ordinary", "resolved", at(3, 10, 18),
         at(3, 10, 17), (), [("钱七", "")]),
        ("d8", tree.grid_a1, at(4, 1, 0, 10), "11", "ordinary", "", None, None, (),
         [("赵六", "")]),
        ("d9", tree.grid_a1, at(2, 28), "11", "ordinary", "", None, None, (),
         [("钱七", "")]),
    ]  # fmt: skip
    rows, parties = [], []
    for number, grid, reported, category, level, outcome, due, concluded, risks, people in specs:
        dispute = Dispute(
            number=number,
            region=grid,
            reported_at=reported,
            category=category,
            level=level,
            outcome=outcome,
            due_at=due,
            concluded_at=concluded,
            title="测试纠纷",
            description="测试",
            source="centre",
            state="verified" if outcome else "mediating",
            **{risk: True for risk in risks},
        )
        dispute.derive()  # region_code, as a write through the write path sets it
        rows.append(dispute)
        for i, (name, id_number) in enumerate(people):
            side = "applicant" if i == 0 else "respondent"
            parties.append(DisputeParty(dispute=dispute, side=side, name=name, id_number=id_number))
    with writeguard.unlogged():
        Dispute.objects.bulk_create(rows)
        for party in parties:
            party.dispute_id = party.dispute.pk
            party.derive()  # the blind indexes
        DisputeParty.objects.bulk_create(parties)
    rollup.rebuild()
    return {d.number: d for d in rows}


def test_city_march_every_figure(tree, disputes):
    stats = compute(tree.city, *MARCH)
    f = stats.figures
    assert (f.total, f.concluded, f.resolved, f.due, f.on_time) == (8, 6, 4, 5, 4)
    assert (f.success_rate_display, f.on_time_rate_display) == ("66.7%", "80.0%")
    assert (f.petition, f.mass_incident, f.repeat) == (2, 2, 5)
    assert [(s.label, s.count) for s in stats.by_category] == [
        ("邻里", 4),
        ("劳动争议", 2),
        ("物业", 2),
    ]
    assert [(s.label, s.count) for s in stats.by_level] == [("一般", 5), ("较大", 2), ("重大", 1)]
    assert [(s.label, s.count) for s in stats.by_outcome] == [
        ("调解成功", 4),
        ("调解不成", 1),
        ("撤回", 1),
        ("未办结", 2),
    ]
    ranking = [
        (
            r.region.code,
            r.figures.total,
            r.figures.resolved,
            r.figures.success_rate_display,
            r.figures.on_time_rate_display,
        )
        for r in stats.ranking
    ]
    assert ranking == [("330102", 3, 1, "100.0%", "100.0%"), ("330101", 5, 3, "60.0%", "75.0%")]


def test_county_and_day_edges(tree, disputes):
    county = compute(tree.county_a, *MARCH).figures
    assert (county.total, county.resolved, county.repeat, county.petition) == (5, 3, 4, 1)
    # The period's local day bounds: d7 (03-31 23:30) in, d8 (04-01 00:10) out.
    last_day = compute(tree.county_b, date(2026, 3, 31), date(2026, 3, 31)).figures
    assert last_day.total == 1
    # Whole months from MONTH rows, the ragged ends (02-28, 04-01) from DAY rows.
    ragged = compute(tree.city, date(2026, 2, 28), date(2026, 4, 1)).figures
    assert (ragged.total, ragged.repeat, ragged.resolved) == (10, 7, 4)
    april = compute(tree.city, date(2026, 4, 1), date(2026, 4, 30)).figures
    assert (april.total, april.repeat, april.success_rate_display) == (1, 1, "—")


def test_nothing_registered_shows_dashes(tree, disputes):
    stats = compute(tree.city, date(2025, 1, 1), date(2025, 12, 31))
    assert stats.figures.total == 0
    assert stats.figures.success_rate_display == stats.figures.on_time_rate_display == "—"
    assert [r.figures.total for r in stats.ranking] == [0, 0]


def _rows():
    return sorted(DisputeRollup.objects.values_list(*rollup.COLUMNS, *rollup.COUNTERS).order_by())


def test_refresh_of_a_bucket_equals_the_rebuild(tree, disputes):
    from citygrid.core import writeguard
    from citygrid.disputes.models import Dispute

    rebuilt = _rows()
    d5 = disputes["d5"]
    with writeguard.unlogged():
        Dispute.objects.filter(pk=d5.pk).update(outcome="resolved", concluded_at=at(3, 8))
    d5.refresh_from_db()
    assert _rows() == rebuilt  # stale until refreshed
    rollup.refresh({(date(2026, 3, 6), tree.grid_b1.code)})
    assert compute(tree.city, date(2026, 3, 6), date(2026, 3, 6)).figures.resolved == 1
    assert compute(tree.county_b, *MARCH).figures.resolved == 2
    refreshed = _rows()
    assert rollup.rebuild() == len(refreshed)
    assert _rows() == refreshed


def test_on_event_counts_registrations_and_new_repeats(tree, setup, register, monkeypatch):
    """Wired as the workflow's `on_event`, the roll-up follows registrations, and a second
    dispute of the same party makes the first a repeat one too."""
    from citygrid.disputes.intake import Party
    from citygrid.disputes.workflow import DISPUTES

    monkeypatch.setattr(DISPUTES, "on_event", rollup.count)
    first = register()
    march = (date(2026, 3, 1), date(2026, 3, 31))
    figures = compute(tree.city, *march).figures
    assert (figures.total, figures.repeat) == (1, 0)
    register(
        now=at(3, 3),
        region=tree.grid_a2,
        parties=[Party(side="applicant", name="张三", phone="13900000001", id_number="")],
    )
    figures = compute(tree.city, *march).figures
    assert (figures.total, figures.repeat) == (2, 2)
    earlier = DisputeRollup.objects.get(
        span="b", region_code=first.region_code, day=date(2026, 3, 2)
    )
    assert (earlier.total, earlier.repeat) == (1, 1)  # refreshed by the second registration
    maintained = _rows()
    rollup.rebuild()
    assert _rows() == maintained


@pytest.fixture
def viewer(tree, make_user):
    return make_user(
        perms=["disputes.view_dispute", "disputes.export_dispute"],
        scope=[tree.county_a],
        username="viewer",
    )


def test_page_in_chinese_for_a_county(client, tree, disputes, viewer):
    client.force_login(viewer)
    params = {"region": tree.county_a.code, "start": "2026-03-01", "end": "2026-03-31"}
    response = client.get("/disputes/stats/", params)
    assert response.status_code == 200
    html = response.content.decode()
    for text in ("纠纷统计汇总", "调处成功率", "按期办结率", "越级上访风险", "重复纠纷", "甲街道"):
        assert text in html
    kpis = {key: value for key, _label, value in response.context["kpis"]}
    assert kpis == {
        "total": "5",
        "concluded": "5",
        "resolved": "3",
        "success_rate": "60.0%",
        "on_time_rate": "75.0%",
        "petition": "1",
        "mass_incident": "1",
        "repeat": "4",
    }
    for english in ("resolved", "ordinary", "Total", "None"):
        assert f">{english}<" not in html
    assert 'id="dispute-stats-data"' in html and "<script>" not in html
    assert "?region=330101001&amp;start=2026-03-01" in html  # the township drills down
    grids = client.get("/disputes/stats/", {**params, "region": tree.community_a.code})
    assert [row.region.code for _rank, row, _link in grids.context["ranking"]] == [
        tree.grid_a1.code,
        tree.grid_a2.code,
    ]
    assert all(link == "" for _rank, _row, link in grids.context["ranking"])  # grids: no link


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"region": "330102"}, "区域不存在或不在您的管辖范围内"),
        ({"start": "2026-03-31", "end": "2026-03-01"}, "开始日期不能晚于结束日期"),
        ({"start": "2026-13-01"}, "日期格式不正确"),
    ],
)
def test_bad_input_is_refused_in_chinese(client, tree, disputes, viewer, params, message):
    client.force_login(viewer)
    for url in ("/disputes/stats/", "/disputes/stats/export/"):
        response = client.get(url, params)
        assert response.status_code == 400
        assert message in response.content.decode()
        assert "stats" not in response.context


def test_permissions(client, tree, disputes, make_user):
    viewer_only = make_user(perms=["disputes.view_dispute"], scope=[tree.county_a])
    client.force_login(viewer_only)
    assert client.get("/disputes/stats/").status_code == 200
    assert client.get("/disputes/stats/export/").status_code == 403
    client.force_login(make_user(perms=[], scope=[tree.county_a]))
    assert client.get("/disputes/stats/").status_code == 403


def test_export_holds_the_numbers_and_is_logged(client, tree, disputes, viewer):
    from citygrid.core.models import AccessLog

    client.force_login(viewer)
    response = client.get(
        "/disputes/stats/export/",
        {"region": tree.county_a.code, "start": "2026-03-01", "end": "2026-03-31"},
    )
    assert response.status_code == 200
    wb = load_workbook(BytesIO(response.content))
    assert wb.sheetnames == ["汇总", "按类别", "按等级", "按调处结果", "下级排名"]
    summary = {row[0]: row[1] for row in wb["汇总"].iter_rows(min_row=2, values_only=True)}
    assert summary["纠纷总数"] == 5 and summary["调处成功"] == 3 and summary["重复纠纷"] == 4
    assert summary["调处成功率"] == pytest.approx(0.6)
    assert summary["按期办结率"] == pytest.approx(0.75)
    assert list(wb["按类别"].iter_rows(min_row=2, values_only=True)) == [
        ("邻里", 3),
        ("劳动争议", 2),
    ]
    assert list(wb["下级排名"].iter_rows(min_row=2, values_only=True)) == [
        (1, "330101001", "甲街道", 5, 3, pytest.approx(0.6), pytest.approx(0.75))
    ]
    log = AccessLog.objects.get(action="export")
    assert log.user == viewer and "纠纷统计" in log.detail and "330101" in log.detail


def test_rebuild_command(tree, disputes):
    from django.core.management import call_command

    DisputeRollup.objects.all().delete()
    out = StringIO()
    call_command("rebuild_dispute_statistics", stdout=out)
    assert "已重建纠纷统计汇总" in out.getvalue()
    assert compute(tree.city, *MARCH).figures.total == 8
