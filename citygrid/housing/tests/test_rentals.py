"""Rental workflow: confirm, reject, end — allowed, denied (nothing changed), out of scope —
through the actions, the rental page and the API."""

from datetime import date

import pytest
from django.urls import reverse

from citygrid.core.errors import ActionError, RecordNotFound
from citygrid.core.models import ObjectChange
from citygrid.housing import actions
from citygrid.housing.models import House, Rental
from citygrid.housing.tests import factories as f

pytestmark = pytest.mark.django_db

CONFIRMER = ["housing.view_rental", "housing.confirm_rental", "housing.change_rental"]


@pytest.fixture
def pending(tree):
    h = f.house(f.building(tree.grid_a1), "101", occupancy="vacant")
    return f.rental(h, status="pending", source="online", declared_tenants="张三 " + f.ID_A)


def _updates(obj):
    from django.contrib.contenttypes.models import ContentType

    ct = ContentType.objects.get_for_model(obj)
    return ObjectChange.objects.filter(content_type=ct, object_id=obj.pk, action="update")


def _state(rental):
    rental.refresh_from_db()
    rental.house.refresh_from_db()
    return rental.status, rental.confirmed_by_id, rental.note, rental.house.occupancy


def test_confirm_sets_active_confirmer_and_house_rented(pending, make_user, tree):
    user = make_user(perms=CONFIRMER, scope=[tree.county_a])
    actions.confirm_rental(pending, actor=user)
    status, confirmed_by, _, occupancy = _state(pending)
    assert (status, confirmed_by, occupancy) == ("active", user.pk, "rented")
    assert pending.confirmed_at is not None
    change = _updates(pending).get()
    assert {name for name, _, _ in change.diff()} >= {"status", "confirmed_by", "confirmed_at"}


def test_confirm_without_permission_changes_nothing(pending, make_user, tree):
    user = make_user(perms=["housing.view_rental", "housing.change_rental"], scope=[tree.county_a])
    before = _state(pending)
    with pytest.raises(ActionError) as exc:
        actions.confirm_rental(pending, actor=user)
    assert (exc.value.code, exc.value.status) == ("permission_denied", 403)
    assert _state(pending) == before
    assert not _updates(pending).exists()
    assert not _updates(pending.house).exists()


def test_confirm_out_of_scope_is_not_found(pending, make_user, tree):
    user = make_user(perms=CONFIRMER, scope=[tree.county_b])
    before = _state(pending)
    with pytest.raises(RecordNotFound) as exc:
        actions.confirm_rental(pending, actor=user)
    assert (exc.value.code, exc.value.status) == ("not_found", 404)
    assert exc.value.message == "出租登记不存在或不在您的管辖范围内"
    assert _state(pending) == before


def test_confirm_twice_is_refused(pending, make_user, tree):
    user = make_user(perms=CONFIRMER, scope=[tree.county_a])
    actions.confirm_rental(pending, actor=user)
    with pytest.raises(ActionError) as exc:
        actions.confirm_rental(pending, actor=user)
    assert exc.value.code == "invalid_transition"


def test_reject_keeps_reason_and_leaves_house_alone(pending, make_user, tree):
    user = make_user(perms=CONFIRMER, scope=[tree.county_a])
    actions.reject_rental(pending, actor=user, reason="该户未出租")
    status, confirmed_by, note, occupancy = _state(pending)
    assert (status, confirmed_by, note, occupancy) == (
        "rejected",
        user.pk,
        "驳回原因：该户未出租",
        "vacant",
    )


def test_reject_needs_reason_and_permission(pending, make_user, tree):
    before = _state(pending)
    allowed = make_user(perms=CONFIRMER, scope=[tree.county_a])
    with pytest.raises(ActionError) as exc:
        actions.reject_rental(pending, actor=allowed, reason="  ")
    assert exc.value.code == "reason_required"
    denied = make_user(perms=["housing.view_rental"], scope=[tree.county_a])
    with pytest.raises(ActionError) as exc:
        actions.reject_rental(pending, actor=denied, reason="不对")
    assert exc.value.code == "permission_denied"
    assert _state(pending) == before


def test_end_rental_sets_end_date_and_house_vacant(pending, make_user, tree):
    user = make_user(perms=CONFIRMER, scope=[tree.county_a])
    actions.confirm_rental(pending, actor=user)
    actions.end_rental(pending, actor=user, on=date(2026, 6, 30))
    pending.refresh_from_db()
    assert (pending.status, pending.end_date) == ("ended", date(2026, 6, 30))
    assert House.objects.get(pk=pending.house_id).occupancy == "vacant"
    # The house may be let again: a new rental gets its own number.
    again = f.rental(pending.house)
    assert again.rental_no != pending.rental_no


def test_end_pending_or_without_permission_is_refused(pending, make_user, tree):
    user = make_user(perms=CONFIRMER, scope=[tree.county_a])
    before = _state(pending)
    with pytest.raises(ActionError) as exc:
        actions.end_rental(pending, actor=user, on=date(2026, 6, 30))
    assert exc.value.code == "invalid_transition"
    actions.confirm_rental(pending, actor=user)
    confirmed = _state(pending)
    denied = make_user(
        perms=["housing.view_rental", "housing.confirm_rental"], scope=[tree.county_a]
    )
    with pytest.raises(ActionError) as exc:
        actions.end_rental(pending, actor=denied, on=date(2026, 6, 30))
    assert exc.value.code == "permission_denied"
    assert _state(pending) == confirmed != before


# --- the rental page ------------------------------------------------------------------------


def test_page_offers_confirm_and_reject_only_when_allowed(pending, client, make_user, tree):
    client.force_login(make_user(perms=CONFIRMER, scope=[tree.county_a]))
    page = client.get(pending.get_absolute_url()).content.decode()
    assert 'id="confirm-form"' in page and 'id="reject-form"' in page
    assert 'id="end-form"' not in page
    assert "（已隐藏）（共 1 人）" in page
    assert f.ID_A not in page

    client.force_login(make_user(perms=["housing.view_rental"], scope=[tree.county_a]))
    page = client.get(pending.get_absolute_url()).content.decode()
    assert 'id="confirm-form"' not in page and 'id="reject-form"' not in page


def test_page_confirm_then_end(pending, client, make_user, tree):
    client.force_login(make_user(perms=CONFIRMER, scope=[tree.county_a]))
    response = client.post(reverse("housing:rental_confirm", args=[pending.pk]), follow=True)
    assert f"已核实通过：{pending.rental_no}" in response.content.decode()
    assert 'id="end-form"' in response.content.decode()
    client.post(reverse("housing:rental_end", args=[pending.pk]), {"on": "2026-07-01"})
    assert _state(pending)[0] == "ended"


def test_page_denied_action_changes_nothing(pending, client, make_user, tree):
    client.force_login(make_user(perms=["housing.view_rental"], scope=[tree.county_a]))
    before = _state(pending)
    response = client.post(reverse("housing:rental_confirm", args=[pending.pk]), follow=True)
    assert "未能核实通过：您没有“核实出租登记”的权限" in response.content.decode()
    response = client.post(
        reverse("housing:rental_reject", args=[pending.pk]), {"reason": "x"}, follow=True
    )
    assert "未能驳回" in response.content.decode()
    assert _state(pending) == before


def test_page_action_out_of_scope_is_404(pending, client, make_user, tree):
    client.force_login(make_user(perms=CONFIRMER, scope=[tree.county_b]))
    before = _state(pending)
    assert client.post(reverse("housing:rental_confirm", args=[pending.pk])).status_code == 404
    assert _state(pending) == before


def test_page_lists_current_tenants(pending, client, make_user, tree):
    tenant = f.person(tree.grid_a1, "租客甲", f.id_number(11))
    gone = f.person(tree.grid_a1, "租客乙", f.id_number(12))
    member = f.person(tree.grid_a1, "家人丙", f.id_number(13))
    f.residency(tenant, pending.house, relation="tenant")
    f.residency(gone, pending.house, relation="tenant", ended_on="2025-03-01")
    f.residency(member, pending.house)
    client.force_login(
        make_user(perms=[*CONFIRMER, "people.view_residency"], scope=[tree.county_a])
    )
    response = client.get(pending.get_absolute_url())
    assert [r.person.name for r in response.context["tenants"]] == ["租客甲"]


def test_pending_menu_item_filters_the_list(pending, client, make_user, tree):
    active = f.rental(f.house(f.building(tree.grid_a1), "102"))
    client.force_login(make_user(perms=["housing.view_rental"], scope=[tree.county_a]))
    response = client.get(reverse("housing:rental_pending"), follow=True)
    shown = {row.record.pk for row in response.context["table"].page.object_list}
    assert shown == {pending.pk}
    assert active.pk not in shown


def test_registering_a_let_rental_marks_the_house_rented(client, make_user, tree):
    house = f.house(f.building(tree.grid_a1), "201", floor=2, occupancy="vacant")
    user = make_user(perms=["housing.view_rental", "housing.add_rental"], scope=[tree.county_a])
    client.force_login(user)
    data = {
        "house": house.pk,
        "use": "01",
        "landlord_name": "李房东",
        "landlord_phone": "13900000002",
        "rooms": 1,
    }
    response = client.post(reverse("housing:rental_add"), data)
    assert response.status_code == 302
    rental = Rental.objects.get(house=house)
    assert rental.status == "active"
    house.refresh_from_db()
    assert house.occupancy == "rented"
    change = _updates(house).get()
    assert change.user == user
    assert [(n, a, b) for n, a, b in change.diff() if n == "occupancy"] == [
        ("occupancy", "vacant", "rented")
    ]


def test_refused_registration_leaves_the_house_alone(client, make_user, tree):
    house = f.house(f.building(tree.grid_a1), "201", floor=2, occupancy="vacant")
    f.rental(house)
    client.force_login(
        make_user(perms=["housing.view_rental", "housing.add_rental"], scope=[tree.county_a])
    )
    data = {"house": house.pk, "landlord_name": "李房东", "landlord_phone": "13900000002"}
    response = client.post(reverse("housing:rental_add"), {**data, "use": "01", "rooms": 1})
    assert response.status_code == 200
    assert "该房屋已有在租或待核实的出租登记" in response.content.decode()
    assert Rental.objects.filter(house=house).count() == 1
    house.refresh_from_db()
    assert house.occupancy == "vacant"
    assert not _updates(house).exists()


# --- API ------------------------------------------------------------------------------------


def test_api_confirm_and_denied(pending, api_client, make_user, tree):
    url = reverse("api:rental-confirm", args=[pending.pk])
    api_client.force_authenticate(make_user(perms=["housing.view_rental"], scope=[tree.county_a]))
    response = api_client.post(url)
    assert response.status_code == 403
    assert Rental.objects.get(pk=pending.pk).status == "pending"
    api_client.force_authenticate(make_user(perms=CONFIRMER, scope=[tree.county_a]))
    response = api_client.post(url)
    assert response.status_code == 200, response.json()
    assert response.json()["status"] == "active"
    response = api_client.post(url)
    assert (response.status_code, response.json()["code"]) == (409, "invalid_transition")


def test_api_reads_masked_and_status_is_read_only(pending, api_client, make_user, tree):
    api_client.force_authenticate(
        make_user(perms=["housing.view_rental", "housing.change_rental"], scope=[tree.county_a])
    )
    url = reverse("api:rental-detail", args=[pending.pk])
    body = api_client.get(url).json()
    assert "landlord_phone" not in body and body["landlord_phone_masked"] == "139****0001"
    assert body["declared_tenants_masked"] == "（已隐藏）"
    api_client.patch(url, {"status": "active"}, format="json")
    assert Rental.objects.get(pk=pending.pk).status == "pending"


def test_api_registration_marks_the_house_rented_like_the_page(api_client, make_user, tree):
    house = f.house(f.building(tree.grid_a1), "201", floor=2, occupancy="vacant")
    user = make_user(perms=["housing.view_rental", "housing.add_rental"], scope=[tree.county_a])
    api_client.force_authenticate(user)
    body = {"house": house.pk, "landlord_name": "李房东", "landlord_phone": "13900000002"}
    response = api_client.post(reverse("api:rental-list"), body, format="json")
    assert response.status_code == 201, response.json()
    assert response.json()["status"] == "active"
    house.refresh_from_db()
    assert house.occupancy == "rented"
    assert _updates(house).get().user == user
