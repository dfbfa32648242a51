"""A citizen reports from a phone: searchable class, a photo, the browser's GPS position (faked
here), and gets a case number; the reporter's session then sees the public progress."""

import re

import pytest
from PIL import Image
from playwright.sync_api import expect

from citygrid.cases.models import Case
from citygrid.cases.testing import street_order_class

pytestmark = pytest.mark.browser


def test_citizen_reports_with_photo_and_gps_on_a_phone(
    browser, live_server, tree, tmp_path, server_paused
):
    with server_paused:
        street_order_class("0508", "占道施工")
    photo = tmp_path / "scene.jpg"
    Image.new("RGB", (64, 48), "green").save(photo, format="JPEG")
    context = browser.new_context(
        base_url=live_server.url,
        viewport={"width": 390, "height": 844},
        is_mobile=True,
        has_touch=True,
        locale="zh-CN",
        geolocation={"longitude": 120.005, "latitude": 30.005, "accuracy": 8},
        permissions=["geolocation"],
        reduced_motion="reduce",
    )
    try:
        page = context.new_page()
        page.set_default_timeout(10000)
        page.goto("/portal/")
        expect(page.locator("#main-nav")).to_have_count(0)
        page.locator(".ts-control input").fill("占道")
        # The list filters on each keystroke: once picked, it stays closed and the focus moves
        # on (a pending throttled refresh used to reopen it and take the description's text).
        match = page.locator(".ts-dropdown .option", has_text="占道施工").first
        expect(match.locator(".highlight")).to_have_text("占道")
        match.click()
        expect(page.locator("#id_category")).not_to_have_value("")
        expect(page.locator(".ts-dropdown")).to_be_hidden()
        description = page.locator("textarea[name=description]")
        description.fill("人行道上堆放建材，影响通行")
        expect(description).to_have_value("人行道上堆放建材，影响通行")
        expect(page.locator("[data-photo-count]")).to_have_text("未选择照片")
        page.locator("input[name=photos]").set_input_files(str(photo))
        expect(page.locator("[data-photo-count]")).to_have_text("已选 1 张")
        page.click("#use-gps")
        expect(page.locator("#position-status")).to_contain_text("定位精度约 8 米")
        phone = page.locator("input[name=reporter_phone]")
        phone.fill("13812345678")
        expect(phone).to_have_value("13812345678")
        expect(description).to_have_value("人行道上堆放建材，影响通行")
        with page.expect_navigation():
            page.click("#portal-submit")
        problems = page.locator(".invalid-feedback, .alert").all_inner_texts()
        assert page.url.endswith("/portal/report/done/"), problems
        number = page.locator("#case-number").inner_text()
        assert re.fullmatch(r"\d{13}", number)
        with server_paused:
            case = Case.objects.get()
            assert case.number == number
            assert (round(case.lng, 6), round(case.lat, 6)) == (120.005, 30.005)
            assert case.channel == "portal"
            assert case.category.name == "占道施工"
            assert case.attachments.count() == 1
        page.click("text=查看办理进度")
        expect(page.locator("#case-state")).to_have_text("已收到，等待受理")
    finally:
        context.close()
        # Requests the page had sent (map, photos) finish before the database is flushed.
        app = live_server.thread.httpd.get_app()
        if hasattr(app, "wait_idle"):
            app.wait_idle()
