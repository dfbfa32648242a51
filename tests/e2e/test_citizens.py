"""Issue 12, items 7 and 8, as people see them.

7. A citizen on a phone finds a class by everyday words, grouped by major class; is texted at
   report, registration and closure; and, following the case, sees before/after photos and
   rates it. Staff see those texts, and the 督办 text, in the outbox on a desktop.
8. The login page lists the demo accounts; the demo grid worker finds their patrols on the phone.

Screenshots go to $CITYGRID_SHOTS (default /tmp/citygrid-shots) for a person to look at.
"""

import io
import os
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from PIL import Image
from playwright.sync_api import expect

from citygrid.cases import actions
from citygrid.cases.intake import Report, report_case
from citygrid.cases.models import CaseCategory, Department, DispatchRule
from citygrid.cases.seeds import seed_categories, seed_keywords
from citygrid.core import writeguard
from citygrid.core.crypto import blind_index
from citygrid.notify.models import SmsMessage
from citygrid.notify.seeds import seed_sms_templates
from tests.e2e.conftest import DESKTOP, PHONE_DEVICE

pytestmark = pytest.mark.browser

SHOTS = Path(os.environ.get("CITYGRID_SHOTS", "/tmp/citygrid-shots"))
CITIZEN = "13812345678"


def shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


@pytest.fixture
def classes(transactional_db, tree, server_paused):
    """The seeded class tree with its common words (browser tests flush the migrations' rows)."""
    # Put back as the migrations wrote them: directly, with no history.
    with server_paused, writeguard.unlogged():
        seed_categories(CaseCategory)
        seed_keywords(CaseCategory)


def _options(page) -> list[str]:
    return page.locator(".ts-dropdown .option").all_inner_texts()


def _groups(page) -> list[str]:
    return page.locator(".ts-dropdown .optgroup-header").all_inner_texts()


@pytest.mark.parametrize("device", ["phone", "desktop"])
def test_class_search_understands_everyday_words(new_page, classes, device):
    page = new_page(**(PHONE_DEVICE if device == "phone" else {"viewport": DESKTOP}))
    page.goto("/portal/")
    search = page.locator(".ts-control input")
    options = page.locator(".ts-dropdown .option")
    search.fill("坑")
    # The list narrows as one types (the page's search runs a moment after the keystroke).
    expect(options).to_have_text(["道路破损", "路面塌陷"])
    assert _groups(page) == ["道路交通（部件问题）", "突发事件（事件）"]
    shot(page, f"portal-search-keng-{device}")

    search.fill("垃圾")
    expect(options).to_have_text(
        ["垃圾箱", "垃圾间（楼）", "果皮箱", "暴露垃圾", "积存垃圾渣土", "水域不洁"]
    )
    assert _groups(page) == ["市容环境（部件问题）", "市容环境（事件）"]

    search.fill("路灯不亮")
    expect(options).to_have_text(["路灯"])
    page.locator(".ts-dropdown .option", has_text="路灯").click()
    expect(page.locator("#id_category")).to_have_value(
        str(CaseCategory.objects.get(kind="component", code="0111").pk)
    )

    search.fill("火星人")
    expect(page.locator(".ts-dropdown .no-results")).to_have_text(
        "没有找到相关类别，请换个说法或从列表中选择"
    )


def _jpeg(colour: str) -> SimpleUploadedFile:
    out = io.BytesIO()
    Image.new("RGB", (160, 120), colour).save(out, format="JPEG")
    return SimpleUploadedFile(f"{colour}.jpg", out.getvalue(), content_type="image/jpeg")


@pytest.fixture
def closed_case(classes, tree, make_user, server_paused):
    """A citizen's case taken through the workflow to closure, supervised on the way."""
    with server_paused:
        seed_sms_templates()
        admin = make_user(superuser=True, scope=[tree.city], username="chief")
        handler = make_user(scope=[tree.city], username="handler")
        with writeguard.unlogged():
            handler.phone = "13900001111"
            handler.save()
        department = Department.objects.create(name="市政园林局", code="SZYL", region=tree.city)
        department.members.add(admin, handler)
        category = CaseCategory.objects.get(kind="component", code="0206")
        DispatchRule.objects.create(category=category, department=department, region=tree.city)
        case = report_case(
            Report(
                category=category,
                description="路面有个大坑",
                lng=120.005,
                lat=30.005,
                channel="web",
                reporter_phone=CITIZEN,
                photos=[_jpeg("red")],
            )
        )
        actions.register_case(case, actor=admin)
        actions.dispatch_case(case, actor=admin)
        actions.accept_case(case, actor=admin)
        actions.supervise_case(
            case,
            actor=admin,
            note="尽快修复",
            required_by=timezone.now() + timedelta(days=2),
        )
        actions.report_back_case(case, actor=admin, note="已修补", photos=[_jpeg("green")])
        actions.verify_case(case, actor=admin, passed=True)
        actions.close_case(case, actor=admin)
    return case, admin


def test_citizen_is_texted_follows_and_sees_before_and_after_on_a_phone(
    new_page, closed_case, server_paused
):
    case, _ = closed_case
    with server_paused:
        texts = list(
            SmsMessage.objects.filter(phone_index=blind_index(CITIZEN))
            .order_by("id")
            .values_list("template__code", flat=True)
        )
    # The three moments, in order.
    assert texts == ["case_received", "case_number", "case_closed"]

    page = new_page(**PHONE_DEVICE)
    with server_paused:
        closing = SmsMessage.objects.get(template__code="case_closed")
    link = closing.params["url"]
    assert link.endswith(f"/portal/follow/?number={case.number}")
    page.goto(link.split("127.0.0.1:8000", 1)[-1])
    expect(page.locator("input[name=number]")).to_have_value(case.number)
    page.locator("input[name=phone]").fill(CITIZEN)
    with page.expect_navigation():
        page.locator("button[value=send]").click()
    with server_paused:
        code = SmsMessage.objects.filter(template__code="verify_code").latest("id").params["code"]
    page.locator("input[name=code]").fill(code)
    with page.expect_navigation():
        page.locator("button[value=verify]").click()
    expect(page.locator("#case-state")).to_have_text("已办结")
    expect(page.locator("#photos-before img")).to_have_count(1)
    expect(page.locator("#photos-after img")).to_have_count(1)
    for img in page.locator("#case-photos img").all():
        assert img.evaluate("i => i.complete && i.naturalWidth > 0")
    expect(page.locator("#rating-form")).to_be_visible()
    shot(page, "portal-progress-before-after-phone")
    page.locator("#rating-form input[value='5']").check()
    with page.expect_navigation():
        page.locator("#rating-form button[type=submit]").click()
    expect(page.locator("#rating-done")).to_contain_text("5 分")


def test_staff_see_the_citizens_texts_and_the_supervision_text_in_the_outbox(new_page, closed_case):
    _, admin = closed_case
    page = new_page(viewport=DESKTOP)
    page.goto("/accounts/login/")
    page.locator('input[name="username"]').fill(admin.username)
    page.locator('input[name="password"]').fill("Test@2026pw")
    with page.expect_navigation():
        page.locator('#login-form button[type="submit"]').click()
    page.goto(reverse("notify:smsmessage_list"))
    table = page.locator("table")
    for name in ("问题已收到通知", "问题受理通知", "问题办结通知", "督办通知"):
        expect(table.get_by_text(name, exact=True)).to_have_count(1)
    expect(table).to_contain_text("138****5678")
    expect(table).to_contain_text("139****1111")  # the handler's mobile, for the 督办单
    expect(table).not_to_contain_text(CITIZEN)
    expect(table).to_contain_text("您收到一份一般督办单")
    expect(table).to_contain_text("发件箱（不外发）")
    shot(page, "outbox-desktop")


@pytest.fixture
def demo_city(transactional_db, settings, server_paused):
    from citygrid.demo.regions import DemoSize, create_demo_accounts, generate_demo_city
    from citygrid.demo.tasks import create_demo_patrols

    settings.DEMO_MODE = True
    size = DemoSize(counties=2, townships=(2, 2), communities=(2, 2), grids=(2, 2))
    with server_paused, writeguard.unlogged():
        city = generate_demo_city(seed=11, size=size).city
        create_demo_accounts(city)
        create_demo_patrols(seed=11)
    return city


@pytest.mark.parametrize("device", ["phone", "desktop"])
def test_login_page_lists_the_demo_accounts_and_one_logs_in(new_page, demo_city, device):
    from citygrid.demo.regions import DEMO_ACCOUNTS, DEMO_PASSWORD

    page = new_page(**(PHONE_DEVICE if device == "phone" else {"viewport": DESKTOP}))
    page.goto("/accounts/login/")
    listing = page.locator("#demo-accounts")
    expect(listing.locator("tbody tr")).to_have_count(len(DEMO_ACCOUNTS))
    expect(listing).to_contain_text("区县调度员")
    expect(page.locator("#demo-password")).to_have_text(DEMO_PASSWORD)
    shot(page, f"login-demo-accounts-{device}")
    # What the list says is enough to log in with.
    username = listing.locator("tbody tr").nth(4).locator("code").inner_text()
    assert username == "grid_worker"
    page.locator('input[name="username"]').fill(username)
    page.locator('input[name="password"]').fill(page.locator("#demo-password").inner_text())
    with page.expect_navigation():
        page.locator('#login-form button[type="submit"]').click()
    if device == "phone":
        page.goto("/m/")
        expect(page.get_by_text("日常巡查").first).to_be_visible()
        shot(page, "mobile-patrols-phone")


def test_no_account_list_outside_demo_mode(new_page, demo_city, settings):
    settings.DEMO_MODE = False
    page = new_page(viewport=DESKTOP)
    page.goto("/accounts/login/")
    expect(page.locator("#login-form")).to_be_visible()
    expect(page.locator("#demo-accounts")).to_have_count(0)


def test_a_leader_sees_a_plausible_on_time_closure_rate(new_page, demo_city, server_paused):
    from citygrid.demo.cases import DAYS, generate_demo_cases
    from citygrid.demo.regions import DEMO_PASSWORD

    with server_paused:
        generate_demo_cases(demo_city, seed=3, count=60)
    page = new_page(viewport=DESKTOP)
    page.goto("/accounts/login/")
    page.locator('input[name="username"]').fill("city_leader")
    page.locator('input[name="password"]').fill(DEMO_PASSWORD)
    with page.expect_navigation():
        page.locator('#login-form button[type="submit"]').click()
    today = timezone.localdate()
    start = today - timedelta(days=DAYS + 1)
    page.goto(f"/statistics/?period=custom&start={start:%Y-%m-%d}&end={today:%Y-%m-%d}")
    rate = page.locator("[data-kpi=on_time_close_rate]").inner_text()
    assert rate.endswith("%"), rate
    assert 80 <= float(rate.rstrip("%")) <= 95, rate
    shot(page, "statistics-demo-desktop")
