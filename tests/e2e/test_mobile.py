"""The grid workers' app on a phone-sized screen: a report with a photo compressed in the
browser and a faked GPS position; two reports queued offline that arrive exactly once when the
network returns; the app shell opening without a network."""

import re

import pytest
from PIL import Image
from playwright.sync_api import expect

from citygrid.cases.models import Case, CaseAttachment, CaseEvent
from citygrid.cases.testing import street_order_class
from citygrid.regions.models import GridWorker
from tests.e2e.conftest import log_in_page

pytestmark = pytest.mark.browser

IN_A1 = {"longitude": 120.005, "latitude": 30.005, "accuracy": 15}
IN_A2 = {"longitude": 120.015, "latitude": 30.005, "accuracy": 15}
PHONE = {"width": 390, "height": 844}
WORKER_PERMS = ["cases.view_case", "cases.add_case", "cases.verify_case", "cases.add_visit"]


@pytest.fixture
def worker(tree, make_user):
    """A 网格员 of grid A1 whose scope is the whole community; the flush removed the seeded
    classes, so the class is made again."""
    street_order_class("0508", "占道施工")
    user = make_user(perms=WORKER_PERMS, scope=[tree.community_a], username="worker")
    post = GridWorker(region=tree.grid_a1, name="王网格", phone="13900001111", user=user)
    post.full_clean()
    post.save()
    return user


@pytest.fixture
def phone(browser, live_server):
    """phone(user, position) → a logged-in page in a phone-sized context with GPS granted."""
    contexts = []

    def open_phone(user, position=IN_A1, **options):
        context = browser.new_context(
            **options,
            base_url=live_server.url,
            viewport=PHONE,
            is_mobile=True,
            has_touch=True,
            locale="zh-CN",
            reduced_motion="reduce",
            geolocation=position,
            permissions=["geolocation"],
        )
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(10000)
        log_in_page(page, user)
        return page

    yield open_phone
    for context in contexts:
        context.close()
    app = live_server.thread.httpd.get_app()
    if hasattr(app, "wait_idle"):
        app.wait_idle()


def big_jpeg(path):
    Image.new("RGB", (2400, 1800), (200, 120, 40)).save(path, format="JPEG", quality=95)
    return path


def open_report(page):
    page.goto("/m/report/")
    expect(page.locator("#position-status")).to_contain_text("已定位")


def fill_report(page, description, photo=None):
    page.locator("#category-search").fill("占道")
    page.locator("#category").select_option(label="占道施工（街面秩序）")
    if photo:
        page.locator('input[data-photo-input="album"]').set_input_files(str(photo))
        expect(page.locator("[data-photo-count]")).to_have_text("已选 1 张")
    page.locator("#description").fill(description)
    page.locator("#report-form button[type=submit]").click()


def test_report_with_photo_and_gps(phone, worker, tree, tmp_path, server_paused):
    page = phone(worker)
    open_report(page)
    expect(page.locator("#position-status")).to_contain_text("位于甲一网格")
    fill_report(page, "人行道上堆放建材", big_jpeg(tmp_path / "photo.jpg"))
    result = page.locator("#report-result")
    expect(result).to_contain_text("上报成功，案卷号")
    with server_paused:
        case = Case.objects.get()
        assert result.inner_text() == f"上报成功，案卷号 {case.number}"
        assert (case.lng, case.lat) == (120.005, 30.005)
        assert case.region == tree.grid_a1
        assert case.channel == "grid_app"
        assert case.reporter == worker
        assert case.description == "人行道上堆放建材"
        photo = CaseAttachment.objects.get(case=case, stage="before")
        # Compressed on the phone: the long side at most 1600 px.
        with Image.open(photo.image.path) as stored:
            assert stored.size == (1600, 1200)
        assert "flags" not in CaseEvent.objects.get(case=case, action="report").data


def test_outside_own_grid_warns_then_flags(phone, worker, tree, server_paused):
    page = phone(worker, IN_A2)
    open_report(page)
    expect(page.locator("#position-status")).to_contain_text("不在您负责的网格内")
    fill_report(page, "井盖缺失")
    expect(page.locator("#outside-warning")).to_be_visible()
    with server_paused:
        assert Case.objects.count() == 0
    page.locator("#confirm-outside").click()
    expect(page.locator("#report-result")).to_contain_text("上报成功")
    with server_paused:
        case = Case.objects.get()
        assert case.region == tree.grid_a2
        assert CaseEvent.objects.get(case=case, action="report").data["flags"] == [
            "outside_own_grid"
        ]


def test_offline_reports_queue_and_arrive_once(phone, worker, server_paused):
    page = phone(worker)
    open_report(page)
    page.context.set_offline(True)
    expect(page.locator("#net-status")).to_have_text("离线")
    for text in ("路灯不亮", "垃圾满溢"):
        fill_report(page, text)
        expect(page.locator("#report-result")).to_have_text(
            "当前无网络，已保存到待上传队列，联网后自动上传。"
        )
    expect(page.locator("#queue-count")).to_have_text("2")
    with server_paused:
        assert Case.objects.count() == 0

    page.context.set_offline(False)
    # The "online" event uploads at once; on a loaded machine the app's 30 s retry may be the one.
    expect(page.locator("#queue-count")).to_be_hidden(timeout=45000)
    with server_paused:
        cases = list(Case.objects.order_by("description"))
        assert sorted(c.description for c in cases) == ["垃圾满溢", "路灯不亮"]
        assert len({c.idempotency_key for c in cases}) == 2
        assert all(c.reporter == worker for c in cases)

    page.goto("/m/queue/")
    expect(page.locator("#sent-list .list-group-item")).to_have_count(2)
    expect(page.locator("#queue-empty")).to_have_text("没有待上传的内容。")


def test_lost_answer_is_retried_with_the_same_key(phone, worker, server_paused):
    """The server creates the case but the answer never reaches the phone: the item stays
    queued, the retry sends the same key, and the server answers with the case it made."""
    # Blocked here so that page.route sees the app's own requests (a worker may hide them).
    page = phone(worker, service_workers="block")
    lost = []

    def lose_first_answer(route):
        if not lost:
            lost.append(route.fetch().status)
            route.abort("connectionreset")
        else:
            route.continue_()

    page.route("**/m/api/reports/", lose_first_answer)
    open_report(page)
    fill_report(page, "路面塌陷")
    expect(page.locator("#report-result")).to_have_text(
        "暂时无法连接服务器，已保存到待上传队列，稍后自动上传。"
    )
    assert lost == [201]
    expect(page.locator("#queue-count")).to_have_text("1")
    with server_paused:
        assert Case.objects.count() == 1

    # Opening the app retries the queue by itself, so the item may already be on its way when
    # the page shows; the button joins the same upload (one flush at a time) or finds it done.
    page.goto("/m/queue/")
    page.locator("#queue-flush").click()
    expect(page.locator("#queue-empty")).to_have_text("没有待上传的内容。")
    expect(page.locator("#sent-list")).to_contain_text("路面塌陷")
    with server_paused:
        case = Case.objects.get()
        assert case.description == "路面塌陷"
        assert page.locator("#sent-list").inner_text().count(case.number) == 1


def test_app_opens_offline_from_the_service_worker(phone, worker):
    page = phone(worker)
    page.goto("/m/")
    page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    page.context.set_offline(True)
    page.goto("/m/report/")
    expect(page.locator("#report-form")).to_be_visible()
    expect(page.locator("#net-status")).to_have_text("离线")
    page.goto("/m/queue/")
    expect(page.locator("#queue-flush")).to_be_visible()


def test_verify_from_my_tasks_and_a_visit_logged_offline(
    phone, worker, make_user, tree, tmp_path, server_paused
):
    from citygrid.cases import actions
    from citygrid.cases.intake import Report, report_case
    from citygrid.cases.models import Department, DispatchRule, Task, Visit
    from citygrid.cases.tests.conftest import DISPATCHER_PERMS, HANDLER_PERMS, jpeg

    category = street_order_class("0508", "占道施工")
    department = Department.objects.create(name="城管执法局", code="CG01", region=tree.city)
    DispatchRule.objects.create(category=category, department=department, region=tree.city)
    dispatcher = make_user(perms=DISPATCHER_PERMS, scope=[tree.city], username="dispatcher")
    handler = make_user(perms=HANDLER_PERMS, scope=[tree.city], username="handler")
    department.members.add(handler)
    GridWorker.objects.filter(user=worker).update(role="inspector")
    case = report_case(
        Report(category=category, description="占道堆放", lng=120.005, lat=30.005),
        actor=dispatcher,
    )
    actions.register_case(case, actor=dispatcher)
    actions.dispatch_case(case, actor=dispatcher)
    actions.accept_case(case, actor=handler)
    actions.report_back_case(case, actor=handler, note="已清理", photos=[jpeg("after.jpg")])
    assert Task.objects.get(case=case, kind="verification").assignee == worker

    page = phone(worker)
    page.goto("/m/")
    task = page.locator(".task-item", has_text=f"核查事件 {case.number}")
    expect(task.locator("[data-due]")).to_contain_text("剩余")
    task.get_by_role("link", name="去核查").click()
    page.get_by_label("通过", exact=True).check()
    page.locator('input[data-photo-input="album"]').set_input_files(
        str(big_jpeg(tmp_path / "check.jpg"))
    )
    expect(page.locator("[data-photo-count]")).to_have_text("已选 1 张")
    page.locator("#note").fill("现场已恢复通行")
    page.locator("#verify-form button[type=submit]").click()
    expect(page.locator("#verify-result")).to_have_text(
        re.compile(r"^核查已提交，事件状态：待结案。下一步由 指挥中心 结案，时限 [-\d: ]+。$")
    )
    with server_paused:
        case.refresh_from_db()
        assert case.state == "verified"
        assert CaseAttachment.objects.filter(case=case, stage="verify").count() == 1
        assert Task.objects.get(case=case, kind="verification").status == "done"

    page.goto("/m/visit/")
    expect(page.locator("#position-status")).to_contain_text("已定位")
    page.context.set_offline(True)
    page.locator("#target").fill("独居老人李某家")
    page.locator("#findings").fill("身体状况良好")
    page.locator("#visit-form button[type=submit]").click()
    expect(page.locator("#visit-result")).to_contain_text("当前无网络")
    with server_paused:
        assert Visit.objects.count() == 0
    page.context.set_offline(False)
    # The "online" event uploads at once; on a loaded machine the app's 30 s retry may be the one.
    expect(page.locator("#queue-count")).to_be_hidden(timeout=45000)
    with server_paused:
        visit = Visit.objects.get()
        assert (visit.target, visit.region) == ("独居老人李某家", tree.grid_a1)
        assert visit.visitor == worker
