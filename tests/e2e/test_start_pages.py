"""Daily use, role by role (issue 12): each role starts where its work is, the 工作台 shows
what is waiting with countdowns, and modules not built yet stay out of the way. Phone-sized
and desktop-sized browsers; screenshots of the pages a person looks at are checked for
anything not in Chinese."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from citygrid.accounts import roles
from citygrid.accounts.models import User
from citygrid.cases import actions
from citygrid.cases.intake import Report, report_case
from citygrid.cases.models import Case, DispatchRule
from citygrid.cases.models import Department as CaseDepartment
from citygrid.cases.testing import street_order_class
from citygrid.notify.services import notify_user
from citygrid.regions.models import GridWorker
from tests.e2e.conftest import DESKTOP, PASSWORD, PHONE, PHONE_DEVICE, submit_login_form

pytestmark = pytest.mark.browser

PHONE_UA = (
    "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/126.0 Mobile Safari/537.36"
)
# Latin words a Chinese page may show: none in the content of these pages.
LATIN_WORD = re.compile(r"[A-Za-z]{2,}")


@pytest.fixture
def people(tree):
    """One account per default role, as an installation sets them up."""
    default = roles.ensure_default_roles()
    category = street_order_class("0508", "占道施工")
    department = CaseDepartment.objects.create(name="城管执法局", code="CG01", region=tree.city)
    DispatchRule.objects.create(category=category, department=department, region=tree.city)

    def person(username, full_name, role, scope):
        user = User.objects.create_user(username=username, password=PASSWORD, full_name=full_name)
        user.roles.add(default[role])
        user.scope_regions.add(scope)
        return user

    accounts = {
        "worker": person("worker", "王网格", roles.GRID_WORKER, tree.community_a),
        "dispatcher": person("dispatcher", "刘调度", roles.COUNTY_DISPATCHER, tree.county_a),
        "handler": person("handler", "陈处置", roles.DEPARTMENT_HANDLER, tree.city),
        "leader": person("leader", "孙领导", roles.CITY_LEADER, tree.city),
    }
    department.members.add(accounts["handler"])
    post = GridWorker(region=tree.grid_a1, name="王网格", phone="13900001111")
    post.user = accounts["worker"]
    post.full_clean()
    post.save()
    accounts["category"] = category
    return accounts


@pytest.fixture
def work(people):
    """Cases awaiting the dispatcher: one overdue, one near its deadline, one relaxed; one
    dispatched to the handler's department, overdue; a notice for the dispatcher."""
    now = timezone.now()
    dispatcher = people["dispatcher"]

    def case(lng, deadline=None, warn_at=None):
        made = report_case(
            Report(
                category=people["category"],
                description="人行道上堆放建材",
                lng=lng,
                lat=30.005,
                address="甲社区1号",
            ),
            actor=dispatcher,
            now=now,
        )
        if deadline:
            Case.objects.filter(pk=made.pk).update(step_deadline=deadline, step_warn_at=warn_at)
            made.refresh_from_db()
        return made

    hour = timedelta(hours=1)
    made = {
        "overdue": case(120.002, now - 26 * hour, now - 48 * hour),
        "near": case(120.004, now + 2 * hour + timedelta(minutes=20), now - hour),
        "relaxed": case(120.006, now + 73 * hour + timedelta(minutes=30), now + 48 * hour),
    }
    sent = case(120.008)
    for step in (actions.register_case, actions.dispatch_case):
        step(sent, actor=dispatcher, now=now)
    late = {"step_deadline": now - 3 * hour, "step_warn_at": now - 5 * hour}
    Case.objects.filter(pk=sent.pk).update(**late)
    made["sent"] = sent
    notify_user(dispatcher, "事件即将超期，请尽快处理", url="/cases/desk/")
    return made


@pytest.fixture
def browse(new_page):
    """browse(user, phone=False) → a page logged in through the real form, where login led."""

    def open_as(user, phone: bool = False):
        device = {**PHONE_DEVICE, "user_agent": PHONE_UA} if phone else {"viewport": DESKTOP}
        return submit_login_form(new_page(**device), user.username, PASSWORD)

    return open_as


def check_shot(page, tmp_path, name: str, selector: str = ".page-body") -> None:
    """Take the screenshot a person would see and check its text is all Chinese."""
    page.screenshot(path=str(tmp_path / f"{name}.png"), full_page=True)
    text = page.locator(selector).inner_text()
    assert not LATIN_WORD.findall(text), f"{name}: {LATIN_WORD.findall(text)}"


def test_grid_worker_on_a_phone_lands_in_the_app(browse, people, live_server):
    page = browse(people["worker"], phone=True)
    expect(page).to_have_url(f"{live_server.url}/m/")


def test_grid_worker_at_a_desktop_gets_the_workbench_with_the_app_link(
    browse, people, live_server, tmp_path
):
    page = browse(people["worker"])
    expect(page).to_have_url(f"{live_server.url}/")
    card = page.locator("#mobile-app-card")
    expect(card).to_be_visible()
    expect(card.locator("svg")).to_be_visible()  # the QR code to scan with the phone
    expect(card).to_contain_text("网格员手机端")
    check_shot(page, tmp_path, "worker-desktop")
    card.locator("#mobile-app-link").click()
    expect(page).to_have_url(f"{live_server.url}/m/")


def test_next_beats_the_start_page(new_page, live_server, people):
    page = new_page(viewport=PHONE, user_agent=PHONE_UA)
    page.goto("/accounts/login/?next=/cases/")
    form = page.locator("#login-form")
    form.locator('input[name="username"]').fill("worker")
    form.locator('input[name="password"]').fill(PASSWORD)
    with page.expect_navigation():
        form.locator('button[type="submit"]').click()
    expect(page).to_have_url(f"{live_server.url}/cases/")


def test_leader_lands_on_the_dashboard(browse, people, live_server):
    page = browse(people["leader"])
    expect(page).to_have_url(f"{live_server.url}/statistics/")


def test_dispatcher_lands_on_the_desk_and_the_workbench_shows_the_countdowns(
    browse, people, work, live_server, tmp_path
):
    page = browse(people["dispatcher"])
    expect(page).to_have_url(f"{live_server.url}/cases/desk/")
    page.goto("/")
    todos = page.locator("#workbench-todos")
    overdue = todos.locator(f'[data-case="{work["overdue"].number}"]')
    expect(overdue).to_have_attribute("data-due", "overdue")
    expect(overdue).to_contain_text("超期")
    expect(overdue.locator("[data-left]")).to_have_text("已超期 1 天 2 小时")
    near = todos.locator(f'[data-case="{work["near"].number}"]')
    expect(near).to_have_attribute("data-due", "warning")
    expect(near).to_contain_text("临期")
    expect(near.locator("[data-left]")).to_have_text("剩余 2 小时")
    relaxed = todos.locator(f'[data-case="{work["relaxed"].number}"]')
    expect(relaxed.locator("[data-left]")).to_have_text("剩余 3 天 1 小时")
    # Overdue red, near yellow, the relaxed one plain: styling a person notices.
    red = overdue.evaluate("el => getComputedStyle(el).backgroundColor")
    yellow = near.evaluate("el => getComputedStyle(el).backgroundColor")
    plain = relaxed.evaluate("el => getComputedStyle(el).backgroundColor")
    assert len({red, yellow, plain}) == 3
    expect(todos.locator('[data-summary="overdue"]')).to_have_text("超期 1")
    expect(todos.locator('[data-summary="warning"]')).to_have_text("临期 1")
    # Most urgent first.
    first = todos.locator("[data-case]").first
    expect(first).to_have_attribute("data-case", work["overdue"].number)
    expect(page.locator("#workbench-reports [data-report]")).to_have_count(3)
    expect(page.locator("#workbench-notices")).to_contain_text("事件即将超期，请尽快处理")
    expect(page.locator("#workbench-trend")).to_contain_text("辖区上报 4 件")
    expect(page.locator("#chart-workbench-trend canvas")).to_have_count(1)
    check_shot(page, tmp_path, "dispatcher-workbench")


def test_department_handler_on_a_phone_sees_the_departments_work(
    browse, people, work, live_server, tmp_path
):
    page = browse(people["handler"], phone=True)
    expect(page).to_have_url(f"{live_server.url}/cases/desk/")
    page.goto("/")
    rows = page.locator("#workbench-todos [data-case]")
    expect(rows).to_have_count(1)
    row = rows.first
    expect(row).to_have_attribute("data-case", work["sent"].number)
    expect(row.locator("[data-left]")).to_have_text("已超期 3 小时")
    # The countdown is on screen, not cut off by the phone's edge.
    box = row.locator("[data-left]").bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]
    expect(page.locator("#workbench-reports")).to_have_count(0)
    # The header wraps: nothing widens the page past the phone's screen.
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    check_shot(page, tmp_path, "handler-phone")


def wip_entry(page):
    return page.locator("#main-nav .nav-link-title", has_text="更多（建设中）")


def test_modules_under_construction_stay_out_of_a_handlers_way(browse, people, tmp_path):
    page = browse(people["handler"])
    page.goto("/")
    expect(page.locator("#main-nav")).to_be_visible()
    expect(wip_entry(page)).to_have_count(0)
    expect(page.locator('#main-nav a[href^="/core/wip/"]')).to_have_count(0)


def test_administrators_find_every_module_under_one_entry(browse, make_user):
    admin = make_user(superuser=True, username="chief")
    page = browse(admin)
    entry = wip_entry(page)
    expect(entry).to_have_count(1)
    entry.click()
    links = page.locator('#main-nav a[href^="/core/wip/"]')
    expect(links).to_have_count(6)
    expect(links.first).to_be_visible()
    links.filter(has_text="视频监控").click()
    expect(page.locator(".page-body")).to_contain_text("尚未上线")


def test_a_grid_worker_on_a_phone_menu_finds_the_modules_they_will_use(browse, people, tmp_path):
    page = browse(people["worker"], phone=True)
    page.goto("/")
    page.locator(".navbar-toggler").first.click()
    entry = wip_entry(page)
    expect(entry).to_be_visible()
    entry.click()
    links = page.locator('#main-nav a[href^="/core/wip/"]')
    expect(links).to_have_count(2)
    for label in ("社会治安", "社情民意"):
        expect(links.filter(has_text=label)).to_be_visible()
    check_shot(page, tmp_path, "worker-phone-menu", "#main-nav")


def test_an_administrator_sets_a_roles_start_page_on_the_role_form(
    browse, people, make_user, live_server
):
    admin = browse(make_user(superuser=True, username="chief"))
    role = people["leader"].roles.get()
    admin.goto(f"/accounts/roles/{role.pk}/")
    expect(admin.locator("#role-start-page")).to_have_text(
        "按权限自动选择（当前为“事件指标（领导看板）”）"
    )
    admin.goto(f"/accounts/roles/{role.pk}/edit/")
    admin.locator("#id_start_page").select_option(label="我的待办（调度台、部门待办）")
    with admin.expect_navigation():
        admin.locator('button[type="submit"]', has_text="保存").click()
    expect(admin.locator("#role-start-page")).to_have_text("我的待办（调度台、部门待办）")

    leader = browse(people["leader"])
    expect(leader).to_have_url(f"{live_server.url}/cases/desk/")
