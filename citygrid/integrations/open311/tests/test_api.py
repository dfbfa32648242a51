"""GeoReport v2 endpoints, each in XML and JSON, against the case workflow."""

import pytest
from django.db import connection
from django.utils import timezone

from citygrid.cases import actions
from citygrid.cases.models import Case
from citygrid.integrations.open311.models import ApiClient, ServiceAttribute, ServiceRequest
from citygrid.integrations.open311.tests.conftest import parse, xml_items

pytestmark = pytest.mark.django_db

BASE = "/open311/v2"
FORMATS = ["xml", "json"]


@pytest.fixture
def attributes(setup):
    ServiceAttribute.objects.create(
        category=setup.category,
        code="severity",
        description="影响程度",
        datatype="singlevaluelist",
        required=True,
        order=1,
        values=[{"key": "1", "name": "轻微"}, {"key": "2", "name": "严重"}],
    )
    ServiceAttribute.objects.create(
        category=setup.category,
        code="length",
        description="占道长度（米）",
        datatype="number",
        datatype_description="填写数字",
        order=2,
    )


def post(client, fmt, key, **data):
    fields = {
        "api_key": key,
        "service_code": "event-0508",
        "lat": "30.005",
        "long": "120.005",
        "description": "人行道上堆放建材",
        "attribute[severity]": "2",
    }
    fields.update(data)
    return client.post(f"{BASE}/requests.{fmt}", {k: v for k, v in fields.items() if v is not None})


def errors(response, fmt) -> list[tuple[int, str]]:
    body = parse(response, fmt)
    if fmt == "json":
        return [(e["code"], e["description"]) for e in body]
    assert body.tag == "errors"
    return [(int(e["code"]), e["description"]) for e in xml_items(body, "error")]


# --- discovery and services -------------------------------------------------------------------


@pytest.mark.parametrize("fmt", FORMATS)
def test_discovery(client, setup, fmt):
    response = client.get(f"{BASE}/discovery.{fmt}")
    assert response.status_code == 200
    body = parse(response, fmt)
    if fmt == "json":
        endpoint = body["endpoints"][0]
        formats = endpoint["formats"]
    else:
        endpoint = {c.tag: c.text for c in body.find("endpoints/endpoint")}
        formats = [f.text for f in body.findall("endpoints/endpoint/formats/format")]
    assert endpoint["specification"] == "http://wiki.open311.org/GeoReport_v2"
    assert endpoint["url"] == "http://testserver/open311/v2"
    assert endpoint["type"] == "production"
    assert formats == ["text/xml", "application/json"]


@pytest.mark.parametrize("fmt", FORMATS)
def test_services_are_the_reportable_minor_classes(client, setup, attributes, fmt):
    setup.other_category.active = False
    setup.other_category.save()
    response = client.get(f"{BASE}/services.{fmt}")
    assert response.status_code == 200
    body = parse(response, fmt)
    services = body if fmt == "json" else xml_items(body, "service")
    ours = [s for s in services if s["service_code"] == "event-0508"]
    setup.category.refresh_from_db()
    expected_metadata = True if fmt == "json" else "true"
    assert ours == [
        {
            "service_code": "event-0508",
            "service_name": "占道施工",
            "description": setup.category.register_criteria or "街面秩序 · 占道施工",
            "metadata": expected_metadata,
            "type": "realtime",
            "keywords": "事件, 街面秩序, 占道施工",
            "group": "街面秩序",
        }
    ]
    # Seeded classes: component and event codes overlap, the kind keeps them apart.
    codes = [s["service_code"] for s in services]
    assert "component-0101" in codes and len(codes) == len(set(codes))
    assert "event-0507" not in codes and "event-0501" in codes  # 0507 deactivated


@pytest.mark.parametrize("fmt", FORMATS)
def test_service_definition(client, setup, attributes, fmt):
    response = client.get(f"{BASE}/services/event-0508.{fmt}")
    assert response.status_code == 200
    body = parse(response, fmt)
    if fmt == "json":
        assert body == {
            "service_code": "event-0508",
            "attributes": [
                {
                    "variable": True,
                    "code": "severity",
                    "datatype": "singlevaluelist",
                    "required": True,
                    "datatype_description": None,
                    "order": 1,
                    "description": "影响程度",
                    "values": [{"key": "1", "name": "轻微"}, {"key": "2", "name": "严重"}],
                },
                {
                    "variable": True,
                    "code": "length",
                    "datatype": "number",
                    "required": False,
                    "datatype_description": "填写数字",
                    "order": 2,
                    "description": "占道长度（米）",
                },
            ],
        }
    else:
        assert body.tag == "service_definition"
        assert body.findtext("service_code") == "event-0508"
        first, second = body.findall("attributes/attribute")
        assert [first.findtext(t) for t in ("variable", "code", "datatype", "required")] == [
            "true",
            "severity",
            "singlevaluelist",
            "true",
        ]
        assert xml_items(first.find("values"), "value") == [
            {"key": "1", "name": "轻微"},
            {"key": "2", "name": "严重"},
        ]
        assert (second.findtext("code"), second.findtext("order")) == ("length", "2")
        assert second.find("values") is None


@pytest.mark.parametrize("fmt", FORMATS)
def test_unknown_service_is_404(client, setup, fmt):
    response = client.get(f"{BASE}/services/event-9999.{fmt}")
    assert response.status_code == 404
    assert errors(response, fmt) == [(404, "service_code event-9999 不存在或已停用")]


def test_format_parameter_and_default_xml(client, setup):
    response = client.get(f"{BASE}/services", {"format": "json"})
    assert isinstance(parse(response, "json"), list)
    assert parse(client.get(f"{BASE}/services"), "xml").tag == "services"
    response = client.get(f"{BASE}/services.csv")
    assert response.status_code == 400
    assert errors(response, "xml") == [(400, "不支持的格式 csv，请用 xml 或 json")]


# --- POST requests ----------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", FORMATS)
def test_post_creates_a_case_through_intake(client, setup, attributes, api_key, tree, fmt):
    response = post(
        client,
        fmt,
        api_key,
        first_name="三",
        last_name="张",
        phone="13812345678",
        email="zhang@example.com",
        device_id="dev-1",
        account_id="acc-9",
        media_url="http://photos.example.com/1.jpg",
        address_string="甲社区1号",
        **{"attribute[length]": "12.5"},
    )
    assert response.status_code == 200
    body = parse(response, fmt)
    case = Case.objects.get()
    link = ServiceRequest.objects.get()
    row = body[0] if fmt == "json" else xml_items(body, "request")[0]
    assert row["service_request_id"] == case.number
    assert row["token"] == link.token
    assert row["service_notice"].startswith(f"案件编号 {case.number}，当前状态：待受理")
    assert row["account_id"] == "acc-9"
    assert (case.category, case.channel, case.region) == (
        setup.category,
        "open311",
        tree.grid_a1,
    )
    assert (case.lng, case.lat, case.address) == (120.005, 30.005, "甲社区1号")
    assert case.description == (
        "人行道上堆放建材\n影响程度：严重\n占道长度（米）：12.5\n"
        "图片链接：http://photos.example.com/1.jpg"
    )
    assert (case.reporter_name, case.reporter_phone, case.reporter) == (
        "张三",
        "13812345678",
        None,
    )
    assert link.attributes == {"severity": "2", "length": "12.5"}
    assert (link.email, link.device_id, link.media_url) == (
        "zhang@example.com",
        "dev-1",
        "http://photos.example.com/1.jpg",
    )
    # The phone and e-mail are stored encrypted.
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT reporter_phone FROM {Case._meta.db_table}")
        assert "13812345678" not in cursor.fetchone()[0]
        cursor.execute(f"SELECT email FROM {ServiceRequest._meta.db_table}")
        assert "zhang" not in cursor.fetchone()[0]
    assert b"13812345678" not in response.content and "张三" not in response.content.decode()


def test_repeated_post_within_the_window_is_one_case(client, setup, attributes, api_key):
    first = parse(post(client, "json", api_key), "json")
    again = parse(post(client, "json", api_key), "json")
    assert first == again and Case.objects.count() == 1
    parse(post(client, "json", api_key, description="另一处堆放"), "json")
    assert Case.objects.count() == 2


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize(
    ("data", "status", "description"),
    [
        ({"api_key": None}, 403, "缺少 api_key，无法提交服务请求"),
        ({"api_key": "wrong"}, 403, "api_key 无效或已停用"),
        ({"service_code": "event-9999"}, 404, "service_code event-9999 不存在或已停用"),
        ({"service_code": None}, 400, "service_code 必填"),
        (
            {"lat": None, "long": None, "address_string": "甲社区1号"},
            400,
            "位置必填：本系统无法仅凭地址定位，请同时提供 lat 与 long",
        ),
        ({"lat": None, "long": None}, 400, "位置必填：请提供 lat 与 long（WGS-84）"),
        ({"lat": "abc"}, 400, "lat/long 应为数字（WGS-84 经纬度）"),
        ({"lat": "31.0", "long": "121.5"}, 400, "该位置不在任何网格内，请核对位置"),
        ({"attribute[severity]": "7"}, 400, "attribute[severity]（影响程度） 的取值不在可选项中"),
        ({"attribute[severity]": None}, 400, "attribute[severity]（影响程度）必填"),
        ({"attribute[length]": "很长"}, 400, "attribute[length]（占道长度（米）） 应为数字"),
        ({"attribute[colour]": "red"}, 400, "该服务没有属性 colour"),
        ({"phone": "12345"}, 400, "上报人手机号码格式不正确"),
        ({"media_url": "ftp://x/1.jpg"}, 400, "media_url 应为不超过500个字符的 http(s) 链接"),
    ],
)
def test_refused_posts_create_nothing(
    client, setup, attributes, api_key, fmt, data, status, description
):
    response = post(client, fmt, api_key, **data)
    assert response.status_code == status
    assert errors(response, fmt) == [(status, description)]
    assert not Case.objects.exists() and not ServiceRequest.objects.exists()


def test_inactive_client_is_refused(client, setup, attributes, api_key):
    ApiClient.objects.update(active=False)
    response = post(client, "json", api_key)
    assert response.status_code == 403 and not Case.objects.exists()


def test_wrong_jurisdiction_is_404(client, setup, attributes, api_key, settings):
    settings.OPEN311_JURISDICTION_ID = "hangzhou.gov.cn"
    response = post(client, "json", api_key, jurisdiction_id="beijing.gov.cn")
    assert response.status_code == 404
    assert errors(response, "json") == [(404, "jurisdiction_id beijing.gov.cn 不存在")]
    assert post(client, "json", api_key, jurisdiction_id="hangzhou.gov.cn").status_code == 200


# --- GET requests, one request, tokens --------------------------------------------------------


def _rows(response, fmt) -> list[dict]:
    body = parse(response, fmt)
    if fmt == "json":
        return body
    assert body.tag == "service_requests"
    return xml_items(body, "request")


@pytest.mark.parametrize("fmt", FORMATS)
def test_round_trip_open_then_closed(client, setup, attributes, api_key, fmt):
    number = parse(post(client, "json", api_key, media_url="http://p.example.com/a.jpg"), "json")[
        0
    ]["service_request_id"]
    case = Case.objects.get(number=number)
    row = _rows(client.get(f"{BASE}/requests/{number}.{fmt}", {"api_key": api_key}), fmt)[0]
    assert row["status"] == "open"
    assert row["status_notes"] == "待受理"
    assert row["service_code"] == "event-0508" and row["service_name"] == "占道施工"
    assert row["requested_datetime"] == timezone.localtime(case.reported_at).isoformat(
        timespec="seconds"
    )
    assert row["expected_datetime"] == timezone.localtime(case.step_deadline).isoformat(
        timespec="seconds"
    )
    assert row["media_url"] == "http://p.example.com/a.jpg"
    assert row["agency_responsible"] in (None, "")

    actions.register_case(case, actor=setup.dispatcher)
    actions.dispatch_case(case, actor=setup.dispatcher)
    actions.accept_case(case, actor=setup.handler)
    actions.report_back_case(case, actor=setup.handler, note="已清理", photos=[_jpeg()])
    actions.verify_case(case, actor=setup.inspector, passed=True)
    actions.close_case(case, actor=setup.dispatcher, note="建材已清运，恢复通行")

    row = _rows(client.get(f"{BASE}/requests/{number}.{fmt}", {"api_key": api_key}), fmt)[0]
    assert row["status"] == "closed"
    assert row["status_notes"] == "已结案：建材已清运，恢复通行"
    assert row["agency_responsible"] == "城管执法局"
    assert row["expected_datetime"] in (None, "")
    assert row["service_notice"] == f"案件 {number} 已结案"
    # Without the filer's key: public fields only.
    public = _rows(client.get(f"{BASE}/requests/{number}.{fmt}"), fmt)[0]
    assert public["status_notes"] == "已结案"
    assert public["description"] in (None, "") and public["media_url"] in (None, "")
    assert public["agency_responsible"] == "城管执法局" and public["status"] == "closed"


def _jpeg():
    from citygrid.cases.tests.conftest import jpeg

    return jpeg()


@pytest.mark.parametrize("fmt", FORMATS)
def test_get_request_shows_no_reporter_data(client, setup, attributes, api_key, fmt):
    post(client, "json", api_key, first_name="三", last_name="张", phone="13812345678")
    number = Case.objects.get().number
    for params in ({}, {"api_key": api_key}):
        for url in (f"{BASE}/requests/{number}.{fmt}", f"{BASE}/requests.{fmt}"):
            content = client.get(url, params).content.decode()
            assert number in content
            assert "13812345678" not in content and "张三" not in content
    row = _rows(client.get(f"{BASE}/requests/{number}.{fmt}", {"api_key": api_key}), fmt)[0]
    assert row["description"] == "人行道上堆放建材\n影响程度：严重"
    assert set(row) == {
        "service_request_id",
        "status",
        "status_notes",
        "service_name",
        "service_code",
        "description",
        "agency_responsible",
        "service_notice",
        "requested_datetime",
        "updated_datetime",
        "expected_datetime",
        "address",
        "address_id",
        "zipcode",
        "lat",
        "long",
        "media_url",
    }


def test_another_clients_key_sees_public_fields(client, setup, attributes, api_key, other_key):
    post(client, "json", api_key)
    number = Case.objects.get().number
    row = parse(client.get(f"{BASE}/requests/{number}.json", {"api_key": other_key}), "json")[0]
    assert row["description"] is None and row["status"] == "open"
    response = client.get(f"{BASE}/requests/{number}.json", {"api_key": "bad"})
    assert response.status_code == 403


@pytest.mark.parametrize("fmt", FORMATS)
def test_unknown_request_id_is_404(client, setup, fmt):
    response = client.get(f"{BASE}/requests/2026000000001.{fmt}")
    assert response.status_code == 404
    assert errors(response, fmt) == [(404, "service_request_id 2026000000001 不存在")]


@pytest.fixture
def three_cases(client, setup, attributes, api_key):
    """Open 0508 now, open 0507 now, and a closed 0508 filed 100 days ago."""
    from citygrid.cases.intake import Report, report_case

    first = parse(post(client, "json", api_key), "json")[0]["service_request_id"]
    second = report_case(
        Report(
            category=setup.other_category,
            description="乱堆物",
            lng=120.015,
            lat=30.005,
            channel="grid_app",
        )
    )
    old = report_case(
        Report(category=setup.category, description="旧案", lng=120.006, lat=30.006),
        now=timezone.now() - timezone.timedelta(days=100),
    )
    Case.objects.filter(pk=old.pk).update(state="closed")
    return Case.objects.get(number=first), second, old


@pytest.mark.parametrize("fmt", FORMATS)
def test_get_requests_filters(client, three_cases, fmt):
    first, second, old = three_cases

    def numbers(**params):
        response = client.get(f"{BASE}/requests.{fmt}", params)
        assert response.status_code == 200
        return [r["service_request_id"] for r in _rows(response, fmt)]

    # Default: the last 90 days, newest first.
    assert numbers() == [second.number, first.number]
    assert numbers(service_code="event-0508") == [first.number]
    assert numbers(service_code="event-0507,event-0508") == [second.number, first.number]
    assert numbers(status="closed") == []
    assert numbers(status="open") == [second.number, first.number]
    # Ids: the other filters are ignored.
    ids = f"{old.number},{first.number}"
    assert numbers(service_request_id=ids, status="open") == [first.number, old.number]
    start = timezone.localtime(old.reported_at - timezone.timedelta(days=1))
    end = start + timezone.timedelta(days=2)
    assert numbers(start_date=start.isoformat(), end_date=end.isoformat(), status="closed") == [
        old.number
    ]
    assert numbers(start_date=start.strftime("%Y-%m-%dT%H:%M:%SZ")[:10]) == [old.number]
    old_row = _rows(client.get(f"{BASE}/requests/{old.number}.{fmt}"), fmt)[0]
    assert old_row["status"] == "closed"


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize(
    ("params", "description"),
    [
        ({"status": "pending"}, "status 只能为 open 或 closed"),
        ({"start_date": "yesterday"}, "start_date 应为 W3C 日期时间，如 2026-03-02T10:00:00+08:00"),
        (
            {"start_date": "2026-01-01T00:00:00Z", "end_date": "2026-06-01T00:00:00Z"},
            "start_date 与 end_date 的跨度不能超过90天",
        ),
        (
            {"start_date": "2026-02-01T00:00:00Z", "end_date": "2026-01-01T00:00:00Z"},
            "end_date 不能早于 start_date",
        ),
    ],
)
def test_get_requests_bad_filters(client, setup, fmt, params, description):
    response = client.get(f"{BASE}/requests.{fmt}", params)
    assert response.status_code == 400
    assert errors(response, fmt) == [(400, description)]


def test_get_requests_returns_at_most_1000(client, setup, monkeypatch):
    from citygrid.cases.intake import Report, report_case
    from citygrid.integrations.open311 import services

    assert services.MAX_REQUESTS == 1000
    monkeypatch.setattr(services, "MAX_REQUESTS", 2)
    for n in range(3):
        report_case(Report(category=setup.category, description=f"第{n}件", lng=120.0, lat=30.0))
    assert len(parse(client.get(f"{BASE}/requests.json"), "json")) == 2


@pytest.mark.parametrize("fmt", FORMATS)
def test_token_maps_to_the_request(client, setup, attributes, api_key, fmt):
    row = parse(post(client, "json", api_key), "json")[0]
    response = client.get(f"{BASE}/tokens/{row['token']}.{fmt}")
    assert response.status_code == 200
    assert _rows(response, fmt) == [
        {"service_request_id": row["service_request_id"], "token": row["token"]}
    ]
    missing = client.get(f"{BASE}/tokens/no-such-token.{fmt}")
    assert missing.status_code == 404
    assert errors(missing, fmt) == [(404, "token no-such-token 不存在")]


def test_wrong_method_is_an_error_list(client, setup):
    response = client.post(f"{BASE}/services.json")
    assert response.status_code == 405
    assert errors(response, "json") == [(405, "不支持 POST 方法")]


def test_multivaluelist_answers(client, setup, attributes, api_key):
    ServiceAttribute.objects.create(
        category=setup.category,
        code="blocked",
        description="受阻通行",
        datatype="multivaluelist",
        order=3,
        values=[{"key": "walk", "name": "行人"}, {"key": "car", "name": "车辆"}],
    )
    response = client.post(
        f"{BASE}/requests.json",
        {
            "api_key": api_key,
            "service_code": "event-0508",
            "lat": "30.005",
            "long": "120.005",
            "attribute[severity]": "1",
            "attribute[blocked][]": ["walk", "car"],
        },
    )
    assert response.status_code == 200
    case = Case.objects.get()
    assert case.description == "占道施工\n影响程度：轻微\n受阻通行：行人、车辆"
    assert ServiceRequest.objects.get().attributes == {"severity": "1", "blocked": ["walk", "car"]}
