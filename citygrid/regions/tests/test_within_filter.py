"""Filters by a region's subtree: picked by name or code, the address keeps the code."""

import pytest

from citygrid.housing.models import House

pytestmark = pytest.mark.django_db


def test_the_within_filter_is_a_region_picker_keeping_the_code(client, tree, make_user):
    House.objects.create(region=tree.grid_a1, number="1", address="甲村1号")
    House.objects.create(region=tree.grid_b1, number="2", address="乙村2号")
    client.force_login(make_user(perms=["housing.view_house"], scope=[tree.city]))
    page = client.get("/housing/houses/", {"within": tree.county_a.code})
    html = page.content.decode()
    assert "所属区域（含下级）" in html and "所属区域代码" not in html
    assert "data-region-picker" in html and 'data-value-field="code"' in html
    # The chosen region shows by name, its value stays the code the API also takes.
    assert f'<option value="{tree.county_a.code}" selected>{tree.county_a.name}' in html
    assert [h.address for h in page.context["table"].data] == ["甲村1号"]
    # A code that names no region lists nothing and renders no option.
    empty = client.get("/housing/houses/", {"within": "99"})
    assert list(empty.context["table"].data) == []
    assert 'value="99" selected' not in empty.content.decode()
