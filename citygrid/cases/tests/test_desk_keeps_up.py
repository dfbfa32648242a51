"""The desk keeps up (issue 12, item 4): filters on indexed columns, the 来源 column, bounded tab
counts, the feed of new reports, action badges that open the action, the sentence after an
action that says who acts next and by when, and the case page's photos."""

import re

import pytest
from django.urls import reverse

from citygrid.cases import actions
from citygrid.cases.choices import Channel
from citygrid.cases.models import Case
from citygrid.cases.tests.conftest import MONDAY_10, jpeg
from citygrid.regions.models import GridWorker

pytestmark = pytest.mark.django_db

DESK = reverse("cases:desk")
FEED = reverse("cases:desk_feed")


def numbers(response) -> list[str]:
    assert response.status_code == 200
    return [case.number for case in response.context["page"]]


@pytest.fixture
def desk_cases(setup, report, tree):
    """Four cases waiting for the dispatcher, differing in what the filters read."""
    hotline = report(channel=Channel.HOTLINE)
    wechat = report(channel=Channel.WECHAT, category=setup.other_category, lng=120.015)
    registered = report(lng=120.006, lat=30.002)
    actions.register_case(registered, actor=setup.dispatcher, now=MONDAY_10)
    in_b = report(lng=120.105, lat=30.005)
    return {
        "hotline": hotline,
        "wechat": wechat,
        "registered": Case.objects.get(pk=registered.pk),
        "in_b": in_b,
    }


# --- filters and columns ----------------------------------------------------------------------


def test_desk_filters_narrow_the_to_do(client, setup, desk_cases, tree):
    client.force_login(setup.dispatcher)
    every = set(numbers(client.get(DESK)))
    assert every == {c.number for c in desk_cases.values()}

    def only(**params):
        return set(numbers(client.get(DESK, params)))

    assert only(channel="wechat") == {desk_cases["wechat"].number}
    assert only(category=setup.other_category.pk) == {desk_cases["wechat"].number}
    assert only(state="registered") == {desk_cases["registered"].number}
    assert only(region=tree.county_b.pk) == {desk_cases["in_b"].number}
    assert only(region=tree.grid_a2.pk) == {desk_cases["wechat"].number}
    # A number or its first digits (a range of the unique index).
    assert only(number=desk_cases["hotline"].number) == {desk_cases["hotline"].number}
    assert only(number=desk_cases["hotline"].number[:8]) == every
    assert only(number="1999") == set()
    assert only(channel="wechat", state="registered") == set()


def test_department_filter_on_the_overdue_tab(client, setup, desk_cases):
    case = actions.dispatch_case(desk_cases["registered"], actor=setup.dispatcher, now=MONDAY_10)
    client.force_login(setup.dispatcher)
    assert numbers(client.get(DESK, {"tab": "overdue", "department": setup.department.pk})) == [
        case.number
    ]
    assert (
        numbers(client.get(DESK, {"tab": "overdue", "department": setup.other_department.pk})) == []
    )


def test_a_bad_number_is_refused_in_chinese_and_lists_nothing(client, setup, desk_cases):
    client.force_login(setup.dispatcher)
    response = client.get(DESK, {"number": "2026-03"})
    assert numbers(response) == []
    html = response.content.decode()
    assert "案件编号只含数字" in html and "筛选条件有误" in html


def test_a_region_outside_the_territory_is_refused(client, setup, desk_cases, tree):
    client.force_login(setup.inspector)  # county A
    response = client.get(DESK, {"tab": "overdue", "region": tree.county_b.pk})
    assert numbers(response) == []
    assert response.context["filter"].errors


def test_source_column_shows_each_channel(client, setup, desk_cases):
    client.force_login(setup.dispatcher)
    html = client.get(DESK).content.decode()
    assert "<th>来源</th>" in html
    assert '<td class="text-nowrap" data-channel="wechat">微信</td>' in html
    assert '<td class="text-nowrap" data-channel="hotline">热线电话</td>' in html


def test_tab_counts_stop_at_the_limit(client, setup, desk_cases, monkeypatch):
    monkeypatch.setattr("citygrid.cases.views.desk.TAB_COUNT_LIMIT", 3)
    client.force_login(setup.dispatcher)
    response = client.get(DESK)
    texts = {name: text for name, _, _, text in response.context["tabs"]}
    assert texts["todo"] == "3+" and texts["supervision"] == "0"
    assert 'data-count="todo">3+</span>' in response.content.decode()


def test_filters_stay_on_tab_and_page_links(client, setup, desk_cases, monkeypatch):
    monkeypatch.setattr("citygrid.cases.views.desk.PER_PAGE", 1)
    client.force_login(setup.dispatcher)
    html = client.get(DESK, {"channel": "hotline", "state": "reported"}).content.decode()
    assert 'href="?tab=overdue&amp;channel=hotline&amp;state=reported"' in html
    # Three reported cases at one a page: the next page keeps the filter.
    html = client.get(DESK, {"state": "reported"}).content.decode()
    assert 'href="?tab=todo&amp;state=reported&amp;page=2">下一页' in html


# --- action badges ----------------------------------------------------------------------------


def test_action_badges_link_to_the_action_form(client, setup, desk_cases):
    client.force_login(setup.dispatcher)
    html = client.get(DESK).content.decode()
    case = desk_cases["registered"]
    links = re.findall(rf'href="/cases/{case.pk}/#act-([a-z_]+)"', html)
    assert links == ["dispatch", "suspend", "escalate", "merge"]
    page = client.get(reverse("cases:case", args=[case.pk])).content.decode()
    assert 'id="act-dispatch"' in page  # the anchor the badge opens


# --- the feed of new reports ------------------------------------------------------------------


def test_feed_returns_new_cases_of_my_to_do_after_the_cursor(client, setup, report, desk_cases):
    client.force_login(setup.dispatcher)
    cursor = client.get(DESK).context["cursor"]
    assert cursor == Case.objects.order_by("-pk").first().pk
    assert client.get(FEED, {"after": cursor}).json() == {"cursor": cursor, "cases": []}

    fresh = report(channel=Channel.PORTAL, lng=120.003)
    body = client.get(FEED, {"after": cursor}).json()
    assert body["cursor"] == fresh.pk
    (row,) = body["cases"]
    assert row["number"] == fresh.number
    assert row["summary"] == f"{setup.category.name} · 群众上报"
    assert f'data-case="{fresh.number}"' in row["html"]
    assert f'href="/cases/{fresh.pk}/#act-register"' in row["html"]
    # The next poll starts after it: nothing twice.
    assert client.get(FEED, {"after": body["cursor"]}).json()["cases"] == []


def test_feed_is_scoped_and_filtered(client, setup, report, desk_cases):
    client.force_login(setup.outsider)  # county B
    cursor = client.get(DESK).context["cursor"]
    in_a = report(lng=120.004)
    body = client.get(FEED, {"after": cursor}).json()
    # Not theirs, yet the cursor moves past it: later polls do not read it again.
    assert body == {"cursor": in_a.pk, "cases": []}
    in_b = report(lng=120.104, channel=Channel.HOTLINE)
    assert [c["number"] for c in client.get(FEED, {"after": cursor}).json()["cases"]] == [
        in_b.number
    ]
    assert client.get(FEED, {"after": cursor, "channel": "wechat"}).json()["cases"] == []


def test_feed_hands_out_at_most_a_batch_per_poll(client, setup, report, monkeypatch):
    monkeypatch.setattr("citygrid.cases.views.desk.FEED_LIMIT", 2)
    client.force_login(setup.dispatcher)
    made = [report(lng=120.001 + i / 1000) for i in range(3)]
    first = client.get(FEED, {"after": 0}).json()
    assert [c["number"] for c in first["cases"]] == [c.number for c in made[:2]]
    assert first["cursor"] == made[1].pk
    second = client.get(FEED, {"after": first["cursor"]}).json()
    assert [c["number"] for c in second["cases"]] == [made[2].number]


@pytest.mark.parametrize("after", ["", "abc", "-1", str(2**63)])
def test_feed_refuses_a_bad_cursor_with_json(client, setup, after):
    client.force_login(setup.dispatcher)
    response = client.get(FEED, {"after": after})
    assert response.status_code == 400
    assert response.json()["code"] == "invalid_cursor"


def test_feed_refuses_bad_filters_and_users_without_permission(client, setup, make_user, tree):
    client.force_login(setup.dispatcher)
    response = client.get(FEED, {"after": 0, "number": "x"})
    assert response.status_code == 400
    assert response.json()["code"] == "invalid_filter"
    assert response.json()["errors"]["number"] == ["案件编号只含数字，可只输入开头几位"]
    client.force_login(make_user(perms=["cases.register_case"], scope=[tree.city]))
    response = client.get(FEED, {"after": 0})
    assert response.status_code == 403 and response.json()["code"] == "permission_denied"
    client.logout()
    assert client.get(FEED, {"after": 0}).status_code == 302


# --- after an action: who acts next, by when -------------------------------------------------


def act(client, case, action, **data):
    response = client.post(reverse("cases:case_act", args=[case.pk, action]), data, follow=True)
    assert response.status_code == 200
    return [str(m) for m in response.context["messages"]]


def test_each_action_says_who_acts_next_and_by_when(client, setup, report, tree):
    GridWorker.objects.create(
        region=tree.grid_a1, name="监督员甲", role="inspector", user=setup.inspector
    )
    case = report(now=MONDAY_10)
    client.force_login(setup.dispatcher)

    def deadline():
        case.refresh_from_db()
        return f"{case.step_deadline.astimezone(MONDAY_10.tzinfo):%Y-%m-%d %H:%M}"

    (message,) = act(client, case, "register")
    assert message == (
        f"已执行“受理立案”：{case.number}。下一步由 指挥中心 派遣，时限 {deadline()}。"
    )
    (message,) = act(client, case, "dispatch", department=setup.department.pk)
    assert message == (
        f"已执行“派遣”：{case.number}，已派遣至 城管执法局。下一步由 城管执法局 签收，"
        f"时限 {deadline()}。"
    )
    client.force_login(setup.handler)
    act(client, case, "accept")
    photo = jpeg()
    (message,) = act(client, case, "report_back", note="已清理", photos=photo)
    assert message.endswith(f"下一步由 核查人员 inspector 核查，时限 {deadline()}。")
    client.force_login(setup.inspector)
    (message,) = act(client, case, "verify_pass")
    assert "下一步由 指挥中心 结案" in message
    client.force_login(setup.dispatcher)
    (message,) = act(client, case, "close")
    assert message.endswith("事件已结案，可进行评价。")


def test_a_suspended_case_says_nobody_acts(client, setup, report):
    case = report()
    actions.register_case(case, actor=setup.dispatcher, now=MONDAY_10)
    client.force_login(setup.dispatcher)
    (message,) = act(client, case, "suspend", note="等待拆迁")
    assert message.endswith("事件已挂账，计时暂停，恢复办理前无人需要处理。")


# --- photos on the case page ------------------------------------------------------------------


def test_report_photos_beside_the_description_and_before_after_once_handled(client, setup, report):
    case = report(photos=[jpeg("a.jpg"), jpeg("b.jpg")])
    client.force_login(setup.dispatcher)
    url = reverse("cases:case", args=[case.pk])
    html = client.get(url).content.decode()
    beside = html[html.index('id="report-photos"') :]
    assert beside.index("上报照片（2 张，点击放大）") < beside.index("</div>\n        </div>")
    assert html.count('data-bs-target="#photo-viewer"') == 2 + 2  # the panel and the timeline
    assert 'id="photo-compare"' not in html

    actions.register_case(case, actor=setup.dispatcher, now=MONDAY_10)
    actions.dispatch_case(case, actor=setup.dispatcher, now=MONDAY_10)
    actions.accept_case(case, actor=setup.handler, now=MONDAY_10)
    actions.report_back_case(
        case, actor=setup.handler, note="已清理", photos=[jpeg("after.jpg")], now=MONDAY_10
    )
    html = client.get(url).content.decode()
    compare = html[html.index('id="photo-compare"') :]
    before = compare[compare.index('data-stage="before"') : compare.index('data-stage="after"')]
    after = compare[compare.index('data-stage="after"') : compare.index("办理过程")]
    assert before.count('alt="处置前照片"') == 2 and after.count('alt="处置后照片"') == 1
    assert 'data-stage="verify"' not in compare

    actions.verify_case(
        case, actor=setup.inspector, passed=True, photos=[jpeg("check.jpg")], now=MONDAY_10
    )
    html = client.get(url).content.decode()
    assert 'data-stage="verify"' in html and 'alt="核查照片"' in html


def test_case_photos_stay_protected(client, setup, report):
    case = report(photos=[jpeg()])
    photo = case.attachments.get()
    client.force_login(setup.dispatcher)
    assert client.get(photo.image.url).status_code == 200
    client.force_login(setup.outsider)  # county B: not their case
    assert client.get(photo.image.url).status_code == 404


def test_case_list_shows_the_source_and_filters_by_it(client, setup, report):
    portal = report(channel=Channel.PORTAL)
    report(channel=Channel.HOTLINE, lng=120.006)
    client.force_login(setup.dispatcher)
    response = client.get(reverse("cases:case_list"), {"channel": "portal"})
    table = response.context["table"]
    assert table.columns["channel"].header == "来源"
    (row,) = table.page.object_list
    assert row.record == portal and row.get_cell("channel") == "群众上报"


def test_a_dispatcher_keeps_a_photo_off_the_citizens_page(client, setup, report):
    from citygrid.portal.views import public_photos

    case = report(photos=[jpeg("face.jpg"), jpeg("street.jpg")])
    face, street = case.attachments.order_by("pk")
    url = reverse("cases:case_photo_privacy", args=[case.pk, face.pk])
    client.force_login(setup.dispatcher)
    page = client.get(reverse("cases:case", args=[case.pk])).content.decode()
    assert page.count("设为不公开") == 2 and "data-private" not in page
    assert client.get(url).status_code == 405
    response = client.post(url, {"private": "1"}, follow=True)
    assert "照片已设为不公开" in response.content.decode()
    face.refresh_from_db()
    assert face.private
    event = case.events.get(action="photo_private")
    assert event.actor == setup.dispatcher and event.data["photo_id"] == face.pk
    page = client.get(reverse("cases:case", args=[case.pk])).content.decode()
    assert "照片设为不公开" in page and page.count("恢复公开") == 1
    case.state = "closed"
    assert list(public_photos(case)) == [street]
    # Again: nothing changes, no second event; then back to public.
    client.post(url, {"private": "1"})
    assert case.events.filter(action="photo_private").count() == 1
    client.post(url, {"private": "0"})
    face.refresh_from_db()
    assert not face.private and case.events.filter(action="photo_public").exists()


def test_photo_privacy_needs_the_screening_permission_and_the_case(client, setup, report):
    case = report(photos=[jpeg()])
    photo = case.attachments.get()
    url = reverse("cases:case_photo_privacy", args=[case.pk, photo.pk])
    client.force_login(setup.handler)  # a department handler does not screen reports
    assert "设为不公开" not in client.get(reverse("cases:case", args=[case.pk])).content.decode()
    assert client.post(url, {"private": "1"}).status_code in (403, 404)
    client.force_login(setup.outsider)  # county B: not their case
    assert client.post(url, {"private": "1"}).status_code == 404
    other = report(photos=[jpeg()])
    client.force_login(setup.dispatcher)  # a photo of another case through this case's URL
    foreign = reverse("cases:case_photo_privacy", args=[case.pk, other.attachments.get().pk])
    assert client.post(foreign, {"private": "1"}).status_code == 404
    photo.refresh_from_db()
    assert not photo.private
