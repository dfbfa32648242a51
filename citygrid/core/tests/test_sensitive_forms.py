"""The one sensitive-input mixin (`core.forms.SensitiveInputsMixin`), through the rental form.

A rental has all three kinds of sensitive field: an optional one (the landlord's ID number), a
required one (the landlord's phone) and a normalised one (both numbers).
"""

import pytest
from django.urls import reverse

from citygrid.housing.forms import RentalForm
from citygrid.housing.models import Rental
from citygrid.housing.tests import factories as f

pytestmark = pytest.mark.django_db

ID_NUMBER = f.id_number(1)
PHONE = "13912345678"
PERMS = ["housing.view_rental", "housing.change_rental"]


@pytest.fixture
def rental(tree):
    house = f.house(f.building(tree.grid_a1))
    return f.rental(house, landlord_id_number=ID_NUMBER, landlord_phone=PHONE)


def post(rental: Rental, **values) -> dict:
    """The edit form as posted with every sensitive input left empty, plus `values`."""
    data = {
        "use": "01",
        "landlord_name": "",
        "landlord_id_number": "",
        "landlord_phone": "",
        "rooms": "1",
    }
    return {**data, **values}


def test_edit_page_never_prints_the_values(client, tree, make_user, rental):
    client.force_login(make_user(perms=PERMS, scope=[tree.county_a], view_sensitive=True))
    page = client.get(reverse("housing:rental_edit", args=[rental.pk])).content.decode()
    assert ID_NUMBER not in page and PHONE not in page and "王房东" not in page
    masked_phone = rental.masked("landlord_phone")
    assert masked_phone == "139****5678"
    assert f'placeholder="{masked_phone}"' in page
    assert f"已登记：{masked_phone}。留空则不修改" in page
    assert f"已登记：{rental.masked('landlord_id_number')}。留空则不修改" in page


def test_edit_inputs_start_empty_with_autocomplete_off(rental):
    form = RentalForm(instance=rental)
    for name in ("landlord_name", "landlord_id_number", "landlord_phone"):
        bound = form[name]
        assert bound.value() == ""
        assert bound.field.widget.attrs["autocomplete"] == "off"
        assert not bound.field.required


def test_left_empty_keeps_the_stored_values(client, tree, make_user, rental):
    client.force_login(make_user(perms=PERMS, scope=[tree.county_a]))
    url = reverse("housing:rental_edit", args=[rental.pk])
    assert client.post(url, post(rental, rooms="3")).status_code == 302
    rental.refresh_from_db()
    assert (rental.rooms, rental.landlord_name) == (3, "王房东")
    assert (rental.landlord_id_number, rental.landlord_phone) == (ID_NUMBER, PHONE)


def test_clear_checkbox_empties_an_optional_field(client, tree, make_user, rental):
    client.force_login(make_user(perms=PERMS, scope=[tree.county_a]))
    url = reverse("housing:rental_edit", args=[rental.pk])
    assert "清除房东证件号码" in client.get(url).content.decode()
    data = post(rental, clear_landlord_id_number="on")
    assert client.post(url, data).status_code == 302
    rental.refresh_from_db()
    assert (rental.landlord_id_number, rental.landlord_id_number_index) == ("", "")
    assert rental.landlord_phone == PHONE


def test_required_fields_have_no_clear_checkbox(rental):
    form = RentalForm(instance=rental)
    assert "clear_landlord_id_number" in form.fields
    assert "clear_landlord_phone" not in form.fields
    assert "clear_landlord_name" not in form.fields
    # Posting the name of a checkbox that is not there empties nothing.
    form = RentalForm(post(rental, clear_landlord_phone="on"), instance=rental)
    assert form.is_valid(), form.errors
    assert form.cleaned_data["landlord_phone"] == PHONE


def test_clear_checkbox_only_for_a_stored_value(tree):
    rental = f.rental(f.house(f.building(tree.grid_a1)))
    assert rental.landlord_id_number == ""
    assert "clear_landlord_id_number" not in RentalForm(instance=rental).fields
    assert not any(name.startswith("clear_") for name in RentalForm().fields)


def test_normalizer_applied_to_a_typed_value(rental):
    legacy = ID_NUMBER[:6] + ID_NUMBER[8:17]  # the same person's pre-1999 15-digit number
    form = RentalForm(
        post(rental, landlord_id_number=legacy, landlord_phone="+86 139 0000 0002"),
        instance=rental,
    )
    assert form.is_valid(), form.errors
    assert form.cleaned_data["landlord_id_number"] == ID_NUMBER
    assert form.cleaned_data["landlord_phone"] == "13900000002"


def test_normalizer_refusal_is_a_field_error(rental):
    form = RentalForm(post(rental, landlord_phone="12345"), instance=rental)
    assert not form.is_valid()
    assert form.errors["landlord_phone"] == ["手机号码格式不正确"]
