"""SMS backends, chosen by `settings.SMS_BACKEND` like Django's e-mail backends.

`outbox` (default) keeps the message in the database only, `console` prints it with the phone
masked; provider backends (aliyun, tencent) will subclass `BaseSmsBackend` the same way.
"""

from django.conf import settings
from django.utils.module_loading import import_string

from citygrid.notify.backends.base import BaseSmsBackend


def get_backend(path: str | None = None, **options) -> BaseSmsBackend:
    """An instance of the configured backend (or of the dotted `path`)."""
    return import_string(path or settings.SMS_BACKEND)(**options)


__all__ = ["BaseSmsBackend", "get_backend"]
