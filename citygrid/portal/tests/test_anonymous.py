import pytest
from django.urls import reverse

from citygrid.cases.intake import Report, report_case


@pytest.fixture
def case(category):
    return report_case(
        Report(
            category=category,
            description="夜间施工扰民",
            lng=120.005,
            lat=30.005,
            reporter_name="张小明",
            reporter_phone="13812345678",
            anonymous=True,
        )
    )


@pytest.fixture
def staff(make_user, tree):
    return make_user(perms=["cases.view_case"], scope=[tree.city], username="staff")


@pytest.fixture
def trusted(make_user, tree):
    return make_user(
        perms=["cases.view_case", "cases.view_reporter_case"], scope=[tree.city], username="lead"
    )


def reporter_line(html: str) -> str:
    start = html.index('id="case-reporter">') + len('id="case-reporter">')
    return html[start : html.index("</dd>", start)]


def test_staff_without_permission_see_anonymous(client, case, staff, api_client):
    client.force_login(staff)
    html = client.get(reverse("cases:case", args=[case.pk])).content.decode()
    assert reporter_line(html) == "匿名"
    assert "138****5678" not in html and "张*明" not in html
    api_client.force_authenticate(staff)
    data = api_client.get(f"/api/cases/{case.pk}/").json()
    assert (data["reporter_name"], data["reporter_phone"]) == ("匿名", "")


def test_staff_with_permission_see_masked_values(client, case, trusted, api_client):
    client.force_login(trusted)
    html = client.get(reverse("cases:case", args=[case.pk])).content.decode()
    line = reporter_line(html)
    assert "张*明" in line and "138****5678" in line
    assert "13812345678" not in html
    api_client.force_authenticate(trusted)
    data = api_client.get(f"/api/cases/{case.pk}/").json()
    assert (data["reporter_name"], data["reporter_phone"]) == ("张*明", "138****5678")


def test_named_report_shows_masked_values_to_everyone(client, category, staff, api_client):
    case = report_case(
        Report(
            category=category,
            description="井盖缺失",
            lng=120.005,
            lat=30.005,
            reporter_name="李四",
            reporter_phone="13912345678",
        )
    )
    api_client.force_authenticate(staff)
    data = api_client.get(f"/api/cases/{case.pk}/").json()
    assert (data["reporter_name"], data["reporter_phone"]) == ("李*", "139****5678")
    list_data = api_client.get("/api/cases/").json()
    assert list_data["results"][0]["reporter_name"] == "李*"


def test_exports_never_carry_an_anonymous_reporter(client, case, make_user, tree):
    client.force_login(
        make_user(
            perms=["cases.view_case", "cases.export_case", "cases.view_reporter_case"],
            scope=[tree.city],
            view_sensitive=True,
        )
    )
    text = (
        client.get(reverse("cases:case_export"), {"export_format": "csv"})
        .getvalue()
        .decode("utf-8-sig")
    )
    row = next(line for line in text.splitlines() if line.startswith(case.number))
    assert row.endswith(",匿名")
    assert "5678" not in row
