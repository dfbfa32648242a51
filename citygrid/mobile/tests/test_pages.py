"""The app's pages, service worker and manifest."""

import pytest
from django.urls import reverse

from citygrid.mobile.tests.conftest import B1

pytestmark = pytest.mark.django_db


def test_login_comes_back_to_the_app(client, field):
    response = client.get(reverse("mobile:home"))
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/m/"
    response = client.post(
        "/accounts/login/", {"username": "worker", "password": "Test@2026pw", "next": "/m/"}
    )
    assert response["Location"] == "/m/"


def test_home_shows_my_grid_and_my_verification_task(worker_client, field, to_verify):
    case = to_verify()
    response = worker_client.get(reverse("mobile:home"))
    body = response.content.decode()
    assert response.status_code == 200
    assert "甲一网格" in body
    assert f"核查事件 {case.number}" in body
    assert f'href="/m/cases/{case.pk}/verify/"' in body
    assert response.context["my_grids"][0]["name"] == "甲一网格"
    assert response.context["verify_urls"] == [f"/m/cases/{case.pk}/verify/"]
    assert "csrftoken" in response.cookies


@pytest.mark.parametrize("name", ["report", "visit", "queue", "lookup"])
def test_every_page_renders(worker_client, name):
    response = worker_client.get(reverse(f"mobile:{name}"))
    assert response.status_code == 200
    assert 'rel="manifest"' in response.content.decode()


def test_report_page_lists_the_reportable_classes(worker_client, field):
    categories = worker_client.get(reverse("mobile:report")).context["categories"]
    assert {
        "id": field.category.pk,
        "code": "0508",
        "name": "占道施工",
        "parent": "街面秩序",
        "search": "占道施工 街面秩序",
    } in categories
    # The seeded common words come along, for the search box ("坑" → 道路破损).
    assert "坑" in next(c["search"] for c in categories if c["name"] == "道路破损").split()


def test_verify_page_offers_the_form_only_when_awaiting(worker_client, to_verify):
    case = to_verify()
    body = worker_client.get(reverse("mobile:verify", args=[case.pk])).content.decode()
    assert 'id="verify-form"' in body


def test_verify_page_outside_scope_is_404(worker_client, to_verify):
    case = to_verify(*B1)
    assert worker_client.get(reverse("mobile:verify", args=[case.pk])).status_code == 404


def test_service_worker_is_served_with_the_app_scope(client):
    response = client.get("/m/sw.js")
    body = response.content.decode()
    assert response.status_code == 200
    assert response["Content-Type"] == "application/javascript; charset=utf-8"
    assert response["Service-Worker-Allowed"] == "/m/"
    assert body.startswith("self.CITYGRID_SHELL = ")
    assert '"/m/report/"' in body
    assert '"/static/vendor/leaflet/leaflet.js"' in body


def test_manifest_makes_the_app_installable(client):
    body = client.get("/m/manifest.webmanifest").json()
    assert body["start_url"] == "/m/"
    assert body["display"] == "standalone"
    assert [i["sizes"] for i in body["icons"]] == ["192x192", "512x512"]
