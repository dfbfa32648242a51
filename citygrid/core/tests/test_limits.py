"""Bad or oversized input is refused with a message, never answered with a 500."""

import io

import django_filters
import pytest
from django import forms
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import URLPattern, URLResolver, get_resolver
from openpyxl import Workbook
from PIL import Image

from citygrid.core.images import clean_image
from citygrid.core.io.files import FileFormatError, read_table
from citygrid.core.models import ImportJob

pytestmark = pytest.mark.django_db

HUGE = "99999999999999999999999"
NUMBER_FILTERS = (
    django_filters.NumberFilter,
    django_filters.ModelChoiceFilter,
    django_filters.ModelMultipleChoiceFilter,
)


def list_urls():
    """(url, filterset) of every page and API list without a path argument that filters."""

    def walk(patterns, prefix=""):
        for p in patterns:
            if isinstance(p, URLResolver):
                yield from walk(p.url_patterns, prefix + str(p.pattern))
            elif isinstance(p, URLPattern):
                yield prefix + str(p.pattern), p.callback

    for route, callback in walk(get_resolver().url_patterns):
        if "<" in route or "(?P" in route:
            continue
        view = getattr(callback, "view_class", None) or getattr(callback, "cls", None)
        filterset = getattr(view, "filterset", None) or getattr(view, "filterset_class", None)
        actions = getattr(callback, "actions", None)
        if filterset is None or (actions is not None and actions.get("get") != "list"):
            continue
        yield "/" + route.replace("^", "").replace("$", ""), filterset


def number_filters(filterset):
    return [name for name, f in filterset.base_filters.items() if isinstance(f, NUMBER_FILTERS)]


def test_huge_integers_in_filters_are_refused_not_overflowed(client, make_user):
    client.force_login(make_user(superuser=True))
    tried = []
    for url, filterset in list_urls():
        for name in number_filters(filterset):
            response = client.get(url, {name: HUGE})
            tried.append(url)
            assert response.status_code in (200, 400), (url, name, response.status_code)
            if url.startswith("/api/"):
                assert response.status_code == 400, (url, name)
                assert response.json()["errors"][name], (url, name)
    # The sweep reaches the pages the issue named (pages and API, pk and number filters).
    for url in ("/accounts/users/", "/people/persons/", "/api/persons/", "/api/houses/"):
        assert url in tried


def test_the_filter_form_says_what_is_wrong(client, make_user):
    client.force_login(make_user(superuser=True))
    response = client.get("/api/houses/", {"floor": HUGE})
    assert response.json()["errors"]["floor"] == ["数值超出范围（9223372036854775807）"]
    response = client.get("/api/cases/", {"page": 1})
    assert response.status_code == 200


def test_a_year_filter_stops_at_the_last_calendar_year(client, make_user):
    client.force_login(make_user(superuser=True))
    assert client.get("/cases/calendar/", {"year": "10000"}).status_code == 200
    assert client.get("/cases/calendar/", {"year": "2026"}).status_code == 200


def test_api_page_size_over_the_cap_is_refused(api_client, make_user, settings):
    settings.CITYGRID_MAX_PAGE_SIZE = 2
    api_client.force_authenticate(make_user(superuser=True))
    response = api_client.get("/api/regions/", {"page_size": 3})
    assert response.status_code == 400
    assert response.json()["code"] == "page_size_too_large"
    assert response.json()["message"] == "每页最多 2 条"
    assert api_client.get("/api/regions/", {"page_size": 2}).status_code == 200


def test_page_per_page_is_capped(client, tree, make_user, settings):
    settings.CITYGRID_MAX_PAGE_SIZE = 2
    client.force_login(make_user(superuser=True))
    response = client.get("/territory/regions/", {"per_page": 100000})
    assert response.status_code == 200
    assert len(response.context["table"].page.object_list) == 2
    assert "每页最多显示 2 条" in response.content.decode()


def png(width: int, height: int) -> SimpleUploadedFile:
    out = io.BytesIO()
    Image.new("1", (width, height)).save(out, format="PNG")
    return SimpleUploadedFile("bomb.png", out.getvalue(), content_type="image/png")


def test_a_decompression_bomb_is_a_validation_error():
    # 20000 x 20000 one-bit pixels compress to a few kB and would unpack to 1.2 GB in RGB.
    bomb = png(20_000, 20_000)
    assert bomb.size < 200_000
    with pytest.raises(forms.ValidationError) as info:
        clean_image(bomb)
    assert info.value.messages == ["图片像素过大"]


def xlsx(rows: int) -> bytes:
    wb = Workbook(write_only=True)
    sheet = wb.create_sheet()
    sheet.append(["区划代码", "名称", "层级"])
    for i in range(rows):
        sheet.append([f"3301010010010{i:02d}", "网格", "网格"])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def csv(rows: int) -> bytes:
    lines = ["区划代码,名称,层级", *(f"3301010010010{i:02d},网格,网格" for i in range(rows))]
    return "\n".join(lines).encode()


@pytest.mark.parametrize(("fmt", "make"), [("xlsx", xlsx), ("csv", csv)])
def test_a_file_with_more_rows_than_the_cap_is_refused(settings, fmt, make):
    settings.CITYGRID_MAX_IMPORT_ROWS = 3
    header, rows = read_table(make(3), fmt)
    assert len(rows) == 3
    with pytest.raises(FileFormatError) as info:
        read_table(make(4), fmt)
    assert info.value.message == "文件超过 3 行数据的上限，请拆分后分批导入"


def test_an_import_over_the_cap_fails_with_the_message(client, tree, make_user, settings):
    settings.CITYGRID_MAX_IMPORT_ROWS = 3
    perms = ["regions.view_region", "regions.add_region", "regions.import_region"]
    client.force_login(make_user(perms=perms, scope=[tree.city]))
    client.post("/territory/regions/import/", {"file": SimpleUploadedFile("g.csv", csv(4))})
    job = ImportJob.objects.get()
    assert job.status == "invalid"
    assert job.message == "文件超过 3 行数据的上限，请拆分后分批导入"
