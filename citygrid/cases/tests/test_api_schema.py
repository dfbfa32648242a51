"""The OpenAPI schema admits every value the case API returns (clients validate against it)."""

import pytest

from citygrid.cases.choices import Step

pytestmark = pytest.mark.django_db


def allowed_values(schema: dict, prop: dict) -> set:
    """Enum values a property accepts, following `$ref`, `allOf` and `oneOf`."""
    if "$ref" in prop:
        return allowed_values(schema, schema["components"]["schemas"][prop["$ref"].split("/")[-1]])
    if "enum" in prop:
        return set(prop["enum"])
    return set().union(*(allowed_values(schema, p) for p in prop.get("allOf", prop.get("oneOf"))))


@pytest.mark.parametrize("component", ["Case", "CaseDetail"])
def test_a_case_without_a_current_step_fits_the_schema(client, component):
    # A closed case's `step` is "": Schemathesis found it outside the documented enum.
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/json").json()
    step = schema["components"]["schemas"][component]["properties"]["step"]
    assert allowed_values(schema, step) == {*Step.values, ""}
