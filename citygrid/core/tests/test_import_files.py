"""The file side of import/export: formats, encodings, headers and templates."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook, load_workbook

from citygrid.core.io.files import FileFormatError, read_table
from citygrid.core.models import ImportJob
from citygrid.regions.models import Region

pytestmark = pytest.mark.django_db

IMPORT_URL = "/territory/regions/import/"


def xlsx(rows) -> bytes:
    wb = Workbook()
    for row in rows:
        wb.active.append(row)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


@pytest.fixture
def importer(client, tree, make_user):
    perms = [
        "regions.view_region",
        "regions.add_region",
        "regions.change_region",
        "regions.import_region",
    ]
    client.force_login(make_user(perms=perms, scope=[tree.city]))
    return client


def upload(client, name, data):
    response = client.post(IMPORT_URL, {"file": SimpleUploadedFile(name, data)})
    return response, ImportJob.objects.order_by("pk").last()


def test_xlsx_with_numeric_codes_imports(importer, tree):
    # Excel stores long digit strings as numbers; 15 digits still round-trip exactly.
    data = xlsx([["区划代码", "名称", "层级"], [330101001001005, "数字代码网格", "网格"]])
    _, job = upload(importer, "grids.xlsx", data)
    assert job.status == "done", job.errors
    assert Region.objects.get(code="330101001001005").parent == tree.community_a


def test_gbk_csv_is_read():
    text = "区划代码,名称,层级\r\n330101001001006,国标编码网格,网格\r\n"
    header, rows = read_table(text.encode("gb18030"), "csv")
    assert header == ["区划代码", "名称", "层级"]
    assert rows == [["330101001001006", "国标编码网格", "网格"]]


def test_unknown_and_missing_headers_are_rejected(importer):
    _, job = upload(importer, "x.csv", "代码,名字\n1,2\n".encode())
    assert job.status == "invalid"
    assert job.message == "无法识别的列：代码、名字。请使用下载的模板"
    _, job = upload(importer, "x.csv", "区划代码,名称\n330101001001005,x\n".encode())
    assert job.message == "缺少必填列：层级"


def test_wrong_file_type_is_refused_before_any_job(importer):
    before = ImportJob.objects.count()
    response, _ = upload(importer, "grids.txt", b"hello")
    assert response.status_code == 200
    assert "仅支持 .xlsx 或 .csv 文件" in response.content.decode()
    assert ImportJob.objects.count() == before


def test_empty_or_broken_files_are_clear_errors():
    with pytest.raises(FileFormatError, match="文件为空"):
        read_table(b"", "csv")
    with pytest.raises(FileFormatError, match="无法读取 Excel 文件"):
        read_table(b"not a zip", "xlsx")


def test_template_has_headers_and_instructions(importer):
    response = importer.get("/core/import-templates/regions.region/?format=xlsx")
    wb = load_workbook(io.BytesIO(response.content))
    assert [c.value for c in wb["数据"][1]][:3] == ["区划代码", "名称", "层级"]
    assert wb["填写说明"]["A1"].value == "列名"
    assert importer.get("/core/import-templates/nope.nope/").status_code == 404


def test_import_jobs_are_private_to_their_uploader(importer, client, tree, make_user):
    _, job = upload(importer, "x.csv", "区划代码,名称,层级\n330101001001005,x,网格\n".encode())
    client.force_login(make_user(perms=["regions.import_region"], scope=[tree.city]))
    assert client.get(f"/core/imports/{job.pk}/").status_code == 404
    assert client.get(f"/core/imports/{job.pk}/errors/").status_code == 404


def test_import_outside_scope_is_a_row_error(client, tree, make_user):
    perms = [
        "regions.view_region",
        "regions.add_region",
        "regions.change_region",
        "regions.import_region",
    ]
    client.force_login(make_user(perms=perms, scope=[tree.county_a]))
    data = "区划代码,名称,层级\n330102001001007,越界网格,网格\n330102001001001,改名,网格\n"
    _, job = upload(client, "x.csv", data.encode())
    assert job.status == "invalid"
    assert [(e["row"], e["message"]) for e in job.errors] == [
        (2, "该记录不在您的管辖范围内"),
        (3, "该记录不在您的管辖范围内"),
    ]
    assert not Region.objects.filter(code="330102001001007").exists()
    assert Region.objects.get(code="330102001001001").name == "乙一网格"
