"""C0 control characters never reach the database through any entry point (they all pass the
one write path), and output that must be well-formed survives those stored before."""

from xml.etree import ElementTree as ET

import pytest

from citygrid.core import records
from citygrid.core.io.importer import map_headers
from citygrid.core.io.rows import parse_rows
from citygrid.core.text import strip_controls
from citygrid.integrations.open311.renderers import to_xml

pytestmark = pytest.mark.django_db


def test_strip_controls_keeps_tab_and_line_breaks():
    text = "".join(chr(i) for i in range(32)) + "甲\x7f乙"
    assert strip_controls(text) == "\t\n\r甲\x7f乙"


def test_save_record_strips_controls_from_every_text_field(tree, make_user):
    from citygrid.housing.models import Estate

    actor = make_user(perms=["housing.add_estate"], scope=[tree.city])
    estate = Estate(region=tree.community_a, name="阳光\x1f小区\x00", address="一号\x01\n二号\t")
    records.save_record(estate, actor=actor)
    estate.refresh_from_db()
    assert (estate.name, estate.address) == ("阳光小区", "一号\n二号\t")


def test_api_create_strips_controls(api_client, tree, make_user):
    from citygrid.housing.models import Estate

    user = make_user(perms=["housing.add_estate", "housing.view_estate"], scope=[tree.city])
    api_client.force_authenticate(user)
    response = api_client.post(
        "/api/estates/",
        {"region": tree.community_a.pk, "name": "阳光\x1f小区"},
        format="json",
    )
    assert response.status_code == 201, response.content
    assert Estate.objects.get().name == "阳光小区"


def test_bulk_create_strips_controls(tree):
    from citygrid.housing.models import Estate

    records.create_records(Estate, [Estate(region=tree.community_a, name="甲\x02小区")], actor=None)
    assert Estate.objects.get().name == "甲小区"


def test_import_cells_are_cleaned_before_parsing(tree):
    from citygrid.housing.resources import EstateResource

    resource = EstateResource()
    index = map_headers(resource, ["区域代码", "小区名称"])
    (row,) = parse_rows(resource, index, [["330101001001\x01", "阳光\x1f小区"]])
    assert row.errors == {}
    assert row.values["region"] == tree.community_a
    assert row.values["name"] == "阳光小区"


def test_open311_xml_is_well_formed_with_stored_controls():
    body = to_xml("service_requests", [{"address": "一号\x01楼\x1b", "status_notes": "a\tb"}])
    root = ET.fromstring(body)
    assert root.find("request/address").text == "一号楼"
    assert root.find("request/status_notes").text == "a\tb"
