"""Normalisation of free text that crosses the system's edges.

C0 control characters (U+0000–U+001F) other than tab, line feed and carriage return have no
place in a name or an address, and break what is built from the text: XML 1.0 forbids them (an
Open311 feed with one is not well-formed for any client) and openpyxl refuses to write them (an
XLSX export fails). They are stripped on the way in (`ChangeLoggedModel.derive`, the importer)
and again on the way out, for rows stored before.
"""

import re

CONTROL_CHARS_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def strip_controls(value: str) -> str:
    """`value` without C0 control characters except tab, line feed and carriage return."""
    return CONTROL_CHARS_RE.sub("", value)
