"""The dispute screens: registration with parties, the page with its actions, the desk and the
list — in Chinese, scoped, and with the parties masked for whoever may not read them."""

import re

import pytest
from django.urls import reverse

from citygrid.core.models import AccessLog
from citygrid.disputes import actions
from citygrid.disputes.models import Dispute
from citygrid.disputes.tests.conftest import MONDAY_10

pytestmark = pytest.mark.django_db


def form_data(tree, **overrides) -> dict:
    data = {
        "region": tree.grid_a1.pk,
        "category": "07",
        "title": "物业费纠纷",
        "description": "业主以服务不到位为由拒交物业费",
        "address": "甲社区5幢",
        "people_count": "12",
        "amount": "36000",
        "level": "significant",
        "risk_mass_incident": "on",
        "party-TOTAL_FORMS": "3",
        "party-INITIAL_FORMS": "0",
        "party-MIN_NUM_FORMS": "1",
        "party-MAX_NUM_FORMS": "50",
        "party-0-side": "applicant",
        "party-0-kind": "person",
        "party-0-name": "赵六",
        "party-0-phone": "13900000011",
        "party-1-side": "applicant",
        "party-1-kind": "person",
        "party-1-name": "钱七",
        "party-2-side": "respondent",
        "party-2-kind": "organisation",
        "party-2-name": "某某物业服务有限公司",
        "party-2-id_number": "91350100M000100Y43",
    }
    data.update(overrides)
    return data


def test_registering_with_several_parties_on_each_side(client, setup, tree):
    client.force_login(setup.centre)
    page = client.get(reverse("disputes:dispute_add"))
    assert page.status_code == 200
    assert "登记矛盾纠纷" in page.content.decode() and "添加当事人" in page.content.decode()
    response = client.post(reverse("disputes:dispute_add"), form_data(tree))
    dispute = Dispute.objects.get()
    assert response.status_code == 302 and response["Location"] == dispute.get_absolute_url()
    assert dispute.category == "07" and dispute.level == "significant"
    assert dispute.risk_mass_incident and dispute.people_count == 12
    assert sorted(dispute.parties.values_list("side", flat=True)) == [
        "applicant",
        "applicant",
        "respondent",
    ]


def test_registration_without_an_applicant_says_so_and_saves_nothing(client, setup, tree):
    client.force_login(setup.centre)
    data = form_data(tree, **{"party-0-name": "", "party-1-name": ""})
    response = client.post(reverse("disputes:dispute_add"), data)
    assert response.status_code == 200
    assert "请至少登记一名申请人" in response.content.decode()
    assert not Dispute.objects.exists()


def test_registration_needs_the_permission(client, setup):
    client.force_login(setup.handler)
    assert client.get(reverse("disputes:dispute_add")).status_code == 403


def test_the_page_masks_parties_unless_the_role_may_read_them(client, setup, register, make_user):
    dispute = register()
    client.force_login(setup.centre)
    html = client.get(dispute.get_absolute_url()).content.decode()
    assert "张三" not in html and "张*" in html and "139****0001" in html
    assert not AccessLog.objects.filter(action="view_sensitive").exists()
    reader = make_user(
        perms=["disputes.view_dispute", "disputes.view_party_dispute"], scope=[setup.tree.county_a]
    )
    client.force_login(reader)
    html = client.get(dispute.get_absolute_url()).content.decode()
    assert "张三" in html and "13900000001" in html
    log = AccessLog.objects.get(action="view_sensitive")
    assert log.user == reader and log.object_id == dispute.pk


def test_actions_from_the_page_move_the_dispute_and_refusals_are_messages(client, setup, register):
    dispute = register()
    client.force_login(setup.centre)
    html = client.get(dispute.get_absolute_url()).content.decode()
    assert 'data-action="assess"' in html and "分类研判" in html
    url = reverse("disputes:dispute_act", args=[dispute.pk, "assess"])
    response = client.post(url, {"category": "11", "level": "ordinary", "note": ""}, follow=True)
    assert "研判意见" in response.content.decode()
    assert Dispute.objects.get(pk=dispute.pk).state == "collected"
    client.post(url, {"category": "11", "level": "ordinary", "note": "社区可调"})
    assert Dispute.objects.get(pk=dispute.pk).state == "assessed"
    url = reverse("disputes:dispute_act", args=[dispute.pk, "dispatch"])
    response = client.post(
        url, {"department": setup.department.pk, "due_date": "2026-10-05", "note": ""}, follow=True
    )
    assert "不是工作日" in response.content.decode()
    assert Dispute.objects.get(pk=dispute.pk).state == "assessed"


def test_another_countys_dispute_is_not_found(client, setup, register):
    dispute = register()
    client.force_login(setup.outsider)
    assert client.get(dispute.get_absolute_url()).status_code == 404
    url = reverse("disputes:dispute_act", args=[dispute.pk, "assess"])
    assert client.post(url, {"category": "11", "level": "ordinary", "note": "x"}).status_code == 404


def test_the_desk_lists_each_persons_duties(client, setup, register):
    waiting = register(title="待研判的纠纷")
    referred = register(title="已交办的纠纷")
    actions.assess_dispute(referred, actor=setup.centre, category="11", level="ordinary", note="x")
    from datetime import date

    actions.dispatch_dispute(
        referred,
        actor=setup.centre,
        department=setup.department,
        due_date=date(2026, 3, 13),
        now=MONDAY_10,
    )
    client.force_login(setup.centre)
    html = client.get(reverse("disputes:desk")).content.decode()
    assert waiting.number in html and referred.number not in html
    client.force_login(setup.handler)
    html = client.get(reverse("disputes:desk")).content.decode()
    assert referred.number in html and waiting.number not in html
    assert "受理" in html


def test_the_list_filters_and_shows_chinese(client, setup, register):
    register(title="甲纠纷")
    register(title="乙纠纷", risk_petition=True)
    client.force_login(setup.centre)
    html = client.get(reverse("disputes:dispute_list") + "?risk=true").content.decode()
    assert "乙纠纷" in html and "甲纠纷" not in html
    assert "共 1 条" in html
    html = client.get(reverse("disputes:dispute_list") + "?number=J%27").content.decode()
    assert "纠纷编号只含字母和数字" in html
    body = client.get(reverse("disputes:dispute_list")).content.decode().split("<tbody")[1]
    visible = re.sub(r"<[^>]+>", " ", body)
    assert not re.search(r"\b(collected|assessed|ordinary)\b", visible)
    assert "待研判" in visible and "一般" in visible


def test_the_point_on_the_map_must_lie_in_the_place_picked(client, setup, tree):
    client.force_login(setup.centre)
    page = client.get(reverse("disputes:dispute_add")).content.decode()
    assert 'id="position-picker"' in page
    outside = form_data(tree, lng="120.015", lat="30.005")  # grid A2, not A1
    response = client.post(reverse("disputes:dispute_add"), outside)
    assert "地图上标注的位置不在所选网格（社区）内" in response.content.decode()
    assert not Dispute.objects.exists()
    client.post(reverse("disputes:dispute_add"), form_data(tree, lng="120.005", lat="30.005"))
    assert Dispute.objects.get().lng == 120.005


def test_the_desk_costs_the_same_queries_for_one_row_or_many(client, setup, register):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from citygrid.disputes.tests.test_workflow import concluded

    def desk_queries() -> int:
        client.force_login(setup.community)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse("disputes:desk")).status_code == 200
        return len(queries)

    concluded(setup, register)
    one = desk_queries()
    for _ in range(3):
        concluded(setup, register)
    html = client.get(reverse("disputes:desk")).content.decode()
    assert html.count("核查通过（报上级核查）") == 4
    assert desk_queries() == one


def test_a_respondent_found_later_is_added_and_then_the_agreement_can_be_made(
    client, setup, register
):
    from citygrid.disputes.intake import Party
    from citygrid.disputes.tests.test_workflow import DUE

    dispute = register(parties=[Party(side="applicant", name="王五", phone="13900000005")])
    dispute = actions.assess_dispute(
        dispute, actor=setup.centre, category="11", level="ordinary", note="x"
    )
    dispute = actions.dispatch_dispute(
        dispute, actor=setup.centre, department=setup.department, due_date=DUE, now=MONDAY_10
    )
    dispute = actions.accept_dispute(dispute, actor=setup.handler, now=MONDAY_10)
    url = reverse("disputes:dispute_party_add", args=[dispute.pk])
    new = {"new-party-side": "respondent", "new-party-kind": "person", "new-party-name": "赵二"}
    client.force_login(setup.community)  # may view, may not add parties
    page = client.post(url, new, follow=True).content.decode()
    assert "您没有登记当事人的权限" in page and dispute.parties.count() == 1
    client.force_login(setup.handler)
    assert "补充登记当事人" in client.get(dispute.get_absolute_url()).content.decode()
    page = client.post(url, {**new, "new-party-phone": "12000000000"}, follow=True).content.decode()
    assert "未能登记当事人" in page and dispute.parties.count() == 1
    page = client.post(url, new, follow=True).content.decode()
    assert "已补充登记被申请人" in page
    assert dispute.parties.filter(side="respondent").count() == 1
    event = dispute.events.get(action="party_added")
    assert event.data == {"side": "respondent"} and "赵二" not in event.note
    actions.conclude_dispute(
        dispute, actor=setup.handler, outcome="resolved", terms="赔偿 500 元", note="达成协议"
    )
    assert Dispute.objects.get(pk=dispute.pk).state == "reported_back"
