"""A dispute from a grid worker's report on the phone to the archive, by five people in their
own browsers: the grid worker registers it on /m/, the centre assesses and refers it, the
township's mediation body accepts, schedules and concludes it with an agreement, the community
and the township check the result level by level, the county checks last and the centre
archives it. Each sees it on their dispute desk."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from citygrid.disputes.models import Dispute
from citygrid.regions.models import GridWorker
from tests.e2e.conftest import DESKTOP, PHONE_DEVICE, log_in_page

pytestmark = pytest.mark.browser

VIEW = "disputes.view_dispute"


def next_weekday(days: int):
    day = timezone.localdate() + timedelta(days=days)
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return day


def act(page, action: str, fill) -> None:
    """Open the action's form in the panel, fill it and confirm."""
    page.locator(f'#dispute-actions [data-action="{action}"]').click()
    form = page.locator(f"#act-{action}")
    expect(form).to_be_visible()
    fill(form)
    form.locator("button[type=submit]").click()
    expect(page.locator(".alert-success", has_text="已执行")).to_be_visible()


def open_from_desk(page, number: str) -> None:
    page.goto("/disputes/desk/")
    page.get_by_role("link", name=number).click()
    expect(page.locator("#dispute-title")).to_contain_text(number)


def test_a_dispute_from_the_phone_to_the_archive(new_page, tree, make_user, seeded):
    from citygrid.cases.models import Department

    worker = make_user(
        perms=["disputes.add_dispute", VIEW], scope=[tree.community_a], username="worker"
    )
    GridWorker(region=tree.grid_a1, name="王网格", phone="13900001111", user=worker).save()
    centre = make_user(
        perms=[
            VIEW,
            "disputes.assess_dispute",
            "disputes.dispatch_dispute",
            "disputes.verify_dispute",
            "disputes.archive_dispute",
        ],
        scope=[tree.county_a],
        username="centre",
    )
    mediator = make_user(
        perms=[VIEW, "disputes.mediate_dispute", "disputes.view_party_dispute"],
        scope=[tree.township_a],
        username="mediator",
    )
    body = Department(name="甲街道人民调解委员会", code="TJ01", region=tree.township_a)
    body.save()
    body.members.add(mediator)
    community = make_user(
        perms=[VIEW, "disputes.verify_dispute"], scope=[tree.community_a], username="community"
    )
    township = make_user(
        perms=[VIEW, "disputes.verify_dispute"], scope=[tree.township_a], username="township"
    )

    # 1. The grid worker registers it on the phone, standing in grid A1.
    phone = new_page(
        **PHONE_DEVICE,
        geolocation={"longitude": 120.005, "latitude": 30.005, "accuracy": 10},
        permissions=["geolocation"],
    )
    log_in_page(phone, worker)
    phone.goto("/m/disputes/new/")
    phone.wait_for_function("() => document.getElementById('id_lng').value !== ''")
    phone.locator("#id_category").select_option(label="邻里")
    phone.locator("#id_title").fill("楼上漏水纠纷")
    phone.locator("#id_description").fill("楼上卫生间漏水，楼下天花板受损，双方协商赔偿未果")
    rows = phone.locator("#party-list [data-party-row]")
    rows.nth(0).locator("input[name$='-name']").fill("张三")
    rows.nth(0).locator("input[name$='-phone']").fill("13900000001")
    rows.nth(1).locator("input[name$='-name']").fill("李四")
    phone.locator("#dispute-form button[type=submit]").click()
    number = phone.locator("#dispute-number").inner_text().strip()
    assert number.startswith("JF")

    # 2. The centre assesses it and refers it to the township's mediation committee.
    desk = new_page(viewport=DESKTOP)
    log_in_page(desk, centre)
    open_from_desk(desk, number)
    expect(desk.locator("#parties")).to_contain_text("张*")  # masked for the centre
    act(
        desk,
        "assess",
        lambda f: (
            f.locator("select[name=level]").select_option(label="一般"),
            f.locator("textarea[name=note]").fill("邻里纠纷，由街道调委会调解"),
        ),
    )
    due = next_weekday(10).isoformat()
    act(
        desk,
        "dispatch",
        lambda f: (
            f.locator("select[name=department]").select_option(label="甲街道人民调解委员会"),
            f.locator("input[name=due_date]").fill(due),
        ),
    )
    expect(desk.locator("#dispute-title")).to_contain_text("待受理")

    # 3. The committee accepts it, schedules a session and concludes with an agreement.
    mediation = new_page(viewport=DESKTOP)
    log_in_page(mediation, mediator)
    open_from_desk(mediation, number)
    expect(mediation.locator("#parties")).to_contain_text("张三")  # the mediator reads names
    act(mediation, "accept", lambda f: None)
    starts = (timezone.localtime() + timedelta(days=1)).strftime("%Y-%m-%dT10:00")
    act(
        mediation,
        "schedule",
        lambda f: (
            f.locator("input[name=starts_at]").fill(starts),
            f.locator("input[name=place]").fill("甲街道调解室"),
            f.locator("input[name=mediators]").fill("王调解、刘调解"),
        ),
    )
    expect(mediation.locator("#sessions")).to_contain_text("甲街道调解室")
    act(
        mediation,
        "conclude",
        lambda f: (
            f.locator("select[name=outcome]").select_option(label="调解成功"),
            f.locator("textarea[name=terms]").fill("李四于十日内赔偿张三维修费用两千元。"),
            f.locator("textarea[name=note]").fill("双方达成协议"),
        ),
    )
    link = mediation.locator("#agreement-pdf")
    expect(link).to_be_visible()
    agreement = mediation.request.get(link.get_attribute("href"))
    assert agreement.headers["content-type"] == "application/pdf"
    assert agreement.body().startswith(b"%PDF")

    # 4. Checked level by level: the community, the township, then the county (the centre).
    for user in (community, township):
        page = new_page(viewport=DESKTOP)
        log_in_page(page, user)
        open_from_desk(page, number)
        act(page, "verify_pass", lambda f: None)
    desk.reload()
    act(desk, "verify_final", lambda f: None)
    expect(desk.locator("#dispute-title")).to_contain_text("待归档")

    # 5. The centre archives it with the parties' satisfaction: read-only from then on.
    act(desk, "archive", lambda f: f.locator("select[name=satisfaction]").select_option("5"))
    expect(desk.locator("#dispute-title")).to_contain_text("已归档")
    expect(desk.locator("#dispute-actions")).not_to_contain_text("分类研判")
    dispute = Dispute.objects.get(number=number)
    assert dispute.state == "archived" and dispute.satisfaction == 5
    assert list(dispute.events.values_list("action", flat=True)) == [
        "register",
        "assess",
        "dispatch",
        "accept",
        "schedule",
        "conclude",
        "verify_pass",
        "verify_pass",
        "verify_final",
        "archive",
    ]
