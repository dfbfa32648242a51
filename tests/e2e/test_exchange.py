"""在线交流 in the browser: a street officer posts a topic with attachments at 1440 px and pins
it; an organisation head on a phone sees only the community's board, finds the notice first,
replies with a file. Screenshots land in $CITYGRID_SHOTS (default /tmp/citygrid-shots)."""

import io
import os
import re
from pathlib import Path

import pytest
from PIL import Image
from playwright.sync_api import expect

from citygrid.exchange import actions
from citygrid.exchange.tests.conftest import POST
from tests.e2e.conftest import DESKTOP, PHONE, PHONE_DEVICE, log_in_page

pytestmark = pytest.mark.browser

SHOTS = Path(os.environ.get("CITYGRID_SHOTS", "/tmp/citygrid-shots"))
PDF = b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"
# File formats named in the help text; any other Latin word is an internal or English name.
FORMATS = {
    "JPG",
    "PNG",
    "WEBP",
    "PDF",
    "Word",
    "Excel",
    "PowerPoint",
    "TXT",
    "MB",
    "KB",
    "pdf",
    "jpg",
}


def shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def latin_words(page) -> set[str]:
    text = page.locator(".page-wrapper").inner_text()
    return set(re.findall(r"[A-Za-z][A-Za-z0-9_]*", text)) - FORMATS


def fits(page, width: int) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= width


def jpeg() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (320, 240), "teal").save(out, format="JPEG")
    return out.getvalue()


@pytest.fixture
def people(tree, make_user, server_paused):
    with server_paused:
        street = make_user(
            perms=(*POST, "exchange.pin_topic", "exchange.change_topic"),
            scope=[tree.township_a],
            username="street",
        )
        head = make_user(perms=POST, scope=[tree.community_a], username="head")
        street.full_name, head.full_name = "街道王干事", "企业李负责人"
        for user in (street, head):
            user.save()
        actions.post_topic(tree.community_a, actor=head, title="早先的讨论", body="大家好")
        actions.post_topic(
            tree.community_b,
            actor=make_user(perms=POST, scope=[tree.community_b]),
            title="乙社区内部讨论",
            body="不应被甲社区看到",
        )
    return street, head


def test_post_pin_and_reply_on_desktop_and_phone(page_as, new_page, people, tree, server_paused):
    street, head = people
    desk = page_as(street)
    desk.set_viewport_size(DESKTOP)
    desk.goto("/exchange/")
    rows = desk.locator(".board-row")
    expect(rows).to_have_count(2)
    expect(rows.nth(0)).to_contain_text("甲街道交流区")
    shot(desk, "exchange_index_desktop")
    desk.locator(".board-row", has_text="甲社区交流区").click()
    expect(desk.locator(".topic-row")).to_have_count(1)
    desk.locator("#new-topic").click()
    form = desk.locator("#topic-form")
    form.locator('input[name="title"]').fill("关于开展消防安全检查的通知")
    form.locator('textarea[name="body"]').fill("各企业：\n请于本周五前完成自查。")
    form.locator('input[name="attachments"]').set_input_files(
        [
            {"name": "检查表.pdf", "mimeType": "application/pdf", "buffer": PDF},
            {"name": "现场.jpg", "mimeType": "image/jpeg", "buffer": jpeg()},
        ]
    )
    expect(form.locator("[data-file-count]")).to_have_text("已选 2 个：检查表.pdf、现场.jpg")
    assert not latin_words(desk), latin_words(desk)
    shot(desk, "exchange_new_topic_desktop")
    form.locator('button[type="submit"]').click()
    expect(desk.locator("#topic-title")).to_contain_text("关于开展消防安全检查的通知")
    expect(desk.locator("#topic-body")).to_contain_text("请于本周五前完成自查。")
    expect(desk.locator("#topic-post a", has_text="检查表.pdf")).to_be_visible()
    expect(desk.locator("#topic-post img")).to_have_count(1)
    desk.locator("#toggle-pin").click()
    expect(desk.locator(".alert", has_text="已置顶")).to_be_visible()
    expect(desk.locator("#topic-title")).to_contain_text("置顶公告")
    assert not latin_words(desk), latin_words(desk)
    shot(desk, "exchange_topic_desktop")

    # Someone else's later topic: the notice still comes first.
    with server_paused:
        actions.post_topic(tree.community_a, actor=head, title="后来的讨论", body="新话题")
    phone = log_in_page(new_page(**PHONE_DEVICE), head)
    phone.goto("/exchange/")
    expect(phone.locator(".board-row")).to_have_count(1)
    expect(phone.locator(".board-row")).to_contain_text("甲社区交流区")
    fits(phone, PHONE["width"])
    shot(phone, "exchange_index_phone")
    phone.locator(".board-row").click()
    titles = phone.locator(".topic-row .topic-title")
    expect(titles).to_have_text(["关于开展消防安全检查的通知", "后来的讨论", "早先的讨论"])
    expect(phone.locator(".topic-row").nth(0)).to_contain_text("置顶公告")
    expect(phone.get_by_text("乙社区内部讨论")).to_have_count(0)
    fits(phone, PHONE["width"])
    shot(phone, "exchange_board_phone")
    titles.nth(0).click()
    reply = phone.locator("#reply-form")
    reply.locator('textarea[name="body"]').fill("收到，我公司已安排自查。")
    reply.locator('input[name="attachments"]').set_input_files(
        {"name": "自查报告.pdf", "mimeType": "application/pdf", "buffer": PDF}
    )
    reply.locator('button[type="submit"]').click()
    last = phone.locator(".reply").last
    expect(last).to_contain_text("收到，我公司已安排自查。")
    expect(last).to_contain_text("企业李负责人")
    expect(last.locator("a", has_text="自查报告.pdf")).to_be_visible()
    # The head may neither pin nor close the street's notice.
    expect(phone.locator("#toggle-pin")).to_have_count(0)
    assert not latin_words(phone), latin_words(phone)
    fits(phone, PHONE["width"])
    shot(phone, "exchange_topic_phone")
    # The attachment opens for the head: it is served after the scope check.
    with phone.expect_popup() as popup:
        last.locator("a", has_text="自查报告.pdf").click()
    assert popup.value.url.startswith(phone.url.split("/exchange/")[0] + "/files/exchange/")
