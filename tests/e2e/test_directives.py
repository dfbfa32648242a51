"""指令下达 end to end: a township officer sends a directive to the communities below at desk
width, a community worker acknowledges and answers it on the phone, and the officer's page
shows the receipt. Screenshots go to $CITYGRID_SHOTS when it is set."""

import os
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from citygrid.notify.seeds import seed_sms_templates
from tests.e2e.conftest import DESKTOP, PHONE_DEVICE, log_in_page, pick_region

pytestmark = pytest.mark.browser

SHOTS = os.environ.get("CITYGRID_SHOTS")
SENDER_PERMS = ["notify.send_directive", "notify.view_directive"]


def shot(page, name: str) -> None:
    if SHOTS:
        page.screenshot(path=os.path.join(SHOTS, f"{name}.png"), full_page=True)


def test_officer_sends_worker_acknowledges_on_phone_officer_sees_receipt(
    new_page, tree, make_user, transactional_db
):
    seed_sms_templates()
    officer = make_user(perms=SENDER_PERMS, scope=[tree.township_a], username="officer")
    worker = make_user(scope=[tree.community_a], username="worker")
    worker.phone = "13800000001"
    worker.save()

    desk = log_in_page(new_page(viewport=DESKTOP), officer)
    desk.goto("/notify/directives/")
    desk.locator("#directive-new").click()
    desk.locator("#id_title").fill("防汛隐患排查")
    desk.locator("#id_body").fill("请于本周内完成辖区防汛隐患排查，并反馈排查情况。")
    deadline = timezone.localtime() + timedelta(days=2)
    desk.locator("#id_deadline").fill(deadline.strftime("%Y-%m-%dT%H:%M"))
    pick_region(desk, "id_regions", "甲街道")
    desk.locator("label.form-check", has_text="社区/村").click()
    shot(desk, "directive_form")
    with desk.expect_navigation():
        desk.locator("#directive-send").click()
    expect(desk.locator(".page-title")).to_have_text("防汛隐患排查")
    row = desk.locator("#receipts .receipt-row[data-recipient=worker]")
    expect(row.locator(".receipt-state")).to_have_text("未读")

    phone = log_in_page(new_page(**PHONE_DEVICE), worker)
    phone.goto("/m/")
    phone.locator("#directive-tile").click()
    phone.locator(".directive-item", has_text="防汛隐患排查").click()
    expect(phone.locator("#receipt-state")).to_have_text("已读")
    phone.locator("#acknowledge").click()
    expect(phone.locator("#receipt-state")).to_have_text("已签收")
    phone.locator("#id_answer").fill("已排查 12 处隐患，整改 3 处。")
    phone.locator("#submit-answer").click()
    expect(phone.locator("#answered")).to_contain_text("已排查 12 处隐患")
    expect(phone.locator("#receipt-state")).to_have_text("已反馈")
    shot(phone, "directive_phone")

    desk.reload()
    expect(row.locator(".receipt-state")).to_have_text("已反馈")
    expect(row).to_contain_text("已排查 12 处隐患")
    expect(desk.locator("#receipt-filter")).to_contain_text("已反馈 1")
    shot(desk, "directive_receipts")
