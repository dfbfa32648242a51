"""矛盾纠纷登记 on a phone: from the home tile, party rows added and removed, the phone's
position, a refusal shown on the form, the number afterwards and the list without party data.
Screenshots go to $CITYGRID_SHOTS when it is set."""

import os

import pytest
from playwright.sync_api import expect

from citygrid.disputes.models import Dispute
from citygrid.regions.models import GridWorker
from tests.e2e.conftest import PHONE_DEVICE, log_in_page

pytestmark = pytest.mark.browser

SHOTS = os.environ.get("CITYGRID_SHOTS")
IN_A1 = {"longitude": 120.005, "latitude": 30.005, "accuracy": 15}
IN_A2 = {"longitude": 120.015, "latitude": 30.005, "accuracy": 15}
PERMS = ["disputes.add_dispute", "disputes.view_dispute"]
APPLICANT_ID = "11010519491231002X"
APPLICANT_PHONE = "13912345678"


def shot(page, name: str) -> None:
    if SHOTS:
        page.screenshot(path=os.path.join(SHOTS, f"{name}.png"), full_page=True)


def post(user, grid, phone="13900001111"):
    worker = GridWorker(region=grid, name=user.username, phone=phone, user=user)
    worker.full_clean()
    worker.save()


@pytest.fixture
def phone_as(new_page):
    """phone_as(user, position) → a logged-in phone page whose GPS reports `position`."""

    def open_phone(user, position=IN_A1):
        page = new_page(**PHONE_DEVICE, geolocation=position, permissions=["geolocation"])
        return log_in_page(page, user)

    return open_phone


def party_row(page, index: int):
    return page.locator("#party-list [data-party-row]").nth(index)


def test_grid_worker_registers_a_dispute_on_the_phone(
    phone_as, tree, make_user, seeded, server_paused
):
    worker = make_user(perms=PERMS, scope=[tree.community_a], username="worker")
    post(worker, tree.grid_a1)
    page = phone_as(worker)
    page.goto("/m/")
    expect(page.locator("#dispute-tiles")).to_contain_text("纠纷登记")
    shot(page, "mobile_home")
    page.locator("#dispute-new-tile").click()
    page.wait_for_url("**/m/disputes/new/")
    expect(page.locator("#position-status")).to_contain_text("位于甲一网格")
    page.wait_for_function("() => document.getElementById('id_lng').value === '120.005'")

    page.locator("#id_category").select_option(label="物业")
    page.locator("#id_title").fill("物业停水纠纷")
    page.locator("#id_description").fill("小区连续三天停水，业主与物业协商未果")
    page.locator("#id_address").fill("甲社区5幢楼下")
    page.locator("#id_people_count").fill("12")
    page.locator("#id_amount").fill("3000")
    page.locator("label", has_text="较大").click()
    page.locator("label.form-check", has_text="可能引发群体性事件").click()

    # The page opens with an applicant and a respondent row; rows come and go.
    expect(page.locator("#party-list [data-party-row]")).to_have_count(2)
    first = party_row(page, 0)
    first.locator("input[name$='-name']").fill("张三丰")
    first.locator("input[name$='-id_number']").fill(APPLICANT_ID)
    first.locator("input[name$='-phone']").fill(APPLICANT_PHONE)
    party_row(page, 1).locator("[data-party-remove]").click()
    page.locator("[data-party-add=applicant]").click()
    party_row(page, 1).locator("input[name$='-name']").fill("李小红")
    page.locator("[data-party-add=respondent]").click()
    respondent = party_row(page, 2)
    expect(respondent.locator("select[name='party-2-side']")).to_have_value("respondent")
    respondent.locator("select[name$='-kind']").select_option(label="组织")
    respondent.locator("input[name$='-name']").fill("甲社区物业服务有限公司")
    shot(page, "mobile_dispute_form")

    # Without an applicant the intake refuses: the message is on the form, nothing is saved.
    page.locator("#party-list [data-party-row]").nth(0).locator("[data-party-remove]").click()
    page.locator("#party-list [data-party-row]").nth(0).locator("[data-party-remove]").click()
    expect(page.locator("#id_party-TOTAL_FORMS")).to_have_value("1")
    expect(party_row(page, 0).locator("input[name='party-0-name']")).to_have_value(
        "甲社区物业服务有限公司"
    )
    page.locator("#dispute-form button[type=submit]").click()
    expect(page.locator("#dispute-errors")).to_have_text("请至少登记一名申请人")
    shot(page, "mobile_dispute_refused")
    with server_paused:
        assert not Dispute.objects.exists()

    # The refused form kept what was typed; add the applicant and send it again.
    expect(page.locator("#id_title")).to_have_value("物业停水纠纷")
    page.locator("[data-party-add=applicant]").click()
    applicant = party_row(page, 1)
    applicant.locator("input[name$='-name']").fill("张三丰")
    applicant.locator("input[name$='-phone']").fill(APPLICANT_PHONE)
    page.wait_for_function("() => document.getElementById('id_lat').value === '30.005'")
    page.locator("#dispute-form button[type=submit]").click()

    expect(page.locator("#dispute-registered")).to_contain_text("已登记，等待综治中心研判")
    with server_paused:
        dispute = Dispute.objects.get()
        parties = [(p.side, p.kind, p.name, p.phone) for p in dispute.parties.all()]
        assert parties == [
            ("applicant", "person", "张三丰", APPLICANT_PHONE),
            ("respondent", "organisation", "甲社区物业服务有限公司", ""),
        ]
        assert (dispute.region, dispute.level, dispute.risk_mass_incident) == (
            tree.grid_a1,
            "significant",
            True,
        )
        assert (dispute.lng, dispute.lat, dispute.people_count) == (120.005, 30.005, 12)
    expect(page.locator("#dispute-number")).to_have_text(dispute.number)
    expect(page.locator("#dispute-registered")).to_contain_text("已向上级紧急报告")
    shot(page, "mobile_dispute_registered")

    page.get_by_role("link", name="我登记的纠纷").click()
    item = page.locator("#dispute-list .dispute-item")
    expect(item).to_have_count(1)
    expect(item).to_contain_text(dispute.number)
    expect(item).to_contain_text("物业停水纠纷")
    expect(item).to_contain_text("待研判")
    body = page.locator("body").inner_text()
    assert "张三丰" not in body and APPLICANT_PHONE not in body
    shot(page, "mobile_dispute_list")


def test_a_worker_of_two_grids_gets_the_grid_the_phone_stands_in(phone_as, tree, make_user, seeded):
    worker = make_user(perms=PERMS, scope=[tree.community_a], username="two")
    post(worker, tree.grid_a1)
    post(worker, tree.grid_a2, phone="13900002222")
    page = phone_as(worker, IN_A2)
    page.goto("/m/disputes/new/")
    expect(page.locator("#position-status")).to_contain_text("位于甲二网格")
    expect(page.locator("#id_grid")).to_have_value(str(tree.grid_a2.pk))


def test_offline_the_form_is_held_back_with_what_was_typed(phone_as, tree, make_user, seeded):
    worker = make_user(perms=PERMS, scope=[tree.community_a], username="worker")
    post(worker, tree.grid_a1)
    page = phone_as(worker)
    page.goto("/m/disputes/new/")
    page.locator("#id_title").fill("邻里噪音纠纷")
    page.context.set_offline(True)
    page.locator("#dispute-form button[type=submit]").click()
    expect(page.locator("#dispute-offline")).to_be_visible()
    expect(page.locator("#id_title")).to_have_value("邻里噪音纠纷")
    expect(page.locator("#dispute-form button[type=submit]")).to_be_enabled()
    page.context.set_offline(False)
