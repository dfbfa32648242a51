"""A repeated idempotency key through each channel that accepts one: the first case comes back
only to a caller entitled to it, and nobody else learns that it exists."""

import pytest

from citygrid.cases.intake import Report, report_case
from citygrid.cases.models import Case
from citygrid.core.errors import ActionError

pytestmark = pytest.mark.django_db

KEY = "phone-42-0001"
B1 = (120.105, 30.005)  # grid B1, county B


@pytest.fixture
def county_a_case(setup, report):
    return report(idempotency_key=KEY)


def api_report(api_client, setup, lng, lat, key=KEY):
    return api_client.post(
        "/api/cases/",
        {
            "category": setup.category.pk,
            "description": "重发",
            "lng": lng,
            "lat": lat,
            "idempotency_key": key,
        },
        format="json",
    )


def test_api_refuses_a_key_of_a_case_out_of_scope(api_client, setup, county_a_case):
    api_client.force_authenticate(setup.outsider)
    assert api_client.get(f"/api/cases/{county_a_case.pk}/").status_code == 404
    response = api_report(api_client, setup, *B1)
    assert response.status_code == 409
    body = response.json()
    assert body["code"] == "idempotency_key_conflict"
    assert county_a_case.number not in response.content.decode()
    assert Case.objects.count() == 1


def test_api_retry_in_scope_returns_the_first_case(api_client, setup, county_a_case):
    api_client.force_authenticate(setup.dispatcher)
    response = api_report(api_client, setup, 120.005, 30.005)
    assert response.json()["id"] == county_a_case.pk and Case.objects.count() == 1


def mobile_report(user, setup, lng, lat):
    from citygrid.mobile import services

    report = Report(
        category=setup.category, description="重发", lng=lng, lat=lat, idempotency_key=KEY
    )
    return services.report(user, report)


def test_grid_app_refuses_a_key_of_another_county(setup, county_a_case):
    with pytest.raises(ActionError) as info:
        mobile_report(setup.outsider, setup, *B1)
    assert info.value.status == 409
    assert county_a_case.number not in info.value.message
    assert Case.objects.count() == 1


def test_grid_app_retry_by_the_reporter_returns_the_first_case(setup, county_a_case):
    case, created = mobile_report(setup.dispatcher, setup, 120.005, 30.005)
    assert (case.pk, created) == (county_a_case.pk, False)


def test_citizen_channels_retry_only_their_own_key(setup, county_a_case):
    """WeChat and the portal file as nobody (actor None) with keys they build themselves."""
    wechat = Report(
        category=setup.category,
        description="微信上报",
        lng=120.005,
        lat=30.005,
        channel="wechat",
        idempotency_key="wechat-0001",
    )
    first = report_case(wechat, actor=None)
    assert report_case(wechat, actor=None).pk == first.pk
    staff_key = Report(
        category=setup.category,
        description="门户上报",
        lng=120.005,
        lat=30.005,
        idempotency_key=KEY,
    )
    with pytest.raises(ActionError) as info:
        report_case(staff_key, actor=None)
    assert info.value.code == "idempotency_key_conflict"
    assert county_a_case.number not in info.value.message
    assert Case.objects.count() == 2
