"""The desk keeps up (issue 12, item 4), in the browser: filters and the 来源 column, a new
citizen report arriving on an open desk with the alert switched on, an action badge opening
the action, the sentence that says who acts next; the report's photos beside the description
and before/after side by side — on the desk at 1440 px and on the /m/ verify page on a phone.

Screenshots land in $CITYGRID_SHOTS (default /tmp/citygrid-shots) for a person to look at."""

import os
import re
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils.timezone import localtime
from PIL import Image
from playwright.sync_api import expect

from citygrid.cases import actions
from citygrid.cases.choices import Channel
from citygrid.cases.intake import Report, report_case
from citygrid.cases.models import Case, DispatchRule
from citygrid.cases.models import Department as CaseDepartment
from citygrid.cases.testing import street_order_class
from citygrid.cases.tests.conftest import DISPATCHER_PERMS, HANDLER_PERMS, INSPECTOR_PERMS
from citygrid.regions.models import GridWorker
from tests.e2e.conftest import DESKTOP, PHONE, PHONE_DEVICE, log_in_page

pytestmark = pytest.mark.browser

SHOTS = Path(os.environ.get("CITYGRID_SHOTS", "/tmp/citygrid-shots"))

# What the page would play and show, recorded instead: a headless browser has no speaker, and
# the notification permission is the user's to give.
ALERT_RECORDER = """
window.cgSounds = [];
window.cgNotices = [];
HTMLMediaElement.prototype.play = function () {
  window.cgSounds.push(this.src);
  return Promise.resolve();
};
window.Notification = function (title, options) {
  window.cgNotices.push({ title: title, body: options && options.body });
};
window.Notification.permission = "granted";
window.Notification.requestPermission = function () { return Promise.resolve("granted"); };
"""


def shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def picture(path: Path, colour: str) -> Path:
    Image.new("RGB", (320, 240), colour).save(path, format="JPEG")
    return path


@pytest.fixture
def office(tree, make_user):
    category = street_order_class("0508", "占道施工")
    department = CaseDepartment.objects.create(name="城管执法局", code="CG01", region=tree.city)
    DispatchRule.objects.create(category=category, department=department, region=tree.city)
    dispatcher = make_user(perms=DISPATCHER_PERMS, scope=[tree.city], username="dispatcher")
    dispatcher.full_name = "刘调度"
    dispatcher.save(update_fields=["full_name"])
    handler = make_user(perms=HANDLER_PERMS, scope=[tree.city], username="handler")
    department.members.add(handler)
    inspector = make_user(perms=INSPECTOR_PERMS, scope=[tree.county_a], username="inspector")
    inspector.full_name = "赵监督"
    inspector.save(update_fields=["full_name"])
    GridWorker.objects.create(region=tree.grid_a1, name="赵监督", role="inspector", user=inspector)
    return {
        "category": category,
        "department": department,
        "dispatcher": dispatcher,
        "handler": handler,
        "inspector": inspector,
    }


def upload(path: Path) -> SimpleUploadedFile:
    return SimpleUploadedFile(path.name, path.read_bytes(), content_type="image/jpeg")


def file_case(office, channel, lng=120.005, actor=None, photos=()):
    report = Report(
        category=office["category"],
        description="人行道上堆放建材，影响通行",
        lng=lng,
        lat=30.005,
        address="甲社区1号",
        channel=channel,
        photos=[upload(p) for p in photos],
    )
    return report_case(report, actor=actor)


def desk_page(new_page, user, viewport=DESKTOP, alerts=False):
    page = new_page(viewport=viewport)
    if alerts:
        page.add_init_script(ALERT_RECORDER)
    return log_in_page(page, user)


def test_desk_filters_live_reports_badges_and_next_step(new_page, office, settings, server_paused):
    settings.CASE_DESK_POLL_SECONDS = 1
    hotline = file_case(office, Channel.HOTLINE, actor=office["dispatcher"])
    wechat = file_case(office, Channel.WECHAT, lng=120.015)
    page = desk_page(new_page, office["dispatcher"], alerts=True)
    page.goto("/cases/desk/")
    table = page.locator("#desk-table")
    expect(table.locator("thead th").nth(2)).to_have_text("来源")
    expect(table.locator(f'tr[data-case="{hotline.number}"] td').nth(2)).to_have_text("热线电话")
    expect(table.locator(f'tr[data-case="{wechat.number}"] td').nth(2)).to_have_text("微信")

    # Filter by source, then by grid, then clear.
    page.locator("#id_channel").select_option(label="微信")
    with page.expect_navigation():
        page.get_by_role("button", name="筛选").click()
    expect(table.locator("tbody tr")).to_have_count(1)
    expect(table.locator("tbody tr")).to_have_attribute("data-case", wechat.number)
    page.locator("#id_number").fill("2026-")
    with page.expect_navigation():
        page.get_by_role("button", name="筛选").click()
    expect(page.locator("#desk-filter [role=alert]")).to_have_text(
        "案件编号只含数字，可只输入开头几位"
    )
    with page.expect_navigation():
        page.get_by_role("link", name="清除条件").click()
    expect(table.locator("tbody tr")).to_have_count(2)

    # Alerts on, remembered across a reload.
    page.get_by_text("新事件提醒（提示音和桌面通知）").click()
    page.reload()
    expect(page.locator("#desk-alert-toggle")).to_be_checked()
    assert page.evaluate("localStorage.getItem('citygrid.desk.alerts')") == "on"
    count = page.locator('[data-count="todo"]')
    expect(count).to_have_text("2")

    # A citizen reports on the portal meanwhile: the row arrives without a reload.
    with server_paused:
        fresh = file_case(office, Channel.PORTAL, lng=120.004)
    row = table.locator(f'tr[data-case="{fresh.number}"]')
    expect(row).to_be_visible()
    expect(table.locator("tbody tr").first).to_have_attribute("data-case", fresh.number)
    expect(row.locator("td").nth(0)).to_contain_text("新")
    expect(row.locator("td").nth(2)).to_have_text("群众上报")
    expect(row.locator(".case-countdown")).to_contain_text(re.compile(r"^剩 "))
    expect(page.locator("#desk-new-banner")).to_have_text(
        "本页打开后新到 1 件事件，已置顶并标记“新”。"
    )
    expect(count).to_have_text("3")
    sounds = page.evaluate("window.cgSounds")
    assert len(sounds) == 1 and sounds[0].endswith("/static/citygrid/sounds/new-case.wav")
    notices = page.evaluate("window.cgNotices")
    assert notices == [{"title": "新上报事件 1 件", "body": f"{fresh.number} 占道施工 · 群众上报"}]
    sound = page.request.get(sounds[0])
    assert sound.status == 200 and sound.headers["content-type"] == "audio/x-wav"
    shot(page, "desk-new-report-1440")

    # Its badge opens the action on the case page; after it, who acts next and by when.
    with page.expect_navigation():
        row.get_by_role("link", name="受理立案").click()
    expect(page).to_have_url(re.compile(rf"/cases/{fresh.pk}/#act-register$"))
    form = page.locator("#act-register")
    expect(form).to_have_class(re.compile(r"(^|\s)show(\s|$)"))
    expect(form.locator("textarea[name=note]")).to_be_focused()
    form.locator("textarea[name=note]").fill("属实，予以立案")
    with page.expect_navigation():
        form.get_by_role("button", name="确认受理立案").click()
    with server_paused:
        fresh = Case.objects.get(pk=fresh.pk)
    expect(page.locator(".alert-success")).to_have_text(
        f"已执行“受理立案”：{fresh.number}。下一步由 指挥中心 派遣，时限 "
        f"{localtime(fresh.step_deadline):%Y-%m-%d %H:%M}。"
    )
    shot(page, "case-after-register-1440")


def test_desk_on_a_phone_keeps_filters_and_source(new_page, office):
    case = file_case(office, Channel.PORTAL)
    page = desk_page(new_page, office["dispatcher"], viewport=PHONE)
    page.goto("/cases/desk/")
    expect(page.locator("#id_channel")).to_be_visible()
    row = page.locator(f'#desk-table tr[data-case="{case.number}"]')
    expect(row.locator("td").nth(2)).to_have_text("群众上报")
    expect(row.get_by_role("link", name="受理立案")).to_have_attribute(
        "href", f"/cases/{case.pk}/#act-register"
    )
    shot(page, "desk-390")


def test_case_page_photos_beside_description_and_before_after(
    new_page, office, tmp_path, server_paused
):
    before = picture(tmp_path / "before.jpg", "red")
    after = picture(tmp_path / "after.jpg", "green")
    case = file_case(office, Channel.PORTAL, photos=[before])
    actions.register_case(case, actor=office["dispatcher"])
    actions.dispatch_case(case, actor=office["dispatcher"])
    actions.accept_case(case, actor=office["handler"])
    actions.report_back_case(case, actor=office["handler"], note="已清理", photos=[upload(after)])

    page = desk_page(new_page, office["dispatcher"])
    page.goto(f"/cases/{case.pk}/")
    details = page.locator("#case-details")
    photos = page.locator("#report-photos")
    expect(photos.locator("img")).to_have_count(1)
    details_box, photos_box = details.bounding_box(), photos.bounding_box()
    assert photos_box["x"] > details_box["x"] + details_box["width"] - 1  # beside, not below
    assert photos_box["y"] < details_box["y"] + 40
    expect(page.locator("#case-details dd").nth(5)).to_have_text("群众上报")

    compare = page.locator("#photo-compare")
    expect(compare.locator(".card-title")).to_have_text("处置前后对比")
    left = compare.locator('[data-stage="before"]')
    right = compare.locator('[data-stage="after"]')
    expect(left.locator("img")).to_have_attribute("alt", "处置前照片")
    expect(right.locator("img")).to_have_attribute("alt", "处置后照片")
    lbox, rbox = left.bounding_box(), right.bounding_box()
    assert abs(lbox["y"] - rbox["y"]) < 2 and lbox["x"] + lbox["width"] <= rbox["x"] + 1
    shot(page, "case-photos-1440")

    # A thumbnail opens the full photo (still through the protected file view).
    photos.locator("a.case-photo").click()
    viewer = page.locator("#photo-viewer")
    expect(viewer).to_be_visible()
    expect(viewer.locator(".modal-title")).to_contain_text("处置前照片")
    image = viewer.locator("#photo-viewer-image")
    expect(image).to_have_attribute("src", re.compile(r"^/files/"))
    # A function, not an expression: polling an expression needs eval, which the CSP forbids.
    page.wait_for_function("() => document.getElementById('photo-viewer-image').naturalWidth > 0")
    assert image.evaluate("img => img.naturalWidth") == 320
    shot(page, "case-photo-viewer-1440")


def test_verify_page_on_a_phone_shows_before_and_after_side_by_side(new_page, office, tmp_path):
    before = picture(tmp_path / "before.jpg", "red")
    after = picture(tmp_path / "after.jpg", "green")
    case = file_case(office, Channel.WECHAT, photos=[before])
    actions.register_case(case, actor=office["dispatcher"])
    actions.dispatch_case(case, actor=office["dispatcher"])
    actions.accept_case(case, actor=office["handler"])
    actions.report_back_case(case, actor=office["handler"], note="已清理", photos=[upload(after)])

    page = log_in_page(new_page(**PHONE_DEVICE), office["inspector"])
    page.goto(f"/m/cases/{case.pk}/verify/")
    left = page.locator('#verify-compare [data-stage="before"]')
    right = page.locator('#verify-compare [data-stage="after"]')
    expect(left).to_contain_text("处置前")
    expect(right).to_contain_text("处置后")
    expect(left.locator("img")).to_have_attribute("alt", "处置前照片")
    expect(right.locator("img")).to_have_attribute("alt", "处置后照片")
    for img in (left.locator("img"), right.locator("img")):
        expect(img).to_be_visible()
        assert img.evaluate("i => i.complete && i.naturalWidth > 0")
    lbox, rbox = left.bounding_box(), right.bounding_box()
    assert abs(lbox["y"] - rbox["y"]) < 2 and lbox["x"] + lbox["width"] <= rbox["x"] + 1
    assert rbox["x"] + rbox["width"] <= PHONE["width"]
    shot(page, "m-verify-390")
