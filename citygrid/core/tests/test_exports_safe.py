"""Exports are safe to open: no cell becomes a live formula (OWASP CSV injection) and no stored
control character breaks a file. Every export is written by `core/io/files.py`."""

import csv
import io
from xml.etree import ElementTree as ET

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from citygrid.core.io.files import add_sheet, new_workbook, workbook_bytes, write_table

pytestmark = pytest.mark.django_db

HYPERLINK = '=HYPERLINK("http://evil.example/x","点此领取补贴")'


def csv_rows(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))


def xlsx_rows(data: bytes):
    sheet = load_workbook(io.BytesIO(data)).worksheets[0]
    return [list(row) for row in sheet.iter_rows()]


@pytest.mark.parametrize(
    "value",
    ["=1+1", "+86 138", "-2+3", "@SUM(A1:A2)", "  =1+1", " \t@cmd", "\t=1+1", "\rabc", HYPERLINK],
)
def test_formula_like_cell_is_neutralised_in_csv_and_xlsx(value):
    header, rows = ["地址"], [[value]]
    assert csv_rows(write_table(header, rows, "csv"))[1] == ["'" + value]
    (cell,) = xlsx_rows(write_table(header, rows, "xlsx"))[1]
    # XML parsers read a carriage return back as a line feed.
    assert (cell.value, cell.data_type) == ("'" + value.replace("\r", "\n"), "s")


@pytest.mark.parametrize("value", ["张三", "甲社区1-2号", "a=b", "100", "", "'quoted"])
def test_plain_text_is_exported_unchanged(value):
    assert csv_rows(write_table(["名称"], [[value]], "csv"))[1] == [value]
    (cell,) = xlsx_rows(write_table(["名称"], [[value]], "xlsx"))[1]
    assert (cell.value or "") == value


def test_numbers_stay_numbers():
    # The statistics workbooks format numeric cells as percentages: a negative figure is a
    # number, not text that starts with "-".
    wb = new_workbook()
    add_sheet(wb, "数据", ["值", "比率", "空"], [[-3, 0.25, None]])
    cells = xlsx_rows(workbook_bytes(wb))[1]
    assert [(c.value, c.data_type) for c in cells] == [(-3, "n"), (0.25, "n"), (None, "n")]
    assert csv_rows(write_table(["值"], [[-3]], "csv"))[1] == ["-3"]


def test_header_from_an_uploaded_file_is_neutralised_too():
    # The import error file echoes the user's own header row.
    assert csv_rows(write_table(["=cmd", "名称"], [], "csv"))[0] == ["'=cmd", "名称"]
    assert [c.value for c in xlsx_rows(write_table(["=cmd"], [], "xlsx"))[0]] == ["'=cmd"]


def test_control_characters_are_dropped_from_both_formats():
    rows = [["甲\x1f乙\x00丙", "行一\n行二\t列"]]
    assert csv_rows(write_table(["名称", "备注"], rows, "csv"))[1] == ["甲乙丙", "行一\n行二\t列"]
    cells = xlsx_rows(write_table(["名称", "备注"], rows, "xlsx"))[1]
    assert [c.value for c in cells] == ["甲乙丙", "行一\n行二\t列"]


def test_estate_stored_with_control_character_still_exports(client, tree, make_user):
    """One old row with a \\x1f made every XLSX export containing it fail with a 500."""
    from citygrid.housing.models import Estate

    estate = Estate.objects.create(region=tree.community_a, name="阳光小区")
    Estate.objects.filter(pk=estate.pk).update(name="阳光\x1f小区")  # stored before the fix
    user = make_user(perms=["housing.view_estate", "housing.export_estate"], scope=[tree.city])
    client.force_login(user)
    response = client.get(reverse("housing:estate_export"))
    assert response.status_code == 200
    names = [row[1].value for row in xlsx_rows(response.content)[1:]]
    assert names == ["阳光小区"]


def test_citizen_address_reaches_the_dispatcher_neutralised(client, tree, make_user):
    """The citizen's own path: an anonymous portal report with a formula and a control
    character in its address, exported by a dispatcher, and the public Open311 list."""
    from citygrid.cases.models import Case
    from citygrid.cases.testing import street_order_class

    category = street_order_class("0508", "占道施工")
    response = client.post(
        reverse("portal:report"),
        {
            "category": category.pk,
            "description": "人行道上堆放建材",
            "lng": "120.005",
            "lat": "30.005",
            "address": f"{HYPERLINK}\x01",
            "anonymous": "on",
            "token": "a" * 32,
        },
    )
    assert response.status_code == 302
    case = Case.objects.get()
    assert case.address == HYPERLINK  # the control character never reached the database

    # Robust to one stored before input was cleaned.
    Case.objects.filter(pk=case.pk).update(address=f"{HYPERLINK}\x01")
    dispatcher = make_user(perms=["cases.view_case", "cases.export_case"], scope=[tree.city])
    client.force_login(dispatcher)
    url = reverse("cases:case_export")
    header, row = csv_rows(client.get(url, {"export_format": "csv"}).getvalue())
    assert row[header.index("地址")] == "'" + HYPERLINK
    header, row = xlsx_rows(client.get(url, {"export_format": "xlsx"}).content)
    cell = row[[c.value for c in header].index("地址")]
    assert (cell.value, cell.data_type) == ("'" + HYPERLINK, "s")

    client.logout()
    feed = client.get("/open311/v2/requests.xml")
    assert feed.status_code == 200
    root = ET.fromstring(feed.content)  # well-formed
    assert root.find("request/address").text == HYPERLINK
