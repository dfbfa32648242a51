"""An API path no route matches answers the API's JSON error body, never an HTML page."""

import pytest

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("path", ["/api/no-such-records/", "/m/api/cases/-1/verify/"])
def test_unmatched_api_paths_answer_json(client, path):
    response = client.get(path)
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json() == {
        "code": "not_found",
        "message": "记录不存在或不在您的管辖范围内",
        "errors": {},
    }


def test_other_paths_keep_the_html_page(client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")
