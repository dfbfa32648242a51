"""GeoReport v2 bodies in both formats from one Python structure.

XML follows the spec's examples: a root element, list items named by the singular of their
list (`services/service`, `attributes/attribute`), booleans as `true`/`false`, empty elements
for missing values. JSON is the same structure, with `null` for missing values. XML 1.0 has no
way to write C0 control characters, so text drops them: one stored before input was cleaned
must not make the public feed unreadable for every client.
"""

import json
from xml.etree import ElementTree as ET

from django.http import HttpResponse

from citygrid.core.text import strip_controls

CONTENT_TYPES = {"xml": "text/xml; charset=utf-8", "json": "application/json; charset=utf-8"}

# List element → the element of each item.
ITEM_TAGS = {
    "services": "service",
    "service_requests": "request",
    "attributes": "attribute",
    "values": "value",
    "endpoints": "endpoint",
    "formats": "format",
    "errors": "error",
}


def _scalar(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _fill(element: ET.Element, value) -> None:
    if isinstance(value, dict):
        for key, child in value.items():
            _fill(ET.SubElement(element, key), child)
    elif isinstance(value, list):
        item_tag = ITEM_TAGS[element.tag]
        for child in value:
            _fill(ET.SubElement(element, item_tag), child)
    else:
        element.text = strip_controls(_scalar(value))


def to_xml(root: str, data) -> bytes:
    element = ET.Element(root)
    _fill(element, data)
    # The spec asks for this exact declaration (double quotes, UTF-8) before the root element.
    return (
        b'<?xml version="1.0" encoding="UTF-8"?>\n'
        + ET.tostring(element, encoding="unicode").encode()
    )


def render(root: str, data, fmt: str, status: int = 200) -> HttpResponse:
    """`root` names the XML document element; JSON has no root (a list or an object)."""
    body = json.dumps(data, ensure_ascii=False).encode() if fmt == "json" else to_xml(root, data)
    return HttpResponse(body, status=status, content_type=CONTENT_TYPES[fmt])


def render_errors(errors: list[tuple[int, str]], fmt: str, status: int) -> HttpResponse:
    return render(
        "errors", [{"code": code, "description": text} for code, text in errors], fmt, status
    )
