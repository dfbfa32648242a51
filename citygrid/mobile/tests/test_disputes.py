"""矛盾纠纷登记 in the grid app: the form, the intake behind it, and what the worker sees after."""

from decimal import Decimal

import pytest
from django.db import connection
from django.urls import reverse

from citygrid.core.validators import mask_id_number, mask_mobile, mask_name
from citygrid.disputes.models import Dispute, DisputeEvent, DisputeParty
from citygrid.mobile.tests.conftest import A1, grid_post

pytestmark = pytest.mark.django_db

DISPUTE_PERMS = ["disputes.add_dispute", "disputes.view_dispute"]
APPLICANT_ID = "11010519491231002X"
APPLICANT_PHONE = "13912345678"


@pytest.fixture
def worker(tree, make_user):
    """A 网格员 of grid A1 whose role covers the community (A1 and A2)."""
    user = make_user(perms=DISPUTE_PERMS, scope=[tree.community_a], username="worker")
    grid_post(user, tree.grid_a1)
    return user


@pytest.fixture
def worker_client(client, worker):
    client.force_login(worker)
    return client


def party(index: int, side: str, name: str, kind="person", id_number="", phone="") -> dict:
    prefix = f"party-{index}-"
    return {
        f"{prefix}side": side,
        f"{prefix}kind": kind,
        f"{prefix}name": name,
        f"{prefix}id_number": id_number,
        f"{prefix}phone": phone,
    }


def form_data(grid, parties=None, **overrides) -> dict:
    if parties is None:
        parties = [
            party(0, "applicant", "张三丰", id_number=APPLICANT_ID, phone=APPLICANT_PHONE),
            party(1, "respondent", "甲社区物业服务有限公司", kind="organisation"),
        ]
    data = {
        "grid": str(grid.pk),
        "category": "07",  # 物业
        "title": "物业停水纠纷",
        "description": "小区连续三天停水，业主与物业协商未果",
        "address": "甲社区5幢楼下",
        "lng": str(A1[0]),
        "lat": str(A1[1]),
        "people_count": "12",
        "amount": "3000.50",
        "level": "ordinary",
        "party-TOTAL_FORMS": str(len(parties)),
        "party-INITIAL_FORMS": "2",
        "party-MIN_NUM_FORMS": "0",
        "party-MAX_NUM_FORMS": "50",
    }
    for row in parties:
        data.update(row)
    data.update(overrides)
    return data


def post(client, data):
    return client.post(reverse("mobile:dispute_new"), data)


def assert_nothing_saved():
    assert not Dispute.objects.exists()
    assert not DisputeParty.objects.exists()
    assert not DisputeEvent.objects.exists()


def test_the_form_offers_my_grid_the_categories_and_two_party_rows(worker_client, tree):
    response = worker_client.get(reverse("mobile:dispute_new"))
    assert response.status_code == 200
    form = response.context["form"]
    # One grid: nothing to pick, no empty choice.
    assert [label for _, label in form.fields["grid"].choices] == ["甲一网格"]
    assert ("11", "邻里") in form.fields["category"].choices
    assert form.fields["category"].choices[0] == ("", "请选择纠纷类别")
    assert [f.initial["side"] for f in response.context["parties"]] == ["applicant", "respondent"]
    body = response.content.decode()
    assert 'id="party-template"' in body
    assert "citygrid/dispute_form.js" in body


def test_registration_works_and_answers_with_the_number(worker_client, worker, tree):
    response = post(worker_client, form_data(tree.grid_a1, risk_petition="on"))
    dispute = Dispute.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/m/disputes/{dispute.pk}/"
    assert dispute.region == tree.grid_a1
    assert dispute.category == "07"
    assert dispute.title == "物业停水纠纷"
    assert dispute.description == "小区连续三天停水，业主与物业协商未果"
    assert dispute.address == "甲社区5幢楼下"
    assert (dispute.lng, dispute.lat) == A1
    assert dispute.people_count == 12
    assert dispute.amount == Decimal("3000.50")
    assert dispute.level == "ordinary"
    assert (dispute.risk_petition, dispute.risk_mass_incident, dispute.risk_criminal) == (
        True,
        False,
        False,
    )
    assert dispute.source == "grid_worker"
    assert dispute.reporter == worker
    assert dispute.state == "collected"
    assert list(dispute.events.values_list("action", flat=True)) == ["register"]
    assert [(p.side, p.kind, p.name, p.id_number, p.phone) for p in dispute.parties.all()] == [
        ("applicant", "person", "张三丰", APPLICANT_ID, APPLICANT_PHONE),
        ("respondent", "organisation", "甲社区物业服务有限公司", "", ""),
    ]
    page = worker_client.get(response["Location"])
    body = page.content.decode()
    assert page.status_code == 200
    assert dispute.number in body
    assert "已登记，等待综治中心研判" in body
    # A risk flag sends it upwards at once, and the worker is told so.
    assert "已向上级紧急报告" in body


def test_parties_are_sealed_and_never_shown_back(worker_client, tree):
    post(worker_client, form_data(tree.grid_a1))
    dispute = Dispute.objects.get()
    with connection.cursor() as cursor:
        cursor.execute("SELECT name, id_number, phone FROM disputes_disputeparty")
        stored = " ".join(value for row in cursor.fetchall() for value in row)
    clear = ["张三丰", APPLICANT_ID, APPLICANT_PHONE, "甲社区物业服务有限公司"]
    assert stored and not any(value in stored for value in clear)
    for url in (reverse("mobile:dispute", args=[dispute.pk]), reverse("mobile:dispute_list")):
        body = worker_client.get(url).content.decode()
        assert dispute.number in body
        assert not any(value in body for value in clear), url
        # Not even masked: the worker's pages show the dispute, not its parties.
        masked = [mask_name("张三丰"), mask_id_number(APPLICANT_ID), mask_mobile(APPLICANT_PHONE)]
        assert not any(value in body for value in masked), url


def test_a_grid_that_is_not_mine_is_refused(worker_client, tree):
    # A2 is inside the worker's territory but not their grid; B1 is another county.
    for grid in (tree.grid_a2, tree.grid_b1):
        response = post(worker_client, form_data(grid))
        assert response.status_code == 400
        assert response.context["form"].errors["grid"] == ["请选择您负责的网格"]
    assert_nothing_saved()


def test_a_grid_outside_the_role_territory_is_refused_by_the_intake(client, tree, make_user):
    # The post says B1, the role only covers community A: the intake's scope check decides.
    user = make_user(perms=DISPUTE_PERMS, scope=[tree.community_a], username="moved")
    grid_post(user, tree.grid_b1)
    client.force_login(user)
    response = post(client, form_data(tree.grid_b1))
    assert response.status_code == 400
    assert response.context["form"].non_field_errors() == ["纠纷发生地不在您的管辖范围内"]
    assert "纠纷发生地不在您的管辖范围内" in response.content.decode()
    assert_nothing_saved()


def test_missing_applicant_is_refused_in_chinese_and_the_form_keeps_the_input(worker_client, tree):
    data = form_data(tree.grid_a1, parties=[party(0, "respondent", "李四")])
    response = post(worker_client, data)
    body = response.content.decode()
    assert response.status_code == 400
    assert response.context["form"].non_field_errors() == ["请至少登记一名申请人"]
    assert '<div class="alert alert-danger" role="alert" id="dispute-errors">' in body
    assert 'value="物业停水纠纷"' in body
    assert_nothing_saved()


def test_an_empty_applicant_row_is_no_applicant(worker_client, tree):
    parties = [party(0, "applicant", "   "), party(1, "respondent", "李四")]
    response = post(worker_client, form_data(tree.grid_a1, parties=parties))
    assert response.context["form"].non_field_errors() == ["请至少登记一名申请人"]
    assert_nothing_saved()


def test_bad_fields_get_chinese_messages_and_nothing_is_saved(worker_client, tree):
    parties = [party(0, "applicant", "", phone=APPLICANT_PHONE)]
    data = form_data(
        tree.grid_a1,
        parties=parties,
        category="",
        title="",
        people_count="十二",
        amount="-5",
        level="huge",
    )
    response = post(worker_client, data)
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert errors["category"] == ["请选择纠纷类别"]
    assert errors["title"] == ["请填写纠纷名称"]
    assert errors["people_count"] == ["涉及人数应为整数"]
    assert errors["amount"] == ["涉及金额不能为负数"]
    assert errors["level"] == ["请选择纠纷等级"]
    assert response.context["parties"].errors == [{"name": ["请填写当事人姓名或名称"]}]
    assert 'class="form-select is-invalid"' in response.content.decode()
    assert_nothing_saved()


def test_a_worker_of_several_grids_picks_one(client, tree, make_user):
    user = make_user(perms=DISPUTE_PERMS, scope=[tree.community_a], username="two")
    grid_post(user, tree.grid_a1)
    grid_post(user, tree.grid_a2, phone="13900002222")
    client.force_login(user)
    form = client.get(reverse("mobile:dispute_new")).context["form"]
    assert [label for _, label in form.fields["grid"].choices] == [
        "请选择网格",
        "甲一网格",
        "甲二网格",
    ]
    response = post(client, {**form_data(tree.grid_a1), "grid": ""})
    assert response.context["form"].errors["grid"] == ["请选择您负责的网格"]
    assert_nothing_saved()
    assert post(client, form_data(tree.grid_a2)).status_code == 302
    assert Dispute.objects.get().region == tree.grid_a2


def test_without_the_permission_no_tile_and_no_page(client, tree, make_user):
    user = make_user(perms=["disputes.view_dispute"], scope=[tree.community_a], username="v")
    grid_post(user, tree.grid_a1)
    client.force_login(user)
    assert 'id="dispute-tiles"' not in client.get(reverse("mobile:home")).content.decode()
    assert client.get(reverse("mobile:dispute_new")).status_code == 403
    assert post(client, form_data(tree.grid_a1)).status_code == 403
    assert client.get(reverse("mobile:dispute_list")).status_code == 403
    assert_nothing_saved()


def test_home_has_the_dispute_tiles(worker_client):
    body = worker_client.get(reverse("mobile:home")).content.decode()
    assert 'href="/m/disputes/new/"' in body
    assert 'href="/m/disputes/"' in body


def test_my_list_shows_only_what_i_registered(worker_client, worker, tree, make_user):
    from citygrid.disputes.intake import Party, Registration, register_dispute

    colleague = make_user(perms=DISPUTE_PERMS, scope=[tree.community_a], username="colleague")

    def register(actor, title):
        return register_dispute(
            Registration(
                region=tree.grid_a1,
                category="11",
                title=title,
                description="楼上漏水",
                parties=[Party(side="applicant", name="王五")],
            ),
            actor=actor,
        )

    mine = register(worker, "邻里漏水纠纷")
    theirs = register(colleague, "同事登记的纠纷")
    response = worker_client.get(reverse("mobile:dispute_list"))
    body = response.content.decode()
    assert [d.pk for d, _ in response.context["disputes"]] == [mine.pk]
    assert mine.number in body and "邻里漏水纠纷" in body and "待研判" in body
    assert theirs.number not in body
    assert "王五" not in body
    # Another's dispute is not mine to follow here, even in my territory.
    assert worker_client.get(reverse("mobile:dispute", args=[theirs.pk])).status_code == 404


def test_a_validation_error_from_the_intake_lands_on_the_form(worker_client, tree, monkeypatch):
    from django.core.exceptions import ValidationError

    from citygrid.mobile import dispute_views

    def refuse(registration, *, actor):
        raise ValidationError(["发生地点过长", "涉及人数过多"])

    monkeypatch.setattr(dispute_views, "register_dispute", refuse)
    response = post(worker_client, form_data(tree.grid_a1))
    assert response.status_code == 400
    assert response.context["form"].non_field_errors() == ["发生地点过长；涉及人数过多"]


def test_a_user_without_a_grid_is_told_so(client, tree, make_user):
    user = make_user(perms=DISPUTE_PERMS, scope=[tree.community_a], username="nogrid")
    client.force_login(user)
    response = client.get(reverse("mobile:dispute_new"))
    body = response.content.decode()
    assert "您尚未配置到网格，不能在网格通登记纠纷。" in body
    assert 'id="dispute-form"' not in body
    assert 'id="dispute-tiles"' not in client.get(reverse("mobile:home")).content.decode()


def test_my_list_costs_the_same_queries_for_one_dispute_or_many(worker_client, worker, tree):
    from django.test.utils import CaptureQueriesContext

    from citygrid.disputes.intake import Party, Registration, register_dispute

    def register():
        register_dispute(
            Registration(
                region=tree.grid_a1,
                category="11",
                title="邻里纠纷",
                description="噪音扰民",
                parties=[Party(side="applicant", name="王五")],
            ),
            actor=worker,
        )

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert worker_client.get(reverse("mobile:dispute_list")).status_code == 200
        return len(captured)

    register()
    one = queries()
    for _ in range(4):
        register()
    assert queries() == one


def test_anonymous_users_go_to_the_login_page(client):
    response = client.get(reverse("mobile:dispute_new"))
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/m/disputes/new/"


def test_too_many_parties_or_a_stale_page_are_refused_in_chinese(worker_client, tree):
    parties = [party(i, "applicant", f"申请人{i}") for i in range(51)]
    response = post(worker_client, form_data(tree.grid_a1, parties=parties))
    assert response.context["parties"].non_form_errors() == ["当事人最多登记 50 名"]
    data = {k: v for k, v in form_data(tree.grid_a1).items() if "FORMS" not in k}
    response = post(worker_client, data)
    assert response.context["parties"].non_form_errors() == ["页面已过期，请刷新后重新填写当事人"]
    assert "页面已过期，请刷新后重新填写当事人" in response.content.decode()
    assert_nothing_saved()
