"""民族 is offered 汉族 first, then by population; the stored codes stay the standard's."""

import pytest

from citygrid.core import dictionaries, writeguard
from citygrid.core.models import Dictionary, DictItem
from citygrid.core.seeds import apply_display_orders, seed_dictionaries

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def seeded():
    seed_dictionaries(Dictionary, DictItem)
    dictionaries.reset()


def test_ethnicity_picker_lists_han_first_then_by_population():
    labels = [label for _, label in dictionaries.choices("ethnicity")]
    assert labels[:6] == ["汉族", "壮族", "维吾尔族", "回族", "苗族", "满族"]
    assert labels[-3:] == ["高山族", "其他", "外国血统中国籍人士"]
    assert len(labels) == 58
    # The codes are untouched: 壮族 is still 08 (GB/T 3304), whatever its place.
    assert dictionaries.choices("ethnicity")[1] == ("08", "壮族")


def test_tables_without_a_display_order_keep_the_code_order():
    assert [value for value, _ in dictionaries.choices("sex")] == ["0", "1", "2", "9"]


def test_a_database_seeded_in_code_order_is_reordered_once():
    items = DictItem.objects.filter(dictionary__code="ethnicity")
    for item in items:
        item.sort = 100 + int(item.value)
        item.save()
    assert [v for v, _ in dictionaries.choices("ethnicity")][:3] == ["01", "02", "03"]
    # The data migration runs it on historical models, which the write guard does not watch.
    with writeguard.unlogged():
        assert apply_display_orders(DictItem) == 58
        assert apply_display_orders(DictItem) == 0
    dictionaries.reset()
    assert [v for v, _ in dictionaries.choices("ethnicity")][:3] == ["01", "08", "05"]


def test_person_form_offers_the_display_order(client, tree, make_user):
    client.force_login(make_user(perms=["people.add_person"], scope=[tree.county_a]))
    page = client.get("/people/persons/add/").content.decode()
    select = page[page.index('name="ethnicity"') :]
    assert select.index(">汉族<") < select.index(">壮族<") < select.index(">蒙古族<")
