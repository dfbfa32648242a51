"""Open311 fixtures: the workflow set-up of the cases tests, an API client with its key, and
helpers that call an endpoint in either format and parse the answer."""

import json
from xml.etree import ElementTree as ET

import pytest

from citygrid.cases.tests.conftest import setup  # noqa: F401 (re-exported fixture)


@pytest.fixture
def api_key(db):
    from citygrid.integrations.open311.keys import issue_key
    from citygrid.integrations.open311.models import ApiClient

    client = ApiClient(name="12345 热线系统")
    key = issue_key(client)
    client.save()
    return key


@pytest.fixture
def other_key(db):
    from citygrid.integrations.open311.keys import issue_key
    from citygrid.integrations.open311.models import ApiClient

    client = ApiClient(name="城市服务 App")
    key = issue_key(client)
    client.save()
    return key


def parse(response, fmt: str):
    """JSON as is; XML as (root tag, element) after checking the declaration and content type."""
    if fmt == "json":
        assert response["Content-Type"] == "application/json; charset=utf-8"
        return json.loads(response.content)
    assert response["Content-Type"] == "text/xml; charset=utf-8"
    assert response.content.startswith(b'<?xml version="1.0" encoding="UTF-8"?>')
    return ET.fromstring(response.content)


def xml_items(root, item: str) -> list[dict]:
    """`<services><service><a>1</a>...` → [{"a": "1"}, ...] (leaves only)."""
    return [{child.tag: (child.text or "") for child in element} for element in root.findall(item)]
