"""Public online declaration: no login, checked input, one answer for bad and unknown codes,
the one-open-rental rule, a per-IP rate limit and CSRF."""

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from citygrid.housing import public
from citygrid.housing.models import Rental
from citygrid.housing.tests import factories as f

pytestmark = pytest.mark.django_db

URL = "/housing/declare/"


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def house(tree):
    return f.house(f.building(tree.grid_a1), "301", floor=3, occupancy="vacant")


def _data(house, **kw):
    data = {
        "house_code": house.code,
        "landlord_name": "王房东",
        "landlord_id_number": f.ID_B,
        "landlord_phone": "139-0000-0009",
        "use": "01",
        "rooms": "2",
        "rented_area": "45.5",
        "start_date": "2026-03-01",
        "end_date": "2027-02-28",
        "declared_tenants": f"张三 {f.ID_A} 13800000001\n李四 {f.ID_C}",
    }
    data.update(kw)
    return data


def _errors(response) -> str:
    return response.content.decode()


def test_url_name_and_public_page(client):
    assert reverse("housing:declare") == URL
    page = client.get(URL)
    assert page.status_code == 200
    html = page.content.decode()
    assert "出租屋网上申报" in html and "main-nav" not in html  # no staff menu


def test_good_declaration_creates_pending_online_rental(client, house):
    response = client.post(URL, _data(house), follow=True)
    rental = Rental.objects.get()
    assert (rental.status, rental.source, rental.house_id) == ("pending", "online", house.pk)
    assert rental.region_id == house.region_id
    assert rental.landlord_phone == "13900000009"
    assert rental.landlord_id_number == f.ID_B
    assert rental.declared_tenants == f"张三 {f.ID_A} 13800000001\n李四 {f.ID_C}"
    assert rental.rental_no in response.content.decode()
    assert response.redirect_chain[-1][0] == reverse("housing:declare_done")
    house.refresh_from_db()
    assert house.occupancy == "vacant"  # only the grid worker's confirmation changes it


@pytest.mark.parametrize(
    "code",
    ["12345", "330101001001001000019", "R330101001001001000018"],
)
def test_bad_or_unknown_code_gets_one_answer(client, house, code):
    response = client.post(URL, _data(house, house_code=code))
    assert response.status_code == 200
    assert "房屋编码无效或不存在" in _errors(response)
    assert not Rental.objects.exists()


def test_valid_but_unknown_code(client, house):
    from citygrid.housing.numbering import mod11_2

    body = house.code[:-1][:-5] + "99999"
    unknown = body + mod11_2(body)
    response = client.post(URL, _data(house, house_code=unknown))
    assert "房屋编码无效或不存在" in _errors(response)
    assert house.code not in _errors(response)
    assert not Rental.objects.exists()


def test_bad_id_numbers_are_refused(client, house):
    response = client.post(URL, _data(house, landlord_id_number="110105199001011233"))
    assert "身份证号码校验位错误" in _errors(response)
    response = client.post(URL, _data(house, declared_tenants="张三 110105199001011233"))
    assert "第1行：身份证号码校验位错误" in _errors(response)
    response = client.post(URL, _data(house, landlord_phone="12345"))
    assert "手机号码格式不正确" in _errors(response)
    assert not Rental.objects.exists()


def test_duplicate_open_rental_is_refused(client, house):
    client.post(URL, _data(house))
    response = client.post(URL, _data(house, landlord_name="另一个房东"))
    assert "该房屋已有在租或待核实的出租登记" in _errors(response)
    assert Rental.objects.count() == 1


def test_rate_limit_per_ip(client, house):
    for _ in range(public.DECLARE_LIMIT):
        client.post(URL, _data(house, house_code="bad"), REMOTE_ADDR="10.0.0.1")
    response = client.post(URL, _data(house), REMOTE_ADDR="10.0.0.1")
    assert response.status_code == 429
    assert "提交过于频繁" in _errors(response)
    assert not Rental.objects.exists()
    # An empty submission over the limit is refused the same way (it once answered 500).
    response = client.post(URL, {}, REMOTE_ADDR="10.0.0.1")
    assert response.status_code == 429
    assert "提交过于频繁" in _errors(response)
    # Another address is not affected.
    client.post(URL, _data(house), REMOTE_ADDR="10.0.0.2")
    assert Rental.objects.count() == 1


def test_csrf_is_enforced(house):
    strict = Client(enforce_csrf_checks=True)
    assert strict.post(URL, _data(house)).status_code == 403
    assert not Rental.objects.exists()


def test_receipt_needs_a_declaration(client):
    response = client.get(reverse("housing:declare_done"))
    assert response.status_code == 302 and response["Location"] == URL


def test_pending_declaration_reaches_the_grid_worker(client, house, make_user, tree):
    client.post(URL, _data(house))
    rental = Rental.objects.get()
    worker = make_user(
        perms=["housing.view_rental", "housing.confirm_rental"], scope=[tree.grid_a1]
    )
    client.force_login(worker)
    response = client.get(reverse("housing:rental_list") + "?status=pending")
    assert [row.record.pk for row in response.context["table"].page.object_list] == [rental.pk]
    client.post(reverse("housing:rental_confirm", args=[rental.pk]))
    rental.refresh_from_db()
    house.refresh_from_db()
    assert (rental.status, rental.confirmed_by_id, house.occupancy) == (
        "active",
        worker.pk,
        "rented",
    )
