"""Normalisation of free text that crosses the system's edges.

C0 control characters (U+0000–U+001F) other than tab, line feed and carriage return have no
place in a name or an address, and break what is built from the text: XML 1.0 forbids them (an
Open311 feed with one is not well-formed for any client) and openpyxl refuses to write them (an
XLSX export fails). They are stripped on the way in (`ChangeLoggedModel.derive`, the importer)
and again on the way out, for rows stored before. Records outside the change log (case events,
held reports, channel state ...) strip them in their own `save()` through `StripControlsMixin`.
"""

import functools
import re

from django.db import models

CONTROL_CHARS_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def strip_controls(value: str) -> str:
    """`value` without C0 control characters except tab, line feed and carriage return."""
    return CONTROL_CHARS_RE.sub("", value)


def strip_text_fields(instance: models.Model) -> None:
    """Strip control characters from every loaded text field of `instance`; deferred fields
    are left alone rather than fetched."""
    values = instance.__dict__
    texts = [
        (attname, value)
        for attname in _text_attnames(type(instance))
        if isinstance(value := values.get(attname), str) and value
    ]
    # Most records have no control character at all: one search over all their text first.
    if not CONTROL_CHARS_RE.search("".join(value for _, value in texts)):
        return
    for attname, value in texts:
        if CONTROL_CHARS_RE.search(value):
            setattr(instance, attname, strip_controls(value))


@functools.cache
def _text_attnames(model: type[models.Model]) -> tuple[str, ...]:
    """The text columns of a model, found once: imports strip thousands of rows of one type."""
    return tuple(
        f.attname
        for f in model._meta.concrete_fields
        if isinstance(f, models.CharField | models.TextField)
    )


class StripControlsMixin:
    """For a model outside the change log: its text is cleaned in `save()`, the one place every
    writer (action function, channel, API) passes, as `ChangeLoggedModel.derive()` does for the
    logged ones. Such a model must not be written with `bulk_create()` or `update()`, which
    skip `save()`."""

    def save(self, *args, **kwargs):
        strip_text_fields(self)
        super().save(*args, **kwargs)
