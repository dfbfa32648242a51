"""The cases API: intake, scoped reads, transitions as action endpoints with coded errors."""

import pytest
from django.urls import reverse

from citygrid.cases.models import Case, CaseEvent, Department
from citygrid.cases.tests.conftest import jpeg

pytestmark = pytest.mark.django_db


def act(api_client, case, name, **data):
    return api_client.post(f"/api/cases/{case.pk}/actions/{name}/", data, format="multipart")


def test_report_through_the_api_with_photos(api_client, setup, tree):
    api_client.force_authenticate(setup.dispatcher)
    response = api_client.post(
        "/api/cases/",
        {
            "category": setup.category.pk,
            "description": "井盖缺失",
            "lng": 120.005,
            "lat": 30.005,
            "urgency": "urgent",
            "channel": "hotline",
            "photos": [jpeg()],
            "reporter_phone": "13912345678",
        },
        format="multipart",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["state"] == "reported" and body["reporter_phone"] == "139****5678"
    case = Case.objects.get(pk=body["id"])
    assert case.attachments.count() == 1 and case.region == tree.grid_a1


def test_report_outside_every_grid_is_a_coded_error(api_client, setup):
    api_client.force_authenticate(setup.dispatcher)
    response = api_client.post(
        "/api/cases/",
        {"category": setup.category.pk, "description": "x", "lng": 121.5, "lat": 31},
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["code"] == "outside_grids" and not Case.objects.exists()


def test_report_needs_add_permission(api_client, setup):
    api_client.force_authenticate(setup.handler)
    response = api_client.post("/api/cases/", {}, format="json")
    assert response.status_code == 403


def test_transitions_through_action_endpoints(api_client, setup, report):
    case = report()
    api_client.force_authenticate(setup.dispatcher)
    assert act(api_client, case, "register").status_code == 200
    response = act(api_client, case, "dispatch", department=setup.other_department.pk)
    assert response.status_code == 200
    body = response.json()
    assert body["state"] == "dispatched" and body["department"] == setup.other_department.pk
    assert [e["action"] for e in body["events"]] == ["report", "register", "dispatch"]
    assert body["available_actions"] == ["suspend", "escalate", "supervise"]


def test_refused_transition_is_403_or_409_with_a_code_and_changes_nothing(
    api_client, setup, report
):
    case = report()
    api_client.force_authenticate(setup.handler)
    response = act(api_client, case, "register")
    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"
    api_client.force_authenticate(setup.dispatcher)
    response = act(api_client, case, "close")
    assert response.status_code == 409
    assert response.json() == {
        "code": "invalid_transition",
        "message": "当前状态为“待受理”，不能执行“结案”",
        "errors": {},
    }
    response = act(api_client, case, "reject")
    assert response.status_code == 400 and response.json()["code"] == "note_required"
    assert Case.objects.get(pk=case.pk).state == "reported"
    assert CaseEvent.objects.filter(case=case).count() == 1


def test_out_of_scope_case_is_404_for_reads_and_actions(api_client, setup, report):
    case = report()
    api_client.force_authenticate(setup.outsider)
    assert api_client.get(f"/api/cases/{case.pk}/").status_code == 404
    assert act(api_client, case, "register").status_code == 404
    assert api_client.get("/api/cases/").json()["count"] == 0
    assert Case.objects.get(pk=case.pk).state == "reported"


def test_list_filters_and_reporter_masking(api_client, setup, report):
    report(reporter_name="王小明", reporter_phone="13800001111")
    second = report(category=setup.other_category, lng=120.015)
    api_client.force_authenticate(setup.dispatcher)
    body = api_client.get("/api/cases/", {"category": setup.other_category.pk}).json()
    assert [c["id"] for c in body["results"]] == [second.pk]
    text = api_client.get("/api/cases/").content.decode()
    assert "13800001111" not in text and "王小明" not in text and "王*明" in text


def test_openapi_documents_the_action_endpoint(client):
    paths = client.get("/api/schema/", HTTP_ACCEPT="application/json").json()["paths"]
    assert "/api/cases/{id}/actions/{name}/" in paths
    assert "/api/cases/" in paths and "post" in paths["/api/cases/"]


def test_indicators_endpoint_counts_from_events_and_honours_scope(api_client, setup, report, tree):
    from datetime import timedelta

    from citygrid.cases import actions
    from citygrid.cases.tests.conftest import MONDAY_10

    case = report()
    actions.register_case(case, actor=setup.dispatcher, now=MONDAY_10 + timedelta(minutes=5))
    report(lng=120.105)  # county B: reported, not registered
    api_client.force_authenticate(setup.dispatcher)
    params = {"start": "2026-03-01", "end": "2026-03-31"}
    body = api_client.get("/api/cases/indicators/", params).json()
    assert body["indicators"]["reported"]["value"] == 2
    assert body["indicators"]["registered"]["value"] == 1
    assert body["indicators"]["inspector_rate"]["value"] == 0.0
    body = api_client.get("/api/cases/indicators/", {**params, "region": "330102"}).json()
    assert body["indicators"]["reported"]["value"] == 1
    api_client.force_authenticate(setup.inspector)  # scoped to county A
    body = api_client.get("/api/cases/indicators/", params).json()
    assert body["indicators"]["reported"]["value"] == 1
    response = api_client.get("/api/cases/indicators/", {**params, "region": "330102"})
    assert response.status_code == 404
    response = api_client.get(
        "/api/cases/indicators/", {"start": "2026-03-31", "end": "2026-03-01"}
    )
    assert response.status_code == 400 and "end" in response.json()["errors"]


def test_one_filterset_serves_the_case_page_and_the_api(client, api_client, setup, report):
    from citygrid.cases import filtersets
    from citygrid.cases.api.views import CaseViewSet
    from citygrid.cases.views.case import CaseExportView, CaseListView

    assert CaseViewSet.filterset_class is CaseListView.filterset is filtersets.CaseFilterSet
    assert CaseExportView.filterset is filtersets.CaseFilterSet
    report()
    urgent = report(urgency="urgent", lng=120.015)
    params = {"urgency": "urgent", "state": "reported", "q": urgent.number}
    api_client.force_authenticate(setup.dispatcher)
    assert [c["id"] for c in api_client.get("/api/cases/", params).json()["results"]] == [urgent.pk]
    client.force_login(setup.dispatcher)
    response = client.get(reverse("cases:case_list"), params)
    assert [row.record.pk for row in response.context["table"].page.object_list] == [urgent.pk]


@pytest.fixture
def county_reader(make_user, tree):
    perms = ["view_case", "view_casecategory", "view_department", "view_supervisionorder"]
    return make_user(perms=[f"cases.{p}" for p in [*perms, "view_task"]], scope=[tree.county_a])


def test_api_filter_parameters(api_client, setup, report, tree, county_reader):
    from datetime import timedelta

    from django.utils import timezone

    from citygrid.cases import actions
    from citygrid.regions.models import GridWorker

    GridWorker.objects.create(
        region=tree.grid_a1, name="监督员甲", role="inspector", user=setup.inspector
    )
    handled = report(channel="hotline")
    report(category=setup.other_category, urgency="urgent", lng=120.015)
    actions.register_case(handled, actor=setup.dispatcher)
    actions.dispatch_case(handled, actor=setup.dispatcher)
    actions.accept_case(handled, actor=setup.handler)
    actions.supervise_case(
        handled,
        actor=setup.dispatcher,
        note="尽快",
        required_by=timezone.now() + timedelta(days=3),
    )
    actions.report_back_case(handled, actor=setup.handler, note="好", photos=[jpeg()])
    order = handled.supervision_orders.get()
    task = handled.tasks.get()
    api_client.force_authenticate(county_reader)

    def ids(url, **params):
        response = api_client.get(url, params)
        assert response.status_code == 200, response.content
        return [row["id"] for row in response.json()["results"]]

    # A county reader filters by the city's department, which handles the county's cases.
    department = setup.department.pk
    for params in (
        {"state": "reported_back"},
        {"category": setup.category.pk},
        {"department": department},
        {"urgency": "normal"},
        {"channel": "hotline"},
        {"level": "grid", "kind": "event", "state": ["reported_back", "handling"]},
    ):
        assert ids("/api/cases/", **params) == [handled.pk], params
    assert ids("/api/cases/", level="city") == []
    major = setup.category.parent
    assert setup.category.pk in ids("/api/case-categories/", kind="event", parent=major.pk)
    assert ids("/api/case-categories/", parent=major.pk, active=False) == []
    county_department = Department.objects.create(name="区城管", code="QC01", region=tree.county_a)
    assert ids("/api/departments/", active=True) == [county_department.pk]
    assert ids("/api/departments/", active=False) == []
    for params in (
        {"status": "open", "department": department, "level": 1, "case": handled.pk},
        {"issued_by": setup.dispatcher.pk, "region": tree.grid_a1.pk},
    ):
        assert ids("/api/supervision-orders/", **params) == [order.pk], params
    assert ids("/api/supervision-orders/", case=handled.pk + 1000) == []
    for params in (
        {"kind": "verification", "status": "open", "assignee": setup.inspector.pk},
        {"case": handled.pk, "region": tree.grid_a1.pk},
    ):
        assert ids("/api/tasks/", **params) == [task.pk], params
    assert ids("/api/tasks/", assignee=setup.handler.pk) == []
